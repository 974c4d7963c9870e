"""A fake Zalo (OA v3, OAuth v4, ZNS, Bot) and webhook receiver, served by uvicorn on 127.0.0.1.

It answers as the public documentation shows: HTTP 200 with ``{"error": 0, "data": ...}`` or
a negative code; an expired or unknown access token gets -216 (OA) or -124 (ZNS); every
refresh spends the refresh token it was given and a spent one is refused with an OAuth
error object. Tests can tell it what to answer next for a path (an HTTP status, a Zalo
error code, or to hang until released) and read every request it recorded.
"""

from __future__ import annotations

import asyncio
import contextlib
import re
import socket
import threading
import time
from collections import defaultdict, deque
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qsl

import httpx
import pytest
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route

from reminders.channels.webhook import verify

TEXT_LIMIT = 2000
_ZNS_PHONE = re.compile(r"84\d{9}")


@dataclass(frozen=True)
class Seen:
    """One request as the server received it (header names in lower case)."""

    path: str
    headers: dict[str, str]
    body: bytes
    json: Any = None
    form: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Answer:
    """What to answer next for a path instead of the usual (``hang``: the usual, once released)."""

    status: int | None = None
    zalo_error: int | None = None
    hang: bool = False
    headers: dict[str, str] = field(default_factory=dict)


class FakeZalo:
    """The server's state; read and change it from the test thread."""

    def __init__(self) -> None:
        self.app_id = "4291763606161179100"
        self.secret_key = "app-secret-key"
        self.bot_token = "1459232241454765289:bot-secret"
        self.webhook_secret = "hook-secret"
        self.zns_template_id = "375847"
        self.access_token = "access-1"
        self.refresh_token = "refresh-1"
        self.expires_in = 90000
        self.access_expired = False
        self.not_following: set[str] = set()  # OA user ids that answer -213
        self.requests: list[Seen] = []
        self.refreshes: list[str] = []  # the refresh tokens presented, in order
        self.spent: set[str] = set()
        self.hooks: list[tuple[str, Seen, bool]] = []  # (name, request, signature verified)
        self.hook_now: Callable[[], datetime] = lambda: datetime.now(UTC)
        self.hold_hooks_until: int | None = None  # hold hooks until this many are in flight
        self.in_flight = 0
        self.max_in_flight = 0
        self.base_url = ""
        self._answers: dict[str, deque[Answer]] = defaultdict(deque)
        self._lock = threading.Lock()
        self._arrived = threading.Condition(self._lock)
        self._count = 0
        self._loop: asyncio.AbstractEventLoop | None = None
        self._release: asyncio.Event | None = None
        self._held: asyncio.Event | None = None
        self.app = Starlette(routes=[
            Route("/healthz", lambda _: PlainTextResponse("ok")),
            Route("/v3.0/oa/message/{kind}", self._oa_message, methods=["POST"]),
            Route("/v4/oa/access_token", self._oauth, methods=["POST"]),
            Route("/message/template", self._zns, methods=["POST"]),
            Route("/bot{token}/sendMessage", self._bot, methods=["POST"]),
            Route("/hook/{name}", self._hook, methods=["POST"]),
        ])

    # --- what tests call ---------------------------------------------------------------

    def answer_next(self, path: str, *, status: int | None = None, zalo_error: int | None = None,
                    hang: bool = False, headers: dict[str, str] | None = None,
                    times: int = 1) -> None:
        """Answer the next ``times`` requests to ``path`` so, instead of the usual."""
        with self._lock:
            for _ in range(times):
                self._answers[path].append(Answer(status=status, zalo_error=zalo_error,
                                                  hang=hang, headers=headers or {}))

    def expire_access_token(self) -> None:
        """From now on the current access token gets -216 (OA) / -124 (ZNS)."""
        with self._lock:
            self.access_expired = True

    def release(self) -> None:
        """Let every hanging request go on; a later ``hang`` waits for the next release."""
        loop, event = self._loop, self._release
        if loop is not None and event is not None and not loop.is_closed():
            loop.call_soon_threadsafe(self._let_go, event)

    def _let_go(self, event: asyncio.Event) -> None:
        event.set()
        if self._release is event:
            self._release = None

    def wait_for(self, prefix: str, count: int, *, timeout: float = 20) -> None:
        """Block until ``count`` requests to paths starting with ``prefix`` have arrived."""
        with self._arrived:
            if not self._arrived.wait_for(
                    lambda: sum(s.path.startswith(prefix) for s in self.requests) >= count,
                    timeout=timeout):
                raise AssertionError(f"{count} requests to {prefix} did not arrive")

    def seen(self, prefix: str) -> list[Seen]:
        with self._lock:
            return [s for s in self.requests if s.path.startswith(prefix)]

    def spend(self, refresh_token: str) -> None:
        """Mark a refresh token as used, as if another client had refreshed with it."""
        with self._lock:
            self.spent.add(refresh_token)

    @contextmanager
    def running(self) -> Iterator[str]:
        """Serve on 127.0.0.1 in a thread until the block ends; yields the base URL."""
        port = _free_port()
        server = uvicorn.Server(uvicorn.Config(self.app, host="127.0.0.1", port=port,
                                               lifespan="off", access_log=False,
                                               log_level="warning", ws="none"))
        thread = threading.Thread(target=server.run, name=f"fake-zalo-{port}", daemon=True)
        thread.start()
        self.base_url = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 30
            while True:  # wait until it answers, nothing else
                assert thread.is_alive(), "uvicorn stopped before it answered"
                try:
                    httpx.get(f"{self.base_url}/healthz", timeout=1)
                    break
                except httpx.TransportError:
                    if time.monotonic() > deadline:
                        raise
                    time.sleep(0.02)
            yield self.base_url
        finally:
            self.release()
            server.should_exit = True
            thread.join(timeout=30)
        assert not thread.is_alive(), "uvicorn did not stop"

    # --- endpoints -----------------------------------------------------------------------

    async def _oa_message(self, request: Request) -> Response:
        seen = await self._record(request)
        if (early := await self._override(seen, "oa")) is not None:
            return early
        if request.path_params["kind"] not in ("cs", "transaction"):
            return PlainTextResponse("not found", status_code=404)
        if not self._token_ok(seen):
            return _oa_error(-216, "Access token is invalid")
        body = seen.json if isinstance(seen.json, dict) else {}
        user = (body.get("recipient") or {}).get("user_id")
        text = (body.get("message") or {}).get("text")
        if not (isinstance(user, str) and user and isinstance(text, str) and text):
            return _oa_error(-201, "Parameters invalid")
        if len(text) > TEXT_LIMIT:
            return _oa_error(-210, "Parameter exceeds allowed limit")
        if user in self.not_following:
            return _oa_error(-213, "User has not followed OA")
        data = {"message_id": f"oa-{self._next()}", "user_id": user}
        return JSONResponse({"error": 0, "message": "Success", "data": data})

    async def _zns(self, request: Request) -> Response:
        seen = await self._record(request)
        if (early := await self._override(seen, "oa")) is not None:
            return early
        if not self._token_ok(seen):
            return _oa_error(-124, "Access token invalid")
        body = seen.json if isinstance(seen.json, dict) else {}
        phone, data = body.get("phone"), body.get("template_data")
        tracking = body.get("tracking_id")
        if not (isinstance(phone, str) and _ZNS_PHONE.fullmatch(phone)):
            return _oa_error(-108, "Phone number invalid")
        if body.get("template_id") != self.zns_template_id:
            return _oa_error(-109, "Template ID invalid")
        if not isinstance(data, dict) or not all(isinstance(v, str) for v in data.values()):
            return _oa_error(-112, "Template data invalid")
        if not (isinstance(tracking, str) and 0 < len(tracking) <= 48):
            return _oa_error(-1124, "Invalid parameter format")
        sent = {"msg_id": f"zns-{self._next()}", "sent_time": "1749632637199"}
        return JSONResponse({"error": 0, "message": "Success", "data": sent})

    async def _bot(self, request: Request) -> Response:
        seen = await self._record(request)
        if (early := await self._override(seen, "bot")) is not None:
            return early
        if request.path_params["token"] != self.bot_token:
            return JSONResponse({"ok": False, "error_code": 401, "description": "Unauthorized"},
                                status_code=401)
        body = seen.json if isinstance(seen.json, dict) else {}
        chat, text = body.get("chat_id"), body.get("text")
        if not (isinstance(chat, str) and chat and isinstance(text, str)
                and 0 < len(text) <= TEXT_LIMIT):
            return JSONResponse({"ok": False, "error_code": 400, "description": "Bad Request"},
                                status_code=400)
        result = {"message_id": f"bot-{self._next()}", "date": 1749632637199}
        return JSONResponse({"ok": True, "result": result})

    async def _oauth(self, request: Request) -> Response:
        seen = await self._record(request)
        if (early := await self._override(seen, "oa")) is not None:
            return early
        form = seen.form
        if (seen.headers.get("secret_key") != self.secret_key or form.get("app_id") != self.app_id
                or form.get("grant_type") != "refresh_token"):
            return JSONResponse({"error": -14002, "error_name": "Invalid app",
                                 "error_description": "app_id or secret_key is invalid"})
        presented = form.get("refresh_token", "")
        with self._lock:
            self.refreshes.append(presented)
            if presented in self.spent or presented != self.refresh_token:
                return JSONResponse({"error": -14014, "error_name": "Invalid refresh token",
                                     "error_description": "Refresh token is invalid or expired"})
            self.spent.add(presented)
            generation = len(self.spent) + 1
            self.access_token = f"access-{generation}"
            self.refresh_token = f"refresh-{generation}"
            self.access_expired = False
            pair = {"access_token": self.access_token, "refresh_token": self.refresh_token,
                    "expires_in": str(self.expires_in)}  # Zalo sends it as text
        return JSONResponse(pair)

    async def _hook(self, request: Request) -> Response:
        seen = await self._record(request)
        ok = verify(self.webhook_secret, seen.headers.get("x-reminders-timestamp", ""), seen.body,
                    seen.headers.get("x-reminders-signature", ""), now=self.hook_now())
        with self._lock:
            self.in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self.in_flight)
            in_flight, target = self.in_flight, self.hold_hooks_until
        try:
            if target is not None:
                await self._hold(in_flight >= target)
            if (early := await self._override(seen, "hook")) is not None:
                return early
            with self._lock:
                self.hooks.append((request.path_params["name"], seen, ok))
            if not ok:
                return PlainTextResponse("chữ ký không đúng", status_code=401)
            return JSONResponse({"id": f"hook-{self._next()}"})
        finally:
            with self._lock:
                self.in_flight -= 1

    # --- helpers -------------------------------------------------------------------------

    async def _record(self, request: Request) -> Seen:
        self._loop = asyncio.get_running_loop()
        body = await request.body()
        headers = {k.lower(): v for k, v in request.headers.items()}
        kind = headers.get("content-type", "")
        parsed: Any = None
        form: dict[str, str] = {}
        if kind.startswith("application/json"):
            try:
                parsed = await request.json()
            except ValueError:
                parsed = None
        elif kind.startswith("application/x-www-form-urlencoded"):
            form = dict(parse_qsl(body.decode()))
        seen = Seen(path=request.url.path, headers=headers, body=body, json=parsed, form=form)
        with self._arrived:
            self.requests.append(seen)
            self._arrived.notify_all()
        return seen

    async def _override(self, seen: Seen, style: str) -> Response | None:
        with self._lock:
            queue = self._answers.get(seen.path)
            answer = queue.popleft() if queue else None
        if answer is None:
            return None
        if answer.hang:
            if self._release is None:
                self._release = asyncio.Event()
            await self._release.wait()
            return None  # released: the usual answer, if anyone still waits for it
        if answer.zalo_error is not None:
            if style == "bot":
                return JSONResponse({"ok": False, "error_code": answer.zalo_error,
                                     "description": "fake error"})
            return _oa_error(answer.zalo_error, "fake error")
        return Response(b"" if answer.status == 204 else b"fake answer",
                        status_code=answer.status or 200, headers=answer.headers)

    async def _hold(self, enough: bool) -> None:
        if self._held is None:
            self._held = asyncio.Event()
        if enough:
            self._held.set()
        # A sender that never reaches the target must not hang the test forever.
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._held.wait(), timeout=5)

    def _token_ok(self, seen: Seen) -> bool:
        with self._lock:
            return seen.headers.get("access_token") == self.access_token and not self.access_expired

    def _next(self) -> int:
        with self._lock:
            self._count += 1
            return self._count


def _oa_error(code: int, message: str) -> JSONResponse:
    return JSONResponse({"error": code, "message": message})


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def fake_zalo() -> Iterator[FakeZalo]:
    """A running FakeZalo for one test."""
    fake = FakeZalo()
    with fake.running():
        yield fake
