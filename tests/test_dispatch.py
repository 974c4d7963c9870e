"""The dispatch step against a real SMTP server (STARTTLS + AUTH) on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine

from reminders.clock import FixedClock
from reminders.dispatch import Dispatcher
from reminders.domain import DeliveryStatus
from reminders.services import build_dispatcher
from reminders.store.outbox import claim_due, list_deliveries, mark_sent
from tests.delivery_support import T0, fill, reminders, settings_for, store_with_units, units
from tests.smtp_server import SmtpServer, smtp_server_fixture  # noqa: F401 (fixture)


@pytest.fixture(name="stores")
def stores_fixture() -> Iterator[list[Engine]]:
    """Engines made by a test, disposed even when it fails (PostgreSQL warns otherwise)."""
    made: list[Engine] = []
    yield made
    for engine in made:
        engine.dispose()


def _dispatcher(db_url: str, smtp: SmtpServer, tmp_path: Path, engine: Engine,
                **policy: object) -> Dispatcher:
    return build_dispatcher(settings_for(db_url, smtp, tmp_path, **policy), engine,
                            FixedClock(T0))


def _statuses(engine: Engine) -> dict[str, int]:
    with engine.connect() as conn:
        rows = list_deliveries(conn, limit=100_000)
    found: dict[str, int] = {}
    for row in rows:
        found[row.status.value] = found.get(row.status.value, 0) + 1
    return found


def test_due_rows_go_once_coalesced_per_unit_and_later_rows_wait(
        db_url: str, smtp_server: SmtpServer, tmp_path: Path,
        stores: list[Engine]) -> None:
    found = units(3)
    engine = store_with_units(db_url, found)
    stores.append(engine)
    fill(engine, reminders(found, 2) + reminders(found, 1, due=T0 + timedelta(hours=1),
                                                  prefix="sau"))
    dispatcher = _dispatcher(db_url, smtp_server, tmp_path, engine)

    report = asyncio.run(dispatcher.run_due(T0))

    assert (report.claimed, report.sent, report.messages) == (6, 6, 3)
    assert smtp_server.count() == 3  # two items due together for a unit: one message
    # Four connections: messages arrive in any order, so pick the first unit's.
    (message,) = [m for m in smtp_server.messages if "phuong1@" in str(m["To"])]
    body = message.get_body(("plain",))
    assert body is not None
    text = body.get_content()
    assert "lượt 0" in text and "lượt 3" in text
    assert asyncio.run(dispatcher.run_due(T0)).claimed == 0  # nothing twice
    assert asyncio.run(dispatcher.run_due(T0 + timedelta(hours=1))).messages == 3
    with engine.connect() as conn:
        sent = list_deliveries(conn, DeliveryStatus.SENT)
    assert len(sent) == 9
    assert all(r.provider_message_id and r.provider_message_id.startswith("<") for r in sent)
    assert {m["Message-ID"] for m in smtp_server.messages} == {
        r.provider_message_id for r in sent}


def test_server_down_retries_with_backoff_then_delivers_everything(
        db_url: str, smtp_server: SmtpServer, tmp_path: Path,
        stores: list[Engine]) -> None:
    found = units(20)
    engine = store_with_units(db_url, found)
    stores.append(engine)
    fill(engine, reminders(found, 1))
    dispatcher = _dispatcher(db_url, smtp_server, tmp_path, engine)
    smtp_server.stop()

    down = asyncio.run(dispatcher.run_due(T0))

    assert (down.sent, down.retried, down.failed) == (0, 20, 0)
    with engine.connect() as conn:
        rows = list_deliveries(conn, limit=1000)
    assert all(r.status is DeliveryStatus.PENDING and r.attempts == 1 for r in rows)
    assert all(T0 + timedelta(seconds=44) <= r.next_attempt_at <= T0 + timedelta(seconds=76)
               for r in rows)  # 60 s ± 25 %
    assert all("máy chủ thư" in (r.last_error or "") for r in rows)
    # Still down at the second try: the wait doubles.
    second = asyncio.run(dispatcher.run_due(T0 + timedelta(minutes=2)))
    assert second.retried == 20
    smtp_server.start()
    assert asyncio.run(dispatcher.run_due(T0 + timedelta(minutes=3))).sent == 0  # not yet due
    back = asyncio.run(dispatcher.run_due(T0 + timedelta(minutes=5)))
    assert back.sent == 20
    assert sorted(smtp_server.keys()) == sorted(f"r:{i}:ubnd-phuong-{i + 1}:email"
                                                for i in range(20))
    assert _statuses(engine) == {"sent": 20}


def test_a_permanent_failure_is_recorded_and_does_not_block_the_others(
        db_url: str, smtp_server: SmtpServer, tmp_path: Path,
        stores: list[Engine]) -> None:
    found = units(4)
    engine = store_with_units(db_url, found)
    stores.append(engine)
    fill(engine, reminders(found, 1))
    smtp_server.reject("phuong2@thanhxuan.hanoi.gov.vn", 550, "5.1.1 Hộp thư không tồn tại")
    dispatcher = _dispatcher(db_url, smtp_server, tmp_path, engine)

    report = asyncio.run(dispatcher.run_due(T0))

    assert (report.sent, report.failed, report.retried) == (3, 1, 0)
    with engine.connect() as conn:
        failed = list_deliveries(conn, DeliveryStatus.FAILED)
    assert [r.unit_id for r in failed] == ["ubnd-phuong-2"]
    assert "550" in (failed[0].last_error or "")
    assert asyncio.run(dispatcher.run_due(T0 + timedelta(days=1))).claimed == 0  # stays failed


def test_transient_failures_stop_after_the_attempt_limit(
        db_url: str, smtp_server: SmtpServer, tmp_path: Path,
        stores: list[Engine]) -> None:
    found = units(1)
    engine = store_with_units(db_url, found)
    stores.append(engine)
    fill(engine, reminders(found, 1))
    smtp_server.reject("phuong1@thanhxuan.hanoi.gov.vn", 451, "4.3.0 Thử lại sau")
    dispatcher = _dispatcher(db_url, smtp_server, tmp_path, engine, max_attempts=3)
    now = T0
    for _ in range(3):
        asyncio.run(dispatcher.run_due(now))
        now += timedelta(days=1)
    with engine.connect() as conn:
        (row,) = list_deliveries(conn)
    assert (row.status, row.attempts) == (DeliveryStatus.FAILED, 3)
    assert (row.last_error or "").startswith("đã thử 3 lần")


def test_an_expired_lease_makes_a_crashed_claim_due_again(
        db_url: str, smtp_server: SmtpServer, tmp_path: Path,
        stores: list[Engine]) -> None:
    found = units(5)
    engine = store_with_units(db_url, found)
    stores.append(engine)
    fill(engine, reminders(found, 1))
    with engine.begin() as conn:  # a worker claims and dies before sending
        crashed = claim_due(conn, now=T0, worker="chet", lease=timedelta(minutes=5), limit=3)
    assert len(crashed) == 3
    dispatcher = _dispatcher(db_url, smtp_server, tmp_path, engine)

    assert asyncio.run(dispatcher.run_due(T0)).sent == 2  # the others' lease still holds
    assert asyncio.run(dispatcher.run_due(T0 + timedelta(minutes=5))).sent == 3
    with engine.begin() as conn:  # the dead worker wakes up: it no longer holds its rows
        assert mark_sent(conn, [r.id for r in crashed], worker="chet", provider_id="x",
                         at=T0) == 0
    assert smtp_server.count() == 5


def test_two_dispatchers_in_threads_share_the_rows(
        db_url: str, smtp_server: SmtpServer, tmp_path: Path,
        stores: list[Engine]) -> None:
    found = units(200)  # one row per unit: every message carries its row's key
    engine = store_with_units(db_url, found)
    stores.append(engine)
    fill(engine, reminders(found, 1))
    first = _dispatcher(db_url, smtp_server, tmp_path, engine)
    second = _dispatcher(db_url, smtp_server, tmp_path, engine)
    first.batch_size = second.batch_size = 7
    reports = []

    def run(d: Dispatcher) -> None:
        reports.append(asyncio.run(d.run_due(T0)))

    threads = [threading.Thread(target=run, args=(d,)) for d in (first, second)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    keys = smtp_server.keys()
    assert sum(r.sent for r in reports) == 200
    assert len(keys) == len(set(keys))  # no message twice
    assert len(keys) == 200
    assert _statuses(engine) == {"sent": 200}
