"""Webhook channel: POST a unit's rendered JSON body, signed with HMAC-SHA256 over time and body.

The receiver checks ``X-Reminders-Signature`` with :func:`verify`: the signature covers
``<timestamp>.<body>``, so neither can be changed or replayed later without notice, and
``X-Reminders-Key`` lets it drop a message it has already seen (delivery is at least once).
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
from datetime import datetime
from types import TracebackType
from typing import Any, Self

import httpx

from reminders import __version__
from reminders.channels.base import Outgoing, SendError
from reminders.clock import Clock
from reminders.config.schema import WebhookSettings
from reminders.domain import Channel

SIGNATURE_PREFIX = "sha256="
TRANSIENT_STATUS = frozenset({408, 429})
_SNIPPET = 200  # characters of a refusal's body kept in the error the office sees


def sign(secret: str, timestamp: str, body: bytes) -> str:
    """The ``X-Reminders-Signature`` value: ``sha256=`` and the hex HMAC of ``timestamp.body``."""
    mac = hmac.new(secret.encode("utf-8"), timestamp.encode("ascii") + b"." + body,
                   hashlib.sha256)
    return SIGNATURE_PREFIX + mac.hexdigest()


def verify(secret: str, timestamp: str, body: bytes, signature: str, *, now: datetime,
           tolerance_seconds: int = 300) -> bool:
    """Whether ``signature`` signs ``body`` at ``timestamp`` (unix seconds) close enough to ``now``.

    The comparison takes constant time; a timestamp further than ``tolerance_seconds``
    from ``now`` fails, so a captured request cannot be replayed later.
    """
    try:
        sent = int(timestamp)
    except ValueError:
        return False
    if abs(now.timestamp() - sent) > tolerance_seconds:
        return False
    return hmac.compare_digest(sign(secret, timestamp, body).encode(), signature.encode())


class WebhookSender:
    """Posts each message's ``body`` to the unit's webhook URL; at most ``concurrency`` at once."""

    channel = Channel.WEBHOOK

    def __init__(self, settings: WebhookSettings, *, clock: Clock,
                 client: httpx.AsyncClient | None = None) -> None:
        self.concurrency = settings.max_concurrency
        self._settings = settings
        self._clock = clock
        self._client = client
        self._owned: httpx.AsyncClient | None = None
        # httpx slows down past ~8 requests in flight on one client (DESIGN.md), and a
        # caller may gather more sends than that: the cap holds whoever calls send().
        self._gate = asyncio.Semaphore(self.concurrency)

    async def __aenter__(self) -> Self:
        if self._client is None:
            self._owned = httpx.AsyncClient(timeout=self._settings.timeout_seconds)
            self._client = self._owned
        return self

    async def __aexit__(self, exc_type: type[BaseException] | None,
                        exc: BaseException | None, tb: TracebackType | None) -> Any:
        if self._owned is not None:
            await self._owned.aclose()
            self._client = self._owned = None
        return None

    async def send(self, message: Outgoing) -> str:
        """POST the message; return the receiver's id for it or raise SendError."""
        url = message.recipient.webhook_url
        if not url:
            raise SendError(f"đơn vị {message.recipient.unit_id} chưa có địa chỉ webhook",
                            permanent=True)
        secret = self._settings.secret.reveal()
        if not secret:
            raise SendError("chưa cấu hình khóa ký webhook ([webhook] secret)", permanent=True)
        if self._client is None:
            raise RuntimeError("WebhookSender.send needs `async with sender:` first")
        body = message.body.encode("utf-8")
        timestamp = str(int(self._clock.now().timestamp()))
        headers = {
            "Content-Type": "application/json; charset=utf-8",
            "X-Reminders-Timestamp": timestamp,
            "X-Reminders-Signature": sign(secret, timestamp, body),
            "X-Reminders-Key": message.key,
            "User-Agent": f"reminders/{__version__}",
        }
        async with self._gate:
            response = await _post(self._client, url, body, headers)
        return _outcome(response)


async def _post(client: httpx.AsyncClient, url: str, body: bytes,
                headers: dict[str, str]) -> httpx.Response:
    # Error texts name the failure, not the URL: it may carry a token of the receiver's.
    try:
        return await client.post(url, content=body, headers=headers)
    except (httpx.InvalidURL, httpx.UnsupportedProtocol):
        raise SendError("địa chỉ webhook không hợp lệ", permanent=True) from None
    except httpx.TimeoutException:
        raise SendError("webhook không trả lời kịp (hết thời gian chờ)", permanent=False) from None
    except httpx.TransportError as exc:
        raise SendError(f"không kết nối được tới webhook ({type(exc).__name__})",
                        permanent=False) from None


def _outcome(response: httpx.Response) -> str:
    status = response.status_code
    if 200 <= status < 300:
        return _provider_id(response)
    snippet = response.text[:_SNIPPET].strip()
    detail = f"webhook trả lời HTTP {status}" + (f": {snippet}" if snippet else "")
    raise SendError(detail, permanent=not (status in TRANSIENT_STATUS or status >= 500))


def _provider_id(response: httpx.Response) -> str:
    try:
        document = json.loads(response.content) if response.content else None
    except ValueError:  # the receiver owes us no JSON; a plain "ok" is a success too
        document = None
    if isinstance(document, dict):
        found = document.get("id")
        if isinstance(found, str | int) and not isinstance(found, bool) and str(found):
            return str(found)
    request_id = response.headers.get("X-Request-Id")
    return request_id or f"webhook:{response.status_code}"
