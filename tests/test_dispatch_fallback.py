"""Zalo is best effort: a unit it cannot reach for good gets the message by email instead,
unless email already reaches it. A fake Zalo and a real SMTP server on 127.0.0.1."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from dataclasses import replace
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from sqlalchemy import Engine

from reminders.clock import FixedClock
from reminders.config import Settings
from reminders.config.values import Secret
from reminders.dispatch import Dispatcher
from reminders.domain import Channel, Contacts, DeliveryStatus, ReminderPrefs, Unit
from reminders.services import build_dispatcher
from reminders.store import zalo_tokens
from reminders.store.outbox import DeliveryRow, list_deliveries
from reminders.store.zalo_tokens import ZaloTokens
from tests.delivery_support import T0, fill, reminders, settings_for, store_with_units
from tests.smtp_server import SmtpServer, smtp_server_fixture  # noqa: F401 (fixture)

if TYPE_CHECKING:
    from tests.fake_zalo import FakeZalo

pytest_plugins = ["tests.fake_zalo"]  # the fake_zalo fixture

# Kim Giang takes reminders on Zalo only; Hạ Đình on Zalo and by email. Neither follows
# the Official Account, so Zalo refuses both for good (-213).
ZALO_ONLY = Unit(id="ubnd-phuong-kim-giang", name="UBND phường Kim Giang",
                 contacts=Contacts(emails=("ubnd.kimgiang@example.invalid",),
                                   zalo_user_ids=("4419030127659042",)),
                 reminders=ReminderPrefs(channels=(Channel.ZALO,)))
BOTH = Unit(id="ubnd-phuong-ha-dinh", name="UBND phường Hạ Đình",
            contacts=Contacts(emails=("ubnd.hadinh@example.invalid",),
                              zalo_user_ids=("4419030127655555",)))


@pytest.fixture(name="store")
def store_fixture(db_url: str) -> Iterator[Engine]:
    engine = store_with_units(db_url, (ZALO_ONLY, BOTH))
    try:
        yield engine
    finally:
        engine.dispose()


def _settings(db_url: str, smtp: SmtpServer, fake: FakeZalo, tmp_path: Path) -> Settings:
    base = settings_for(db_url, smtp, tmp_path)
    return replace(base, zalo=replace(
        base.zalo, enabled=True, app_id=fake.app_id, secret_key=Secret(fake.secret_key),
        tokens_file=tmp_path / "zalo-tokens.json", oa_base_url=fake.base_url,
        oauth_base_url=fake.base_url, zns_base_url=fake.base_url, bot_base_url=fake.base_url,
        timeout_seconds=2))


def _dispatcher(db_url: str, smtp: SmtpServer, fake: FakeZalo, tmp_path: Path,
                engine: Engine) -> Dispatcher:
    zalo_tokens.save_initial(engine, ZaloTokens(
        access_token=fake.access_token, refresh_token=fake.refresh_token,
        expires_at=T0 + timedelta(hours=20)), T0)
    return build_dispatcher(_settings(db_url, smtp, fake, tmp_path), engine, FixedClock(T0))


def _rows(engine: Engine) -> dict[str, DeliveryRow]:
    with engine.connect() as conn:
        return {r.key: r for r in list_deliveries(conn, limit=1000)}


def test_a_unit_zalo_cannot_reach_gets_the_reminder_by_email(
        store: Engine, db_url: str, smtp_server: SmtpServer, fake_zalo: FakeZalo,
        tmp_path: Path) -> None:
    fake_zalo.not_following = {*ZALO_ONLY.contacts.zalo_user_ids,
                               *BOTH.contacts.zalo_user_ids}
    zalo = reminders((ZALO_ONLY, BOTH), 1, channel=Channel.ZALO)
    by_email = reminders((BOTH,), 1, channel=Channel.EMAIL, prefix="e")
    fill(store, zalo + by_email)
    dispatcher = _dispatcher(db_url, smtp_server, fake_zalo, tmp_path, store)
    zalo_only_key = next(r.key for r in zalo if r.unit_id == ZALO_ONLY.id)
    fallback_key = f"{zalo_only_key}>email"

    first = asyncio.run(dispatcher.run_due(T0))

    assert (first.failed, first.fallbacks, first.retried) == (2, 1, 0)
    assert len(fake_zalo.seen("/v3.0/oa/message/")) == 2
    rows = _rows(store)
    assert {k: r.status for k, r in rows.items() if r.channel is Channel.ZALO} == dict.fromkeys(
        (r.key for r in zalo), DeliveryStatus.FAILED)
    assert all("chưa quan tâm OA" in (rows[r.key].last_error or "") for r in zalo)
    # Hạ Đình already has the reminder by email: no copy for it.
    assert {k for k in rows if k.endswith(">email")} == {fallback_key}
    fallback = rows[fallback_key]
    assert (fallback.unit_id, fallback.channel, fallback.kind, fallback.due_at) == (
        ZALO_ONLY.id, Channel.EMAIL, "reminder", T0)
    assert fallback.payload == rows[zalo_only_key].payload
    assert (fallback.plan_id, fallback.item_uid, fallback.occurrence) == (
        rows[zalo_only_key].plan_id, rows[zalo_only_key].item_uid,
        rows[zalo_only_key].occurrence)

    # Due at once, so the same step's next batch already sent it by email.
    assert (fallback.status, fallback.attempts) == (DeliveryStatus.SENT, 1)
    assert (first.claimed, first.sent, first.messages) == (4, 2, 2)
    delivered = {key: message for key, message in zip(smtp_server.keys(), smtp_server.messages,
                                                      strict=True)}
    assert set(delivered) == {by_email[0].key, fallback_key}
    assert [a.addr_spec for a in delivered[fallback_key]["To"].addresses] == list(
        ZALO_ONLY.contacts.emails)
    assert _rows(store)[fallback_key].status is DeliveryStatus.SENT
    # Failed rows stay failed, and the copy is never made twice.
    later = asyncio.run(dispatcher.run_due(T0 + timedelta(days=1)))
    assert (later.claimed, later.fallbacks) == (0, 0)
    assert len(_rows(store)) == len(zalo) + len(by_email) + 1


def test_a_transient_zalo_failure_is_retried_not_moved_to_email(
        store: Engine, db_url: str, smtp_server: SmtpServer, fake_zalo: FakeZalo,
        tmp_path: Path) -> None:
    fake_zalo.answer_next("/v3.0/oa/message/cs", status=503)
    zalo = reminders((ZALO_ONLY,), 1, channel=Channel.ZALO)
    fill(store, zalo)
    dispatcher = _dispatcher(db_url, smtp_server, fake_zalo, tmp_path, store)

    report = asyncio.run(dispatcher.run_due(T0))

    assert (report.retried, report.failed, report.fallbacks) == (1, 0, 0)
    assert [r.status for r in _rows(store).values()] == [DeliveryStatus.PENDING]
    assert smtp_server.count() == 0
    later = asyncio.run(dispatcher.run_due(T0 + timedelta(hours=1)))
    assert (later.sent, later.fallbacks) == (1, 0)
    assert _rows(store)[zalo[0].key].provider_message_id is not None
