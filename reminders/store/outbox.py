"""The outbox (deliveries): claiming due rows with a lease and recording what came of them.

A claim is one conditional UPDATE: on PostgreSQL the rows are picked `FOR UPDATE SKIP
LOCKED`, so several dispatchers share the table without waiting on each other; SQLite
has one writer at a time, so the same UPDATE is already exclusive there. Every outcome
is written only while the worker still holds the row (`claimed_by` and status match):
a worker whose lease expired and was taken over cannot overwrite the new owner.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, bindparam, func, insert, or_, select, update
from sqlalchemy.engine import Connection

from reminders.domain import Channel, DeliveryStatus
from reminders.store.tables import deliveries

_PENDING = DeliveryStatus.PENDING.value
_CLAIMED = DeliveryStatus.CLAIMED.value


@dataclass(frozen=True, slots=True, kw_only=True)
class DeliveryRow:
    id: int
    key: str
    unit_id: str
    channel: Channel
    kind: str
    due_at: datetime
    status: DeliveryStatus
    attempts: int
    next_attempt_at: datetime
    last_error: str | None
    provider_message_id: str | None
    sent_at: datetime | None
    plan_id: int | None
    item_uid: str | None
    occurrence: Any  # date | None
    payload: dict[str, Any]


def _row(row: Any) -> DeliveryRow:
    return DeliveryRow(
        id=row.id, key=row.idempotency_key, unit_id=row.unit_id, channel=Channel(row.channel),
        kind=row.kind, due_at=row.due_at, status=DeliveryStatus(row.status),
        attempts=row.attempts, next_attempt_at=row.next_attempt_at, last_error=row.last_error,
        provider_message_id=row.provider_message_id, sent_at=row.sent_at, plan_id=row.plan_id,
        item_uid=row.item_uid, occurrence=row.occurrence, payload=row.payload)


def list_deliveries(conn: Connection, status: DeliveryStatus | None = None, *,
                    unit_id: str | None = None, limit: int = 200,
                    newest_first: bool = False,
                    due_by: datetime | None = None) -> tuple[DeliveryRow, ...]:
    """Deliveries by due time (the latest first with `newest_first`, as the dashboard shows
    them), optionally of one status (e.g. the failed ones to show) or due by a moment."""
    order = ((deliveries.c.due_at.desc(), deliveries.c.id.desc()) if newest_first
             else (deliveries.c.due_at, deliveries.c.id))
    query = select(deliveries).order_by(*order).limit(limit)
    if due_by is not None:
        query = query.where(deliveries.c.due_at <= due_by)
    if status is not None:
        query = query.where(deliveries.c.status == status.value)
    if unit_id is not None:
        query = query.where(deliveries.c.unit_id == unit_id)
    return tuple(_row(row) for row in conn.execute(query))


def get_delivery(conn: Connection, delivery_id: int) -> DeliveryRow | None:
    row = conn.execute(select(deliveries).where(deliveries.c.id == delivery_id)).first()
    return _row(row) if row is not None else None


def _due(now: datetime) -> Any:
    """Pending rows whose time has come, and claimed rows whose lease ran out (a crash)."""
    return or_(
        and_(deliveries.c.status == _PENDING, deliveries.c.next_attempt_at <= now),
        and_(deliveries.c.status == _CLAIMED, deliveries.c.lease_until <= now),
    )


def claim_due(conn: Connection, *, now: datetime, worker: str, lease: timedelta,
              limit: int) -> tuple[DeliveryRow, ...]:
    """Claim up to `limit` due rows for `worker` until now + lease; counts the attempt.

    Rows of one unit and channel come together so that the dispatcher can send items
    due at the same moment as one message. Runs in the caller's transaction, which
    should commit at once so other workers see the claim.
    """
    pick = (select(deliveries.c.id).where(_due(now))
            .order_by(deliveries.c.next_attempt_at, deliveries.c.unit_id,
                      deliveries.c.channel, deliveries.c.id)
            .limit(limit))
    claim = update(deliveries).values(
        status=_CLAIMED, claimed_by=worker, lease_until=now + lease,
        attempts=deliveries.c.attempts + 1)
    if conn.dialect.name == "postgresql":
        # A CTE runs once; a LIMIT subquery under IN may be run again by the planner and,
        # with SKIP LOCKED, pick other rows the second time (more than `limit` claimed).
        picked = pick.with_for_update(skip_locked=True).cte("picked")
        claim = claim.where(deliveries.c.id == picked.c.id)
    else:  # SQLite: one writer at a time, so the plain subquery is already exclusive
        claim = claim.where(deliveries.c.id.in_(pick.scalar_subquery()), _due(now))
    claimed = conn.execute(claim.returning(*deliveries.c)).all()
    return tuple(sorted((_row(r) for r in claimed),
                        key=lambda r: (r.next_attempt_at, r.unit_id, r.channel, r.id)))


def _held(ids: Sequence[int], worker: str) -> Any:
    return and_(deliveries.c.id.in_(list(ids)), deliveries.c.status == _CLAIMED,
                deliveries.c.claimed_by == worker)


def mark_sent(conn: Connection, ids: Sequence[int], *, worker: str, provider_id: str,
              at: datetime) -> int:
    """Record a delivered message; returns how many rows this worker still held."""
    result = conn.execute(update(deliveries).where(_held(ids, worker)).values(
        status=DeliveryStatus.SENT.value, sent_at=at, provider_message_id=provider_id[:255],
        lease_until=None, last_error=None))
    return result.rowcount


def mark_retry(conn: Connection, ids: Sequence[int], *, worker: str, error: str,
               next_attempt_at: datetime) -> int:
    """A transient failure: the rows become pending again at `next_attempt_at`."""
    result = conn.execute(update(deliveries).where(_held(ids, worker)).values(
        status=_PENDING, next_attempt_at=next_attempt_at, lease_until=None, claimed_by=None,
        last_error=error))
    return result.rowcount


def mark_failed(conn: Connection, ids: Sequence[int], *, worker: str, error: str) -> int:
    """A permanent failure: the rows stop and are shown to the office."""
    result = conn.execute(update(deliveries).where(_held(ids, worker)).values(
        status=DeliveryStatus.FAILED.value, lease_until=None, last_error=error))
    return result.rowcount


def retry(conn: Connection, delivery_id: int, *, now: datetime) -> DeliveryRow | None:
    """Make a failed (or cancelled) row due again now with a fresh count of attempts."""
    conn.execute(update(deliveries).where(
        deliveries.c.id == delivery_id,
        deliveries.c.status.in_([DeliveryStatus.FAILED.value, DeliveryStatus.CANCELLED.value]),
    ).values(status=_PENDING, next_attempt_at=now, attempts=0, lease_until=None,
             claimed_by=None))
    return get_delivery(conn, delivery_id)


def add_fallback(conn: Connection, rows: Sequence[DeliveryRow], channel: Channel,
                 now: datetime) -> int:
    """Copies of `rows` due now on another channel (keys suffixed, so never twice)."""
    values = [{
        "idempotency_key": f"{row.key}>{channel.value}"[:255], "unit_id": row.unit_id,
        "channel": channel.value, "kind": row.kind, "due_at": now, "next_attempt_at": now,
        "status": _PENDING, "attempts": 0, "payload": row.payload, "created_at": now,
        "plan_id": row.plan_id, "item_uid": row.item_uid, "occurrence": row.occurrence,
    } for row in rows]
    new = [v for v in values if v["idempotency_key"] not in existing_keys(
        conn, [v["idempotency_key"] for v in values])]
    if new:
        conn.execute(insert(deliveries), new)
    return len(new)


def count_by_status(conn: Connection) -> dict[str, int]:
    query = select(deliveries.c.status, func.count()).group_by(deliveries.c.status)
    return {status: count for status, count in conn.execute(query)}


def existing_keys(conn: Connection, keys: Iterable[str]) -> set[str]:
    wanted = list(keys)
    found: set[str] = set()
    for start in range(0, len(wanted), 500):
        chunk = wanted[start:start + 500]
        found.update(conn.execute(select(deliveries.c.idempotency_key)
                                  .where(deliveries.c.idempotency_key.in_(chunk))).scalars())
    return found


def record_direct(conn: Connection, *, key: str, unit_id: str, channel: Channel, kind: str,
                  at: datetime, provider_id: str | None, error: str | None) -> int:
    """A message sent outside the dispatcher (a test), written to the log once it is done."""
    status = DeliveryStatus.SENT if provider_id is not None else DeliveryStatus.FAILED
    result = conn.execute(insert(deliveries).values(
        idempotency_key=key[:255], unit_id=unit_id, channel=channel.value, kind=kind,
        due_at=at, next_attempt_at=at, status=status.value, attempts=1, payload={},
        created_at=at, sent_at=at if provider_id is not None else None,
        provider_message_id=provider_id, last_error=error,
    ))
    key_row = result.inserted_primary_key
    assert key_row is not None
    return int(key_row[0])


_HELD_ONE = and_(deliveries.c.id == bindparam("row_id"), deliveries.c.status == _CLAIMED,
                 deliveries.c.claimed_by == bindparam("worker"))
_SENT = update(deliveries).where(_HELD_ONE).values(
    status=DeliveryStatus.SENT.value, sent_at=bindparam("at"),
    provider_message_id=bindparam("provider_id"), lease_until=None, last_error=None)


class OutcomeWriter:
    """Records sent messages one commit each on a connection held for a dispatch run.

    Each message is committed on its own, so a crash leaves only the message in flight
    unrecorded; holding the connection and a prepared statement makes that commit about
    five times cheaper than a fresh transaction per message (bench/dispatch.py).
    """

    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    def sent(self, ids: Sequence[int], *, worker: str, provider_id: str, at: datetime) -> int:
        held = 0
        for row_id in ids:
            held += self._conn.execute(_SENT, {"row_id": row_id, "worker": worker, "at": at,
                                               "provider_id": provider_id[:255]}).rowcount
        self._conn.commit()
        return held
