"""`reminders serve` for real: a fresh SQLite database, uvicorn on 127.0.0.1, /healthz."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from sqlalchemy import inspect

from reminders.clock import FixedClock
from reminders.config import load_settings
from reminders.scheduler import Heartbeat
from reminders.services import build
from reminders.store import make_engine

DATA = Path(__file__).parent / "data"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _env(tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("REMINDERS_")}
    env["REMINDERS_DATABASE_URL"] = f"sqlite:///{tmp_path / 'var' / 'reminders.sqlite3'}"
    env["REMINDERS_SERVICE_REGISTRY"] = str(DATA / "registry_quang_ninh.toml")
    env["REMINDERS_SMTP_MAIL_DIR"] = str(tmp_path / "var" / "mail")
    return env


@pytest.fixture
def served(tmp_path: Path) -> Iterator[str]:
    port = _free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "reminders", "serve", "--port", str(port)],
        cwd=tmp_path, env=_env(tmp_path), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        text=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:  # wait for the server to listen, not for any reminder
            if process.poll() is not None:
                early = process.stderr.read() if process.stderr else ""
                raise AssertionError(f"serve exited early: {early}")
            try:
                httpx.get(f"{base}/healthz", timeout=1)
                break
            except httpx.TransportError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)
        yield base
    finally:
        process.send_signal(signal.SIGINT)
        try:
            _out, err = process.communicate(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            _out, err = process.communicate()
    assert process.returncode == 0, err


def test_serve_starts_on_an_empty_sqlite_database(served: str, tmp_path: Path) -> None:
    response = httpx.get(f"{served}/healthz", timeout=5)
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["database"] == "ok"
    assert body["units"] == 34
    assert body["scheduler"]["running"] is True
    head = httpx.head(f"{served}/healthz", timeout=5)
    assert head.status_code == 200
    engine = make_engine(f"sqlite:///{tmp_path / 'var' / 'reminders.sqlite3'}")
    try:
        tables = set(inspect(engine).get_table_names())
    finally:
        engine.dispose()
    assert {"units", "plans", "deliveries", "alembic_version"} <= tables


def test_build_migrates_once_and_loads_units(tmp_path: Path) -> None:
    settings = load_settings(None, _env(tmp_path), cwd=tmp_path)
    clock = FixedClock(datetime(2026, 11, 24, 1, 0, tzinfo=UTC))
    first = build(settings, clock)
    first.engine.dispose()
    second = build(settings, clock)  # already at head: nothing to migrate, nothing to add
    try:
        with second.engine.connect() as conn:
            from reminders.store import list_units

            assert len(list_units(conn)) == 34
    finally:
        second.engine.dispose()


def test_tick_runs_every_step_even_when_one_fails() -> None:
    calls: list[datetime] = []

    def broken(_now: datetime) -> None:
        raise RuntimeError("hỏng")

    heartbeat = Heartbeat(steps=[("hỏng", broken), ("ghi", calls.append)])
    clock = FixedClock(datetime(2026, 11, 24, 1, 0, tzinfo=UTC))
    heartbeat.tick(clock.now())
    clock.advance(timedelta(seconds=30))
    heartbeat.tick(clock.now())
    assert calls == [datetime(2026, 11, 24, 1, 0, tzinfo=UTC),
                     datetime(2026, 11, 24, 1, 0, 30, tzinfo=UTC)]
    assert heartbeat.ticks == 2
    assert heartbeat.last_error == "hỏng: hỏng"
    assert heartbeat.last_tick == clock.now()
