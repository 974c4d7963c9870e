"""A stored plan's parts as frozen values: live activities, deadlines, assignments, sources."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import Connection, RowMapping, select

from reminders.store.tables import (
    activities,
    activity_units,
    assignments,
    deadline_occurrences,
    deadline_units,
    deadlines,
    plan_sources,
)


@dataclass(frozen=True, slots=True, kw_only=True)
class UnitLink:
    """A unit or group as the plan names it; at most one of the ids is set."""

    name: str
    unit_id: str | None
    group_id: str | None


@dataclass(frozen=True, slots=True, kw_only=True)
class StoredActivity:
    id: int
    uid: str
    code: str
    position: int
    section: str | None
    title: str
    location: str | None
    time_text: str
    time: dict[str, Any]  # the TimeSpec's JSON form
    start_date: date | None
    end_date: date | None
    start_at: datetime | None
    end_at: datetime | None
    tentative: bool
    undetermined: bool
    expected_result: str | None
    source: str
    revision: int
    updated_at: datetime
    lead: tuple[UnitLink, ...]
    partners: tuple[UnitLink, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class StoredDeadline:
    id: int
    uid: str
    position: int
    title: str
    text: str
    time_text: str
    time: dict[str, Any]
    rrule: str | None
    start_date: date | None
    end_date: date | None
    to_unit: UnitLink | None
    from_units: tuple[UnitLink, ...]
    source: str
    revision: int
    updated_at: datetime
    occurrences: tuple[date, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class StoredAssignment:
    unit: UnitLink
    tasks: tuple[str, ...]
    source: str


@dataclass(frozen=True, slots=True, kw_only=True)
class StoredSource:
    filename: str
    sha256: str
    size: int
    imported_at: datetime


def read_activities(conn: Connection, plan_id: int) -> tuple[StoredActivity, ...]:
    """The plan's live activities in document order, with their lead and partner units."""
    rows = conn.execute(
        select(activities).where(activities.c.plan_id == plan_id,
                                 activities.c.removed_at.is_(None))
        .order_by(activities.c.position, activities.c.id)
    ).mappings().all()
    links: dict[tuple[int, str], list[UnitLink]] = defaultdict(list)
    if rows:
        query = (select(activity_units)
                 .where(activity_units.c.activity_id.in_([r["id"] for r in rows]))
                 .order_by(activity_units.c.position))
        for unit in conn.execute(query).mappings():
            links[unit["activity_id"], unit["role"]].append(_link(unit))
    return tuple(
        StoredActivity(
            id=r["id"], uid=r["uid"], code=r["code"], position=r["position"],
            section=r["section"], title=r["title"], location=r["location"],
            time_text=r["time_text"], time=r["time_json"], start_date=r["start_date"],
            end_date=r["end_date"], start_at=r["start_at"], end_at=r["end_at"],
            tentative=r["tentative"], undetermined=r["undetermined"],
            expected_result=r["expected_result"], source=r["source"], revision=r["revision"],
            updated_at=r["updated_at"], lead=tuple(links[r["id"], "lead"]),
            partners=tuple(links[r["id"], "partner"]),
        )
        for r in rows
    )


def read_deadlines(conn: Connection, plan_id: int) -> tuple[StoredDeadline, ...]:
    """The plan's live deadlines in document order, with who reports and when."""
    rows = conn.execute(
        select(deadlines).where(deadlines.c.plan_id == plan_id,
                                deadlines.c.removed_at.is_(None))
        .order_by(deadlines.c.position, deadlines.c.id)
    ).mappings().all()
    ids = [r["id"] for r in rows]
    units: dict[int, list[UnitLink]] = defaultdict(list)
    days: dict[int, list[date]] = defaultdict(list)
    if ids:
        for unit in conn.execute(select(deadline_units)
                                 .where(deadline_units.c.deadline_id.in_(ids))
                                 .order_by(deadline_units.c.position)).mappings():
            units[unit["deadline_id"]].append(_link(unit))
        for deadline_id, day in conn.execute(
            select(deadline_occurrences.c.deadline_id, deadline_occurrences.c.due_date)
            .where(deadline_occurrences.c.deadline_id.in_(ids))
            .order_by(deadline_occurrences.c.due_date)
        ):
            days[deadline_id].append(day)
    return tuple(
        StoredDeadline(
            id=r["id"], uid=r["uid"], position=r["position"], title=r["title"],
            text=r["text"], time_text=r["time_text"], time=r["time_json"], rrule=r["rrule"],
            start_date=r["start_date"], end_date=r["end_date"],
            to_unit=(UnitLink(name=r["to_name"] or r["to_unit_id"] or r["to_group_id"],
                              unit_id=r["to_unit_id"], group_id=r["to_group_id"])
                     if r["to_name"] or r["to_unit_id"] or r["to_group_id"] else None),
            from_units=tuple(units[r["id"]]), source=r["source"], revision=r["revision"],
            updated_at=r["updated_at"], occurrences=tuple(days[r["id"]]),
        )
        for r in rows
    )


def read_assignments(conn: Connection, plan_id: int) -> tuple[StoredAssignment, ...]:
    rows = conn.execute(select(assignments).where(assignments.c.plan_id == plan_id)
                        .order_by(assignments.c.position)).mappings()
    return tuple(StoredAssignment(unit=_link(r), tasks=tuple(r["tasks"]), source=r["source"])
                 for r in rows)


def read_sources(conn: Connection, plan_id: int) -> tuple[StoredSource, ...]:
    rows = conn.execute(select(plan_sources).where(plan_sources.c.plan_id == plan_id)
                        .order_by(plan_sources.c.id)).mappings()
    return tuple(StoredSource(filename=r["filename"], sha256=r["sha256"], size=r["size"],
                              imported_at=r["imported_at"]) for r in rows)


def _link(row: RowMapping) -> UnitLink:
    return UnitLink(name=row["name"], unit_id=row["unit_id"], group_id=row["group_id"])
