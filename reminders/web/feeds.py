"""HTTP for feeds: GET/HEAD /lich/<token>/<slug>.ics, the subscribe page, item pages.

A plain ASGI layer in front of the Starlette app: feed fetches are the service's hot
path (calendar clients poll all day), so they skip routing and request objects and
answer from the hub's memory.
"""

from __future__ import annotations

from collections.abc import Callable
from email.utils import parsedate_to_datetime
from typing import Any

import anyio.to_thread
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from reminders.clock import Clock
from reminders.feeds.calendar import FeedDoc
from reminders.feeds.fetchlog import FetchLog
from reminders.feeds.hub import FeedHub
from reminders.web.feed_pages import item_page, subscribe_page

CALENDAR_TYPE = b"text/calendar; charset=utf-8"
HTML_TYPE = b"text/html; charset=utf-8"
# Secret URLs: no shared caches; clients revalidate with the ETag each time.
CACHE_CONTROL = b"private, no-cache"
NOT_FOUND = "Không tìm thấy lịch này.".encode()


class FeedRoutes:
    """Answers /lich/… and /muc/…; everything else goes to `app`."""

    def __init__(self, app: ASGIApp, hub: FeedHub, log: FetchLog, clock: Clock,
                 base_url: str, fetches: Callable[[list[str]], dict[str, dict[str, Any]]],
                 state: Any = None) -> None:
        self._app = app
        self.state = state  # the wrapped app's state, for tests and the CLI
        self._hub = hub
        self._log = log
        self._clock = clock
        self._base_url = base_url.rstrip("/")
        self._fetches = fetches

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path: str = scope.get("path", "")
        if scope["type"] != "http" or not path.startswith(("/lich/", "/muc/")):
            await self._app(scope, receive, send)
            return
        method = scope["method"]
        if method not in ("GET", "HEAD"):
            await _plain(send, 405, b"", extra=[(b"allow", b"GET, HEAD")])
            return
        head = method == "HEAD"
        parts = path.split("/")
        if parts[1] == "muc":
            if len(parts) == 3:
                await self._item(send, parts[2], head)
            else:
                await _plain(send, 404, NOT_FOUND, head=head)
        elif len(parts) == 4 and parts[3].endswith(".ics"):
            await self._feed(scope, send, parts[2], parts[3][:-4], head)
        elif len(parts) == 4 and parts[3] == "":
            await self._subscribe(send, parts[2], head)
        elif len(parts) == 3 and parts[2]:
            query = scope.get("query_string", b"")
            target = f"{path}/".encode() + (b"?" + query if query else b"")
            await _plain(send, 308, b"", extra=[(b"location", target)])
        else:
            await _plain(send, 404, NOT_FOUND, head=head)

    async def _feed(self, scope: Scope, send: Send, token: str, slug: str, head: bool) -> None:
        key = self._hub.catalogue.resolve(token, slug)
        doc = None if key is None else self._hub.get(key)
        if key is None or doc is None:
            await _plain(send, 404, NOT_FOUND, head=head)
            return
        match = since = agent = None
        for name, value in scope["headers"]:
            if name == b"if-none-match":
                match = value
            elif name == b"if-modified-since":
                since = value
            elif name == b"user-agent":
                agent = value
        status = 304 if not_modified(doc, match, since) else 200
        self._log.record(key, self._clock.now(), _text(agent), status)
        validators = [(b"etag", doc.etag_header), (b"last-modified", doc.last_modified_header),
                      (b"cache-control", CACHE_CONTROL)]
        if status == 304:
            await send({"type": "http.response.start", "status": 304, "headers": validators})
            await send({"type": "http.response.body", "body": b""})
            return
        await send({"type": "http.response.start", "status": 200, "headers": [
            (b"content-type", CALENDAR_TYPE),
            (b"content-length", doc.length_header),
            *validators,
            (b"x-content-type-options", b"nosniff"),
        ]})
        await send({"type": "http.response.body", "body": b"" if head else doc.body})

    async def _subscribe(self, send: Send, token: str, head: bool) -> None:
        catalogue = self._hub.catalogue
        owner = catalogue.owner_of(token)
        if owner is None:
            await _plain(send, 404, NOT_FOUND, head=head)
            return
        keys = [str(k) for k in catalogue.keys_of(owner)]
        fetches = await anyio.to_thread.run_sync(self._fetches, keys)
        html = subscribe_page(catalogue, owner, self._base_url, fetches,
                              self._hub.refresh_hours)
        await _html(send, html, head, private=True)

    async def _item(self, send: Send, local_uid: str, head: bool) -> None:
        found = self._hub.catalogue.find_item(local_uid)
        if found is None:
            await _plain(send, 404, "Không tìm thấy mục này.".encode(), head=head)
            return
        await _html(send, item_page(*found), head, private=False)


def not_modified(doc: FeedDoc, if_none_match: bytes | None,
                 if_modified_since: bytes | None) -> bool:
    """RFC 9110 §13.1: If-None-Match (weak comparison) wins over If-Modified-Since."""
    if if_none_match is not None:
        tags = [t.strip().removeprefix("W/") for t in if_none_match.decode("latin-1").split(",")]
        return "*" in tags or doc.etag in tags
    if if_modified_since is not None:
        try:
            since = parsedate_to_datetime(if_modified_since.decode("latin-1"))
        except (TypeError, ValueError, IndexError):
            return False
        if since.tzinfo is None:
            return False
        return doc.last_modified <= since
    return False


def _text(value: bytes | None) -> str | None:
    return None if value is None else value.decode("latin-1")


async def _plain(send: Send, status: int, body: bytes, *, head: bool = False,
                 extra: list[tuple[bytes, bytes]] | None = None) -> None:
    headers = [(b"content-type", b"text/plain; charset=utf-8"),
               (b"content-length", str(len(body)).encode()), *(extra or [])]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": b"" if head else body})


async def _html(send: Send, html: str, head: bool, *, private: bool) -> None:
    body = html.encode()
    message: Message = {"type": "http.response.start", "status": 200, "headers": [
        (b"content-type", HTML_TYPE),
        (b"content-length", str(len(body)).encode()),
        (b"cache-control", b"private, no-store" if private else b"no-cache"),
        (b"referrer-policy", b"no-referrer"),
        (b"x-content-type-options", b"nosniff"),
    ]}
    await send(message)
    await send({"type": "http.response.body", "body": b"" if head else body})

