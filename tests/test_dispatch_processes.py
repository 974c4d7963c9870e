"""Dispatchers as real processes: killed with SIGKILL mid-run, and two sharing PostgreSQL.

Each run is `reminders dispatch --once --now T` against a real SMTP server in this
process. The clock is injected: a restart runs at T + lease, so the rows a killed
process had claimed are due again at once (nobody waits for a lease to run out).
"""

from __future__ import annotations

import os
import random
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select

from reminders.domain import DeliveryStatus
from reminders.store.tables import deliveries
from tests.delivery_support import T0, fill, reminders, store_with_units, units
from tests.smtp_server import SmtpServer

LEASE = timedelta(seconds=60)


@pytest.fixture(name="sink")
def sink_fixture(tmp_path: Path) -> Iterator[SmtpServer]:
    server = SmtpServer(cert_dir=tmp_path / "certs", tls=False, auth=False, parse=False)
    server.start()
    try:
        yield server
    finally:
        server.stop()


def _command(db_url: str, sink: SmtpServer, tmp_path: Path, now: datetime) -> tuple[
        list[str], dict[str, str]]:
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("REMINDERS_")},
        "REMINDERS_CONFIG": str(tmp_path / "none.toml"),
        "REMINDERS_DATABASE_URL": db_url,
        "REMINDERS_SERVICE_DATA_DIR": str(tmp_path / "var"),
        "REMINDERS_SMTP_HOST": sink.host, "REMINDERS_SMTP_PORT": str(sink.port),
        "REMINDERS_SMTP_TLS": "none",
        # One connection: at most one message is between "sent" and "recorded" at a kill.
        "REMINDERS_SMTP_CONNECTIONS": "1",
        "REMINDERS_REMINDERS_LEASE_SECONDS": str(int(LEASE.total_seconds())),
    }
    (tmp_path / "none.toml").write_text("", encoding="utf-8")
    return ([sys.executable, "-m", "reminders", "dispatch", "--once", "--now", now.isoformat()],
            env)


def _statuses(engine: Engine) -> dict[str, int]:
    with engine.connect() as conn:
        return dict(conn.execute(select(deliveries.c.status, func.count())  # type: ignore[arg-type]
                                 .group_by(deliveries.c.status)).all())


@pytest.mark.slow
def test_a_dispatcher_killed_ten_times_loses_nothing_and_repeats_at_most_one_per_kill(
        tmp_path: Path, sink: SmtpServer) -> None:
    db_url = f"sqlite:///{tmp_path / 'reminders.db'}"
    found = units(400)
    engine = store_with_units(db_url, found)
    # 2,000 rows at 2,000 different moments: every row is its own message with its own key.
    rows = reminders(found, 5, due=T0, spread=timedelta(hours=1))
    fill(engine, rows)
    rng = random.Random(20221205)
    now = T0 + timedelta(hours=2)
    kills = 0
    for _ in range(10):
        target = sink.count() + rng.randint(1, 150)
        command, env = _command(db_url, sink, tmp_path, now)
        process = subprocess.Popen(command, env=env, cwd=tmp_path, stdout=subprocess.DEVNULL,
                                   stderr=subprocess.PIPE)
        deadline = time.monotonic() + 60
        # Waiting for the process to reach a random point, not for a reminder to fall due.
        while sink.count() < target and process.poll() is None and time.monotonic() < deadline:
            time.sleep(0.001)
        if process.poll() is None:
            process.kill()
            kills += 1
        _, err = process.communicate(timeout=30)
        assert process.returncode in (0, -9), err.decode()
        now += LEASE + timedelta(seconds=1)
    command, env = _command(db_url, sink, tmp_path, now)
    final = subprocess.run(command, env=env, cwd=tmp_path, capture_output=True, timeout=120,
                           check=False)
    assert final.returncode == 0, final.stderr.decode()

    received = Counter(sink.keys())
    assert set(received) == {r.key for r in rows}  # every message arrived
    repeated = sum(received.values()) - len(received)
    assert kills >= 8
    assert repeated <= kills  # at most the one in flight at each kill
    assert _statuses(engine) == {DeliveryStatus.SENT.value: 2000}
    engine.dispose()


@pytest.mark.slow
@pytest.mark.postgres
@pytest.mark.parametrize("db_url", ["postgres"], indirect=True)
def test_two_dispatcher_processes_on_one_postgres_never_send_a_message_twice(
        db_url: str, tmp_path: Path, sink: SmtpServer) -> None:
    found = units(1000)
    engine = store_with_units(db_url, found)
    rows = reminders(found, 5, due=T0, spread=timedelta(hours=1))
    fill(engine, rows)
    now = T0 + timedelta(hours=2)
    processes = []
    for _ in range(2):
        command, env = _command(db_url, sink, tmp_path, now)
        env["REMINDERS_SMTP_CONNECTIONS"] = "4"
        processes.append(subprocess.Popen(command, env=env, cwd=tmp_path,
                                          stdout=subprocess.PIPE, stderr=subprocess.PIPE))
    for process in processes:
        _, err = process.communicate(timeout=300)
        assert process.returncode == 0, err.decode()

    received = Counter(sink.keys())
    assert len(received) == 5000 and set(received) == {r.key for r in rows}
    assert max(received.values()) == 1  # no message twice
    assert _statuses(engine) == {DeliveryStatus.SENT.value: 5000}
    with engine.connect() as conn:
        workers = conn.execute(select(deliveries.c.claimed_by, func.count())
                               .group_by(deliveries.c.claimed_by)).all()
    assert len(workers) == 2 and min(n for _, n in workers) > 500  # both did real work
    engine.dispose()
