"""Store a plan's deadlines on import: match them to the stored ones, expand their occurrences."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from datetime import date, datetime, time
from typing import Any

from dateutil.rrule import rrulestr
from sqlalchemy import Connection, RowMapping, delete, insert, select, update

from reminders.errors import InputError
from reminders.ingest.model import Deadline
from reminders.store.plan_changes import Change, ChangeItem, ChangeKind
from reminders.store.plan_keys import Keys, folded, link, mint_uid, pair
from reminders.store.tables import (
    deadline_occurrences,
    deadline_units,
    deadlines,
    submissions,
)
from reminders.timeexpr.spec import TimeSpec

MAX_OCCURRENCES = 400

# What a person sees of a deadline, by the columns behind it; `position`, `source` are silent.
SHOWN = {
    "title": ("title",),
    "text": ("text",),
    "time": ("time_text", "time_json", "rrule", "start_date", "end_date"),
    "to_unit": ("to_unit_id", "to_group_id", "to_name"),
}

Refs = tuple[tuple[str, str | None, str | None], ...]


def sync_deadlines(conn: Connection, plan_id: int, identity: str,
                   items: Sequence[Deadline], until: date, now: datetime) -> list[Change]:
    """Make the plan's stored deadlines match `items`; returns the changes.

    Matching is by (title, text), then text, then title, like activities. Every live
    deadline's occurrences are then brought in line with its time, repeating ones up to
    `until`; an occurrence a unit already reported on is never deleted.
    """
    rows = sorted(conn.execute(select(deadlines).where(deadlines.c.plan_id == plan_id))
                  .mappings().all(),
                  key=lambda r: (r["removed_at"] is not None, r["position"], r["id"]))
    stored_refs = _stored_refs(conn, [r["id"] for r in rows])
    matched = pair([_keys(r["title"], r["text"]) for r in rows],
                   [_keys(d.title, d.text) for d in items])
    reserved: set[str] = set()
    changes: list[Change] = []
    for position, item in enumerate(items):
        values = deadline_values(item, position)
        refs = tuple(link(u) for u in item.from_units)
        index = matched.get(position)
        if index is None:
            seed = f"{identity}\ndeadline\n{folded(item.title)}\n{folded(item.text)}"
            uid = mint_uid(conn, deadlines.c.uid, seed, reserved)
            deadline_id = conn.execute(
                insert(deadlines).values(uid=uid, plan_id=plan_id, revision=1,
                                         updated_at=now, **values)
                .returning(deadlines.c.id)
            ).scalar_one()
            _insert_refs(conn, deadline_id, refs)
            _sync_occurrences(conn, deadline_id, occurrences(item.time, until))
            changes.append(Change(kind=ChangeKind.ADDED, item=ChangeItem.DEADLINE, code=None,
                                  title=item.title))
            continue
        row = rows[index]
        fields = _update(conn, row, values, refs, stored_refs.get(row["id"], ()), now)
        _sync_occurrences(conn, row["id"], occurrences(item.time, until))
        if row["removed_at"] is not None:
            changes.append(Change(kind=ChangeKind.ADDED, item=ChangeItem.DEADLINE, code=None,
                                  title=item.title))
        elif fields:
            changes.append(Change(kind=ChangeKind.CHANGED, item=ChangeItem.DEADLINE,
                                  code=None, title=item.title, fields=fields))
    kept = set(matched.values())
    for index, row in enumerate(rows):
        if index in kept or row["removed_at"] is not None:
            continue
        # Its occurrences stay: reports already sent for them are evidence.
        conn.execute(update(deadlines).where(deadlines.c.id == row["id"])
                     .values(removed_at=now, revision=row["revision"] + 1, updated_at=now))
        changes.append(Change(kind=ChangeKind.REMOVED, item=ChangeItem.DEADLINE, code=None,
                              title=row["title"]))
    return changes


def deadline_values(item: Deadline, position: int) -> dict[str, Any]:
    """The deadlines row of an imported deadline, without ids, UID and bookkeeping."""
    spec = item.time
    to_name, to_unit, to_group = link(item.to_unit) if item.to_unit else (None, None, None)
    return {
        "position": position,
        "title": item.title,
        "text": item.text,
        "time_text": spec.text,
        "time_json": spec.as_json(),
        "rrule": spec.rrule,
        "start_date": spec.start,
        "end_date": spec.end,
        "to_unit_id": to_unit,
        "to_group_id": to_group,
        "to_name": to_name,
        "source": item.source,
    }


def occurrences(spec: TimeSpec, until: date) -> tuple[date, ...]:
    """The days a deadline falls due, in order.

    A repeating deadline (RRULE) is expanded from its first span's start up to `until`,
    at most MAX_OCCURRENCES times; a one-off deadline is due on the last day of each
    span ("trước ngày 27/12" → 26/12). Undetermined or open-ended times give none.
    Raises InputError for an RRULE that cannot be read.
    """
    if spec.rrule is None:
        return tuple(sorted({s.end for s in spec.spans if s.end is not None}))
    first = spec.spans[0].start if spec.spans else None
    if first is None:
        return ()
    try:
        rule = rrulestr(spec.rrule, dtstart=datetime.combine(first, time()))
    except (ValueError, TypeError) as exc:
        raise InputError(f"quy tắc lặp không đọc được ({exc})", text=spec.rrule) from None
    found: list[date] = []
    for at in rule:
        if at.date() > until or len(found) >= MAX_OCCURRENCES:
            break
        found.append(at.date())
    return tuple(found)


def _keys(title: str, text: str) -> Keys:
    title_key = folded(title) or None
    text_key = folded(text) or None
    both = (title_key, text_key) if title_key and text_key else None
    return both, text_key, title_key


def _update(conn: Connection, row: RowMapping, values: Mapping[str, Any], refs: Refs,
            old_refs: Refs, now: datetime) -> tuple[str, ...]:
    """Bring one matched row up to date; returns the shown fields that changed."""
    diff = {k: v for k, v in values.items() if row[k] != v}
    fields = [name for name, columns in SHOWN.items() if any(c in diff for c in columns)]
    if refs != old_refs:
        fields.append("from_units")
        conn.execute(delete(deadline_units).where(deadline_units.c.deadline_id == row["id"]))
        _insert_refs(conn, row["id"], refs)
    to_set = dict(diff)
    if fields or row["removed_at"] is not None:
        to_set.update(revision=row["revision"] + 1, updated_at=now, removed_at=None)
    if to_set:
        conn.execute(update(deadlines).where(deadlines.c.id == row["id"]).values(**to_set))
    return tuple(fields)


def _stored_refs(conn: Connection, deadline_ids: Sequence[int]) -> dict[int, Refs]:
    found: dict[int, list[tuple[str, str | None, str | None]]] = defaultdict(list)
    if deadline_ids:
        query = (select(deadline_units).where(deadline_units.c.deadline_id.in_(deadline_ids))
                 .order_by(deadline_units.c.deadline_id, deadline_units.c.position))
        for row in conn.execute(query).mappings():
            found[row["deadline_id"]].append((row["name"], row["unit_id"], row["group_id"]))
    return {did: tuple(refs) for did, refs in found.items()}


def _insert_refs(conn: Connection, deadline_id: int, refs: Refs) -> None:
    if refs:
        conn.execute(insert(deadline_units), [
            {"deadline_id": deadline_id, "position": position, "name": name,
             "unit_id": unit_id, "group_id": group_id}
            for position, (name, unit_id, group_id) in enumerate(refs)
        ])


def _sync_occurrences(conn: Connection, deadline_id: int, wanted: Sequence[date]) -> None:
    """Insert the missing days; delete the stale ones no unit has reported on."""
    stored = dict(conn.execute(
        select(deadline_occurrences.c.due_date, deadline_occurrences.c.id)
        .where(deadline_occurrences.c.deadline_id == deadline_id)
    ).all())
    missing = [day for day in wanted if day not in stored]
    if missing:
        conn.execute(insert(deadline_occurrences),
                     [{"deadline_id": deadline_id, "due_date": day} for day in missing])
    keep = set(wanted)
    stale = [oid for day, oid in stored.items() if day not in keep]
    if stale:
        reported = select(submissions.c.occurrence_id).where(
            submissions.c.occurrence_id.in_(stale))
        conn.execute(delete(deadline_occurrences).where(
            deadline_occurrences.c.id.in_(stale),
            deadline_occurrences.c.id.not_in(reported)))
