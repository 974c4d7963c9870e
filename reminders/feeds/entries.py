"""One published plan ready for feeds: its events, rendered bodies and who sees what (pure)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from reminders.feeds.events import EventSpec, plan_events
from reminders.feeds.model import FeedItem, FeedPlan, ItemKind, UnitLink, Variant
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
    for event in events:
        old = previous.bodies.get(event.uid) if reuse and previous else None
        same = old is not None and previous is not None and previous.item_revisions.get(
            event.item.uid) == event.item.revision
        bodies[event.uid] = old if same and old is not None else render_body(
            event, plan, base_url)
    pieces: dict[tuple[str, Variant], bytes] = {}

    def piece(event: EventSpec, variant: Variant) -> Piece:
        key = (event.uid, variant)
        found = pieces.get(key)
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
        item_revisions={item.uid: item.revision for item in items},
    )


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
