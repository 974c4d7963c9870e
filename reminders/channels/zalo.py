"""Zalo channel: Official Account v3 messages, ZNS template messages by phone, Zalo Bot chats.

A unit is reached on every route it has; the message counts as sent when one route took
it. The OA access token lives about a day and is refreshed through OAuth v4 with a
single-use refresh token, one refresh at a time: an asyncio.Lock in this process and a
row lock in the store (store/zalo_tokens.py) across processes.

Error codes mapped (Zalo's tables differ per API; the same number can mean different things):
- OA v3 (``{"error": code, "message": ...}``): -216 and -124, access token invalid or expired
  → refresh and retry once; -32 (request rate) and -1 (system error) → transient, on the safe
  side as no table at hand confirms them; -213 (not following the OA / no recent
  interaction), -230 (no interaction for 7 days) and every other code → permanent.
- ZNS (zalo.cloud "Cách xử lý mã lỗi"): -124 access token invalid → refresh and retry once;
  -100 unknown error ("thử lại sau"), -144 and -147 daily quotas → transient; -108 phone,
  -109 template, -111/-112 template data, -115 out of quota, -118 no Zalo account, -119
  cannot receive, and every other code → permanent.
- Bot (``{"ok": false, "error_code": ..., "description": ...}``): 429 and 5xx → transient.
- HTTP 5xx, 408, 429, timeouts and connection errors → transient; other HTTP 4xx → permanent.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import re
from collections.abc import Awaitable, Callable, Mapping
from functools import partial
from types import TracebackType
from typing import Any, Self

import httpx
from sqlalchemy import Engine

from reminders.channels.base import Outgoing, SendError
from reminders.clock import Clock
from reminders.config.schema import ZaloSettings
from reminders.domain import Channel
from reminders.errors import StoreError
from reminders.store import zalo_tokens
from reminders.store.zalo_tokens import IssuedTokens, ZaloTokens

log = logging.getLogger(__name__)

TEXT_LIMIT = 2000  # characters Zalo takes in one OA or Bot text message
TRACKING_ID_LIMIT = 48  # ZNS asks for tracking ids of at most 48 plain characters
_OA_TOKEN_CODES = frozenset({-216, -124})
_OA_TRANSIENT = frozenset({-32, -1})
_ZNS_TOKEN_CODES = frozenset({-124})
_ZNS_TRANSIENT = frozenset({-100, -144, -147})
_REASONS = {
    -213: "người nhận chưa quan tâm OA hoặc chưa tương tác với OA gần đây",
    -230: "người nhận chưa tương tác với OA trong 7 ngày qua",
    -32: "vượt giới hạn số yêu cầu, sẽ thử lại",
    -100: "lỗi không xác định, sẽ thử lại",
    -108: "số điện thoại không hợp lệ",
    -109: "mẫu ZNS (template_id) không hợp lệ",
    -111: "dữ liệu mẫu ZNS trống",
    -112: "dữ liệu mẫu ZNS không hợp lệ",
    -115: "tài khoản ZNS hết số dư",
    -118: "số điện thoại chưa có tài khoản Zalo hoặc tài khoản đã bị khóa",
    -119: "tài khoản Zalo này không nhận được ZNS",
    -144: "vượt hạn mức gửi trong ngày, sẽ thử lại",
}
_PHONE = re.compile(r"84[35789]\d{8}")  # a Vietnamese mobile number, written 84xxxxxxxxx
_PLAIN_ID = re.compile(rf"[A-Za-z0-9_-]{{1,{TRACKING_ID_LIMIT}}}")
_Route = tuple[str, Callable[[], Awaitable[str]]]


class _TokenRejected(Exception):
    """Zalo refused the access token: refresh it and try once more."""


class ZaloSender:
    """Sends ``message.text`` (or the ZNS template filled from ``fields``) on every route."""

    channel = Channel.ZALO
    concurrency = 4  # Zalo limits requests per minute; a few at a time is plenty

    def __init__(self, settings: ZaloSettings, *, engine: Engine, clock: Clock,
                 client: httpx.AsyncClient | None = None) -> None:
        self._settings = settings
        self._engine = engine
        self._clock = clock
        self._client = client
        self._owned: httpx.AsyncClient | None = None
        self._tokens: ZaloTokens | None = None
        self._refreshing = asyncio.Lock()
        self._rejected_version: int | None = None  # whose refresh token Zalo refused

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
        """Send on every route; return the ids joined by "," or raise SendError."""
        routes = self._routes(message)
        if not routes:
            raise SendError(f"đơn vị {message.recipient.unit_id} chưa có cách nhận tin Zalo "
                            "(Zalo user id, số điện thoại cho ZNS hay chat Zalo Bot)",
                            permanent=True)
        ids: list[str] = []
        failures: list[tuple[str, SendError]] = []
        for label, attempt in routes:
            try:
                ids.append(await attempt())
            except SendError as exc:
                failures.append((label, exc))
        if ids:
            for label, error in failures:
                log.warning("Zalo: gửi cho %s qua %s không được: %s",
                            message.recipient.unit_id, label, error.message)
            return ",".join(ids)
        raise SendError("; ".join(f"{label}: {error.message}" for label, error in failures),
                        permanent=all(error.permanent for _, error in failures))

    def _routes(self, message: Outgoing) -> list[_Route]:
        recipient, settings = message.recipient, self._settings
        routes: list[_Route] = [(f"OA {uid}", partial(self._send_oa, uid, message.text))
                                for uid in recipient.zalo_user_ids]
        if settings.zns_template_id:
            routes += [(f"ZNS {phone}", partial(self._send_zns, phone, message))
                       for phone in recipient.phones]
        if settings.bot_token:
            routes += [(f"Zalo Bot {chat}", partial(self._send_bot, chat, message.text))
                       for chat in recipient.zalo_chat_ids]
        return routes

    # --- the three APIs ------------------------------------------------------------------

    async def _send_oa(self, user_id: str, text: str) -> str:
        _check_text(text)
        url = f"{self._settings.oa_base_url}/v3.0/oa/message/{self._settings.oa_message_type}"
        body = {"recipient": {"user_id": user_id}, "message": {"text": text}}
        data = await self._with_token(url, body, "OA", _OA_TOKEN_CODES, _OA_TRANSIENT)
        return str(data.get("message_id") or f"oa:{user_id}")

    async def _send_zns(self, phone: str, message: Outgoing) -> str:
        number = normalise_phone(phone)
        if number is None:
            raise SendError(f"số điện thoại '{phone}' không hợp lệ cho ZNS", permanent=True)
        body = {"phone": number, "template_id": self._settings.zns_template_id,
                "template_data": dict(message.fields), "tracking_id": tracking_id(message.key)}
        url = f"{self._settings.zns_base_url}/message/template"
        data = await self._with_token(url, body, "ZNS", _ZNS_TOKEN_CODES, _ZNS_TRANSIENT)
        return str(data.get("msg_id") or f"zns:{number}")

    async def _send_bot(self, chat_id: str, text: str) -> str:
        _check_text(text)
        url = f"{self._settings.bot_base_url}/bot{self._settings.bot_token.reveal()}/sendMessage"
        document = await self._post(url, json={"chat_id": chat_id, "text": text})
        result = document.get("result")
        if document.get("ok") is True and isinstance(result, dict):
            return str(result.get("message_id") or f"bot:{chat_id}")
        code, text = document.get("error_code"), document.get("description") or ""
        transient = isinstance(code, int) and (code == 429 or code >= 500)
        raise SendError(f"Zalo Bot báo lỗi {code}: {text}".rstrip(": "), permanent=not transient)

    # --- the access token ----------------------------------------------------------------

    async def _with_token(self, url: str, body: Mapping[str, Any], api: str,
                          token_codes: frozenset[int], transient: frozenset[int]
                          ) -> dict[str, Any]:
        tokens = await self._current_tokens()
        if tokens.expired(self._clock.now()):
            tokens = await self._refresh(tokens)
        for last in (False, True):
            document = await self._post(url, json=body,
                                        headers={"access_token": tokens.access_token})
            code = document.get("error")
            if code == 0:
                data = document.get("data")
                return data if isinstance(data, dict) else {}
            if code not in token_codes:
                reason = _REASONS.get(code) if isinstance(code, int) else None
                detail = f"Zalo {api} báo lỗi {code}: {reason or document.get('message', '')}"
                raise SendError(detail.rstrip(": "), permanent=code not in transient)
            if last:
                break
            tokens = await self._refresh(tokens)
        raise SendError("Zalo vẫn từ chối access token vừa làm mới: "
                        "cần cấp quyền lại cho ứng dụng trên OA", permanent=True)

    async def _current_tokens(self) -> ZaloTokens:
        if self._tokens is None:
            try:
                self._tokens = await asyncio.to_thread(
                    zalo_tokens.seed, self._engine, self._settings.tokens_file, self._clock.now())
            except StoreError as exc:
                raise SendError(str(exc), permanent=True) from None
        if self._tokens is None:
            raise SendError("chưa có token Zalo OA: cần cấp quyền cho ứng dụng rồi đặt "
                            f"access_token và refresh_token vào {self._settings.tokens_file}",
                            permanent=True)
        return self._tokens

    async def _refresh(self, seen: ZaloTokens) -> ZaloTokens:
        """A pair newer than ``seen``: another task's, another process's, or a new one."""
        async with self._refreshing:
            if self._tokens is not None and self._tokens.version > seen.version:
                return self._tokens
            if self._rejected_version == seen.version:
                # Ask Zalo again only with a refresh token it has not refused yet.
                stored = await asyncio.to_thread(zalo_tokens.load, self._engine)
                if stored is None or stored.version <= seen.version:
                    raise _reauthorise("refresh token đã bị Zalo từ chối")
                self._tokens = stored
                return stored
            if not (self._settings.app_id and self._settings.secret_key):
                raise SendError("access token Zalo đã hết hạn mà chưa cấu hình [zalo] app_id và "
                                "secret_key để làm mới", permanent=True)
            exchange = partial(self._exchange_blocking, asyncio.get_running_loop())
            try:
                fresh = await asyncio.to_thread(zalo_tokens.refresh_locked, self._engine,
                                                self._clock.now(), exchange,
                                                seen_version=seen.version)
            except StoreError as exc:
                raise SendError(str(exc), permanent=False) from None
            except SendError as exc:
                if exc.permanent:
                    self._rejected_version = seen.version
                raise
            if fresh.version == seen.version + 1:
                log.info("Zalo: đã làm mới access token của OA (lần %d)", fresh.version)
            self._tokens = fresh
            return fresh

    def _exchange_blocking(self, loop: asyncio.AbstractEventLoop,
                           refresh_token: str) -> IssuedTokens:
        # Runs in refresh_locked's thread, under the lock; the request itself goes through
        # this sender's client on its loop, which is free while send() awaits the thread.
        return asyncio.run_coroutine_threadsafe(self._exchange(refresh_token), loop).result()

    async def _exchange(self, refresh_token: str) -> IssuedTokens:
        url = f"{self._settings.oauth_base_url}/v4/oa/access_token"
        form = {"refresh_token": refresh_token, "app_id": self._settings.app_id,
                "grant_type": "refresh_token"}
        try:
            document = await self._post(
                url, data=form, headers={"secret_key": self._settings.secret_key.reveal()})
        except SendError as exc:
            if exc.permanent:
                raise _reauthorise(exc.message) from None
            raise
        access, refresh = document.get("access_token"), document.get("refresh_token")
        if isinstance(access, str) and isinstance(refresh, str) and access and refresh:
            try:
                expires_in = int(document.get("expires_in") or zalo_tokens.DEFAULT_EXPIRES_IN)
            except (TypeError, ValueError):
                expires_in = zalo_tokens.DEFAULT_EXPIRES_IN
            return IssuedTokens(access_token=access, refresh_token=refresh, expires_in=expires_in)
        # OAuth errors come as error / error_name / error_description, often with HTTP 200.
        why = next((str(document[k]) for k in ("error_description", "error_reason",
                                                "error_name", "message", "error")
                    if document.get(k)), "không rõ lý do")
        raise _reauthorise(f"Zalo từ chối refresh token ({why})")

    # --- HTTP ----------------------------------------------------------------------------

    async def _post(self, url: str, **kwargs: Any) -> dict[str, Any]:
        """POST and return the JSON object Zalo answered; transport and HTTP errors raise."""
        if self._client is None:
            raise RuntimeError("ZaloSender.send needs `async with sender:` first")
        # The texts name the failure, never the URL: the Bot's carries its token.
        try:
            response = await self._client.post(url, **kwargs)
        except httpx.TimeoutException:
            raise SendError("Zalo không trả lời kịp (hết thời gian chờ)", permanent=False) from None
        except httpx.TransportError as exc:
            raise SendError(f"không kết nối được tới Zalo ({type(exc).__name__})",
                            permanent=False) from None
        status = response.status_code
        if status >= 500 or status in (408, 429):
            raise SendError(f"Zalo trả lời HTTP {status}", permanent=False)
        try:
            document = response.json()
        except ValueError:
            document = None
        ok = 200 <= status < 300
        if not isinstance(document, dict):
            # Garbage with a 200 is Zalo's hiccup; a 4xx without JSON is a wrong address.
            raise SendError(f"Zalo trả lời HTTP {status} không đọc được", permanent=not ok)
        if not ok and "ok" not in document:
            detail = document.get("message") or document.get("error_description") or ""
            raise SendError(f"Zalo trả lời HTTP {status} {detail}".rstrip(), permanent=True)
        return document


def normalise_phone(raw: str) -> str | None:
    """``0912 345 678``, ``+84912345678`` or ``84912345678`` → ``84912345678``; None if not one."""
    digits = re.sub(r"[\s.()-]", "", raw)
    if digits.startswith("+"):
        digits = digits[1:]
    elif digits.startswith("00"):
        digits = digits[2:]
    elif digits.startswith("0"):
        digits = "84" + digits[1:]
    return digits if _PHONE.fullmatch(digits) else None


def tracking_id(key: str) -> str:
    """The message key as a ZNS tracking id: as it is when plain and short, else its hash."""
    if _PLAIN_ID.fullmatch(key):
        return key
    return hashlib.sha256(key.encode("utf-8")).hexdigest()[:TRACKING_ID_LIMIT]


def _check_text(text: str) -> None:
    if not text.strip():
        raise SendError("tin nhắn Zalo trống", permanent=True)
    if len(text) > TEXT_LIMIT:
        raise SendError(f"tin nhắn dài {len(text)} ký tự, Zalo nhận tối đa {TEXT_LIMIT}",
                        permanent=True)


def _reauthorise(why: str) -> SendError:
    return SendError(f"{why}: cần cấp quyền lại cho ứng dụng trên Zalo OA "
                     "và đặt cặp token mới", permanent=True)
