"""Queries over stored plans: the list, one plan in full, and its status (draft → published)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.engine import Connection

from reminders.clock import ensure_aware
from reminders.domain import PlanStatus
from reminders.errors import StoreError, UsageError
from reminders.store.plan_detail import (
    StoredActivity,
    StoredAssignment,
    StoredDeadline,
    StoredSource,
    UnitLink,
    read_activities,
    read_assignments,
    read_deadlines,
    read_sources,
)
from reminders.store.tables import activities, deadlines, plans

STATUS_LABELS = {PlanStatus.DRAFT: "dự thảo", PlanStatus.PUBLISHED: "đã công bố",
                 PlanStatus.ARCHIVED: "đã lưu trữ"}

# Where a plan may go from each status. Nothing goes back to draft: once published, units
# may have seen it. An archived plan may be published again (archived by mistake).
TRANSITIONS = {
    PlanStatus.DRAFT: frozenset({PlanStatus.PUBLISHED, PlanStatus.ARCHIVED}),
    PlanStatus.PUBLISHED: frozenset({PlanStatus.ARCHIVED}),
    PlanStatus.ARCHIVED: frozenset({PlanStatus.PUBLISHED}),
}

__all__ = [
    "STATUS_LABELS",
    "PlanDetail",
    "PlanSummary",
    "StatusChange",
    "StoredActivity",
    "StoredAssignment",
    "StoredDeadline",
    "StoredSource",
    "UnitLink",
    "get_plan",
    "list_plans",
    "missing_plan",
    "set_status",
]


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


@dataclass(frozen=True, slots=True, kw_only=True)
class PlanDetail:
    """A stored plan with its live activities and deadlines (removed ones left out)."""

    id: int
    number: str | None
    issuer: str
    issuer_unit_id: str | None
    issued: date | None
    place: str
    title: str
    year: int
    standing: UnitLink | None
    implements: tuple[str, ...]
    identity: str
    status: PlanStatus
    revision: int
    created_at: datetime
    updated_at: datetime
    published_at: datetime | None
    document: dict[str, Any] | None  # the last import, contracts/plan-json.md
    activities: tuple[StoredActivity, ...]
    deadlines: tuple[StoredDeadline, ...]
    assignments: tuple[StoredAssignment, ...]
    sources: tuple[StoredSource, ...]

    @property
    def warnings(self) -> tuple[dict[str, Any], ...]:
        """What the last import could not read, or read with doubt."""
        return tuple((self.document or {}).get("warnings", ()))


@dataclass(frozen=True, slots=True, kw_only=True)
class StatusChange:
    plan_id: int
    before: PlanStatus
    after: PlanStatus

    @property
    def changed(self) -> bool:
        return self.before is not self.after


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


def get_plan(conn: Connection, plan_id: int) -> PlanDetail | None:
    """One plan in full; None if there is no plan with that id."""
    row = conn.execute(select(plans).where(plans.c.id == plan_id)).mappings().one_or_none()
    if row is None:
        return None
    standing = None
    if row["standing_name"] or row["standing_unit_id"]:
        standing = UnitLink(name=row["standing_name"] or row["standing_unit_id"],
                            unit_id=row["standing_unit_id"], group_id=None)
    return PlanDetail(
        id=row["id"], number=row["number"], issuer=row["issuer"],
        issuer_unit_id=row["issuer_unit_id"], issued=row["issued"], place=row["place"],
        title=row["title"], year=row["year"], standing=standing,
        implements=tuple(row["implements"]), identity=row["identity"],
        status=PlanStatus(row["status"]), revision=row["revision"],
        created_at=row["created_at"], updated_at=row["updated_at"],
        published_at=row["published_at"], document=row["document"],
        activities=read_activities(conn, plan_id), deadlines=read_deadlines(conn, plan_id),
        assignments=read_assignments(conn, plan_id), sources=read_sources(conn, plan_id),
    )


def missing_plan(plan_id: int) -> UsageError:
    """The error for a plan id that is not in the database (the CLI exits 2, as for units)."""
    return UsageError(f"không có kế hoạch số hiệu #{plan_id}")


def set_status(conn: Connection, plan_id: int, status: PlanStatus, *,
               now: datetime) -> StatusChange:
    """Move a plan to `status` in the caller's transaction; asking for its status is a no-op.

    Publishing sets published_at (to the latest publication). Raises UsageError for an
    unknown plan or a move TRANSITIONS does not allow, StoreError if another writer
    changed the status meanwhile.
    """
    now = ensure_aware(now)
    current = conn.execute(select(plans.c.status).where(plans.c.id == plan_id)).scalar()
    if current is None:
        raise missing_plan(plan_id)
    before = PlanStatus(current)
    if before is status:
        return StatusChange(plan_id=plan_id, before=before, after=status)
    if status not in TRANSITIONS[before]:
        raise UsageError(f"kế hoạch #{plan_id} đang ở trạng thái {STATUS_LABELS[before]}, "
                         f"không chuyển sang {STATUS_LABELS[status]} được")
    values: dict[str, Any] = {"status": status.value, "updated_at": now}
    if status is PlanStatus.PUBLISHED:
        values["published_at"] = now
    done = conn.execute(update(plans)
                        .where(plans.c.id == plan_id, plans.c.status == before.value)
                        .values(**values))
    if done.rowcount != 1:
        raise StoreError(f"trạng thái kế hoạch #{plan_id} vừa bị thay đổi; hãy thử lại")
    return StatusChange(plan_id=plan_id, before=before, after=status)
