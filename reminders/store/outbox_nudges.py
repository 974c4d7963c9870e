"""Nudge and digest rows in the outbox: insert once by key, cancel nudges no longer owed."""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.engine import Connection

from reminders.domain import DeliveryStatus
from reminders.planner.model import MessageKind
from reminders.planner.report_facts import OutboxRow
from reminders.store.outbox_plan import cancel, insert_values
from reminders.store.tables import deliveries


@dataclass(frozen=True, slots=True, kw_only=True)
class PendingNudge:
    """A nudge not sent yet, and whose report it asks for."""

    id: int
    unit_id: str
    item_uid: str | None
    occurrence: date | None  # the deadline's due day, as written


def _values(row: OutboxRow, now: datetime) -> dict[str, Any]:
    item = row.item
    return {
        "idempotency_key": row.key, "unit_id": row.unit_id, "channel": row.channel.value,
        "kind": row.kind.value, "due_at": row.due_at, "next_attempt_at": row.due_at,
        "status": DeliveryStatus.PENDING.value, "attempts": 0, "payload": row.payload(),
        "created_at": now, "plan_id": item.plan_id if item else None,
        "item_uid": item.uid if item else None, "occurrence": item.day if item else None,
    }


def insert_rows(conn: Connection, rows: Iterable[OutboxRow], now: datetime) -> int:
    """Insert the rows whose key is new (ON CONFLICT DO NOTHING); returns how many."""
    return insert_values(conn, [_values(r, now) for r in rows])


def pending_nudges(conn: Connection) -> tuple[PendingNudge, ...]:
    """Nudges still waiting to go (due, retrying, or due later)."""
    query = (select(deliveries.c.id, deliveries.c.unit_id, deliveries.c.item_uid,
                    deliveries.c.occurrence)
             .where(deliveries.c.kind == MessageKind.NUDGE.value,
                    deliveries.c.status == DeliveryStatus.PENDING.value)
             .order_by(deliveries.c.id))
    return tuple(PendingNudge(id=r.id, unit_id=r.unit_id, item_uid=r.item_uid,
                              occurrence=r.occurrence) for r in conn.execute(query))


def cancel_nudges(conn: Connection, ids: Collection[int]) -> int:
    """Cancel pending nudges whose unit reported, was exempted, or is no longer asked."""
    return cancel(conn, sorted(ids),
                  reason="đã hủy: đơn vị đã báo cáo, được miễn hoặc không còn phải báo cáo")
