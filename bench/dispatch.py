"""Dispatch under load: the outbox → SMTP path against a local sink, measured in one run.

Every message goes to an aiosmtpd sink (tests/smtp_server.py, plain SMTP, no TLS or AUTH,
``parse=False``) running in a process of its own, so that it does not share the sender's
GIL. The sink stamps each message with time.time() when its DATA ends and hands back, at
the end of a run, every message's X-Reminders-Key and that time.

Measured, with the targets of the dispatch-performance issue:
- throughput: --messages (10,000) outbox rows for as many distinct units, one row each
  and all due at one moment, so every row is its own message, through
  `Dispatcher.run_due(now)` on a SQLite file, with the default smtp.connections (4) and
  with 1; next to raw aiosmtplib sending the same messages (bytes prebuilt with
  reminders.channels.mime.build_email before the clock starts) over ONE reused
  connection. Target: dispatch (default settings) at least 70 % of raw. Each dispatch run
  gets a fresh database; its wall time is split into rendering, database (claims and unit
  look-ups) and the rest (each outcome's commit on a held connection, MIME building,
  aiosmtplib, the event loop).
- lateness: as many messages due evenly over one minute from a few seconds on, sent by the
  real worker wiring (`reminders.cli.dispatch_cmd._run_worker`: an APScheduler interval
  job, coalesce=True, max_instances=1) on the system clock, tick --tick seconds (5);
  lateness = the sink's receive time − the row's due time. Target: p99 < tick + 2 s.

Also printed: each run's own and the sink's CPU seconds (dispatch is CPU-bound on its
one event loop when its CPU is close to its wall time) and the connections the sink saw.
The machine should be otherwise idle: the load average at the start is printed, and on
two CPUs a busy neighbour halves the raw rate and can push a tick past T.

Run: python bench/dispatch.py [--messages N] [--tick S] [--no-lateness | --no-throughput]
[--profile] (about three minutes; the lateness part alone takes a minute and a bit).
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import logging
import multiprocessing
import os
import platform
import pstats
import shutil
import sqlite3
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from importlib.metadata import version
from multiprocessing.connection import Connection as Pipe
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import aiosmtplib  # noqa: E402

from reminders.channels.base import Recipient  # noqa: E402
from reminders.channels.mime import build_email, mailbox_address, message_id_for  # noqa: E402
from reminders.cli.dispatch_cmd import _run_worker  # noqa: E402
from reminders.clock import FixedClock, SystemClock  # noqa: E402
from reminders.config import Settings  # noqa: E402
from reminders.config.schema import SmtpSettings  # noqa: E402
from reminders.dispatch import DispatchReport  # noqa: E402
from reminders.domain import Unit  # noqa: E402
from reminders.planner.model import MessageKind  # noqa: E402
from reminders.render import Entry  # noqa: E402
from reminders.services import build_dispatcher, build_renderer  # noqa: E402
from reminders.store.outbox import count_by_status  # noqa: E402
from reminders.store.units import feed_token  # noqa: E402
from tests.delivery_support import (  # noqa: E402
    T0,
    fill,
    reminders,
    settings_for,
    store_with_units,
    units,
)

FROM = "Nhắc việc <nhacviec@example.vn>"
RATIO_TARGET = 0.70
LATENESS_LEAD = 5.0  # seconds from the fill to the first due time
SPREAD = timedelta(minutes=1)


# --- the sink, in a process of its own ----------------------------------------------------

def _sink_main(pipe: Pipe, cert_dir: str) -> None:
    """Serve SMTP on 127.0.0.1 and answer the parent's questions until it says stop."""
    from tests.smtp_server import SmtpServer, _key

    class TimedSink(SmtpServer):
        def __init__(self) -> None:
            super().__init__(cert_dir=Path(cert_dir), tls=False, auth=False, parse=False)
            self.times: list[float] = []

        def _data(self, envelope: Any) -> str:
            at = time.time()
            reply = super()._data(envelope)
            self.times.append(at)
            return reply

    server = TimedSink()
    server.start()
    cpu = time.process_time()
    connections = 0
    try:
        while True:
            command = pipe.recv()
            if command == "port":
                pipe.send(server.port)
            elif command == "count":
                pipe.send(server.count())
            elif command == "take":
                with server._lock:  # the handler appends the time just after the lock
                    n = min(len(server._received), len(server.times))
                    received, times = server._received[:n], server.times[:n]
                    del server._received[:n], server.times[:n]
                keys = [_key(item.raw) for item in received]
                now, seen = time.process_time(), server.connections
                pipe.send((list(zip(keys, times, strict=True)), now - cpu, seen - connections))
                cpu, connections = now, seen
            elif command == "stop":
                break
    finally:
        server.stop()
        pipe.send("stopped")


class Sink:
    """The parent's handle on the sink process; `settings()` reaches it (for settings_for)."""

    def __init__(self, work: Path) -> None:
        context = multiprocessing.get_context("spawn")
        self._pipe, child = context.Pipe()
        self._process = context.Process(target=_sink_main, args=(child, str(work / "certs")),
                                        daemon=True)
        self._process.start()
        self.host = "127.0.0.1"
        self.port: int = self._ask("port")

    def _ask(self, command: str) -> Any:
        self._pipe.send(command)
        return self._pipe.recv()

    def count(self) -> int:
        return int(self._ask("count"))

    def take(self) -> tuple[list[tuple[str, float]], float, int]:
        """(key, receive time) of every message since the last take; sink CPU s; connections."""
        return self._ask("take")  # type: ignore[no-any-return]

    def settings(self, **overrides: Any) -> SmtpSettings:
        values: dict[str, Any] = {"host": self.host, "port": self.port, "tls": "none",
                                  "from_address": FROM, "timeout_seconds": 30}
        values.update(overrides)
        return SmtpSettings(**values)  # connections: the default (4) unless overridden

    def close(self) -> None:
        with suppress(OSError, EOFError):
            self._ask("stop")
        self._process.join(timeout=10)
        if self._process.is_alive():
            self._process.terminate()
            self._process.join()


# --- timing wrappers: simple timers around the synchronous parts ---------------------------

@dataclass(slots=True)
class Timers:
    render: float = 0.0
    db_write: float = 0.0  # engine.begin(): claims with their unit look-ups, failures
    db_read: float = 0.0  # unused since outcomes go through the held connection
    renders: int = 0
    writes: int = 0
    reads: int = 0

    @property
    def db(self) -> float:
        return self.db_write + self.db_read


class TimedRenderer:
    def __init__(self, inner: Any, timers: Timers) -> None:
        self._inner, self._timers = inner, timers

    def render(self, **kwargs: Any) -> Any:
        start = time.perf_counter()
        try:
            return self._inner.render(**kwargs)
        finally:
            self._timers.render += time.perf_counter() - start
            self._timers.renders += 1


class TimedEngine:
    """The engine, with the time spent inside every begin()/connect() block counted (the
    dispatcher never awaits inside one, so the sum is time the event loop was held)."""

    def __init__(self, inner: Any, timers: Timers) -> None:
        self._inner, self._timers = inner, timers

    @contextmanager
    def begin(self) -> Iterator[Any]:
        start = time.perf_counter()
        try:
            with self._inner.begin() as conn:
                yield conn
        finally:
            self._timers.db_write += time.perf_counter() - start
            self._timers.writes += 1

    @contextmanager
    def connect(self) -> Iterator[Any]:
        # Not timed: the dispatcher holds one connection for the whole run to record each
        # sent message (one commit each); that cost lands in "the rest".
        with self._inner.connect() as conn:
            yield conn

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)


# --- throughput --------------------------------------------------------------------------

@dataclass(slots=True)
class Run:
    name: str
    seconds: float
    delivered: int
    distinct: int
    expected: int
    sink_cpu: float
    connections: int
    own_cpu: float = 0.0
    timers: Timers | None = None
    report: DispatchReport | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def rate(self) -> float:
        return self.delivered / self.seconds if self.seconds else 0.0


def _checked(run: Run, got: list[tuple[str, float]], expected: set[str]) -> Run:
    keys = [k for k, _ in got]
    run.delivered, run.distinct = len(keys), len(set(keys))
    missing = len(expected - set(keys))
    if missing or run.distinct != run.delivered or run.delivered != run.expected:
        run.notes.append(f"{run.name}: {run.delivered} received, {run.distinct} distinct, "
                         f"{missing} of {run.expected} missing")
    return run


def _settings(work: Path, url: str, sink: Sink, **reminders_: Any) -> Settings:
    return settings_for(url, sink, work, **reminders_)


def dispatch_run(work: Path, sink: Sink, found: tuple[Unit, ...], *, connections: int | None,
                 profile: bool = False) -> Run:
    name = f"dispatch-c{connections or 'default'}{'-profiled' if profile else ''}"
    url = f"sqlite:///{work / (name + '.sqlite3')}"
    engine = store_with_units(url, found)
    try:
        rows = reminders(found, 1, prefix=name)
        fill(engine, rows)
        settings = _settings(work, url, sink)
        if connections is not None:
            settings = replace(settings, smtp=replace(settings.smtp, connections=connections))
        timers = Timers()
        plain = build_dispatcher(settings, engine, FixedClock(T0))
        dispatcher = replace(plain, engine=TimedEngine(engine, timers),
                             renderer=TimedRenderer(plain.renderer, timers))
        sink.take()
        profiler = cProfile.Profile() if profile else None
        cpu, start = time.process_time(), time.perf_counter()
        if profiler:
            profiler.enable()
        report = asyncio.run(dispatcher.run_due(T0))
        if profiler:
            profiler.disable()
        seconds, own_cpu = time.perf_counter() - start, time.process_time() - cpu
        got, sink_cpu, seen = sink.take()
        run = Run(name=f"dispatch, connections={settings.smtp.connections}", seconds=seconds,
                  delivered=0, distinct=0, expected=len(rows), sink_cpu=sink_cpu,
                  connections=seen, own_cpu=own_cpu, timers=timers, report=report)
        if report.messages != len(rows) or report.failed or report.retried:
            run.notes.append(f"{run.name}: report {report.messages} messages, "
                             f"{report.retried} retried, {report.failed} failed "
                             f"{report.errors[:3]}")
    finally:
        engine.dispose()
    if profiler:
        print(f"\nprofile of {run.name} (top 25 by internal time; run slower under cProfile):")
        pstats.Stats(profiler, stream=sys.stdout).sort_stats("tottime").print_stats(25)
    return _checked(run, got, {r.key for r in rows})


@dataclass(slots=True)
class Prebuilt:
    envelope_from: str
    messages: list[tuple[str, bytes]]  # (recipient address, bytes)
    keys: set[str]
    render_seconds: float
    build_seconds: float


def prebuild(work: Path, sink: Sink, found: tuple[Unit, ...]) -> Prebuilt:
    """The messages dispatch would send for one row per unit, rendered and built now."""
    url = f"sqlite:///{work / 'raw.sqlite3'}"
    engine = store_with_units(url, found)
    try:
        settings = _settings(work, url, sink)
        renderer = build_renderer(settings, engine, FixedClock(T0))
        with engine.connect() as conn:
            tokens = {u.id: feed_token(conn, u.id) for u in found}
    finally:
        engine.dispose()
    rows = reminders(found, 1, prefix="raw")
    by_id = {u.id: u for u in found}
    domain = mailbox_address(FROM).rpartition("@")[2]
    render_s = build_s = 0.0
    messages = []
    for row in rows:
        unit = by_id[row.unit_id]
        start = time.perf_counter()
        outgoing = renderer.render(
            kind=MessageKind.REMINDER, channel=row.channel, key=row.key,
            recipient=_recipient(unit), feed_token=tokens[unit.id],
            entries=[Entry(item=row.item, stage=row.stage)], now=T0)
        middle = time.perf_counter()
        raw = build_email(outgoing, from_address=FROM, date=T0,
                          message_id=message_id_for(row.key, domain))
        build_s += time.perf_counter() - middle
        render_s += middle - start
        messages.append((unit.contacts.emails[0], raw))
    return Prebuilt(envelope_from=mailbox_address(FROM), messages=messages,
                    keys={r.key for r in rows}, render_seconds=render_s, build_seconds=build_s)


def _recipient(unit: Unit) -> Recipient:
    c = unit.contacts
    return Recipient(unit_id=unit.id, name=unit.name, emails=c.emails,
                     zalo_user_ids=c.zalo_user_ids, zalo_chat_ids=c.zalo_chat_ids,
                     phones=c.phones, webhook_url=c.webhook_url)


def raw_run(sink: Sink, prebuilt: Prebuilt) -> Run:
    async def send_all() -> None:
        client = aiosmtplib.SMTP(hostname=sink.host, port=sink.port, use_tls=False,
                                 start_tls=False, timeout=30, local_hostname="localhost")
        await client.connect()
        try:
            for to, raw in prebuilt.messages:
                await client.sendmail(prebuilt.envelope_from, [to], raw)
        finally:
            await client.quit()

    sink.take()
    cpu, start = time.process_time(), time.perf_counter()
    asyncio.run(send_all())
    seconds, own_cpu = time.perf_counter() - start, time.process_time() - cpu
    got, sink_cpu, seen = sink.take()
    run = Run(name="raw aiosmtplib, 1 connection", seconds=seconds, delivered=0, distinct=0,
              expected=len(prebuilt.messages), sink_cpu=sink_cpu, connections=seen,
              own_cpu=own_cpu)
    return _checked(run, got, prebuilt.keys)


# --- lateness ------------------------------------------------------------------------------

@dataclass(slots=True)
class Lateness:
    tick: int
    expected: int
    delivered: int = 0
    late: list[float] = field(default_factory=list)  # seconds, sorted
    ticks: list[tuple[float, int, float]] = field(default_factory=list)  # at, messages, s
    sent_rows: int = 0
    sink_cpu: float = 0.0
    seconds: float = 0.0
    timers: Timers = field(default_factory=Timers)

    def pct(self, p: float) -> float:
        if not self.late:
            return float("nan")
        return self.late[min(len(self.late) - 1, max(0, round(p / 100 * len(self.late)) - 1))]


def lateness_run(work: Path, sink: Sink, found: tuple[Unit, ...], tick: int) -> Lateness:
    url = f"sqlite:///{work / 'lateness.sqlite3'}"
    engine = store_with_units(url, found)
    out = Lateness(tick=tick, expected=len(found))
    try:
        clock = SystemClock()
        plain = build_dispatcher(_settings(work, url, sink, tick_seconds=tick), engine, clock)
        dispatcher = replace(plain, engine=TimedEngine(engine, out.timers),
                             renderer=TimedRenderer(plain.renderer, out.timers))
        first = clock.now() + timedelta(seconds=LATENESS_LEAD)
        rows = reminders(found, 1, due=first, spread=SPREAD, prefix="late")
        fill(engine, rows)
        lead = (first - clock.now()).total_seconds()
        due = {r.key: r.due_at.timestamp() for r in rows}
        sink.take()

        async def step(at: datetime) -> DispatchReport:
            start = time.perf_counter()
            report = await dispatcher.run_due(at)
            out.ticks.append((at.timestamp(), report.messages, time.perf_counter() - start))
            return report

        async def watch() -> None:
            worker = asyncio.create_task(_run_worker(step, clock, tick))
            give_up = first.timestamp() + SPREAD.total_seconds() + 10 * tick + 30
            while not worker.done() and time.time() < give_up:
                if await asyncio.to_thread(sink.count) >= len(rows):
                    break
                await asyncio.sleep(0.2)
            # The last outcome is written just after its message arrives: wait for it, so
            # stopping does not cut a tick short.
            for _ in range(50):
                with engine.connect() as conn:
                    if count_by_status(conn).get("sent", 0) >= len(rows):
                        break
                await asyncio.sleep(0.1)
            worker.cancel()
            with suppress(asyncio.CancelledError):
                await worker

        start = time.perf_counter()
        asyncio.run(watch())
        out.seconds = time.perf_counter() - start
        got, out.sink_cpu, _ = sink.take()
        with engine.connect() as conn:
            out.sent_rows = count_by_status(conn).get("sent", 0)
    finally:
        engine.dispose()
    seen = {k: t for k, t in got if k in due}
    out.delivered = len(seen)
    out.late = sorted(t - due[k] for k, t in seen.items())
    if lead < 1:
        print(f"  (filling the outbox took long: the first row was due {lead:.1f} s after it)")
    return out


# --- the run ------------------------------------------------------------------------------

def options() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=10_000)
    parser.add_argument("--tick", type=int, default=5, help="worker tick, seconds")
    parser.add_argument("--no-lateness", action="store_true", help="the throughput part only")
    parser.add_argument("--no-throughput", action="store_true", help="the lateness part only")
    parser.add_argument("--profile", action="store_true",
                        help="print a cProfile of the default dispatch run (it runs slower)")
    parser.add_argument("--keep", action="store_true", help="keep the work folder")
    return parser.parse_args()


def row(name: str, value: str, target: str = "", met: bool | None = None) -> None:
    verdict = "" if met is None else ("ok" if met else "MISSED")
    print(f"{name:<40} {value:>12}  {target:<10} {verdict}")


def machine() -> None:
    cpus = os.cpu_count()
    usable = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else cpus
    print(f"machine: {cpus} CPUs ({usable} usable), {platform.machine()}, "
          f"Python {platform.python_version()} ({platform.python_implementation()}), "
          f"SQLite {sqlite3.sqlite_version}, aiosmtplib {version('aiosmtplib')}, "
          f"aiosmtpd {version('aiosmtpd')}, SQLAlchemy {version('sqlalchemy')}")
    if hasattr(os, "getloadavg"):  # figures from a busy machine are not worth comparing
        print("load average at start: {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()))


def throughput(work: Path, sink: Sink, found: tuple[Unit, ...], profile: bool) -> None:
    n = len(found)
    start = time.perf_counter()
    prebuilt = prebuild(work, sink, found)
    size = sum(len(raw) for _, raw in prebuilt.messages) / n
    print(f"prebuilt {n:,} messages for raw sending in {time.perf_counter() - start:.1f} s "
          f"(~{size / 1024:.1f} KiB each): render {prebuilt.render_seconds / n * 1e6:.0f} µs, "
          f"build_email {prebuilt.build_seconds / n * 1e6:.0f} µs a message")
    per_build = prebuilt.build_seconds / n
    raw = raw_run(sink, prebuilt)
    del prebuilt
    default = dispatch_run(work, sink, found, connections=None)
    single = dispatch_run(work, sink, found, connections=1)
    runs = [raw, default, single]
    if profile:
        dispatch_run(work, sink, found, connections=None, profile=True)

    print(f"\nthroughput: {n:,} outbox rows for {n:,} distinct units (one row each, all due "
          "at one moment: each row is its own message); SQLite file; plain-SMTP sink in "
          "its own process")
    print(f"{'run':<32} {'msg/s':>8} {'wall s':>7} {'own CPU s':>9} {'sink CPU s':>10} "
          f"{'conns':>5} {'received':>9}")
    for r in runs:
        print(f"{r.name:<32} {r.rate:8,.0f} {r.seconds:7.2f} {r.own_cpu:9.2f} "
              f"{r.sink_cpu:10.2f} {r.connections:5d} {r.delivered:9,}")
    for r in runs:
        for note in r.notes:
            print(f"  WARNING {note}")
    print("\nwhere dispatch's wall time goes (simple timers around the synchronous parts, "
          "which hold the event loop; build_email at its prebuild cost):")
    for r in (default, single):
        assert r.timers is not None
        print(f"  {r.name}:")
        split(r.timers, r.seconds, r.delivered, per_build)
    print()
    row("measure", "figure", "target")
    row("raw aiosmtplib, 1 connection (msg/s)", f"{raw.rate:,.0f}")
    row("dispatch, connections=4 (msg/s)", f"{default.rate:,.0f}")
    row("dispatch, connections=1 (msg/s)", f"{single.rate:,.0f}")
    ratio = default.rate / raw.rate if raw.rate else 0.0
    row("dispatch (default) / raw", f"{ratio:.2f}", f">= {RATIO_TARGET:.2f}",
        ratio >= RATIO_TARGET)
    row("dispatch (connections=1) / raw", f"{single.rate / raw.rate if raw.rate else 0:.2f}")


def split(t: Timers, seconds: float, messages: int, per_build: float | None) -> None:
    """Print the timers as seconds, share of `seconds` and µs a message."""
    def part(name: str, value: float, extra: str = "") -> None:
        print(f"    {name:<44} {value:6.2f} s {value / seconds:5.0%} "
              f"{value / max(1, messages) * 1e6:6.0f} µs/msg {extra}")

    part("render (Renderer.render)", t.render)
    part("database: claims + unit look-ups (engine.begin)", t.db_write,
         f"({t.writes:,} blocks)")
    rest = seconds - t.render - t.db
    if per_build is not None:
        build = per_build * messages
        part("build_email (estimated)", build)
        rest -= build
    part("the rest: aiosmtplib, sockets, event loop, idle", rest)


def lateness(work: Path, sink: Sink, found: tuple[Unit, ...], tick: int) -> None:
    print(f"\nlateness: {len(found):,} messages ({len(found):,} units, one row each) due "
          f"evenly over {SPREAD.total_seconds():.0f} s from {LATENESS_LEAD:.0f} s on; the "
          f"worker's scheduler wiring, tick T = {tick} s, system clock ...", flush=True)
    out = lateness_run(work, sink, found, tick)
    busy = [t for t in out.ticks if t[1]]
    longest = max((t[2] for t in out.ticks), default=0.0)
    most = max((t[1] for t in out.ticks), default=0)
    print(f"ran {out.seconds:.0f} s: {len(out.ticks)} ticks ({len(busy)} sent something), "
          f"at most {most:,} messages in a tick, longest tick {longest:.2f} s; "
          f"received {out.delivered:,}/{out.expected:,}, rows marked sent {out.sent_rows:,}; "
          f"sink CPU {out.sink_cpu:.1f} s")
    origin = out.ticks[0][0] if out.ticks else 0.0
    print("ticks (start s: messages in duration s): " + ", ".join(
        f"{at - origin:.1f}: {n} in {s:.2f}" for at, n, s in out.ticks))
    in_ticks = sum(t[2] for t in out.ticks)
    sent = sum(t[1] for t in out.ticks)
    print(f"inside the ticks: {in_ticks:.1f} s for {sent:,} messages "
          f"({sent / in_ticks if in_ticks else 0:,.0f} msg/s), of which:")
    split(out.timers, in_ticks, sent, None)
    print()
    row("measure", "figure", "target")
    row("tick T (s)", f"{out.tick}")
    for p in (50, 95, 99):
        row(f"lateness p{p} (s)", f"{out.pct(p):.2f}")
    row("lateness max (s)", f"{out.late[-1] if out.late else float('nan'):.2f}")
    p99 = out.pct(99)
    row("p99 < T + 2 s", f"{p99:.2f}", f"< {out.tick + 2} s",
        p99 < out.tick + 2 and out.delivered == out.expected)
    if out.delivered != out.expected:
        print(f"  WARNING only {out.delivered:,} of {out.expected:,} messages arrived")


def main() -> None:
    args = options()
    logging.getLogger("apscheduler").setLevel(logging.WARNING)  # as `reminders worker`
    machine()
    began = time.perf_counter()
    work = Path(tempfile.mkdtemp(prefix="bench-dispatch-"))
    sink = Sink(work)
    try:
        found = units(args.messages)
        if not args.no_throughput:
            throughput(work, sink, found, args.profile)
        if not args.no_lateness:
            lateness(work, sink, found, args.tick)
    finally:
        sink.close()
        if args.keep:
            print(f"work folder kept: {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)
    print(f"\nwhole run: {time.perf_counter() - began:.0f} s")


if __name__ == "__main__":
    main()
