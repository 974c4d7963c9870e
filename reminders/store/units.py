"""Units and groups in the database: load the registry into it, read units and their feed tokens."""

from __future__ import annotations

import secrets
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from sqlalchemy import Connection, RowMapping, delete, insert, select, update

from reminders.clock import ensure_aware
from reminders.domain import Contacts, Group, ReminderPrefs, Unit, UnitKind
from reminders.errors import StoreError
from reminders.store.tables import group_members, unit_groups, units

FEED_TOKEN_BYTES = 24  # 192 bits, 32 url-safe characters


class RegistryLike(Protocol):
    """What the store needs of reminders.units.Registry."""

    @property
    def units(self) -> Sequence[Unit]: ...

    @property
    def groups(self) -> Sequence[Group]: ...


@dataclass(frozen=True, slots=True, kw_only=True)
class StoredUnit:
    """A unit as the store holds it: the registry entry plus what only the store knows."""

    unit: Unit
    active: bool
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True, slots=True, kw_only=True)
class SyncReport:
    """What one sync of the registry changed (a re-activated unit counts as updated)."""

    added: int = 0
    updated: int = 0
    deactivated: int = 0
    groups_added: int = 0
    groups_updated: int = 0
    groups_deactivated: int = 0

    @property
    def changed(self) -> bool:
        return any((self.added, self.updated, self.deactivated, self.groups_added,
                    self.groups_updated, self.groups_deactivated))


def new_feed_token() -> str:
    """A fresh secret for a unit's feed URLs."""
    return secrets.token_urlsafe(FEED_TOKEN_BYTES)


def sync_registry(conn: Connection, registry: RegistryLike, now: datetime) -> SyncReport:
    """Make the stored units, groups and memberships match the registry.

    Feed tokens of known units are kept; new units get a fresh one. Units and
    groups that left the registry are marked inactive, never deleted (plans,
    reports and deliveries refer to them). Runs in the caller's transaction.
    """
    now = ensure_aware(now)
    stored = {row["id"]: row for row in conn.execute(select(units)).mappings()}
    old_members = _memberships(conn)
    new_members = {(g, u.id) for u in registry.units for g in u.groups}

    added = updated = 0
    new_units = [u for u in registry.units if u.id not in stored]
    if new_units:
        # Parents are set afterwards: a unit may name a parent listed after it.
        conn.execute(insert(units), [
            {**_unit_values(u), "parent_id": None, "feed_token": new_feed_token(),
             "active": True, "created_at": now, "updated_at": now}
            for u in new_units
        ])
        added = len(new_units)
    for unit in registry.units:
        row = stored.get(unit.id)
        if row is None:
            if unit.parent:
                conn.execute(update(units).where(units.c.id == unit.id)
                             .values(parent_id=unit.parent))
            continue
        values = {**_unit_values(unit), "parent_id": unit.parent, "active": True}
        same_groups = set(unit.groups) == old_members.get(unit.id, set())
        if any(row[k] != v for k, v in values.items()) or not same_groups:
            conn.execute(update(units).where(units.c.id == unit.id)
                         .values(**values, updated_at=now))
            updated += 1

    groups = _sync_groups(conn, registry.groups, now)
    _sync_members(conn, old_members, new_members)

    wanted = {u.id for u in registry.units}
    gone = [uid for uid, row in stored.items() if row["active"] and uid not in wanted]
    if gone:
        conn.execute(update(units).where(units.c.id.in_(gone))
                     .values(active=False, updated_at=now))
    return SyncReport(added=added, updated=updated, deactivated=len(gone), **groups)


def list_units(conn: Connection, active_only: bool = True) -> tuple[StoredUnit, ...]:
    """Stored units ordered by id; inactive ones too when ``active_only`` is False."""
    query = select(units).order_by(units.c.id)
    if active_only:
        query = query.where(units.c.active.is_(True))
    members = _memberships(conn)
    return tuple(_stored_unit(row, members.get(row["id"], set()))
                 for row in conn.execute(query).mappings())


def get_unit(conn: Connection, unit_id: str) -> StoredUnit | None:
    """One unit, active or not; None if the store never knew it."""
    row = conn.execute(select(units).where(units.c.id == unit_id)).mappings().one_or_none()
    if row is None:
        return None
    groups = conn.execute(
        select(group_members.c.group_id).where(group_members.c.unit_id == unit_id)
    ).scalars()
    return _stored_unit(row, set(groups))


def units_for_sending(conn: Connection, unit_ids: Iterable[str]
                      ) -> dict[str, tuple[Unit, str]]:
    """Unit id → (unit, feed token) for many units in one query (groups left out: the
    dispatcher needs contacts, not memberships)."""
    wanted = sorted(set(unit_ids))
    found: dict[str, tuple[Unit, str]] = {}
    for start in range(0, len(wanted), 500):
        query = select(units).where(units.c.id.in_(wanted[start:start + 500]))
        for row in conn.execute(query).mappings():
            found[row["id"]] = (_stored_unit(row, set()).unit, row["feed_token"])
    return found


def feed_token(conn: Connection, unit_id: str) -> str | None:
    """The secret in a unit's feed URLs; None for an unknown unit."""
    return conn.execute(
        select(units.c.feed_token).where(units.c.id == unit_id)
    ).scalar_one_or_none()


def unit_for_feed_token(conn: Connection, token: str) -> StoredUnit | None:
    """The unit whose feed a URL's token opens (inactive units included; the caller decides)."""
    row = conn.execute(select(units.c.id).where(units.c.feed_token == token)).scalar_one_or_none()
    return None if row is None else get_unit(conn, row)


def rotate_feed_token(conn: Connection, unit_id: str, now: datetime) -> str:
    """Give a unit a new feed token (the old URL stops working); raises StoreError if unknown."""
    token = new_feed_token()
    result = conn.execute(update(units).where(units.c.id == unit_id)
                          .values(feed_token=token, updated_at=ensure_aware(now)))
    if result.rowcount != 1:
        raise StoreError(f"không có đơn vị '{unit_id}' trong cơ sở dữ liệu")
    return token


def _unit_values(unit: Unit) -> dict[str, Any]:
    return {
        "id": unit.id,
        "name": unit.name,
        "kind": unit.kind.value,
        "aliases": list(unit.aliases),
        "emails": list(unit.contacts.emails),
        "zalo_user_ids": list(unit.contacts.zalo_user_ids),
        "phones": list(unit.contacts.phones),
        "webhook_url": unit.contacts.webhook_url,
        "zalo_chat_ids": list(unit.contacts.zalo_chat_ids),
        "reminder_prefs": None if unit.reminders.is_default() else unit.reminders.to_json(),
    }


def _sync_groups(conn: Connection, groups: Iterable[Group], now: datetime) -> dict[str, int]:
    stored = {row["id"]: row for row in conn.execute(select(unit_groups)).mappings()}
    wanted = {g.id: g for g in groups}
    added = updated = 0
    for group in wanted.values():
        values = {"name": group.name, "aliases": list(group.aliases),
                  "parent_id": group.parent, "active": True}
        row = stored.get(group.id)
        if row is None:
            conn.execute(insert(unit_groups).values(id=group.id, **values,
                                                    created_at=now, updated_at=now))
            added += 1
        elif any(row[k] != v for k, v in values.items()):
            conn.execute(update(unit_groups).where(unit_groups.c.id == group.id)
                         .values(**values, updated_at=now))
            updated += 1
    gone = [gid for gid, row in stored.items() if row["active"] and gid not in wanted]
    if gone:
        conn.execute(update(unit_groups).where(unit_groups.c.id.in_(gone))
                     .values(active=False, updated_at=now))
    return {"groups_added": added, "groups_updated": updated, "groups_deactivated": len(gone)}


def _memberships(conn: Connection) -> dict[str, set[str]]:
    """unit id → the ids of its groups."""
    result: dict[str, set[str]] = defaultdict(set)
    for group_id, unit_id in conn.execute(select(group_members.c.group_id,
                                                 group_members.c.unit_id)):
        result[unit_id].add(group_id)
    return result


def _sync_members(conn: Connection, old: Mapping[str, set[str]],
                  new: set[tuple[str, str]]) -> None:
    """The membership table mirrors the registry exactly; pairs are (group id, unit id)."""
    existing = {(g, u) for u, gs in old.items() for g in gs}
    for group_id, unit_id in sorted(existing - new):
        conn.execute(delete(group_members).where(group_members.c.group_id == group_id,
                                                 group_members.c.unit_id == unit_id))
    if new - existing:
        conn.execute(insert(group_members),
                     [{"group_id": g, "unit_id": u} for g, u in sorted(new - existing)])


def _stored_unit(row: RowMapping, groups: set[str]) -> StoredUnit:
    try:
        unit = Unit(
            id=row["id"],
            name=row["name"],
            kind=UnitKind(row["kind"]),
            aliases=tuple(row["aliases"]),
            parent=row["parent_id"],
            groups=tuple(sorted(groups)),
            contacts=Contacts(
                emails=tuple(row["emails"]),
                zalo_user_ids=tuple(row["zalo_user_ids"]),
                phones=tuple(row["phones"]),
                webhook_url=row["webhook_url"],
                zalo_chat_ids=tuple(row["zalo_chat_ids"] or ()),
            ),
            reminders=ReminderPrefs.from_json(row["reminder_prefs"]),
        )
    except ValueError as exc:
        raise StoreError(f"đơn vị '{row['id']}' trong cơ sở dữ liệu không hợp lệ: {exc}") from exc
    return StoredUnit(unit=unit, active=row["active"], created_at=row["created_at"],
                      updated_at=row["updated_at"])
