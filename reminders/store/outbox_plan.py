"""Writing the planner's decisions into the outbox: insert, reschedule, cancel."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection

from reminders.domain import Channel, DeliveryStatus
from reminders.planner.model import ItemFacts, MessageKind, Reconciliation, Reminder, StoredRow
from reminders.store.tables import deliveries

# Only these are reconciled with the plans; nudges and digests follow the report states
# (nudging.py), so replanning never cancels or moves them.
_PLANNED_KINDS = (MessageKind.REMINDER.value, MessageKind.CHANGE.value)


@dataclass(frozen=True, slots=True, kw_only=True)
class Applied:
    inserted: int = 0
    rescheduled: int = 0
    cancelled: int = 0
    revived: int = 0

    @property
    def changed(self) -> bool:
        return bool(self.inserted or self.rescheduled or self.cancelled or self.revived)


def stored_rows(conn: Connection, plan_ids: Collection[int] | None = None
                ) -> tuple[StoredRow, ...]:
    """The planned rows (reminders and change messages) of some plans, or of all."""
    query = select(deliveries.c.id, deliveries.c.idempotency_key, deliveries.c.unit_id,
                   deliveries.c.channel, deliveries.c.kind, deliveries.c.status,
                   deliveries.c.due_at, deliveries.c.payload).where(
        deliveries.c.kind.in_(_PLANNED_KINDS), deliveries.c.plan_id.is_not(None))
    if plan_ids is not None:
        query = query.where(deliveries.c.plan_id.in_(sorted(plan_ids)))
    return tuple(
        StoredRow(id=row.id, key=row.idempotency_key, unit_id=row.unit_id,
                  channel=Channel(row.channel), kind=MessageKind(row.kind), status=row.status,
                  due_at=row.due_at, item=ItemFacts.from_json(row.payload["item"]))
        for row in conn.execute(query.order_by(deliveries.c.id)))


def _values(reminder: Reminder, now: datetime) -> dict[str, Any]:
    item = reminder.item
    return {
        "idempotency_key": reminder.key, "unit_id": reminder.unit_id,
        "channel": reminder.channel.value, "kind": reminder.kind.value,
        "due_at": reminder.due_at, "next_attempt_at": reminder.due_at,
        "status": DeliveryStatus.PENDING.value, "attempts": 0,
        "payload": reminder.payload(), "created_at": now, "plan_id": item.plan_id or None,
        "item_uid": item.uid or None, "occurrence": item.day if item.uid else None,
    }


def insert_reminders(conn: Connection, reminders: Iterable[Reminder], now: datetime) -> int:
    """Insert rows whose key is new; a key already there (another planner won) is skipped."""
    return insert_values(conn, [_values(r, now) for r in reminders])


def insert_values(conn: Connection, rows: Sequence[dict[str, Any]]) -> int:
    """Insert outbox rows (column → value) whose key is new; returns how many went in."""
    if not rows:
        return 0
    dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
    inserted = 0
    for start in range(0, len(rows), 500):
        chunk = rows[start:start + 500]
        # RETURNING counts the rows really inserted: an executemany's rowcount is -1 on
        # PostgreSQL (psycopg), which summed to a negative "thêm" in the reports.
        statement = dialect.insert(deliveries).on_conflict_do_nothing(
            index_elements=["idempotency_key"]).returning(deliveries.c.id)
        inserted += len(conn.execute(statement, chunk).all())
    return inserted


def reschedule(conn: Connection, changes: Sequence[tuple[int, Reminder]]) -> int:
    """Move pending rows to their new time and facts; rows claimed or sent are left alone."""
    done = 0
    for row_id, reminder in changes:
        done += conn.execute(update(deliveries).where(
            deliveries.c.id == row_id, deliveries.c.status == DeliveryStatus.PENDING.value,
        ).values(due_at=reminder.due_at, next_attempt_at=reminder.due_at,
                 payload=reminder.payload(), occurrence=reminder.item.day)).rowcount
    return done


def revive(conn: Connection, changes: Sequence[tuple[int, Reminder]]) -> int:
    """A cancelled row wanted again (its item moved away and back): pending with fresh tries."""
    done = 0
    for row_id, reminder in changes:
        done += conn.execute(update(deliveries).where(
            deliveries.c.id == row_id, deliveries.c.status == DeliveryStatus.CANCELLED.value,
        ).values(status=DeliveryStatus.PENDING.value, due_at=reminder.due_at,
                 next_attempt_at=reminder.due_at, payload=reminder.payload(),
                 occurrence=reminder.item.day, attempts=0, last_error=None,
                 claimed_by=None, lease_until=None)).rowcount
    return done


def cancel(conn: Connection, ids: Sequence[int], *, reason: str) -> int:
    """Cancel pending rows (their item, day, unit or stage is gone); history is kept."""
    done = 0
    for start in range(0, len(ids), 500):
        done += conn.execute(update(deliveries).where(
            deliveries.c.id.in_(list(ids[start:start + 500])),
            deliveries.c.status == DeliveryStatus.PENDING.value,
        ).values(status=DeliveryStatus.CANCELLED.value, last_error=reason)).rowcount
    return done


def apply(conn: Connection, plan: Reconciliation, now: datetime) -> Applied:
    """Write one reconciliation in the caller's transaction."""
    return Applied(
        inserted=insert_reminders(conn, plan.insert, now),
        rescheduled=reschedule(conn, plan.reschedule),
        cancelled=cancel(conn, list(plan.cancel),
                         reason="đã hủy: việc đã qua, đổi ngày, bị bỏ khỏi kế hoạch hoặc "
                                "không còn giao cho đơn vị"),
        revived=revive(conn, plan.revive),
    )
