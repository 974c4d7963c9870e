"""Store a plan's activities on import: match them to the stored ones, keep their UIDs."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from datetime import date, datetime, time
from typing import Any

from sqlalchemy import Connection, RowMapping, delete, insert, select, update

from reminders.clock import VN_TZ
from reminders.ingest.model import Activity
from reminders.store.plan_changes import Change, ChangeItem, ChangeKind
from reminders.store.plan_keys import Keys, folded, link, mint_uid, pair
from reminders.store.tables import activities, activity_units

# What a person sees of an activity (a change bumps its revision), by the columns behind it.
# `position` and `source` are kept up to date silently.
SHOWN = {
    "code": ("code",),
    "section": ("section",),
    "title": ("title",),
    "location": ("location",),
    "time": ("time_text", "time_json", "start_date", "end_date", "start_at", "end_at",
             "tentative", "undetermined"),
    "expected_result": ("expected_result",),
}
ROLES = (("lead", "lead"), ("partners", "partner"))  # (field name, activity_units.role)

Links = dict[str, tuple[tuple[str, str | None, str | None], ...]]


def sync_activities(conn: Connection, plan_id: int, identity: str,
                    items: Sequence[Activity], now: datetime) -> list[Change]:
    """Make the plan's stored activities match `items` (document order); returns the changes.

    Stored activities, removed ones too, are matched by (code, title), then title, then
    code. A matched one keeps its id and UID and gets a new revision only if something
    it shows changed; a stored one left unmatched is marked removed, never deleted.
    """
    rows = sorted(conn.execute(select(activities).where(activities.c.plan_id == plan_id))
                  .mappings().all(),
                  key=lambda r: (r["removed_at"] is not None, r["position"], r["id"]))
    stored_links = _stored_links(conn, [r["id"] for r in rows])
    matched = pair([_keys(r["code"], r["title"]) for r in rows],
                   [_keys(a.code, a.title) for a in items])
    reserved: set[str] = set()
    changes: list[Change] = []
    for position, item in enumerate(items):
        values = activity_values(item, position)
        links = _links(item)
        index = matched.get(position)
        if index is None:
            seed = f"{identity}\nactivity\n{item.code}\n{folded(item.title)}"
            uid = mint_uid(conn, activities.c.uid, seed, reserved)
            activity_id = conn.execute(
                insert(activities).values(uid=uid, plan_id=plan_id, revision=1,
                                          updated_at=now, **values)
                .returning(activities.c.id)
            ).scalar_one()
            _insert_links(conn, activity_id, links)
            changes.append(Change(kind=ChangeKind.ADDED, item=ChangeItem.ACTIVITY,
                                  code=item.code, title=item.title))
            continue
        row = rows[index]
        old_links = stored_links.get(row["id"], {})
        fields = _update(conn, row, values, links, old_links, now)
        if row["removed_at"] is not None:
            changes.append(Change(kind=ChangeKind.ADDED, item=ChangeItem.ACTIVITY,
                                  code=item.code, title=item.title))
        elif fields:
            changes.append(Change(kind=ChangeKind.CHANGED, item=ChangeItem.ACTIVITY,
                                  code=item.code, title=item.title, fields=fields))
    kept = set(matched.values())
    for index, row in enumerate(rows):
        if index in kept or row["removed_at"] is not None:
            continue
        conn.execute(update(activities).where(activities.c.id == row["id"])
                     .values(removed_at=now, revision=row["revision"] + 1, updated_at=now))
        changes.append(Change(kind=ChangeKind.REMOVED, item=ChangeItem.ACTIVITY,
                              code=row["code"], title=row["title"]))
    return changes


def activity_values(item: Activity, position: int) -> dict[str, Any]:
    """The activities row of an imported activity, without ids, UID and bookkeeping."""
    spec = item.time
    return {
        "code": item.code,
        "position": position,
        "section": item.section,
        "title": item.title,
        "location": item.location,
        "time_text": spec.text,
        "time_json": spec.as_json(),
        "start_date": spec.start,
        "end_date": spec.end,
        "start_at": _at(spec.start, spec.time),
        "end_at": _at(spec.end, spec.end_time),
        "tentative": spec.tentative,
        "undetermined": spec.undetermined,
        "expected_result": item.expected_result,
        "source": item.source,
    }


def _at(day: date | None, clock: time | None) -> datetime | None:
    """A wall-clock time in Việt Nam on a known day; None for all-day items."""
    if day is None or clock is None:
        return None
    return datetime.combine(day, clock, tzinfo=VN_TZ)


def _keys(code: str, title: str) -> Keys:
    code_key = code.strip() or None
    title_key = folded(title) or None
    both = (code_key, title_key) if code_key and title_key else None
    return both, title_key, code_key


def _update(conn: Connection, row: RowMapping, values: Mapping[str, Any], links: Links,
            old_links: Links, now: datetime) -> tuple[str, ...]:
    """Bring one matched row up to date; returns the shown fields that changed."""
    diff = {k: v for k, v in values.items() if row[k] != v}
    fields = [name for name, columns in SHOWN.items() if any(c in diff for c in columns)]
    fields += [name for name, role in ROLES if links.get(role, ()) != old_links.get(role, ())]
    if links != old_links:
        conn.execute(delete(activity_units).where(activity_units.c.activity_id == row["id"]))
        _insert_links(conn, row["id"], links)
    changes = dict(diff)
    if fields or row["removed_at"] is not None:
        changes.update(revision=row["revision"] + 1, updated_at=now, removed_at=None)
    if changes:
        conn.execute(update(activities).where(activities.c.id == row["id"]).values(**changes))
    return tuple(fields)


def _links(item: Activity) -> Links:
    found = {"lead": tuple(link(u) for u in item.lead),
             "partner": tuple(link(u) for u in item.partners)}
    return {role: refs for role, refs in found.items() if refs}


def _stored_links(conn: Connection, activity_ids: Sequence[int]) -> dict[int, Links]:
    found: dict[int, dict[str, list[tuple[str, str | None, str | None]]]] = defaultdict(
        lambda: defaultdict(list))
    if activity_ids:
        query = (select(activity_units).where(activity_units.c.activity_id.in_(activity_ids))
                 .order_by(activity_units.c.activity_id, activity_units.c.role,
                           activity_units.c.position))
        for row in conn.execute(query).mappings():
            found[row["activity_id"]][row["role"]].append(
                (row["name"], row["unit_id"], row["group_id"]))
    return {aid: {role: tuple(refs) for role, refs in roles.items()}
            for aid, roles in found.items()}


def _insert_links(conn: Connection, activity_id: int, links: Links) -> None:
    rows = [{"activity_id": activity_id, "role": role, "position": position, "name": name,
             "unit_id": unit_id, "group_id": group_id}
            for role, refs in links.items()
            for position, (name, unit_id, group_id) in enumerate(refs)]
    if rows:
        conn.execute(insert(activity_units), rows)
