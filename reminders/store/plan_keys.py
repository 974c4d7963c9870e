"""How a re-import recognises what it stored before: plan identity, item pairing, stable UIDs.

Document numbers ("12/KH-UBND") start again every year, so the plan's year is part of
its identity; a draft without a number is known by its title until it gets one.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict, deque
from collections.abc import Hashable, Sequence
from itertools import count

from sqlalchemy import Column, Connection, select

from reminders.ingest.model import PlanInfo, UnitRef
from reminders.units.names import fold, nfc

MAX_IDENTITY = 300  # plans.identity is String(300)
UID_DOMAIN = "reminders"

Keys = tuple[Hashable | None, ...]


def folded(text: str | None) -> str:
    """Lower-case, no diacritics, single spaces; "" for nothing."""
    return fold(text) if text else ""


def plan_identities(info: PlanInfo) -> tuple[str, ...]:
    """The identities to look a plan up by, best first; the first is the one to store.

    "number:<number>|issuer:<issuer>|year:<year>" when the plan has a number, then
    "title:<title>|issuer:<issuer>|year:<year>" (names folded), so a draft stored
    without its number is still found once the number is there.
    """
    tail = f"|issuer:{folded(info.issuer)}|year:{info.year}"
    found: list[str] = []
    number = "".join(nfc(info.number or "").split()).upper()
    if number:
        found.append(_bounded(f"number:{number}{tail}"))
    found.append(_bounded(f"title:{folded(info.title)}{tail}"))
    return tuple(found)


def _bounded(identity: str) -> str:
    """Long titles keep a readable head and a hash of the whole."""
    if len(identity) <= MAX_IDENTITY:
        return identity
    digest = hashlib.sha256(identity.encode()).hexdigest()
    return f"{identity[:MAX_IDENTITY - len(digest) - 1]}~{digest}"


def pair(stored: Sequence[Keys], new: Sequence[Keys]) -> dict[int, int]:
    """Match new items to stored ones, key level by key level; new index → stored index.

    Every item carries the same number of keys, strongest first; a None key never
    matches. Each stored item is matched at most once; among stored items with the
    same key the earlier in `stored` wins, so the caller orders them by preference.
    """
    levels = len(new[0]) if new else 0
    matched: dict[int, int] = {}
    taken: set[int] = set()
    for level in range(levels):
        waiting: dict[Hashable, deque[int]] = defaultdict(deque)
        for index, keys in enumerate(stored):
            if index not in taken and keys[level] is not None:
                waiting[keys[level]].append(index)
        for index, keys in enumerate(new):
            key = keys[level]
            if index in matched or key is None or not waiting.get(key):
                continue
            found = waiting[key].popleft()
            matched[index] = found
            taken.add(found)
    return matched


def mint_uid(conn: Connection, column: Column[str], seed: str, reserved: set[str]) -> str:
    """A UID for a new item: a hash of what identifies it, so the same plan imported into
    a fresh database gives the same UIDs; a suffix when the hash is already in use (an
    item renumbered into another's old place). Once stored, a UID never changes.
    """
    base = hashlib.sha256(seed.encode()).hexdigest()[:32]
    for attempt in count(1):
        uid = f"{base}@{UID_DOMAIN}" if attempt == 1 else f"{base}-{attempt}@{UID_DOMAIN}"
        if uid in reserved:
            continue
        if conn.execute(select(column).where(column == uid)).first() is None:
            reserved.add(uid)
            return uid
    raise AssertionError("unreachable")  # pragma: no cover


def link(ref: UnitRef) -> tuple[str, str | None, str | None]:
    """A unit reference as stored: (name as written, unit id, group id)."""
    if ref.is_group:
        return ref.name, None, ref.unit_id
    return ref.name, ref.unit_id, None
