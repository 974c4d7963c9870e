"""Small lookups the report edges need: what a one-click link points at, one submission."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.engine import Connection

from reminders.store.tables import activities, expected_reports


def lock_expected(conn: Connection, occurrence_id: int, unit_id: str) -> bool:
    """Lock the unit's expected report for the transaction; False if it is not expected.

    Two clicks of one link in flight must not both record: on PostgreSQL the second waits
    here for the first to commit and then sees its record (SQLite has one writer anyway).
    """
    return conn.execute(
        select(expected_reports.c.id)
        .where(expected_reports.c.occurrence_id == occurrence_id,
               expected_reports.c.unit_id == unit_id)
        .with_for_update()).first() is not None


def activity_title(conn: Connection, uid: str) -> str | None:
    """The title of a live activity with this UID (reminders link activities too)."""
    title: str | None = conn.execute(
        select(activities.c.title).where(activities.c.uid == uid,
                                         activities.c.removed_at.is_(None))).scalar()
    return title


