"""The Zalo channel over real HTTP against a fake Zalo: OA, ZNS, Bot, and the token refresh.

The refresh token is single-use, so the races matter most: two senders in one loop, and
two threads with loops of their own, find the access token expired at once; the fake
server must see exactly one refresh and never the same refresh token twice.
"""

from __future__ import annotations

import asyncio
import json
import logging
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from sqlalchemy import Engine

from reminders.channels.base import Outgoing, Recipient, SendError
from reminders.channels.zalo import ZaloSender, normalise_phone, tracking_id
from reminders.clock import FixedClock
from reminders.config.schema import ZaloSettings
from reminders.config.values import Secret
from reminders.errors import StoreError
from reminders.store import make_engine, upgrade, zalo_tokens
from reminders.store.zalo_tokens import IssuedTokens, ZaloTokens

if TYPE_CHECKING:
    from tests.fake_zalo import FakeZalo

pytest_plugins = ["tests.fake_zalo"]  # the fake_zalo fixture

NOW = datetime(2024, 5, 2, 1, 0, tzinfo=UTC)
KEY = "dl-42-ubnd-kim-giang-1d-zalo"
TEXT = "Nhắc việc: hạn gửi báo cáo quý II là ngày 05/05/2024."


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
def db(tmp_path: Path) -> Iterator[Engine]:
    """A SQLite file database at head: several senders and threads share it."""
    engine = make_engine(f"sqlite:///{tmp_path / 'reminders.db'}")
    upgrade(engine)
    yield engine
    engine.dispose()


def _settings(fake: FakeZalo, tmp_path: Path, *, zns: bool = False, bot: bool = False,
              message_type: str = "cs") -> ZaloSettings:
    return ZaloSettings(
        enabled=True, app_id=fake.app_id, secret_key=Secret(fake.secret_key),
        tokens_file=tmp_path / "zalo-tokens.json", oa_base_url=fake.base_url,
        oauth_base_url=fake.base_url, zns_base_url=fake.base_url, bot_base_url=fake.base_url,
        bot_token=Secret(fake.bot_token if bot else ""), oa_message_type=message_type,
        zns_template_id=fake.zns_template_id if zns else "", timeout_seconds=1)


def _store(engine: Engine, fake: FakeZalo, *, expires_at: datetime = NOW + timedelta(hours=20)
           ) -> None:
    zalo_tokens.save_initial(engine, ZaloTokens(
        access_token=fake.access_token, refresh_token=fake.refresh_token, expires_at=expires_at,
    ), NOW)


def _message(*, users: tuple[str, ...] = ("8123",), phones: tuple[str, ...] = (),
             chats: tuple[str, ...] = (), key: str = KEY, text: str = TEXT) -> Outgoing:
    recipient = Recipient(unit_id="ubnd-kim-giang", name="UBND phường Kim Giang",
                          emails=("kimgiang@thanhxuan.gov.vn",), zalo_user_ids=users,
                          zalo_chat_ids=chats, phones=phones)
    return Outgoing(key=key, kind="deadline", recipient=recipient, subject="Hạn báo cáo",
                    text=text, fields={"ten_don_vi": "UBND phường Kim Giang",
                                       "han": "05/05/2024"})


async def _send(settings: ZaloSettings, engine: Engine, message: Outgoing) -> str:
    async with ZaloSender(settings, engine=engine, clock=FixedClock(NOW)) as sender:
        return await sender.send(message)


async def _fails(settings: ZaloSettings, engine: Engine, message: Outgoing) -> SendError:
    with pytest.raises(SendError) as caught:
        await _send(settings, engine, message)
    return caught.value


# --- Official Account ------------------------------------------------------------------------

@pytest.mark.anyio
@pytest.mark.parametrize("message_type", ["cs", "transaction"])
async def test_oa_message_goes_to_the_configured_path(
        fake_zalo: FakeZalo, db: Engine, tmp_path: Path, message_type: str) -> None:
    _store(db, fake_zalo)
    settings = _settings(fake_zalo, tmp_path, message_type=message_type)

    provider_id = await _send(settings, db, _message())

    [seen] = fake_zalo.seen("/v3.0/oa/message/")
    assert seen.path == f"/v3.0/oa/message/{message_type}"
    assert seen.headers["access_token"] == "access-1"
    assert seen.json == {"recipient": {"user_id": "8123"}, "message": {"text": TEXT}}
    assert provider_id.startswith("oa-")


@pytest.mark.anyio
async def test_an_access_token_refused_with_216_is_refreshed_stored_and_retried(
        fake_zalo: FakeZalo, db: Engine, tmp_path: Path) -> None:
    _store(db, fake_zalo)
    fake_zalo.expire_access_token()

    provider_id = await _send(_settings(fake_zalo, tmp_path), db, _message())

    assert provider_id.startswith("oa-")
    assert fake_zalo.refreshes == ["refresh-1"]
    [refresh] = fake_zalo.seen("/v4/oa/access_token")
    assert refresh.headers["secret_key"] == fake_zalo.secret_key
    assert refresh.form == {"refresh_token": "refresh-1", "app_id": fake_zalo.app_id,
                            "grant_type": "refresh_token"}
    tokens = [s.headers["access_token"] for s in fake_zalo.seen("/v3.0/oa/message/")]
    assert tokens == ["access-1", "access-2"]
    stored = zalo_tokens.load(db)
    assert stored is not None
    assert (stored.access_token, stored.refresh_token, stored.version) == (
        "access-2", "refresh-2", 2)
    assert stored.expires_at == NOW + timedelta(seconds=fake_zalo.expires_in)


@pytest.mark.anyio
async def test_a_token_past_its_expiry_is_refreshed_before_sending(
        fake_zalo: FakeZalo, db: Engine, tmp_path: Path) -> None:
    _store(db, fake_zalo, expires_at=NOW - timedelta(minutes=1))

    await _send(_settings(fake_zalo, tmp_path), db, _message())

    assert fake_zalo.refreshes == ["refresh-1"]
    assert [s.headers["access_token"] for s in fake_zalo.seen("/v3.0/oa/")] == ["access-2"]


@pytest.mark.anyio
async def test_two_senders_on_one_database_refresh_once(
        fake_zalo: FakeZalo, db: Engine, tmp_path: Path) -> None:
    _store(db, fake_zalo)
    fake_zalo.expire_access_token()
    # The first refresh is held at the server until both senders were refused: the second
    # then waits for the row lock while the first one's exchange is under way.
    fake_zalo.answer_next("/v4/oa/access_token", hang=True)
    settings = _settings(fake_zalo, tmp_path)
    sends = asyncio.gather(*(_send(settings, db, _message(users=(uid,)))
                             for uid in ("8123", "8124")))

    await asyncio.to_thread(fake_zalo.wait_for, "/v3.0/oa/message/", 2)
    await asyncio.to_thread(fake_zalo.wait_for, "/v4/oa/access_token", 1)
    fake_zalo.release()
    ids = await sends

    assert all(i.startswith("oa-") for i in ids)
    assert fake_zalo.refreshes == ["refresh-1"]
    tokens = [s.headers["access_token"] for s in fake_zalo.seen("/v3.0/oa/message/")]
    assert sorted(tokens) == ["access-1", "access-1", "access-2", "access-2"]
    stored = zalo_tokens.load(db)
    assert stored is not None and stored.version == 2


def test_two_threads_with_their_own_loops_refresh_once(
        fake_zalo: FakeZalo, db: Engine, tmp_path: Path) -> None:
    _store(db, fake_zalo)
    fake_zalo.expire_access_token()
    fake_zalo.answer_next("/v4/oa/access_token", hang=True)  # until all four were refused
    settings = _settings(fake_zalo, tmp_path)
    start = threading.Barrier(4)
    outcomes: list[str | BaseException] = []

    def worker(uid: str) -> None:
        start.wait()
        try:
            outcomes.append(asyncio.run(_send(settings, db, _message(users=(uid,)))))
        except BaseException as exc:  # reported by the assertion below
            outcomes.append(exc)

    threads = [threading.Thread(target=worker, args=(f"81{n}",)) for n in range(4)]
    for thread in threads:
        thread.start()
    fake_zalo.wait_for("/v3.0/oa/message/", 4)
    fake_zalo.wait_for("/v4/oa/access_token", 1)
    fake_zalo.release()
    for thread in threads:
        thread.join(timeout=60)

    assert len(outcomes) == 4 and all(isinstance(o, str) for o in outcomes), outcomes
    assert fake_zalo.refreshes == ["refresh-1"]
    assert len(set(fake_zalo.refreshes)) == len(fake_zalo.refreshes)


@pytest.mark.anyio
async def test_a_spent_refresh_token_asks_for_reauthorisation_once(
        fake_zalo: FakeZalo, db: Engine, tmp_path: Path) -> None:
    _store(db, fake_zalo)
    fake_zalo.spend("refresh-1")  # someone else refreshed with it and lost the new pair
    fake_zalo.expire_access_token()
    async with ZaloSender(_settings(fake_zalo, tmp_path), engine=db,
                          clock=FixedClock(NOW)) as sender:
        for _ in range(2):
            with pytest.raises(SendError) as caught:
                await sender.send(_message())
            assert caught.value.permanent
            assert "cần cấp quyền lại" in caught.value.message

    assert fake_zalo.refreshes == ["refresh-1"]  # the refused token is not tried again
    stored = zalo_tokens.load(db)
    assert stored is not None and stored.version == 1


@pytest.mark.anyio
@pytest.mark.parametrize(("answer", "permanent", "words"), [
    pytest.param({"zalo_error": -32}, False, "-32", id="rate-limit"),
    pytest.param({"zalo_error": -213}, True, "chưa quan tâm OA", id="not-following"),
    pytest.param({"zalo_error": -230}, True, "7 ngày", id="no-interaction"),
    pytest.param({"status": 500}, False, "HTTP 500", id="http-500"),
    pytest.param({"status": 429}, False, "HTTP 429", id="http-429"),
    pytest.param({"status": 404}, True, "HTTP 404", id="http-404"),
    pytest.param({"hang": True}, False, "hết thời gian chờ", id="timeout"),
])
async def test_oa_failures_are_transient_or_permanent(
        fake_zalo: FakeZalo, db: Engine, tmp_path: Path, answer: dict[str, Any],
        permanent: bool, words: str) -> None:
    _store(db, fake_zalo)
    fake_zalo.answer_next("/v3.0/oa/message/cs", **answer)

    error = await _fails(_settings(fake_zalo, tmp_path), db, _message())
    fake_zalo.release()

    assert error.permanent is permanent
    assert words in error.message


@pytest.mark.anyio
async def test_a_text_longer_than_zalo_takes_is_refused_before_sending(
        fake_zalo: FakeZalo, db: Engine, tmp_path: Path) -> None:
    _store(db, fake_zalo)
    error = await _fails(_settings(fake_zalo, tmp_path), db, _message(text="x" * 2001))
    assert error.permanent and "2000" in error.message
    assert fake_zalo.seen("/v3.0/") == []


# --- ZNS and Bot -----------------------------------------------------------------------------

@pytest.mark.anyio
async def test_zns_goes_to_the_normalised_phone_with_a_tracking_id(
        fake_zalo: FakeZalo, db: Engine, tmp_path: Path) -> None:
    _store(db, fake_zalo)
    settings = _settings(fake_zalo, tmp_path, zns=True)

    provider_id = await _send(settings, db, _message(users=(), phones=("0912 345 678",)))

    [seen] = fake_zalo.seen("/message/template")
    assert provider_id.startswith("zns-")
    assert seen.headers["access_token"] == "access-1"
    assert seen.json == {"phone": "84912345678", "template_id": fake_zalo.zns_template_id,
                         "template_data": {"ten_don_vi": "UBND phường Kim Giang",
                                           "han": "05/05/2024"},
                         "tracking_id": KEY}


@pytest.mark.anyio
async def test_zns_refreshes_on_124(fake_zalo: FakeZalo, db: Engine, tmp_path: Path) -> None:
    _store(db, fake_zalo)
    fake_zalo.expire_access_token()
    settings = _settings(fake_zalo, tmp_path, zns=True)

    await _send(settings, db, _message(users=(), phones=("+84 912 345 678",)))

    assert fake_zalo.refreshes == ["refresh-1"]
    assert [s.headers["access_token"] for s in fake_zalo.seen("/message/")] == [
        "access-1", "access-2"]


@pytest.mark.parametrize(("written", "normalised"), [
    ("0912345678", "84912345678"), ("0912 345 678", "84912345678"),
    ("+84 912 345 678", "84912345678"), ("84912345678", "84912345678"),
    ("(091) 234-5678", "84912345678"), ("0084.912.345.678", "84912345678"),
    ("0243 856 1234", None), ("12345", None), ("+1 202 555 0100", None), ("", None),
])
def test_phones_are_normalised_to_84(written: str, normalised: str | None) -> None:
    assert normalise_phone(written) == normalised


def test_tracking_ids_are_short_and_plain() -> None:
    assert tracking_id("dl-42_x") == "dl-42_x"
    long = tracking_id("deadline:42:2024-05-05:ubnd-kim-giang:1d:zalo:" + "x" * 40)
    assert len(long) == 48 and long.isalnum()
    assert long == tracking_id("deadline:42:2024-05-05:ubnd-kim-giang:1d:zalo:" + "x" * 40)


@pytest.mark.anyio
async def test_an_invalid_phone_is_permanent(fake_zalo: FakeZalo, db: Engine,
                                             tmp_path: Path) -> None:
    _store(db, fake_zalo)
    settings = _settings(fake_zalo, tmp_path, zns=True)
    error = await _fails(settings, db, _message(users=(), phones=("024 3856 1234",)))
    assert error.permanent and "không hợp lệ" in error.message
    assert fake_zalo.seen("/message/") == []


@pytest.mark.anyio
async def test_bot_send_message(fake_zalo: FakeZalo, db: Engine, tmp_path: Path) -> None:
    settings = _settings(fake_zalo, tmp_path, bot=True)

    provider_id = await _send(settings, db, _message(users=(), chats=("e4ea2cd5189df1c3a88c",)))

    [seen] = fake_zalo.seen("/bot")
    assert provider_id.startswith("bot-")
    assert seen.path == f"/bot{fake_zalo.bot_token}/sendMessage"
    assert seen.json == {"chat_id": "e4ea2cd5189df1c3a88c", "text": TEXT}
    assert fake_zalo.seen("/v4/") == []  # the Bot needs no OA token


# --- routes together -------------------------------------------------------------------------

@pytest.mark.anyio
async def test_one_route_that_works_is_enough(fake_zalo: FakeZalo, db: Engine, tmp_path: Path,
                                              caplog: pytest.LogCaptureFixture) -> None:
    _store(db, fake_zalo)
    fake_zalo.not_following = {"9999"}
    settings = _settings(fake_zalo, tmp_path, zns=True, bot=True)
    message = _message(users=("8123", "9999"), phones=("0912345678",), chats=("chat-1",))

    with caplog.at_level(logging.WARNING, logger="reminders.channels.zalo"):
        provider_id = await _send(settings, db, message)

    ids = provider_id.split(",")
    assert [i.split("-")[0] for i in ids] == ["oa", "zns", "bot"]
    assert "OA 9999" in caplog.text and "chưa quan tâm OA" in caplog.text


@pytest.mark.anyio
@pytest.mark.parametrize(("oa", "bot", "permanent"), [
    pytest.param({"status": 500}, {"zalo_error": 429}, False, id="all-transient"),
    pytest.param({"zalo_error": -213}, {"zalo_error": 403}, True, id="all-permanent"),
    pytest.param({"zalo_error": -213}, {"status": 503}, False, id="one-transient"),
])
async def test_when_every_route_fails(fake_zalo: FakeZalo, db: Engine, tmp_path: Path,
                                      oa: dict[str, Any], bot: dict[str, Any],
                                      permanent: bool) -> None:
    _store(db, fake_zalo)
    fake_zalo.answer_next("/v3.0/oa/message/cs", **oa)
    fake_zalo.answer_next(f"/bot{fake_zalo.bot_token}/sendMessage", **bot)
    settings = _settings(fake_zalo, tmp_path, bot=True)

    error = await _fails(settings, db, _message(chats=("chat-1",)))

    assert error.permanent is permanent
    assert "OA 8123" in error.message and "Zalo Bot chat-1" in error.message


@pytest.mark.anyio
async def test_a_unit_without_a_zalo_route_is_permanent(fake_zalo: FakeZalo, db: Engine,
                                                        tmp_path: Path) -> None:
    # Phones and chats count only when ZNS and the Bot are configured.
    message = _message(users=(), phones=("0912345678",), chats=("chat-1",))
    error = await _fails(_settings(fake_zalo, tmp_path), db, message)
    assert error.permanent and "chưa có cách nhận tin Zalo" in error.message
    assert fake_zalo.requests[1:] == []  # only the fixture's health check


# --- tokens in the store ---------------------------------------------------------------------

@pytest.mark.anyio
async def test_tokens_are_seeded_once_from_the_tokens_file(
        fake_zalo: FakeZalo, db: Engine, tmp_path: Path) -> None:
    settings = _settings(fake_zalo, tmp_path)
    settings.tokens_file.write_text(json.dumps({
        "access_token": fake_zalo.access_token, "refresh_token": fake_zalo.refresh_token,
        "expires_in": 3600}), encoding="utf-8")

    await _send(settings, db, _message())
    settings.tokens_file.write_text(json.dumps({"access_token": "old", "refresh_token": "old"}))
    await _send(settings, db, _message())

    stored = zalo_tokens.load(db)
    assert stored is not None
    assert (stored.access_token, stored.version) == ("access-1", 1)
    assert stored.expires_at == NOW + timedelta(hours=1)
    assert fake_zalo.refreshes == []


@pytest.mark.anyio
async def test_without_tokens_the_oa_route_asks_for_authorisation(
        fake_zalo: FakeZalo, db: Engine, tmp_path: Path) -> None:
    error = await _fails(_settings(fake_zalo, tmp_path), db, _message())
    assert error.permanent and "zalo-tokens.json" in error.message


def test_refresh_locked_returns_a_newer_pair_without_exchanging(engine: Engine) -> None:
    pair = ZaloTokens(access_token="a1", refresh_token="r1", expires_at=NOW)
    zalo_tokens.save_initial(engine, pair, NOW)
    calls: list[str] = []

    def exchange(refresh_token: str) -> IssuedTokens:
        calls.append(refresh_token)
        return IssuedTokens(access_token="a2", refresh_token="r2", expires_in=600)

    fresh = zalo_tokens.refresh_locked(engine, NOW, exchange, seen_version=1)
    again = zalo_tokens.refresh_locked(engine, NOW, exchange, seen_version=1)

    assert calls == ["r1"]
    assert fresh == again and fresh.version == 2 and fresh.access_token == "a2"
    assert fresh.expires_at == NOW + timedelta(minutes=10)
    assert zalo_tokens.save_initial(engine, pair, NOW) == fresh  # never overwrites
    assert "a2" not in repr(fresh)


def test_a_failed_exchange_stores_nothing(engine: Engine) -> None:
    zalo_tokens.save_initial(
        engine, ZaloTokens(access_token="a1", refresh_token="r1", expires_at=NOW), NOW)

    def exchange(refresh_token: str) -> IssuedTokens:
        raise SendError("Zalo trả lời HTTP 500", permanent=False)

    with pytest.raises(SendError):
        zalo_tokens.refresh_locked(engine, NOW, exchange, seen_version=1)
    stored = zalo_tokens.load(engine)
    assert stored is not None and (stored.refresh_token, stored.version) == ("r1", 1)


def test_refresh_without_a_stored_pair_is_a_store_error(engine: Engine) -> None:
    with pytest.raises(StoreError, match="chưa có token Zalo OA"):
        zalo_tokens.refresh_locked(engine, NOW, lambda _: pytest.fail("no exchange"),
                                   seen_version=0)


def test_refresh_locked_lets_one_of_two_threads_exchange(engine: Engine) -> None:
    zalo_tokens.save_initial(
        engine, ZaloTokens(access_token="a1", refresh_token="r1", expires_at=NOW), NOW)
    exchanging, go_on = threading.Event(), threading.Event()
    calls: list[str] = []
    results: list[ZaloTokens] = []

    def exchange(refresh_token: str) -> IssuedTokens:
        calls.append(refresh_token)
        exchanging.set()
        assert go_on.wait(timeout=20)  # hold the lock until the other thread asks for it
        return IssuedTokens(access_token="a2", refresh_token="r2", expires_in=600)

    def refresh() -> None:
        results.append(zalo_tokens.refresh_locked(engine, NOW, exchange, seen_version=1))

    first = threading.Thread(target=refresh)
    first.start()
    assert exchanging.wait(timeout=20)
    second = threading.Thread(target=refresh)
    second.start()
    go_on.set()
    first.join(timeout=30)
    second.join(timeout=30)

    assert calls == ["r1"]
    assert [r.version for r in results] == [2, 2]
    assert {r.refresh_token for r in results} == {"r2"}
