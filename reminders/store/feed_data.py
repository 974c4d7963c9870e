"""What feeds read from the store: published plans with their items, units, and change stamps."""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Collection, Mapping, Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import Connection, RowMapping, func, select

from reminders.domain import PlanStatus
from reminders.feeds.model import (
    DaySpan,
    FeedItem,
    FeedPlan,
    FeedUnit,
    ItemKind,
    UnitLink,
)
from reminders.store.tables import (
    activities,
    activity_units,
    deadline_occurrences,
    deadline_units,
    deadlines,
    group_members,
    plans,
    unit_groups,
    units,
)

PlanStamp = tuple[int, datetime, str | None]


def plan_stamps(conn: Connection) -> dict[int, PlanStamp]:
    """Published plan id → (revision, updated_at, feed token): what says a plan changed."""
    query = select(plans.c.id, plans.c.revision, plans.c.updated_at, plans.c.feed_token).where(
        plans.c.status == PlanStatus.PUBLISHED.value)
    return {row.id: (row.revision, row.updated_at, row.feed_token) for row in conn.execute(query)}


def units_stamp(conn: Connection) -> tuple[Any, ...]:
    """Changes with any unit, group or membership change.

    Tokens and activity are read outright rather than trusted to `updated_at`: a token
    rotated by a process whose clock runs behind must still stop the old URL at once.
    """
    digest = hashlib.sha256()
    for row in conn.execute(select(units.c.id, units.c.feed_token, units.c.active,
                                   units.c.name).order_by(units.c.id)):
        digest.update(repr(tuple(row)).encode())
    unit_row = conn.execute(select(func.count(), func.max(units.c.updated_at))).one()
    group_row = conn.execute(select(func.count(), func.max(unit_groups.c.updated_at))).one()
    members = conn.execute(select(func.count()).select_from(group_members)).scalar_one()
    return (digest.hexdigest(), *unit_row, *group_row, members)


def load_units(conn: Connection) -> dict[str, FeedUnit]:
    """Every stored unit (inactive ones too: their feeds answer 404)."""
    groups: dict[str, set[str]] = defaultdict(set)
    for group_id, unit_id in conn.execute(select(group_members.c.group_id,
                                                 group_members.c.unit_id)):
        groups[unit_id].add(group_id)
    query = select(units.c.id, units.c.name, units.c.feed_token, units.c.active)
    return {row.id: FeedUnit(id=row.id, name=row.name, token=row.feed_token,
                             groups=frozenset(groups.get(row.id, ())), active=row.active)
            for row in conn.execute(query)}


def group_members_of(found: Mapping[str, FeedUnit]) -> dict[str, frozenset[str]]:
    """Group id → its active units."""
    members: dict[str, set[str]] = defaultdict(set)
    for unit in found.values():
        if unit.active:
            for group in unit.groups:
                members[group].add(unit.id)
    return {group: frozenset(ids) for group, ids in members.items()}


def load_plans(conn: Connection, plan_ids: Collection[int]
               ) -> dict[int, tuple[FeedPlan, tuple[FeedItem, ...]]]:
    """Published plans among `plan_ids` with their activities and deadlines (removed too)."""
    if not plan_ids:
        return {}
    ids = sorted(plan_ids)
    found: dict[int, FeedPlan] = {}
    query = select(plans).where(plans.c.id.in_(ids),
                                plans.c.status == PlanStatus.PUBLISHED.value)
    for row in conn.execute(query).mappings():
        found[row["id"]] = FeedPlan(
            id=row["id"], number=row["number"], issuer=row["issuer"], issued=row["issued"],
            title=row["title"], standing_unit_id=row["standing_unit_id"],
            feed_token=row["feed_token"] or "", revision=row["revision"],
            updated_at=row["updated_at"])
    items: dict[int, list[FeedItem]] = defaultdict(list)
    for plan_id, item in _activities(conn, list(found)) + _deadlines(conn, list(found)):
        items[plan_id].append(item)
    return {pid: (plan, tuple(items.get(pid, ()))) for pid, plan in found.items()}


def _activities(conn: Connection, plan_ids: Sequence[int]) -> list[tuple[int, FeedItem]]:
    if not plan_ids:
        return []
    links: dict[int, dict[str, list[UnitLink]]] = defaultdict(lambda: defaultdict(list))
    query = (select(activity_units).join(activities,
                                         activities.c.id == activity_units.c.activity_id)
             .where(activities.c.plan_id.in_(plan_ids))
             .order_by(activity_units.c.activity_id, activity_units.c.role,
                       activity_units.c.position))
    for row in conn.execute(query).mappings():
        links[row["activity_id"]][row["role"]].append(_link(row))
    rows = conn.execute(select(activities).where(activities.c.plan_id.in_(plan_ids))
                        .order_by(activities.c.plan_id, activities.c.position,
                                  activities.c.id)).mappings()
    result = []
    for row in rows:
        spec = row["time_json"]
        roles = links.get(row["id"], {})
        result.append((row["plan_id"], FeedItem(
            uid=row["uid"], kind=ItemKind.ACTIVITY, plan_id=row["plan_id"], code=row["code"],
            title=row["title"], location=row["location"], time_text=row["time_text"],
            spans=_spans(spec), end_time=spec.get("end_time"), tentative=row["tentative"],
            lead=tuple(roles.get("lead", ())), partners=tuple(roles.get("partner", ())),
            expected_result=row["expected_result"], revision=row["revision"],
            updated_at=row["updated_at"], removed_at=row["removed_at"])))
    return result


def _deadlines(conn: Connection, plan_ids: Sequence[int]) -> list[tuple[int, FeedItem]]:
    if not plan_ids:
        return []
    reporters: dict[int, list[UnitLink]] = defaultdict(list)
    query = (select(deadline_units).join(deadlines,
                                         deadlines.c.id == deadline_units.c.deadline_id)
             .where(deadlines.c.plan_id.in_(plan_ids))
             .order_by(deadline_units.c.deadline_id, deadline_units.c.position))
    for row in conn.execute(query).mappings():
        reporters[row["deadline_id"]].append(_link(row))
    days: dict[int, list[date]] = defaultdict(list)
    query = (select(deadline_occurrences.c.deadline_id, deadline_occurrences.c.due_date)
             .join(deadlines, deadlines.c.id == deadline_occurrences.c.deadline_id)
             .where(deadlines.c.plan_id.in_(plan_ids))
             .order_by(deadline_occurrences.c.deadline_id, deadline_occurrences.c.due_date))
    for deadline_id, due in conn.execute(query):
        days[deadline_id].append(due)
    rows = conn.execute(select(deadlines).where(deadlines.c.plan_id.in_(plan_ids))
                        .order_by(deadlines.c.plan_id, deadlines.c.position,
                                  deadlines.c.id)).mappings()
    return [(row["plan_id"], FeedItem(
        uid=row["uid"], kind=ItemKind.DEADLINE, plan_id=row["plan_id"], code=None,
        title=row["title"], location=None, time_text=row["time_text"],
        spans=_spans(row["time_json"]), rrule=row["rrule"],
        occurrences=tuple(days.get(row["id"], ())), reporters=tuple(reporters[row["id"]]),
        receiver=row["to_name"], revision=row["revision"], updated_at=row["updated_at"],
        removed_at=row["removed_at"])) for row in rows]


def _link(row: RowMapping) -> UnitLink:
    return UnitLink(name=row["name"], unit_id=row["unit_id"], group_id=row["group_id"])


def _spans(spec: Mapping[str, Any]) -> tuple[DaySpan, ...]:
    """The time's spans; a lone span takes the expression's start time."""
    raw = spec.get("spans") or []
    if spec.get("undetermined"):
        return ()
    spans = []
    for span in raw:
        clock = span.get("time") or (spec.get("time") if len(raw) == 1 else None)
        spans.append(DaySpan(start=_day(span.get("start")), end=_day(span.get("end")),
                             time=clock))
    return tuple(spans)


def _day(text: str | None) -> date | None:
    return date.fromisoformat(text) if text else None
