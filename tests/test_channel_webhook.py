"""The webhook channel over real HTTP: signatures checked at the receiver, outcomes, the cap."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

import httpx
import pytest

from reminders import __version__
from reminders.channels.base import Outgoing, Recipient, SendError
from reminders.channels.webhook import WebhookSender, sign, verify
from reminders.clock import FixedClock
from reminders.config.schema import WebhookSettings
from reminders.config.values import Secret

if TYPE_CHECKING:
    from tests.fake_zalo import FakeZalo

pytest_plugins = ["tests.fake_zalo"]  # the fake_zalo fixture

NOW = datetime(2024, 5, 2, 1, 0, tzinfo=UTC)
BODY = json.dumps({"tieu_de": "Hạn báo cáo quý II", "don_vi": "UBND phường Kim Giang"},
                  ensure_ascii=False)


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
def clock(fake_zalo: FakeZalo) -> FixedClock:
    at = FixedClock(NOW)
    fake_zalo.hook_now = at.now  # the receiver checks the timestamp against the same time
    return at


def _settings(secret: str = "hook-secret", **options: int) -> WebhookSettings:
    return WebhookSettings(secret=Secret(secret), timeout_seconds=options.get("timeout", 2),
                           max_concurrency=options.get("cap", 8))


def _message(url: str | None, *, key: str = "dl-42-ubnd-kim-giang-1d-webhook") -> Outgoing:
    recipient = Recipient(unit_id="ubnd-kim-giang", name="UBND phường Kim Giang",
                          webhook_url=url)
    return Outgoing(key=key, kind="deadline", recipient=recipient, subject="", text="",
                    body=BODY)


@pytest.fixture
async def sender(clock: FixedClock) -> AsyncIterator[WebhookSender]:
    async with WebhookSender(_settings(), clock=clock) as opened:
        yield opened


# --- signatures ------------------------------------------------------------------------------

def test_sign_is_hmac_sha256_over_timestamp_dot_body() -> None:
    expected = hmac.new(b"k", b"1714611600.{}", hashlib.sha256).hexdigest()
    assert sign("k", "1714611600", b"{}") == f"sha256={expected}"


def test_verify_refuses_tampering_other_keys_and_old_timestamps() -> None:
    body, stamp = BODY.encode(), str(int(NOW.timestamp()))
    good = sign("hook-secret", stamp, body)
    assert verify("hook-secret", stamp, body, good, now=NOW)
    assert not verify("hook-secret", stamp, body.replace(b"II", b"III"), good, now=NOW)
    assert not verify("other-secret", stamp, body, good, now=NOW)
    assert not verify("hook-secret", str(int(NOW.timestamp()) + 1), body, good, now=NOW)
    assert not verify("hook-secret", stamp, body, good, now=NOW + timedelta(seconds=301))
    assert verify("hook-secret", stamp, body, good, now=NOW + timedelta(seconds=300))
    assert not verify("hook-secret", "not-a-number", body, good, now=NOW)


@pytest.mark.anyio
async def test_signed_post_verifies_at_the_receiver(fake_zalo: FakeZalo,
                                                    sender: WebhookSender) -> None:
    provider_id = await sender.send(_message(f"{fake_zalo.base_url}/hook/kim-giang"))

    assert provider_id.startswith("hook-")
    [(name, seen, verified)] = fake_zalo.hooks
    assert (name, verified) == ("kim-giang", True)
    assert seen.body == BODY.encode("utf-8")
    assert seen.headers["content-type"] == "application/json; charset=utf-8"
    assert seen.headers["x-reminders-timestamp"] == str(int(NOW.timestamp()))
    assert seen.headers["x-reminders-key"] == "dl-42-ubnd-kim-giang-1d-webhook"
    assert seen.headers["user-agent"] == f"reminders/{__version__}"
    stamp, signature = seen.headers["x-reminders-timestamp"], seen.headers["x-reminders-signature"]
    assert verify(fake_zalo.webhook_secret, stamp, seen.body, signature, now=NOW)
    tampered = seen.body.replace(b"Kim Giang", b"Kim Giang ")
    assert not verify(fake_zalo.webhook_secret, stamp, tampered, signature, now=NOW)


@pytest.mark.anyio
async def test_a_wrong_secret_is_refused_by_the_receiver(fake_zalo: FakeZalo,
                                                         clock: FixedClock) -> None:
    async with WebhookSender(_settings("not-the-secret"), clock=clock) as wrong:
        with pytest.raises(SendError) as caught:
            await wrong.send(_message(f"{fake_zalo.base_url}/hook/a"))
    assert caught.value.permanent and "401" in caught.value.message
    assert [verified for _, _, verified in fake_zalo.hooks] == [False]


# --- outcomes --------------------------------------------------------------------------------

@pytest.mark.anyio
@pytest.mark.parametrize(("status", "permanent"), [
    pytest.param(500, False, id="500"), pytest.param(503, False, id="503"),
    pytest.param(429, False, id="429"), pytest.param(408, False, id="408"),
    pytest.param(404, True, id="404"), pytest.param(400, True, id="400"),
    pytest.param(410, True, id="410"),
])
async def test_http_status_decides_transient_or_permanent(
        fake_zalo: FakeZalo, sender: WebhookSender, status: int,
        permanent: bool) -> None:
    fake_zalo.answer_next("/hook/a", status=status)
    with pytest.raises(SendError) as caught:
        await sender.send(_message(f"{fake_zalo.base_url}/hook/a"))
    assert caught.value.permanent is permanent
    assert f"HTTP {status}" in caught.value.message


@pytest.mark.anyio
async def test_a_receiver_that_hangs_is_a_transient_timeout(fake_zalo: FakeZalo,
                                                            clock: FixedClock) -> None:
    fake_zalo.answer_next("/hook/slow", hang=True)
    async with WebhookSender(_settings(timeout=1), clock=clock) as impatient:
        with pytest.raises(SendError) as caught:
            await impatient.send(_message(f"{fake_zalo.base_url}/hook/slow"))
    fake_zalo.release()
    assert not caught.value.permanent and "hết thời gian chờ" in caught.value.message


@pytest.mark.anyio
async def test_a_receiver_that_is_down_is_transient(sender: WebhookSender) -> None:
    port = _closed_port()
    with pytest.raises(SendError) as caught:
        await sender.send(_message(f"http://127.0.0.1:{port}/hook/a"))
    assert not caught.value.permanent and "không kết nối được" in caught.value.message


@pytest.mark.anyio
@pytest.mark.parametrize(("url", "secret", "words"), [
    pytest.param(None, "hook-secret", "chưa có địa chỉ webhook", id="no-url"),
    pytest.param("http://127.0.0.1:9/hook", "", "chưa cấu hình khóa", id="no-secret"),
    pytest.param("ftp://127.0.0.1/hook", "hook-secret", "không hợp lệ", id="bad-scheme"),
])
async def test_what_cannot_be_sent_is_permanent(clock: FixedClock, url: str | None, secret: str,
                                                words: str) -> None:
    async with WebhookSender(_settings(secret), clock=clock) as unusable:
        with pytest.raises(SendError) as caught:
            await unusable.send(_message(url))
    assert caught.value.permanent and words in caught.value.message


@pytest.mark.anyio
async def test_provider_id_falls_back_to_request_id_then_status(
        fake_zalo: FakeZalo, sender: WebhookSender) -> None:
    url = f"{fake_zalo.base_url}/hook/a"
    fake_zalo.answer_next("/hook/a", status=202, headers={"X-Request-Id": "req-7f3a"})
    fake_zalo.answer_next("/hook/a", status=204)
    assert await sender.send(_message(url)) == "req-7f3a"
    assert await sender.send(_message(url)) == "webhook:204"


# --- connections -----------------------------------------------------------------------------

@pytest.mark.anyio
async def test_at_most_max_concurrency_requests_reach_the_receiver_at_once(
        fake_zalo: FakeZalo, clock: FixedClock) -> None:
    fake_zalo.hold_hooks_until = 3  # the receiver keeps requests open until three are in
    url = f"{fake_zalo.base_url}/hook/a"
    async with WebhookSender(_settings(cap=3), clock=clock) as capped:
        assert capped.concurrency == 3
        ids = await asyncio.gather(*(capped.send(_message(url, key=f"k{n}")) for n in range(10)))
    assert len(set(ids)) == 10
    assert fake_zalo.max_in_flight == 3


@pytest.mark.anyio
async def test_a_client_passed_in_is_used_and_left_open(fake_zalo: FakeZalo,
                                                        clock: FixedClock) -> None:
    async with httpx.AsyncClient(timeout=2) as client:
        async with WebhookSender(_settings(), clock=clock, client=client) as shared:
            await shared.send(_message(f"{fake_zalo.base_url}/hook/a"))
        assert not client.is_closed
    assert len(fake_zalo.hooks) == 1


def _closed_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])
