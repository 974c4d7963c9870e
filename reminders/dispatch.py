"""One dispatch step: claim due outbox rows → render → send → record; no loop, no sleep.

`Dispatcher.run_due(now)` is what the scheduler's tick, `reminders dispatch --once` and
`reminders worker` call. Rows for one unit and channel due at the same moment go out as
one message. Each outcome is written as soon as its send returns, so a crash leaves at
most the messages in flight unrecorded; their lease runs out and they go again.
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Callable, Mapping, Sequence
from contextlib import AsyncExitStack
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from itertools import groupby

from sqlalchemy.engine import Connection, Engine

from reminders.channels.base import Recipient, Sender, SendError
from reminders.domain import Channel, Unit
from reminders.planner.model import ItemFacts, MessageKind
from reminders.planner.reach import Reach, unit_channels
from reminders.planner.report_facts import DigestFacts, NudgeFacts
from reminders.render import Entry, Renderer
from reminders.store.outbox import (
    DeliveryRow,
    OutcomeWriter,
    add_fallback,
    claim_due,
    mark_failed,
    mark_retry,
)
from reminders.store.units import get_unit, units_for_sending

log = logging.getLogger(__name__)

# A channel that failed this many times in a row in one tick is left alone until the next
# tick: a mail server that is down should not hold every message for its timeout.
_BREAKER = 3


@dataclass(frozen=True, slots=True, kw_only=True)
class RetryPolicy:
    max_attempts: int = 8
    base: timedelta = timedelta(seconds=60)
    cap: timedelta = timedelta(hours=6)

    def next_attempt(self, attempts: int, now: datetime, rng: random.Random) -> datetime:
        """Exponential backoff with ±25 % jitter, so retries of many rows spread out."""
        delay = min(self.cap.total_seconds(), self.base.total_seconds() * 2 ** (attempts - 1))
        delay = min(self.cap.total_seconds(), delay * rng.uniform(0.75, 1.25))
        return now + timedelta(seconds=delay)


@dataclass(slots=True)
class DispatchReport:
    """What one step did; counts are of outbox rows, `messages` of messages sent."""

    claimed: int = 0
    sent: int = 0
    messages: int = 0
    retried: int = 0
    failed: int = 0
    fallbacks: int = 0
    lost: int = 0  # rows whose lease another worker had taken over before we recorded
    errors: list[str] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class _Message:
    rows: tuple[DeliveryRow, ...]

    @property
    def first(self) -> DeliveryRow:
        return self.rows[0]

    @property
    def ids(self) -> list[int]:
        return [r.id for r in self.rows]


def group_messages(rows: Sequence[DeliveryRow]) -> list[_Message]:
    """Rows for one unit and channel, of one kind, due at one moment → one message."""
    def key(row: DeliveryRow) -> tuple[str, str, str, datetime, int]:
        alone = row.id if row.kind == MessageKind.TEST.value else 0  # tests go one by one
        return (row.unit_id, row.channel.value, row.kind, row.due_at, alone)

    ordered = sorted(rows, key=lambda r: (*key(r), r.id))
    return [_Message(tuple(group)) for _, group in groupby(ordered, key=key)]


def _entries(message: _Message) -> list[Entry]:
    entries = []
    for row in message.rows:
        payload = row.payload
        if not payload.get("item"):
            continue
        previous, nudge = payload.get("previous"), payload.get("nudge")
        entries.append(Entry(item=ItemFacts.from_json(payload["item"]), stage=payload["stage"],
                             previous=ItemFacts.from_json(previous) if previous else None,
                             nudge=NudgeFacts.from_json(nudge) if nudge else None))
    return entries


def _digest(message: _Message) -> DigestFacts | None:
    """A digest row carries its whole list (one row per message: its key is per day)."""
    data = message.first.payload.get("digest")
    return DigestFacts.from_json(data) if data else None


@dataclass(slots=True)
class Dispatcher:
    """Claims and sends due rows; built once by the composition root with its senders."""

    engine: Engine
    senders: Mapping[Channel, Sender]
    renderer: Renderer
    reach: Reach
    worker: str
    lease: timedelta = timedelta(minutes=5)
    retry: RetryPolicy = field(default_factory=RetryPolicy)
    batch_size: int = 200
    rng: random.Random = field(default_factory=random.Random)
    on_sent: Callable[[DeliveryRow, str], None] | None = None  # for tools that watch

    async def run_due(self, now: datetime) -> DispatchReport:
        """Send everything due at `now`, batch after batch, until nothing due is left."""
        report = DispatchReport()
        failures: dict[Channel, int] = dict.fromkeys(self.senders, 0)
        async with AsyncExitStack() as stack:
            opened: dict[Channel, tuple[Sender, asyncio.Semaphore]] = {}
            writer = OutcomeWriter(stack.enter_context(self.engine.connect()))
            while True:
                with self.engine.begin() as conn:
                    rows = claim_due(conn, now=now, worker=self.worker, lease=self.lease,
                                     limit=self.batch_size)
                    units = units_for_sending(conn, {r.unit_id for r in rows})
                if not rows:
                    break
                report.claimed += len(rows)
                tasks = []
                for message in group_messages(rows):
                    channel = message.first.channel
                    if channel not in opened and channel in self.senders:
                        sender = await stack.enter_async_context(self.senders[channel])
                        opened[channel] = (sender, asyncio.Semaphore(sender.concurrency))
                    tasks.append(self._deliver(message, opened.get(channel), units, failures,
                                               writer, now, report))
                await asyncio.gather(*tasks)
        return report

    async def _deliver(self, message: _Message, sender: tuple[Sender, asyncio.Semaphore] | None,
                       units: Mapping[str, tuple[Unit, str]], failures: dict[Channel, int],
                       writer: OutcomeWriter, now: datetime, report: DispatchReport) -> None:
        first = message.first
        try:
            if sender is None:
                raise SendError(f"kênh {first.channel.value} chưa được cấu hình", permanent=True)
            if failures.get(first.channel, 0) >= _BREAKER:
                raise SendError(report.errors[-1] if report.errors else "kênh đang lỗi",
                                permanent=False)
            unit = units.get(first.unit_id)
            if unit is None:
                raise SendError(f"không có đơn vị '{first.unit_id}' trong danh mục",
                                permanent=True)
            outgoing = self.renderer.render(
                kind=MessageKind(first.kind), channel=first.channel, key=first.key,
                recipient=_recipient(unit[0]), feed_token=unit[1], entries=_entries(message),
                now=now, digest=_digest(message))
            async with sender[1]:
                provider_id = await sender[0].send(outgoing)
        except SendError as exc:
            failures[first.channel] = failures.get(first.channel, 0) + (not exc.permanent)
            self._failed(message, exc, now, report)
            return
        except Exception as exc:  # a bug or a template error must not stop the tick
            log.exception("lỗi khi gửi tin %s", first.key)
            self._failed(message, SendError(f"lỗi nội bộ: {exc}", permanent=True), now, report)
            return
        failures[first.channel] = 0
        held = writer.sent(message.ids, worker=self.worker, provider_id=provider_id, at=now)
        report.sent += held
        report.messages += 1
        report.lost += len(message.rows) - held
        if self.on_sent is not None:
            self.on_sent(first, provider_id)

    def _failed(self, message: _Message, exc: SendError, now: datetime,
                report: DispatchReport) -> None:
        first = message.first
        report.errors.append(exc.message)
        attempts = max(r.attempts for r in message.rows)
        with self.engine.begin() as conn:
            if not exc.permanent and attempts < self.retry.max_attempts:
                report.retried += mark_retry(
                    conn, message.ids, worker=self.worker, error=exc.message,
                    next_attempt_at=self.retry.next_attempt(attempts, now, self.rng))
                return
            error = exc.message if exc.permanent else f"đã thử {attempts} lần: {exc.message}"
            report.failed += mark_failed(conn, message.ids, worker=self.worker, error=error)
            log.warning("tin %s gửi %s thất bại hẳn: %s", first.key, first.unit_id, error)
            if first.channel is Channel.ZALO:
                report.fallbacks += self._fall_back(conn, message, now)

    def _fall_back(self, conn: Connection, message: _Message, now: datetime) -> int:
        """Zalo is best effort: a unit it cannot reach gets the message by email instead,
        unless email already carries the same reminders to it."""
        stored = get_unit(conn, message.first.unit_id)
        if stored is None or not stored.unit.contacts.emails:
            return 0
        if Channel.EMAIL in unit_channels(stored.unit, self.reach):
            return 0
        return add_fallback(conn, message.rows, Channel.EMAIL, now)


def _recipient(unit: Unit) -> Recipient:
    contacts = unit.contacts
    return Recipient(unit_id=unit.id, name=unit.name, emails=contacts.emails,
                     zalo_user_ids=contacts.zalo_user_ids, zalo_chat_ids=contacts.zalo_chat_ids,
                     phones=contacts.phones, webhook_url=contacts.webhook_url)
