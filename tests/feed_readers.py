"""Read an iCalendar feed with three independent parsers, and push it to a real CalDAV server.

Feed tests use this to assert that every reader sees the same events:

- ``read_icalendar``: the Python ``icalendar`` package (the one the project writes feeds with);
- ``read_icaljs``: ``ical.js`` under node (what web calendars run), via ``tests/js/read_ics.mjs``;
- ``expand_occurrences``: ``recurring_ical_events``, which expands RRULEs into dates;
- ``radicale_server`` + ``put_events``: a Radicale CalDAV server on 127.0.0.1 that gets each
  event as its own calendar object resource and says 201/204 (accepted) or why not (its log).

Times: a date-time with a zone (``Z``, or a TZID) reads as an aware ``datetime`` in UTC; a
floating one (no zone, or a TZID that neither the feed nor the reader can resolve) stays naive,
so a reader that fails to resolve a zone shows up as a difference, not as a silent guess.
All-day values read as ``date``. Every reader sorts its events by (uid, start).
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import icalendar
import pytest
import recurring_ical_events  # type: ignore[import-untyped]

ROOT = Path(__file__).resolve().parent.parent
JS_DIR = ROOT / "tests" / "js"
READ_ICS = JS_DIR / "read_ics.mjs"

Moment = date | datetime

# The CalDAV collection put_events fills, and the user it logs in as (Radicale's auth is off:
# any name is accepted, and the name picks the principal collection /test/).
RADICALE_USER = "test"
FEED_COLLECTION = f"/{RADICALE_USER}/feed/"


@dataclass(frozen=True)
class EventView:
    """What one VEVENT says, in a form every reader can produce and compare."""

    uid: str
    summary: str | None
    description: str | None
    location: str | None
    categories: tuple[str, ...]
    status: str | None
    transp: str | None
    sequence: int
    start: Moment
    end: Moment | None  # only an end the feed states (DTEND, or DTSTART + DURATION)
    all_day: bool
    rrule: str | None  # normalise_rrule's form

    def sort_key(self) -> tuple[str, str]:
        return (self.uid, self.start.isoformat())


def _sorted(events: list[EventView]) -> list[EventView]:
    return sorted(events, key=EventView.sort_key)


def _utc(value: Moment) -> Moment:
    """A date as is; an aware date-time in UTC; a floating (naive) date-time as is."""
    if isinstance(value, datetime) and value.tzinfo is not None:
        return value.astimezone(UTC)
    return value


def normalise_rrule(rule: str) -> str:
    """One canonical RRULE text: parts sorted by name, defaults that readers drop dropped.

    ``INTERVAL=1`` and ``WKST=MO`` are the RFC 5545 defaults (ical.js leaves them out); a
    leading ``+`` on BYDAY/BYMONTHDAY/... ordinals is dropped for the same reason.
    """
    parts: dict[str, str] = {}
    for part in rule.strip().split(";"):
        if not part:
            continue
        name, _, value = part.partition("=")
        name = name.strip().upper()
        value = value.strip().upper()
        if (name, value) in (("INTERVAL", "1"), ("WKST", "MO")):
            continue
        if name.startswith("BY"):
            value = ",".join(v.removeprefix("+") for v in value.split(","))
        parts[name] = value
    return ";".join(f"{name}={parts[name]}" for name in sorted(parts))


# --- icalendar -------------------------------------------------------------------------------


def _text(component: icalendar.Component, name: str) -> str | None:
    value = component.get(name)
    if value is None:
        return None
    if isinstance(value, list):  # the property given more than once: the first, as ical.js
        value = value[0]
    return str(value)


def _categories(component: icalendar.Component) -> tuple[str, ...]:
    raw = component.get("CATEGORIES")
    if raw is None:
        return ()
    props = raw if isinstance(raw, list) else [raw]
    return tuple(str(cat) for prop in props for cat in prop.cats)


def _moment(component: icalendar.Component, name: str) -> Moment | None:
    value = component.decoded(name, None)
    if value is None:
        return None
    if not isinstance(value, date):  # a datetime is a date too
        raise ValueError(f"{component.name} {component.get('UID')!r}: {name} is {value!r}")
    return value


def _icalendar_view(event: icalendar.Component) -> EventView:
    start = _moment(event, "DTSTART")
    if start is None:
        raise ValueError(f"VEVENT {event.get('UID')!r} has no DTSTART")
    end = _moment(event, "DTEND")
    duration = event.decoded("DURATION", None)
    if end is None and isinstance(duration, timedelta):
        end = start + duration
    rrule = event.get("RRULE")
    if isinstance(rrule, list):
        rrule = rrule[0]
    return EventView(
        uid=str(event.get("UID", "")),
        summary=_text(event, "SUMMARY"),
        description=_text(event, "DESCRIPTION"),
        location=_text(event, "LOCATION"),
        categories=_categories(event),
        status=_text(event, "STATUS"),
        transp=_text(event, "TRANSP"),
        sequence=int(event.get("SEQUENCE", 0)),
        start=_utc(start),
        end=None if end is None else _utc(end),
        all_day=not isinstance(start, datetime),
        rrule=None if rrule is None else normalise_rrule(rrule.to_ical().decode()),
    )


def read_icalendar(data: bytes) -> list[EventView]:
    """The feed's VEVENTs as the ``icalendar`` package reads them.

    Note: for a TZID that names an IANA zone, icalendar uses its own zone database, not the
    feed's VTIMEZONE; ical.js uses the feed's VTIMEZONE. A wrong VTIMEZONE makes them differ.
    """
    events: list[EventView] = []
    for calendar in icalendar.Calendar.from_ical(data, multiple=True):
        events.extend(_icalendar_view(event) for event in calendar.walk("VEVENT"))
    return _sorted(events)


# --- ical.js ---------------------------------------------------------------------------------


def _parse_js_moment(value: str) -> Moment:
    if len(value) == 10:
        return date.fromisoformat(value)
    moment = datetime.fromisoformat(value)  # "...Z" reads as UTC; no "Z" stays floating
    return _utc(moment)


def _icaljs_view(raw: dict[str, Any]) -> EventView:
    rrule = raw.get("rrule")
    end = raw.get("end")
    return EventView(
        uid=str(raw.get("uid") or ""),
        summary=raw.get("summary"),
        description=raw.get("description"),
        location=raw.get("location"),
        categories=tuple(raw.get("categories") or ()),
        status=raw.get("status"),
        transp=raw.get("transp"),
        sequence=int(raw.get("sequence") or 0),
        start=_parse_js_moment(raw["start"]),
        end=None if end is None else _parse_js_moment(end),
        all_day=bool(raw.get("all_day")),
        rrule=None if rrule is None else normalise_rrule(rrule),
    )


def read_icaljs(data: bytes) -> list[EventView]:
    """The feed's VEVENTs as ical.js reads them (``node tests/js/read_ics.mjs``)."""
    node = shutil.which("node")
    if node is None:
        raise RuntimeError("node is not on PATH: the ical.js reader needs Node.js")
    if not (JS_DIR / "node_modules" / "ical.js" / "package.json").is_file():
        raise RuntimeError(
            f"{JS_DIR / 'node_modules'} has no ical.js: run `npm ci --prefix tests/js` "
            "(or `make test`, which does)"
        )
    result = subprocess.run(
        [node, str(READ_ICS)],
        input=data,
        capture_output=True,
        cwd=JS_DIR,
        timeout=60,
        check=False,
    )
    if result.returncode != 0:
        raise RuntimeError(
            f"ical.js could not read the feed (exit {result.returncode}):\n"
            + result.stderr.decode(errors="replace")
        )
    raw = json.loads(result.stdout)
    return _sorted([_icaljs_view(item) for item in raw])


# --- recurring_ical_events -------------------------------------------------------------------


def expand_occurrences(data: bytes, start: date, end: date) -> list[tuple[str, Moment]]:
    """(uid, start) of every VEVENT occurrence between start (incl.) and end (excl.).

    RRULE, RDATE, EXDATE and RECURRENCE-ID overrides are applied by ``recurring_ical_events``.
    """
    found: list[tuple[str, Moment]] = []
    for calendar in icalendar.Calendar.from_ical(data, multiple=True):
        for occurrence in recurring_ical_events.of(calendar).between(start, end):
            if occurrence.name != "VEVENT":
                continue
            found.append((str(occurrence.get("UID", "")), _utc(occurrence["DTSTART"].dt)))
    return sorted(found, key=lambda item: (item[0], item[1].isoformat()))


# --- Radicale --------------------------------------------------------------------------------

_RADICALE_CONFIG = """\
[server]
hosts = 127.0.0.1:{port}
delay_on_error = 0

[auth]
type = none

[rights]
type = authenticated

[storage]
filesystem_folder = {folder}

[web]
type = none

[logging]
level = info
bad_put_request_content = True
"""

_LISTENING = re.compile(r"Listening on '127\.0\.0\.1:(\d+)'")


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _start_radicale(workdir: Path, port: int) -> tuple[subprocess.Popen[bytes], Path] | None:
    """Radicale listening on port, or None when it could not bind (the port was taken)."""
    config = workdir / f"config-{port}"
    log = workdir / f"radicale-{port}.log"
    config.write_text(
        _RADICALE_CONFIG.format(port=port, folder=workdir / "collections"), encoding="utf-8"
    )
    with log.open("wb") as log_file:
        proc = subprocess.Popen(
            [sys.executable, "-m", "radicale", "--config", str(config)],
            stdin=subprocess.DEVNULL,
            stdout=log_file,
            stderr=subprocess.STDOUT,
        )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        text = log.read_text(encoding="utf-8", errors="replace")
        if _LISTENING.search(text):
            return proc, log
        if proc.poll() is not None:
            if "No servers started" in text or "cannot create server socket" in text:
                return None
            raise RuntimeError(f"Radicale exited with {proc.returncode}:\n{text}")
        time.sleep(0.05)
    _stop(proc)
    raise RuntimeError(
        f"Radicale did not listen on 127.0.0.1:{port} within 30 s:\n"
        + log.read_text(encoding="utf-8", errors="replace")
    )


def _stop(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)


@pytest.fixture
def radicale_server(tmp_path: Path) -> Iterator[str]:
    """A Radicale CalDAV server on 127.0.0.1 for one test; yields its base URL ("http://.../").

    Auth is off (any user name logs in), rights are "authenticated" (a logged-in user may write
    anywhere), storage is under tmp_path. Its log is printed at teardown, which pytest shows
    only for a failing test: Radicale gives the reason for a 400 there, not in the response.
    """
    workdir = tmp_path / "radicale"
    workdir.mkdir()
    started = None
    for _ in range(5):  # Radicale refuses port 0: pick a free one, retry if it was taken
        started = _start_radicale(workdir, _free_port())
        if started is not None:
            break
    if started is None:
        raise RuntimeError("Radicale could not bind a free port on 127.0.0.1 in 5 tries")
    proc, log = started
    match = _LISTENING.search(log.read_text(encoding="utf-8", errors="replace"))
    assert match is not None
    try:
        yield f"http://127.0.0.1:{match.group(1)}/"
    finally:
        _stop(proc)
        print(f"--- Radicale log ({log}) ---")
        print(log.read_text(encoding="utf-8", errors="replace"))


@dataclass
class _Block:
    """One component of a VCALENDAR, as the feed's own lines (folding kept)."""

    name: str
    lines: list[str]
    uid: str | None


def _logical_lines(text: str) -> Iterator[tuple[str, list[str]]]:
    """(unfolded line, its physical lines) for each content line of the text."""
    current: list[str] = []
    for physical in re.split(r"\r\n|\n|\r", text):
        if physical[:1] in (" ", "\t") and current:
            current.append(physical)
            continue
        if current:
            yield "".join([current[0], *(p[1:] for p in current[1:])]), current
        current = [physical] if physical else []
    if current:
        yield "".join([current[0], *(p[1:] for p in current[1:])]), current


def _prop_name(line: str) -> str:
    return re.split(r"[;:]", line, maxsplit=1)[0].strip().upper()


def _split_feed(text: str) -> tuple[list[str], list[_Block]]:
    """The VERSION/PRODID lines and the components (VTIMEZONE, VEVENT, ...) of every VCALENDAR."""
    head: dict[str, list[str]] = {}
    blocks: list[_Block] = []
    depth = 0
    block: _Block | None = None
    for line, physical in _logical_lines(text):
        name = _prop_name(line)
        value = line.partition(":")[2].strip()
        if name == "BEGIN":
            depth += 1
            if depth == 2:
                block = _Block(value.upper(), [], None)
        if block is not None:
            block.lines.extend(physical)
            if depth == 2 and name == "UID" and block.uid is None:
                block.uid = value
        elif depth == 1 and name in ("VERSION", "PRODID"):
            head.setdefault(name, physical)
        if name == "END":
            if depth == 2 and block is not None:
                blocks.append(block)
                block = None
            depth -= 1
    lines = head.get("VERSION", ["VERSION:2.0"]) + head.get(
        "PRODID", ["PRODID:-//reminders tests//feed_readers//EN"]
    )
    return lines, blocks


def _resource_name(uid: str) -> str:
    slug = re.sub(r"[^A-Za-z0-9._-]+", "_", uid).strip("._")[:60] or "event"
    digest = hashlib.sha256(uid.encode("utf-8")).hexdigest()[:12]
    return f"{slug}-{digest}.ics"


def put_events(base_url: str, data: bytes) -> dict[str, int]:
    """Create the calendar FEED_COLLECTION and PUT the feed into it, one resource per UID.

    Each resource is the feed's own lines (not a re-serialisation): VERSION and PRODID, every
    VTIMEZONE, then all components with that UID (a master and its RECURRENCE-ID overrides).
    Returns uid -> HTTP status of its PUT (201 created, 204 replaced; 4xx: see Radicale's log).
    """
    head, blocks = _split_feed(data.decode("utf-8"))
    timezones = [line for b in blocks if b.name == "VTIMEZONE" for line in b.lines]
    by_uid: dict[str, list[str]] = {}
    for block in blocks:
        if block.name == "VTIMEZONE":
            continue
        if not block.uid:
            raise ValueError(f"a {block.name} has no UID: a CalDAV server cannot store it")
        by_uid.setdefault(block.uid, []).extend(block.lines)

    collection = base_url.rstrip("/") + FEED_COLLECTION
    statuses: dict[str, int] = {}
    with httpx.Client(auth=(RADICALE_USER, RADICALE_USER), timeout=30, trust_env=False) as client:
        made = client.request("MKCALENDAR", collection)
        if made.status_code not in (201, 405, 409):  # 405/409: it exists already
            raise RuntimeError(f"MKCALENDAR {collection}: {made.status_code} {made.text}")
        for uid, lines in by_uid.items():
            body = "\r\n".join(["BEGIN:VCALENDAR", *head, *timezones, *lines, "END:VCALENDAR"])
            response = client.put(
                collection + _resource_name(uid),
                content=(body + "\r\n").encode("utf-8"),
                headers={"Content-Type": "text/calendar; charset=utf-8"},
            )
            statuses[uid] = response.status_code
    return statuses
