"""What will go out in a window of days: the planner's reminders joined with the outbox."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from itertools import groupby

from sqlalchemy import select
from sqlalchemy.engine import Connection

from reminders.config import Settings
from reminders.domain import Channel, Unit
from reminders.planner.model import ItemFacts, MessageKind
from reminders.planner.plan import desired
from reminders.planner.policy import Policy
from reminders.planner.reach import Reach, planner_units
from reminders.store.feed_data import load_plans, plan_stamps
from reminders.store.tables import deliveries
from reminders.store.units import list_units

NOT_YET = "chưa xếp"  # planned, but not (yet) a row of the outbox


@dataclass(frozen=True, slots=True, kw_only=True)
class PreviewEntry:
    key: str
    status: str  # the outbox row's status, or NOT_YET
    stage: int | None
    item: ItemFacts


@dataclass(frozen=True, slots=True, kw_only=True)
class PreviewMessage:
    due_at: datetime
    unit_id: str
    unit_name: str
    channel: Channel
    kind: MessageKind
    to: tuple[str, ...]
    entries: tuple[PreviewEntry, ...]


def addresses(unit: Unit | None, channel: Channel) -> tuple[str, ...]:
    """Where a message on `channel` goes for `unit`, as a person reads it."""
    if unit is None:
        return ()
    c = unit.contacts
    if channel is Channel.EMAIL:
        return c.emails
    if channel is Channel.ZALO:
        return (*(f"zalo:{u}" for u in c.zalo_user_ids), *(f"bot:{u}" for u in c.zalo_chat_ids),
                *(f"zns:{p}" for p in c.phones))
    return (c.webhook_url,) if c.webhook_url else ()


def preview(conn: Connection, settings: Settings, *, since: datetime, until: datetime,
            unit_id: str | None = None) -> list[PreviewMessage]:
    """Messages due in [since, until): planned reminders and rows already in the outbox."""
    units = {s.unit.id: s for s in list_units(conn, active_only=False)}
    found = planner_units(((s.unit, s.active) for s in units.values()),
                          Reach.from_settings(settings))
    plans = load_plans(conn, set(plan_stamps(conn)))
    wanted = [r for r in desired(plans, found, Policy.from_settings(settings), now=since)
              if since <= r.due_at < until and unit_id in (None, r.unit_id)]
    query = select(deliveries).where(deliveries.c.due_at >= since, deliveries.c.due_at < until)
    if unit_id is not None:
        query = query.where(deliveries.c.unit_id == unit_id)
    stored = {row.idempotency_key: row for row in conn.execute(query)}
    lines: list[_Line] = []
    for r in wanted:
        row = stored.pop(r.key, None)
        lines.append(_Line(r.due_at, r.unit_id, r.channel, r.kind, PreviewEntry(
            key=r.key, status=row.status if row is not None else NOT_YET, stage=r.stage,
            item=r.item)))
    for row in stored.values():  # change messages, fallbacks: only in the outbox
        if row.payload.get("item"):
            lines.append(_Line(row.due_at, row.unit_id, Channel(row.channel),
                               MessageKind(row.kind), PreviewEntry(
                                   key=row.idempotency_key, status=row.status,
                                   stage=row.payload.get("stage"),
                                   item=ItemFacts.from_json(row.payload["item"]))))
    messages = []
    lines.sort(key=lambda line: (*line.group, line.entry.key))
    for (due, unit, channel, kind), group in groupby(lines, key=lambda line: line.group):
        known = units.get(unit)
        messages.append(PreviewMessage(
            due_at=due, unit_id=unit, unit_name=known.unit.name if known else unit,
            channel=Channel(channel), kind=MessageKind(kind),
            to=addresses(known.unit if known else None, Channel(channel)),
            entries=tuple(line.entry for line in group)))
    return messages


@dataclass(frozen=True, slots=True)
class _Line:
    due_at: datetime
    unit_id: str
    channel: Channel
    kind: MessageKind
    entry: PreviewEntry

    @property
    def group(self) -> tuple[datetime, str, str, str]:
        return (self.due_at, self.unit_id, self.channel.value, self.kind.value)
