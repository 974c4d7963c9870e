"""Published plans × units × policy → the reminder rows that should exist (pure)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from datetime import UTC, date, datetime, time, timedelta

from reminders.clock import VN_TZ, ensure_aware
from reminders.feeds.model import FeedItem, FeedPlan, ItemKind, UnitLink
from reminders.planner.model import (
    ItemFacts,
    MessageKind,
    PlannerUnit,
    Reminder,
    Role,
    reminder_key,
)
from reminders.planner.policy import Policy

Plans = Mapping[int, tuple[FeedPlan, tuple[FeedItem, ...]]]
# A timed item's last reminder must leave time to get there.
LEAD_TIME = timedelta(hours=1)


def desired(plans: Plans, units: Mapping[str, PlannerUnit], policy: Policy, *,
            now: datetime) -> tuple[Reminder, ...]:
    """Every stage reminder the published plans call for, sorted by (due_at, unit, channel, key).

    `plans` is what store.feed_data.load_plans gives; `units` maps unit id to the unit.
    Stages already in the past are kept (reconcile decides what to insert); only
    occurrences that are over as of `now` are left out. Raises ValueError for a naive `now`.
    """
    now = ensure_aware(now)
    members = _members(units)
    found: list[Reminder] = []
    for plan_id in sorted(plans):
        plan, items = plans[plan_id]
        for item in items:
            if item.removed_at is not None:
                continue
            recipients = _recipients(item, units, members, policy)
            if not recipients:
                continue
            for day, clock in _occurrences(item):
                begin, over = occurrence_bounds(day, clock)
                if over <= now:
                    continue
                timed = clock is not None
                for unit_id, role in recipients.items():
                    unit = units[unit_id]
                    facts = _facts(plan, item, day, clock, role)
                    stages = _stages(unit, item.kind, policy)
                    for stage, moment in _moments(day, begin if timed else None, over, stages,
                                                  policy).items():
                        found += [
                            Reminder(key=reminder_key(item.uid, day, unit_id, stage, channel),
                                     unit_id=unit_id, channel=channel,
                                     kind=MessageKind.REMINDER, due_at=moment, stage=stage,
                                     item=facts)
                            for channel in unit.channels
                        ]
    return tuple(sorted(found, key=lambda r: (r.due_at, r.unit_id, r.channel.value, r.key)))


def occurrence_bounds(day: date, start_time: str | None) -> tuple[datetime, datetime]:
    """(begin, over) of one occurrence, in UTC: a timed item begins and is over at its start
    (reminding of it later is pointless); an all-day item runs from midnight to midnight."""
    clock = parse_clock(start_time)
    if clock is not None:
        start = _utc(day, clock)
        return start, start
    return _utc(day, time(0, 0)), _utc(day + timedelta(days=1), time(0, 0))


def parse_clock(text: str | None) -> time | None:
    """'07:00' → time(7, 0); None or an unreadable text → None (the item is all-day)."""
    if not text:
        return None
    hours, _, minutes = text.partition(":")
    try:
        return time(int(hours), int(minutes or 0))
    except ValueError:
        return None


def _occurrences(item: FeedItem) -> list[tuple[date, str | None]]:
    """(day, start time) per occurrence: an activity's span starts (one per day), a
    deadline's due days. A deadline without stored occurrences falls back on its spans,
    whose start is usually open ("trước ngày 27/12"), hence the end when there is none."""
    if item.kind is ItemKind.DEADLINE:
        days = item.occurrences or tuple(d for s in item.spans for d in (s.start or s.end,) if d)
        return [(d, None) for d in sorted(set(days))]
    found: dict[date, str | None] = {}
    for span in item.spans:
        if span.start is not None and span.start not in found:
            found[span.start] = span.time if parse_clock(span.time) else None
    return sorted(found.items())


def _members(units: Mapping[str, PlannerUnit]) -> dict[str, set[str]]:
    members: dict[str, set[str]] = defaultdict(set)
    for unit in units.values():
        if unit.active:
            for group in unit.groups:
                members[group].add(unit.id)
    return members


def _expand(links: Iterable[UnitLink], units: Mapping[str, PlannerUnit],
            members: Mapping[str, set[str]]) -> set[str]:
    found: set[str] = set()
    for link in links:
        unit = units.get(link.unit_id) if link.unit_id else None
        if unit is not None and unit.active:
            found.add(unit.id)
        if link.group_id:
            found |= members.get(link.group_id, set())
    return found


def _recipients(item: FeedItem, units: Mapping[str, PlannerUnit],
                members: Mapping[str, set[str]], policy: Policy) -> dict[str, Role]:
    """Unit id → role; as in the feeds, a unit both lead and partner is lead."""
    if item.kind is ItemKind.DEADLINE:
        return dict.fromkeys(sorted(_expand(item.reporters, units, members)), Role.REPORTER)
    roles: dict[str, Role] = {}
    for unit_id in sorted(_expand(item.partners, units, members)):
        wanted = units[unit_id].partner_reminders
        if policy.partner_reminders if wanted is None else wanted:
            roles[unit_id] = Role.PARTNER
    roles.update(dict.fromkeys(sorted(_expand(item.lead, units, members)), Role.LEAD))
    return roles


def _stages(unit: PlannerUnit, kind: ItemKind, policy: Policy) -> tuple[int, ...]:
    if kind is ItemKind.DEADLINE:
        own, default = unit.deadline_stages, policy.deadline_stages
    else:
        own, default = unit.activity_stages, policy.activity_stages
    return default if own is None else own


def _moments(day: date, start: datetime | None, over: datetime, stages: Iterable[int],
             policy: Policy) -> dict[int, datetime]:
    """Stage → when it is sent (UTC). Stages landing on the same moment (a weekend pushes
    "1d" and "0d" to the same Friday) are one message: the one nearest the item."""
    latest = start - LEAD_TIME if start is not None else over - timedelta(microseconds=1)
    chosen: dict[datetime, int] = {}
    for stage in sorted(set(stages)):
        moment = _stage_moment(day, stage, latest, policy)
        if moment is not None:
            chosen.setdefault(moment, stage)
    return {stage: moment for moment, stage in chosen.items()}


def _stage_moment(day: date, stage: int, latest: datetime, policy: Policy) -> datetime | None:
    calendar = policy.calendar
    when, clock = day - timedelta(days=stage), policy.stage_time
    if not calendar.is_working_day(when):
        when, clock = calendar.previous_working_day(when), policy.work_start
    moment = _utc(when, clock)
    if moment > latest:
        # Too late on the item's own day (before 09:00 for a 08:30 meeting): the working
        # day before, first thing.
        moment = _utc(calendar.previous_working_day(when), policy.work_start)
    return moment if moment <= latest else None


def _facts(plan: FeedPlan, item: FeedItem, day: date, clock: str | None,
           role: Role) -> ItemFacts:
    return ItemFacts(
        uid=item.uid, kind=item.kind.value, role=role, plan_id=plan.id,
        plan_label=plan.label, plan_title=plan.title, code=item.code, title=item.title,
        time_text=item.time_text, day=day, start_time=clock, location=item.location,
        lead_names=tuple(link.name for link in item.lead),
        partner_names=tuple(link.name for link in item.partners),
        receiver=item.receiver, tentative=item.tentative,
    )


def _utc(day: date, clock: time) -> datetime:
    return datetime.combine(day, clock, tzinfo=VN_TZ).astimezone(UTC)
