"""Feeds over real HTTP: uvicorn on 127.0.0.1 in front of `create_app`, spoken to with httpx.

Validators, HEAD, 404s, token rotation, Last-Modified after removals, the fetch log, the
subscribe and item pages, plan feeds, and two workers agreeing on what they serve.
"""

from __future__ import annotations

import dataclasses
import html
import os
import re
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from email.utils import format_datetime, parsedate_to_datetime
from pathlib import Path

import httpx
import icalendar
import pytest
import uvicorn
from sqlalchemy import select

from reminders.cli import main
from reminders.clock import VN_TZ, FixedClock
from reminders.config import load_settings
from reminders.feeds.hub import FeedHub
from reminders.feeds.model import FeedKey, FeedKind
from reminders.feeds.window import CANCELLED_DAYS
from reminders.ingest.model import ImportedPlan
from reminders.services import Services, build
from reminders.store.feed_states import last_fetches
from reminders.store.tables import activities, deadlines, feed_fetches
from reminders.web.app import create_app
from reminders.web.feeds import FeedRoutes
from tests.feed_support import BASE_URL, NOW, seed_plan, store_plans, store_seeds
from tests.ingest_support import ROOT

UNIT = "vhtt-thanh-xuan"
UNIT_NAME = "Phòng Văn hóa và Thông tin quận Thanh Xuân"
ALL = FeedKey(FeedKind.ALL, UNIT)
UNIT_KEYS = tuple(FeedKey(kind, UNIT) for kind in (
    FeedKind.ALL, FeedKind.ACTIVITIES, FeedKind.DEADLINES, FeedKind.FOLLOWED))
PLAN_249 = 1  # the first seed stored: 249/KH-UBND of UBND quận Thanh Xuân
DROPPED = "A.4"  # an activity of plan 249 that vhtt-thanh-xuan takes part in (via a group)
KEPT = "A.3"  # another one, ending the same day as DROPPED
HTTP_DATE = re.compile(
    r"(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d{2} (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)"
    r" \d{4} \d{2}:\d{2}:\d{2} GMT")
STRONG_ETAG = re.compile(r'"[\x21\x23-\x7e]+"')
UID_LINE = re.compile(r"^UID:(.+)@reminders\r?$", re.MULTILINE)


# --- helpers -------------------------------------------------------------------------------

def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def serving(app: FeedRoutes) -> Iterator[str]:
    """Run `app` under uvicorn on 127.0.0.1 in a thread; yields the base URL."""
    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, lifespan="on",
                                           access_log=False, log_level="warning"))
    thread = threading.Thread(target=server.run, name=f"uvicorn-{port}", daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:  # wait for the server to answer, nothing else
            if not thread.is_alive():
                raise AssertionError("uvicorn stopped before it answered")
            try:
                httpx.get(f"{base}/healthz", timeout=1)
                break
            except httpx.TransportError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)
        yield base
    finally:
        server.should_exit = True
        thread.join(timeout=30)
    assert not thread.is_alive(), "uvicorn did not stop"


def _env(tmp_path: Path) -> dict[str, str]:
    return {
        "REMINDERS_DATABASE_URL": f"sqlite:///{tmp_path / 'reminders.sqlite3'}",
        "REMINDERS_SERVICE_REGISTRY": str(ROOT / "config" / "units.toml"),
        "REMINDERS_SERVICE_PUBLIC_BASE_URL": BASE_URL,
    }


def _services(tmp_path: Path, at: datetime) -> Services:
    settings = load_settings(None, _env(tmp_path), cwd=tmp_path)
    return build(settings, FixedClock(at))


@dataclass
class Site:
    """One running app over the test store, with a client for it."""

    app: FeedRoutes
    services: Services
    client: httpx.Client

    @property
    def clock(self) -> FixedClock:
        clock = self.services.clock
        assert isinstance(clock, FixedClock)
        return clock

    @property
    def hub(self) -> FeedHub:
        hub: FeedHub = self.app.state.feeds
        return hub

    def path(self, key: FeedKey) -> str:
        catalogue = self.hub.catalogue
        return f"/lich/{catalogue.token(key)}/{catalogue.slug(key)}.ics"

    def refresh(self, at: datetime) -> None:
        """What the feed loop would do after a change, with the clock at `at`."""
        self.clock.set(at)
        self.hub.refresh(at)

    def flush(self) -> int:
        written: int = self.app.state.fetch_log.flush(self.services.engine)
        return written


@contextmanager
def site_over(services: Services) -> Iterator[Site]:
    app = create_app(services, run_scheduler=False, run_feed_loop=False)
    with serving(app) as base, httpx.Client(base_url=base, timeout=10) as client:
        yield Site(app=app, services=services, client=client)


@pytest.fixture
def services(tmp_path: Path) -> Iterator[Services]:
    """A migrated SQLite store with the bundled registry and the seed plans published."""
    built = _services(tmp_path, NOW)
    try:
        store_seeds(built.engine)
        yield built
    finally:
        built.engine.dispose()


@pytest.fixture
def site(services: Services) -> Iterator[Site]:
    with site_over(services) as running:
        yield running


def _http_date(value: str) -> datetime:
    assert HTTP_DATE.fullmatch(value), value
    return parsedate_to_datetime(value)


def _without(plan_code: str) -> tuple[ImportedPlan, ...]:
    plan = seed_plan("000")
    kept = tuple(a for a in plan.activities if a.code != plan_code)
    assert len(kept) == len(plan.activities) - 1
    return (dataclasses.replace(plan, activities=kept),)


def _uid_of(services: Services, code: str) -> str:
    with services.engine.connect() as conn:
        uid: str = conn.execute(select(activities.c.uid).where(
            activities.c.plan_id == PLAN_249, activities.c.code == code)).scalar_one()
    return uid.partition("@")[0]


def _local_uids(body: bytes) -> set[str]:
    return set(UID_LINE.findall(body.decode()))


# --- the feed itself -----------------------------------------------------------------------

def test_a_units_combined_feed_is_served_as_calendar_with_validators(site: Site) -> None:
    response = site.client.get(site.path(ALL), headers={"Accept-Encoding": "gzip"})
    assert response.status_code == 200
    headers = response.headers
    assert headers["content-type"] == "text/calendar; charset=utf-8"
    assert "content-disposition" not in headers
    assert "content-encoding" not in headers
    assert STRONG_ETAG.fullmatch(headers["etag"]), headers["etag"]
    assert _http_date(headers["last-modified"]) == NOW  # the lifespan's refresh
    assert headers["cache-control"]
    assert int(headers["content-length"]) == len(response.content)
    assert response.content.startswith(b"BEGIN:VCALENDAR\r\n")
    calendar = icalendar.Calendar.from_ical(response.content)
    assert str(calendar["X-WR-CALNAME"]) == f"Lịch công tác – {UNIT_NAME}"
    events = calendar.walk("VEVENT")
    assert events and len(events) == response.content.count(b"BEGIN:VEVENT")


def test_conditional_requests_answer_304_only_when_the_validators_match(site: Site) -> None:
    path = site.path(ALL)
    first = site.client.get(path)
    etag, modified = first.headers["etag"], first.headers["last-modified"]
    earlier = format_datetime(_http_date(modified) - timedelta(seconds=1), usegmt=True)

    def status(**headers: str) -> int:
        return site.client.get(path, headers=headers).status_code

    unchanged = site.client.get(path, headers={"If-None-Match": etag})
    assert unchanged.status_code == 304
    assert unchanged.content == b""
    assert unchanged.headers["etag"] == etag
    assert unchanged.headers["last-modified"] == modified
    assert status(**{"If-None-Match": f"W/{etag}"}) == 304
    assert status(**{"If-None-Match": f'"0123abcd", {etag}, "feed"'}) == 304
    assert status(**{"If-None-Match": '"0123abcd"'}) == 200
    assert status(**{"If-Modified-Since": modified}) == 304
    assert status(**{"If-Modified-Since": earlier}) == 200
    assert status(**{"If-None-Match": '"0123abcd"', "If-Modified-Since": modified}) == 200


def test_head_gives_the_headers_of_get_without_a_body(site: Site) -> None:
    path = site.path(ALL)
    got = site.client.get(path)
    head = site.client.head(path)
    assert head.status_code == got.status_code == 200
    assert head.content == b""
    for name in ("content-type", "content-length", "etag", "last-modified", "cache-control"):
        assert head.headers[name] == got.headers[name], name
    assert int(head.headers["content-length"]) == len(got.content)


def test_unknown_feeds_are_404_without_a_hint_and_only_get_and_head_are_allowed(
        site: Site) -> None:
    token = site.hub.catalogue.token(ALL)
    slug = site.hub.catalogue.slug(ALL)
    flipped = token[:-1] + ("A" if token[-1] != "A" else "B")
    wrong_token = site.client.get(f"/lich/{'x' * len(token)}/{slug}.ics")
    wrong_slug = site.client.get(f"/lich/{token}/{UNIT}-khong-co.ics")
    near_miss = site.client.get(f"/lich/{flipped}/{slug}.ics")
    for response in (wrong_token, wrong_slug, near_miss):
        assert response.status_code == 404
        assert UNIT_NAME not in response.text
        assert response.content == wrong_token.content
        assert "etag" not in response.headers
    posted = site.client.post(site.path(ALL), content=b"")
    assert posted.status_code == 405
    assert set(posted.headers["allow"].replace(" ", "").split(",")) == {"GET", "HEAD"}


# --- changes behind the feeds --------------------------------------------------------------

def test_rotating_a_units_token_retires_the_old_url(
        site: Site, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    old_path = site.path(ALL)
    old_token = site.hub.catalogue.token(ALL)
    before = site.client.get(old_path)
    assert before.status_code == 200
    monkeypatch.chdir(tmp_path)
    for name in [n for n in os.environ if n.startswith("REMINDERS_")]:
        monkeypatch.delenv(name)
    for name, value in _env(tmp_path).items():
        monkeypatch.setenv(name, value)

    assert main(["units", "rotate-token", UNIT]) == 0
    site.refresh(site.clock.now())

    new_token = site.hub.catalogue.token(ALL)
    assert new_token != old_token
    assert f"{BASE_URL}/lich/{new_token}/" in capsys.readouterr().out
    assert site.client.get(old_path).status_code == 404
    assert site.client.get(f"/lich/{old_token}/").status_code == 404
    after = site.client.get(site.path(ALL))
    assert after.status_code == 200
    assert after.content == before.content
    assert after.headers["etag"] == before.headers["etag"]
    assert after.headers["last-modified"] == before.headers["last-modified"]


def test_last_modified_moves_forward_when_events_are_cancelled_and_leave(
        site: Site, services: Services) -> None:
    path = site.path(ALL)
    dropped, kept = _uid_of(services, DROPPED), _uid_of(services, KEPT)
    first = site.client.get(path)
    assert dropped in first.text and "STATUS:CANCELLED" not in first.text

    removed_at = NOW + timedelta(days=1)
    store_plans(services.engine, _without(DROPPED), at=removed_at)
    site.refresh(removed_at)
    cancelled = site.client.get(path)
    assert cancelled.headers["etag"] != first.headers["etag"]
    assert (_http_date(cancelled.headers["last-modified"])
            > _http_date(first.headers["last-modified"]))
    assert "STATUS:CANCELLED" in cancelled.text
    assert "SUMMARY:[HỦY] " in cancelled.text
    assert dropped in cancelled.text

    site.refresh(removed_at + timedelta(days=CANCELLED_DAYS - 1))
    assert dropped in site.client.get(path).text  # still there on the 30th day

    site.refresh(removed_at + timedelta(days=CANCELLED_DAYS + 1))
    gone = site.client.get(path)
    assert dropped not in gone.text
    assert "STATUS:CANCELLED" not in gone.text
    assert f"UID:{kept}-ket-thuc@reminders" in gone.text  # same last day, not removed
    assert gone.headers["etag"] != cancelled.headers["etag"]
    assert (_http_date(gone.headers["last-modified"])
            > _http_date(cancelled.headers["last-modified"]))


def test_last_modified_never_goes_backwards_when_the_clock_does(
        site: Site, services: Services) -> None:
    path = site.path(ALL)
    first = site.client.get(path)
    behind = NOW - timedelta(hours=1)  # same local day: only the plan's feeds change
    store_plans(services.engine, _without(DROPPED), at=behind)
    site.refresh(behind)
    changed = site.client.get(path)
    assert changed.headers["etag"] != first.headers["etag"]
    assert _http_date(changed.headers["last-modified"]) == NOW + timedelta(seconds=1)


# --- who fetches -----------------------------------------------------------------------------

def test_fetches_are_logged_per_client_family(site: Site, services: Services) -> None:
    path = site.path(ALL)
    served = site.hub.get(ALL)  # read from the hub: a request would be logged too
    assert served is not None
    etag = served.etag
    fetches = [  # user agent, revalidating, client family
        ("Google-Calendar-Importer", True, "google"),
        ("Microsoft Outlook 16.0", False, "outlook"),
        ("iOS/17.0 (21A329) dataaccessd/1.0", True, "apple"),
        ("Mozilla/5.0 (X11; Linux x86_64; rv:115.0) Gecko/20100101 Thunderbird/115.0",
         False, "thunderbird"),
        ("curl/8.0", False, "other"),
    ]
    for agent, revalidating, _client in fetches:
        headers = {"User-Agent": agent, **({"If-None-Match": etag} if revalidating else {})}
        assert site.client.get(path, headers=headers).status_code == (
            304 if revalidating else 200)
    missing = path.replace("-tat-ca.ics", "-khong-co.ics")
    assert site.client.get(missing, headers={"User-Agent": "curl/8.0"}).status_code == 404

    assert site.flush() == len(fetches)
    with services.engine.connect() as conn:
        rows = conn.execute(select(feed_fetches).order_by(feed_fetches.c.id)).all()
        last = last_fetches(conn, UNIT)
    assert [(r.unit_id, r.feed, r.client, r.status_code, r.fetched_at) for r in rows] == [
        (UNIT, "tat-ca:vhtt-thanh-xuan", client, 304 if revalidating else 200, NOW)
        for _agent, revalidating, client in fetches]
    assert last == {"tat-ca:vhtt-thanh-xuan": {client: NOW for *_, client in fetches}}


# --- pages -----------------------------------------------------------------------------------

def test_the_subscribe_page_offers_every_feed_and_shows_fetches(site: Site) -> None:
    catalogue = site.hub.catalogue
    token = catalogue.token(ALL)
    page = site.client.get(f"/lich/{token}/")
    assert page.status_code == 200
    assert page.headers["content-type"] == "text/html; charset=utf-8"
    text = html.unescape(page.text)
    assert UNIT_NAME in text
    plan_keys = tuple(FeedKey(FeedKind.PLAN, str(p.id)) for p in catalogue.plans_of(UNIT))
    assert plan_keys
    for key in (*UNIT_KEYS, *plan_keys):
        url = f"{BASE_URL}/lich/{catalogue.token(key)}/{catalogue.slug(key)}.ics"
        assert url in text, key
        assert "webcal://" + url.removeprefix("https://") in text, key
    assert "<svg" in page.text
    assert "tải lần cuối" not in text

    google = {"User-Agent": "Google-Calendar-Importer"}
    assert site.client.get(site.path(ALL), headers=google).status_code == 200
    assert site.flush() == 1
    seen = html.unescape(site.client.get(f"/lich/{token}/").text)
    local_now = NOW.astimezone(VN_TZ)
    assert f"Google Lịch tải lần cuối lúc {local_now:%H:%M %d/%m/%Y}" in seen

    bare = site.client.get(f"/lich/{token}")
    assert bare.status_code == 308
    assert bare.headers["location"] == f"/lich/{token}/"
    assert site.client.get(f"/lich/{'x' * len(token)}/").status_code == 404


def test_an_items_page_is_reached_from_its_event(site: Site, services: Services) -> None:
    body = site.client.get(site.path(ALL)).content
    event = icalendar.Calendar.from_ical(body).walk("VEVENT")[0]
    local = str(event["UID"]).partition("@")[0]
    assert str(event["URL"]) == f"{BASE_URL}/muc/{local}"
    with services.engine.connect() as conn:
        title = conn.execute(select(activities.c.title).where(
            activities.c.uid == str(event["UID"]))).scalar_one()

    page = site.client.get(f"/muc/{local}")
    assert page.status_code == 200
    assert page.headers["content-type"] == "text/html; charset=utf-8"
    assert " ".join(title.split()) in " ".join(html.unescape(page.text).split())
    assert site.client.get("/muc/nonexistent").status_code == 404


def test_a_plan_feed_lives_under_the_plans_own_token(site: Site, services: Services) -> None:
    catalogue = site.hub.catalogue
    key = FeedKey(FeedKind.PLAN, str(PLAN_249))
    token = catalogue.token(key)
    response = site.client.get(f"/lich/{token}/{catalogue.slug(key)}.ics")
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/calendar; charset=utf-8"

    first_shown = NOW.astimezone(VN_TZ).date() - timedelta(days=30)  # the feed's window
    dated = {a.code for a in seed_plan("000").activities
             if any((s.end or s.start or date.min) >= first_shown for s in a.time.spans)}
    with services.engine.connect() as conn:
        codes = {code: uid for code, uid in conn.execute(
            select(activities.c.code, activities.c.uid).where(activities.c.plan_id == PLAN_249))}
        own = set(conn.execute(select(activities.c.uid).where(
            activities.c.plan_id == PLAN_249)).scalars())
        own |= set(conn.execute(select(deadlines.c.uid).where(
            deadlines.c.plan_id == PLAN_249)).scalars())
    assert len(dated) >= 10
    shown = _local_uids(response.content)
    items = {uid.split("-")[0] for uid in shown}
    assert {codes[c].partition("@")[0] for c in dated} <= items
    assert items <= {uid.partition("@")[0] for uid in own}

    page = site.client.get(f"/lich/{token}/")
    assert page.status_code == 200
    assert f"{BASE_URL}/lich/{token}/{catalogue.slug(key)}.ics" in html.unescape(page.text)

    for unit_key in UNIT_KEYS:
        assert site.client.get(f"/lich/{token}/{catalogue.slug(unit_key)}.ics"
                               ).status_code == 404
    unit_token = catalogue.token(ALL)
    assert site.client.get(f"/lich/{unit_token}/{catalogue.slug(key)}.ics").status_code == 404


# --- several workers -----------------------------------------------------------------------

def test_two_workers_on_one_store_serve_the_same_bytes_and_validators(
        site: Site, services: Services, tmp_path: Path) -> None:
    other_services = _services(tmp_path, NOW + timedelta(hours=1))  # started an hour later
    try:
        with site_over(other_services) as other:
            keys = (*UNIT_KEYS, FeedKey(FeedKind.PLAN, str(PLAN_249)))

            def agree() -> None:
                for key in keys:
                    one = site.client.get(site.path(key))
                    two = other.client.get(other.path(key))
                    assert one.status_code == two.status_code == 200, key
                    assert one.content == two.content, key
                    for name in ("etag", "last-modified"):
                        assert one.headers[name] == two.headers[name], (key, name)

            agree()
            changed_at = NOW + timedelta(days=1)
            store_plans(services.engine, _without(DROPPED),
                        at=changed_at)
            site.refresh(changed_at)
            other.refresh(changed_at + timedelta(minutes=5))  # the slower worker
            agree()
            assert _http_date(site.client.get(site.path(ALL)).headers["last-modified"]) == (
                changed_at)
    finally:
        other_services.engine.dispose()


def test_feed_paths_live_only_under_lich(site: Site) -> None:
    """A token under /muc/ opens nothing (regression: /muc/<token>/<slug>.ics served the feed)."""
    token, slug = site.hub.catalogue.token(ALL), site.hub.catalogue.slug(ALL)
    assert site.client.get(f"/muc/{token}/{slug}.ics").status_code == 404
    assert site.client.get(f"/muc/{token}/").status_code == 404
    moved = site.client.get(f"/lich/{token}?ref=qr")
    assert moved.status_code == 308
    assert moved.headers["location"] == f"/lich/{token}/?ref=qr"


def test_a_plan_subscribe_page_shows_when_its_feed_was_fetched(site: Site) -> None:
    plan = FeedKey(FeedKind.PLAN, "1")
    token = site.hub.catalogue.token(plan)
    assert site.client.get(site.path(plan), headers={"user-agent": "Thunderbird/115"}
                           ).status_code == 200
    assert site.flush() == 1
    page = site.client.get(f"/lich/{token}/")
    assert page.status_code == 200
    assert "Thunderbird tải lần cuối lúc" in page.text
