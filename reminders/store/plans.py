"""Queries over stored plans (the importer, in a later issue, writes them)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.engine import Connection

from reminders.domain import PlanStatus
from reminders.store.tables import activities, deadlines, plans


@dataclass(frozen=True, slots=True, kw_only=True)
class PlanSummary:
    id: int
    number: str | None
    issuer: str
    issued: date | None
    title: str
    status: PlanStatus
    activities: int
    deadlines: int


def list_plans(conn: Connection, status: PlanStatus | None = None) -> tuple[PlanSummary, ...]:
    """Plans newest first, with how many live activities and deadlines each holds."""
    live_activities = (
        select(func.count()).where(activities.c.plan_id == plans.c.id,
                                   activities.c.removed_at.is_(None)).scalar_subquery()
    )
    live_deadlines = (
        select(func.count()).where(deadlines.c.plan_id == plans.c.id,
                                   deadlines.c.removed_at.is_(None)).scalar_subquery()
    )
    query = select(plans, live_activities.label("n_activities"),
                   live_deadlines.label("n_deadlines")).order_by(plans.c.id.desc())
    if status is not None:
        query = query.where(plans.c.status == status.value)
    return tuple(
        PlanSummary(
            id=row.id, number=row.number, issuer=row.issuer, issued=row.issued,
            title=row.title, status=PlanStatus(row.status), activities=row.n_activities,
            deadlines=row.n_deadlines,
        )
        for row in conn.execute(query)
    )
