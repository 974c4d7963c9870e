"""Every feed there is right now: units and plan entries in, feed keys, names and bytes out.

A Catalogue is immutable once built; the hub swaps in a new one after each change, so
requests read it without locks while a refresh builds the next.
"""

from __future__ import annotations

import hashlib
import hmac
from collections import defaultdict
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field

from reminders.feeds import calendar
from reminders.feeds.entries import Piece, PlanEntry
from reminders.feeds.model import (
    UNIT_KINDS,
    FeedItem,
    FeedKey,
    FeedKind,
    FeedPlan,
    FeedUnit,
)
from reminders.feeds.text import shorten
from reminders.feeds.window import Window


def _digest(token: str) -> bytes:
    return hashlib.sha256(token.encode()).digest()


@dataclass(frozen=True, slots=True, kw_only=True)
class Catalogue:
    """Units (active ones have feeds), published plans' entries, and the feed settings."""

    units: Mapping[str, FeedUnit]
    entries: Mapping[int, PlanEntry]
    refresh_hours: int = 12
    _heads: dict[FeedKey, bytes] = field(default_factory=dict)
    _by_token: dict[bytes, tuple[str, str]] = field(default_factory=dict)
    _unit_plans: dict[str, tuple[int, ...]] = field(default_factory=dict)
    _followed: dict[str, tuple[int, ...]] = field(default_factory=dict)
    _items: dict[str, tuple[int, FeedItem]] = field(default_factory=dict)
    _routes: dict[tuple[bytes, str], tuple[FeedKey, str]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for unit in self.units.values():
            if unit.active:
                self._by_token[_digest(unit.token)] = ("unit", unit.id)
        unit_plans: dict[str, list[int]] = defaultdict(list)
        followed: dict[str, list[int]] = defaultdict(list)
        for plan_id in sorted(self.entries):
            entry = self.entries[plan_id]
            self._by_token[_digest(entry.plan.feed_token)] = ("plan", str(plan_id))
            for unit_id in entry.units:
                unit_plans[unit_id].append(plan_id)
            if entry.plan.standing_unit_id:
                followed[entry.plan.standing_unit_id].append(plan_id)
            for event in entry.events:
                self._items.setdefault(event.item.uid.partition("@")[0], (plan_id, event.item))
        self._unit_plans.update({u: tuple(p) for u, p in unit_plans.items()})
        self._followed.update({u: tuple(p) for u, p in followed.items()})
        for unit in self.units.values():
            if unit.active:
                for kind in UNIT_KINDS:
                    key = FeedKey(kind, unit.id)
                    self._routes[(_digest(unit.token), self.slug(key))] = (key, unit.token)
        for plan_id, entry in self.entries.items():
            key = FeedKey(FeedKind.PLAN, str(plan_id))
            digest = _digest(entry.plan.feed_token)
            # The short form keeps working when a draft's number changes the slug.
            for slug in (entry.plan.slug, f"ke-hoach-{plan_id}"):
                self._routes[(digest, slug)] = (key, entry.plan.feed_token)

    # --- finding a feed ------------------------------------------------------------------

    def resolve(self, token: str, slug: str) -> FeedKey | None:
        """The feed a URL names; None for an unknown token or slug (the caller says 404).

        The token is found by its hash and then compared in constant time, so response
        times tell nothing about how much of a guess was right. This is the hot path of
        every calendar poll: one hash, one lookup, one comparison.
        """
        found = self._routes.get((_digest(token), slug))
        if found is None:
            return None
        key, secret = found
        return key if hmac.compare_digest(secret, token) else None

    def owner_of(self, token: str) -> FeedUnit | FeedPlan | None:
        found = self._by_token.get(_digest(token))
        if found is None:
            return None
        kind, owner = found
        if kind == "plan":
            plan = self.entries[int(owner)].plan
            return plan if hmac.compare_digest(plan.feed_token, token) else None
        unit = self.units[owner]
        return unit if hmac.compare_digest(unit.token, token) else None

    def find_item(self, local_uid: str) -> tuple[PlanEntry, FeedItem] | None:
        """An item shown in some feed, by the part of its UID before '@'."""
        found = self._items.get(local_uid)
        return None if found is None else (self.entries[found[0]], found[1])

    def keys_of(self, owner: FeedUnit | FeedPlan) -> tuple[FeedKey, ...]:
        """The feeds a token opens."""
        if isinstance(owner, FeedPlan):
            return (FeedKey(FeedKind.PLAN, str(owner.id)),)
        return tuple(FeedKey(kind, owner.id) for kind in UNIT_KINDS)

    def slug(self, key: FeedKey) -> str:
        if key.kind is FeedKind.PLAN:
            return self.entries[int(key.owner)].plan.slug
        return f"{key.owner}-{key.kind.value}"

    def token(self, key: FeedKey) -> str:
        if key.kind is FeedKind.PLAN:
            return self.entries[int(key.owner)].plan.feed_token
        return self.units[key.owner].token

    def feed_keys(self, *, with_empty_followed: bool = False) -> Iterator[FeedKey]:
        """Every feed: three per active unit, the office feed of units that follow plans,
        one per published plan."""
        for unit_id in sorted(self.units):
            if not self.units[unit_id].active:
                continue
            for kind in UNIT_KINDS:
                if kind is not FeedKind.FOLLOWED or with_empty_followed or (
                        unit_id in self._followed):
                    yield FeedKey(kind, unit_id)
        for plan_id in sorted(self.entries):
            yield FeedKey(FeedKind.PLAN, str(plan_id))

    def plans_of(self, unit_id: str) -> tuple[FeedPlan, ...]:
        """The published plans a unit takes part in or follows, in id order."""
        ids = sorted(set(self._unit_plans.get(unit_id, ())) | set(self._followed.get(unit_id, ())))
        return tuple(self.entries[i].plan for i in ids)

    def follows(self, unit_id: str) -> bool:
        return unit_id in self._followed

    def exists(self, key: FeedKey) -> bool:
        if key.kind is FeedKind.PLAN:
            return key.owner.isdigit() and int(key.owner) in self.entries
        unit = self.units.get(key.owner)
        return unit is not None and unit.active

    # --- what a feed holds ---------------------------------------------------------------

    def name(self, key: FeedKey) -> tuple[str, str]:
        """(calendar name, description) in Vietnamese."""
        if key.kind is FeedKind.PLAN:
            plan = self.entries[int(key.owner)].plan
            return (f"{plan.number or 'Kế hoạch'}: {shorten(plan.title, 60)}",
                    f"{plan.label}: {plan.title}")
        unit = self.units[key.owner].name
        return {
            FeedKind.ALL: (f"Lịch công tác – {unit}",
                           f"Hoạt động và hạn báo cáo của {unit} theo các kế hoạch"),
            FeedKind.ACTIVITIES: (f"Hoạt động – {unit}",
                                  f"Các hoạt động {unit} chủ trì hoặc phối hợp"),
            FeedKind.DEADLINES: (f"Hạn báo cáo – {unit}", f"Các hạn báo cáo của {unit}"),
            FeedKind.FOLLOWED: (f"Theo dõi kế hoạch – {unit}",
                                f"Mọi hoạt động và hạn báo cáo của các kế hoạch {unit} "
                                "làm đầu mối theo dõi"),
        }[key.kind]

    def pieces(self, key: FeedKey) -> list[Piece]:
        """Every event of the feed as it shows there, unfiltered and unsorted."""
        if key.kind is FeedKind.PLAN:
            return list(self.entries[int(key.owner)].everyone)
        found: list[Piece] = []
        if key.kind is FeedKind.FOLLOWED:
            for plan_id in self._followed.get(key.owner, ()):
                found += self.entries[plan_id].everyone
            return found
        for plan_id in self._unit_plans.get(key.owner, ()):
            entry = self.entries[plan_id]
            if key.kind in (FeedKind.ALL, FeedKind.ACTIVITIES):
                found += entry.activities.get(key.owner, ())
            if key.kind in (FeedKind.ALL, FeedKind.DEADLINES):
                found += entry.deadlines.get(key.owner, ())
        return found

    def render(self, key: FeedKey, window: Window) -> bytes:
        """The feed's bytes: deterministic for the same data, window and settings."""
        shows = window.shows
        chosen = [p for p in self.pieces(key) if shows(p[1])]
        chosen.sort(key=_first)
        return self._head(key) + b"".join(p[2] for p in chosen) + calendar.END_BYTES

    def _head(self, key: FeedKey) -> bytes:
        cached = self._heads.get(key)
        if cached is None:
            name, description = self.name(key)
            cached = self._heads[key] = calendar.head(name, description,
                                                      self.refresh_hours).encode()
        return cached


def _first(piece: Piece) -> tuple[str, str]:
    return piece[0]
