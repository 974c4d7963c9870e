"""One published plan ready for feeds: its events, rendered bodies and who sees what (pure)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from reminders.feeds.events import EventSpec, plan_events
from reminders.feeds.model import (
    FeedItem,
    FeedKey,
    FeedKind,
    FeedPlan,
    ItemKind,
    UnitLink,
    Variant,
)
from reminders.feeds.render import render_body, render_head

# An event as one feed shows it: its sort key, the event (for the window) and its bytes.
Piece = tuple[tuple[str, str], EventSpec, bytes]


@dataclass(frozen=True, slots=True, kw_only=True)
class PlanEntry:
    """A plan's events in order, each rendered once per way of seeing it, and every unit's
    share of them; feeds are then a filter, a sort and a join of ready bytes."""

    plan: FeedPlan
    events: tuple[EventSpec, ...]
    bodies: Mapping[str, str]  # event UID → body lines
    everyone: tuple[Piece, ...]  # the plan-wide view (plan and office feeds)
    activities: Mapping[str, tuple[Piece, ...]]  # unit id → its activity events
    deadlines: Mapping[str, tuple[Piece, ...]]  # unit id → the deadlines it reports on
    item_revisions: Mapping[str, int]
    pieces: Mapping[tuple[str, Variant], bytes]  # kept so an edit reuses the same objects

    @property
    def units(self) -> frozenset[str]:
        return frozenset(self.activities) | frozenset(self.deadlines)


def build_entry(plan: FeedPlan, items: Iterable[FeedItem],
                members: Mapping[str, frozenset[str]], base_url: str,
                previous: PlanEntry | None = None) -> PlanEntry:
    """Render a plan's events, reusing the bodies of `previous` for unchanged items.

    `members` maps a group id to its units; a group named in a plan stands for each
    of them. A unit named both as lead and partner of an activity sees it as lead.
    """
    items = tuple(items)
    reuse = previous is not None and (previous.plan.label, previous.plan.title) == (
        plan.label, plan.title)
    events = sorted((e for item in items for e in plan_events(item)), key=lambda e: e.sort_key)
    bodies: dict[str, str] = {}
    unchanged: set[str] = set()
    for event in events:
        old = previous.bodies.get(event.uid) if reuse and previous else None
        if old is not None and previous is not None and previous.item_revisions.get(
                event.item.uid) == event.item.revision:
            bodies[event.uid] = old
            unchanged.add(event.uid)
        else:
            bodies[event.uid] = render_body(event, plan, base_url)
    pieces: dict[tuple[str, Variant], bytes] = {}

    def piece(event: EventSpec, variant: Variant) -> Piece:
        key = (event.uid, variant)
        found = pieces.get(key)
        if found is None and previous is not None and event.uid in unchanged:
            found = previous.pieces.get(key)
            if found is not None:
                pieces[key] = found
        if found is None:
            text = f"BEGIN:VEVENT\r\n{render_head(event, variant)}{bodies[event.uid]}END:VEVENT\r\n"
            found = pieces[key] = text.encode()
        return event.sort_key, event, found

    roles = {item.uid: _roles(item, members) for item in items}
    activities: dict[str, list[Piece]] = defaultdict(list)
    deadlines: dict[str, list[Piece]] = defaultdict(list)
    everyone = []
    for event in events:
        deadline = event.item.kind is ItemKind.DEADLINE
        everyone.append(piece(event, Variant.DEADLINE if deadline else Variant.PLAIN))
        for unit_id, variant in roles[event.item.uid].items():
            (deadlines if deadline else activities)[unit_id].append(piece(event, variant))
    return PlanEntry(
        plan=plan, events=tuple(events), bodies=bodies, everyone=tuple(everyone),
        activities={u: tuple(s) for u, s in activities.items()},
        deadlines={u: tuple(s) for u, s in deadlines.items()},
        item_revisions={item.uid: item.revision for item in items}, pieces=pieces,
    )


def changed_feeds(old: PlanEntry | None, new: PlanEntry | None) -> set[FeedKey]:
    """The feeds whose events from this plan differ between two versions of it (either
    may be None: a plan published or withdrawn). Unchanged events are the same objects,
    so comparing is cheap; a plan-wide change (title, number) differs everywhere."""
    keys: set[FeedKey] = set()
    for attribute, kinds in (("activities", (FeedKind.ALL, FeedKind.ACTIVITIES)),
                             ("deadlines", (FeedKind.ALL, FeedKind.DEADLINES))):
        before = getattr(old, attribute) if old else {}
        after = getattr(new, attribute) if new else {}
        for unit in set(before) | set(after):
            if _bytes(before.get(unit, ())) != _bytes(after.get(unit, ())):
                keys |= {FeedKey(kind, unit) for kind in kinds}
    everyone_changed = _bytes(old.everyone if old else ()) != _bytes(new.everyone if new else ())
    plans = {e.plan.id for e in (old, new) if e}
    if everyone_changed or old is None or new is None or (
            old.plan.feed_token, old.plan.slug) != (new.plan.feed_token, new.plan.slug):
        keys |= {FeedKey(FeedKind.PLAN, str(pid)) for pid in plans}
    standing = {e.plan.standing_unit_id for e in (old, new) if e and e.plan.standing_unit_id}
    if everyone_changed or len(standing) > 1 or old is None or new is None:
        keys |= {FeedKey(FeedKind.FOLLOWED, unit) for unit in standing}
    return keys


def _bytes(pieces: tuple[Piece, ...]) -> list[bytes]:
    return [p[2] for p in pieces]


def _roles(item: FeedItem, members: Mapping[str, frozenset[str]]) -> dict[str, Variant]:
    if item.kind is ItemKind.DEADLINE:
        return dict.fromkeys(sorted(_expand(item.reporters, members)), Variant.DEADLINE)
    roles = dict.fromkeys(sorted(_expand(item.partners, members)), Variant.PARTNER)
    roles.update(dict.fromkeys(sorted(_expand(item.lead, members)), Variant.LEAD))
    return roles


def _expand(links: Iterable[UnitLink], members: Mapping[str, frozenset[str]]) -> set[str]:
    found: set[str] = set()
    for link in links:
        if link.unit_id:
            found.add(link.unit_id)
        if link.group_id:
            found |= members.get(link.group_id, frozenset())
    return found
