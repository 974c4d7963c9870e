"""Save an imported plan: create it, or update the stored one in place and say what changed.

Re-importing keeps the plan's status: a draft stays a draft, and the edits to a
published plan go live at once (the office reads the printed change list); an archived
plan is updated but stays archived. The plan's revision goes up by one when anything
a person sees changed; an import that changes nothing writes nothing.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import Connection, RowMapping, delete, insert, select, update

from reminders.clock import ensure_aware
from reminders.domain import PlanStatus
from reminders.errors import StoreError
from reminders.ingest.model import Assignment, ImportedPlan, UnitRef
from reminders.store.plan_activities import sync_activities
from reminders.store.plan_changes import Change, ChangeItem, ChangeKind, SaveResult
from reminders.store.plan_deadlines import sync_deadlines
from reminders.store.plan_keys import link, plan_identities
from reminders.store.tables import assignments, plan_sources, plans, unit_groups, units
from reminders.store.units import new_feed_token

# Plan fields a person sees, by the columns behind them; `identity`, `document` are silent.
SHOWN = {
    "number": ("number",),
    "issuer": ("issuer", "issuer_unit_id"),
    "issued": ("issued",),
    "place": ("place",),
    "title": ("title",),
    "year": ("year",),
    "standing_unit": ("standing_unit_id", "standing_name"),
    "implements": ("implements",),
}


def save_imported_plan(conn: Connection, plan: ImportedPlan, *, now: datetime) -> SaveResult:
    """Store `plan` in the caller's transaction (never commits) and return what changed.

    A plan is found again by its identity (store/plan_keys.py): by number first, then by
    title, so a draft imported without a number is updated once it has one. New plans
    are drafts at revision 1. Source files are recorded once per content hash. Raises
    StoreError when the plan names units or groups the database does not hold yet.
    """
    now = ensure_aware(now)
    _check_references(conn, plan)
    identities = plan_identities(plan.plan)
    values = _plan_values(plan, identities[0])
    row = _find(conn, identities)
    changes: list[Change] = []
    if row is None:
        plan_id = conn.execute(
            insert(plans).values(**values, status=PlanStatus.DRAFT.value, revision=1,
                                 feed_token=new_feed_token(), created_at=now, updated_at=now)
            .returning(plans.c.id)
        ).scalar_one()
        changes.append(Change(kind=ChangeKind.ADDED, item=ChangeItem.PLAN,
                              code=plan.plan.number, title=values["title"]))
    else:
        plan_id = row["id"]
    diff = {} if row is None else {k: v for k, v in values.items() if row[k] != v}
    fields = [name for name, columns in SHOWN.items() if any(c in diff for c in columns)]
    if _sync_assignments(conn, plan_id, plan.assignments) and row is not None:
        fields.append("assignments")
    if fields:
        changes.append(Change(kind=ChangeKind.CHANGED, item=ChangeItem.PLAN,
                              code=plan.plan.number, title=values["title"],
                              fields=tuple(fields)))
    changes += sync_activities(conn, plan_id, identities[0], plan.activities, now)
    changes += sync_deadlines(conn, plan_id, identities[0], plan.deadlines,
                              _until(plan), now)
    _record_sources(conn, plan_id, plan, now)
    revision = 1
    if row is not None:
        revision = row["revision"] + 1 if changes else row["revision"]
        if changes:
            diff.update(revision=revision, updated_at=now)
        if diff:
            conn.execute(update(plans).where(plans.c.id == plan_id).values(**diff))
    return SaveResult(plan_id=plan_id, created=row is None, revision=revision,
                      changes=tuple(changes))


def _find(conn: Connection, identities: Sequence[str]) -> RowMapping | None:
    for identity in identities:
        row = conn.execute(
            select(plans).where(plans.c.identity == identity).order_by(plans.c.id).limit(1)
        ).mappings().first()
        if row is not None:
            return row
    return None


def _plan_values(plan: ImportedPlan, identity: str) -> dict[str, Any]:
    info = plan.plan
    standing = info.standing_unit
    return {
        "number": info.number,
        "issuer": info.issuer or "",
        "issuer_unit_id": info.issuer_unit_id,
        "issued": info.issued,
        "place": info.place or "",
        "title": info.title or "",
        "year": info.year,
        # A standing "unit" that is a group has no column of its own; its name is kept.
        "standing_unit_id": link(standing)[1] if standing else None,
        "standing_name": standing.name if standing else None,
        "implements": list(info.implements),
        "identity": identity,
        "document": plan.as_json(),
    }


def _until(plan: ImportedPlan) -> date:
    """Repeating deadlines run to the plan's last activity or the end of its year."""
    ends = [a.time.end for a in plan.activities if a.time.end is not None]
    return max([date(plan.plan.year, 12, 31), *ends])


def _sync_assignments(conn: Connection, plan_id: int, items: Sequence[Assignment]) -> bool:
    """Replace the plan's assignments when they differ; True if what they say changed."""
    wanted = [{"position": position, "name": name, "unit_id": unit_id, "group_id": group_id,
               "tasks": list(item.tasks), "source": item.source}
              for position, item in enumerate(items)
              for name, unit_id, group_id in [link(item.unit)]]
    stored = [dict(row) for row in conn.execute(
        select(assignments).where(assignments.c.plan_id == plan_id)
        .order_by(assignments.c.position)).mappings()]
    for row in stored:
        del row["id"], row["plan_id"]
    if stored == wanted:
        return False
    conn.execute(delete(assignments).where(assignments.c.plan_id == plan_id))
    if wanted:
        conn.execute(insert(assignments), [{"plan_id": plan_id, **row} for row in wanted])

    def shown(rows: Iterable[dict[str, Any]]) -> list[tuple[Any, ...]]:
        return [(r["name"], r["unit_id"], r["group_id"], r["tasks"]) for r in rows]

    return shown(stored) != shown(wanted)


def _record_sources(conn: Connection, plan_id: int, plan: ImportedPlan, now: datetime) -> None:
    """A source file is recorded the first time its content (sha256) comes into the plan."""
    known = set(conn.execute(select(plan_sources.c.sha256)
                             .where(plan_sources.c.plan_id == plan_id)).scalars())
    rows = []
    for source in plan.sources:
        if source.sha256 not in known:
            known.add(source.sha256)
            rows.append({"plan_id": plan_id, "filename": source.name, "sha256": source.sha256,
                         "size": source.size, "imported_at": now})
    if rows:
        conn.execute(insert(plan_sources), rows)


def _refs(plan: ImportedPlan) -> Iterable[UnitRef]:
    if plan.plan.standing_unit:
        yield plan.plan.standing_unit
    for activity in plan.activities:
        yield from activity.lead
        yield from activity.partners
    for deadline in plan.deadlines:
        yield from deadline.from_units
        if deadline.to_unit:
            yield deadline.to_unit
    for assignment in plan.assignments:
        yield assignment.unit


def _check_references(conn: Connection, plan: ImportedPlan) -> None:
    """Every unit and group the plan resolved to must be in the database already."""
    unit_ids = {r.unit_id for r in _refs(plan) if r.unit_id and not r.is_group}
    group_ids = {r.unit_id for r in _refs(plan) if r.unit_id and r.is_group}
    if plan.plan.issuer_unit_id:
        unit_ids.add(plan.plan.issuer_unit_id)
    missing = sorted(unit_ids - set(conn.execute(
        select(units.c.id).where(units.c.id.in_(unit_ids))).scalars()))
    missing += sorted(group_ids - set(conn.execute(
        select(unit_groups.c.id).where(unit_groups.c.id.in_(group_ids))).scalars()))
    if missing:
        raise StoreError(
            "kế hoạch nhắc đến đơn vị chưa có trong cơ sở dữ liệu: " + ", ".join(missing)
            + " — chạy `reminders units sync` trước khi nạp kế hoạch"
        )
