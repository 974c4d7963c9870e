"""Queries over the outbox (deliveries); the dispatcher that fills and drains it comes later."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.engine import Connection

from reminders.domain import Channel, DeliveryStatus
from reminders.store.tables import deliveries


@dataclass(frozen=True, slots=True, kw_only=True)
class DeliveryRow:
    id: int
    unit_id: str
    channel: Channel
    kind: str
    due_at: datetime
    status: DeliveryStatus
    attempts: int
    last_error: str | None


def list_deliveries(
    conn: Connection, status: DeliveryStatus | None = None, limit: int = 200
) -> tuple[DeliveryRow, ...]:
    """Deliveries by due time, optionally of one status (e.g. the failed ones to show)."""
    query = select(deliveries).order_by(deliveries.c.due_at, deliveries.c.id).limit(limit)
    if status is not None:
        query = query.where(deliveries.c.status == status.value)
    return tuple(
        DeliveryRow(
            id=row.id, unit_id=row.unit_id, channel=Channel(row.channel), kind=row.kind,
            due_at=row.due_at, status=DeliveryStatus(row.status), attempts=row.attempts,
            last_error=row.last_error,
        )
        for row in conn.execute(query)
    )
