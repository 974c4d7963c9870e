"""Reminders for one unit and channel due at the same moment → one message (pure)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Generic, Protocol, TypeVar

from reminders.domain import Channel
from reminders.planner.model import MessageKind


class Due(Protocol):
    """What coalescing reads of a row: Reminder and StoredRow both have it."""

    @property
    def unit_id(self) -> str: ...

    @property
    def channel(self) -> Channel: ...

    @property
    def due_at(self) -> datetime: ...

    @property
    def kind(self) -> MessageKind: ...


T = TypeVar("T", bound=Due)


@dataclass(frozen=True, slots=True, kw_only=True)
class Batch(Generic[T]):
    """One message: every row for one unit and channel due at one moment, of one kind
    (a change is never folded into a reminder: it says something else, more urgently)."""

    unit_id: str
    channel: Channel
    due_at: datetime
    kind: MessageKind
    reminders: tuple[T, ...]


def coalesce(reminders: Iterable[T]) -> tuple[Batch[T], ...]:
    """Group rows into messages, sorted by (due_at, unit, channel, kind); rows keep their
    order within a message. Moments are compared as instants (aware datetimes)."""
    groups: dict[tuple[datetime, str, str, str], list[T]] = {}
    for reminder in reminders:
        key = (reminder.due_at, reminder.unit_id, reminder.channel.value, reminder.kind.value)
        groups.setdefault(key, []).append(reminder)
    return tuple(
        Batch(unit_id=members[0].unit_id, channel=members[0].channel,
              due_at=members[0].due_at, kind=members[0].kind, reminders=tuple(members))
        for _, members in sorted(groups.items(), key=lambda entry: entry[0])
    )
