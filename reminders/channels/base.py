"""The one interface every channel keeps: send a rendered message, return the provider's id.

A send either returns the provider's message id or raises SendError, which says whether
trying again later may help (transient: a timeout, a 5xx, a server that is down) or not
(permanent: a refused address, a 4xx, a unit with no address). Senders are async context
managers so that a batch reuses its connections; `concurrency` says how many sends the
dispatcher may run at once through one sender.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any, Protocol, Self

from reminders.domain import Channel


class SendError(Exception):
    """A send that failed; `permanent` means retrying cannot help."""

    def __init__(self, message: str, *, permanent: bool) -> None:
        super().__init__(message)
        self.message = message
        self.permanent = permanent


@dataclass(frozen=True, slots=True, kw_only=True)
class Recipient:
    """A unit as channels reach it (its contacts from the registry)."""

    unit_id: str
    name: str
    emails: tuple[str, ...] = ()
    zalo_user_ids: tuple[str, ...] = ()  # followers of the Official Account
    zalo_chat_ids: tuple[str, ...] = ()  # Zalo Bot chats that opted in
    phones: tuple[str, ...] = ()  # ZNS template messages go to a phone number
    webhook_url: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class Outgoing:
    """One rendered message for one unit on one channel.

    `key` is the idempotency key of the message (the first outbox row of a coalesced
    group): it goes into Message-ID / tracking ids so a receiver can spot a repeat.
    `subject`, `text` and `html` serve email; Zalo sends `text`; a webhook posts `body`
    (a JSON document rendered from a template); ZNS fills its template from `fields`.
    """

    key: str
    kind: str
    recipient: Recipient
    subject: str
    text: str
    html: str = ""
    body: str = ""
    fields: Mapping[str, str] = field(default_factory=dict)


class Sender(Protocol):
    """A channel's sender; `async with sender:` opens what a batch reuses."""

    channel: Channel
    concurrency: int

    async def __aenter__(self) -> Self: ...

    async def __aexit__(self, exc_type: type[BaseException] | None,
                        exc: BaseException | None, tb: TracebackType | None) -> Any: ...

    async def send(self, message: Outgoing) -> str:
        """Send one message; return the provider's message id or raise SendError."""
        ...
