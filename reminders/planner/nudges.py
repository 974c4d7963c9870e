"""Report states × units × policy → the nudge and digest rows that should exist now (pure).

Nudges ("đôn đốc"): a unit whose report is overdue gets nudge 1 on the first working day
at least `first_after_days` after the effective deadline, then one every
`every_working_days` working days, `max_nudges` in all, each at the morning time of its
day. Only the nudge whose turn it is now is planned: nudge n's turn runs from its morning
to the next one's (for the last, to where a next one would be). So nothing is planned
ahead (a unit that reports first never gets one), and a service that was off for days
sends the nudge of today's turn, not every one it missed; once the turns are over, the
office's digest and its "Nhắc các đơn vị chưa báo cáo" button take over.

The digest ("bản tổng hợp"): on working days, from `digest_time`, one message per standing
office listing, per plan it follows, the units overdue and those due within three days.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from reminders.clock import VN_TZ, ensure_aware, local
from reminders.config import Settings
from reminders.planner.model import (
    ItemFacts,
    MessageKind,
    PlannerUnit,
    Role,
    digest_key,
    nudge_key,
)
from reminders.planner.report_facts import (
    DigestDeadline,
    DigestFacts,
    DigestPlan,
    DigestUnit,
    NudgeFacts,
    OutboxRow,
)
from reminders.reports import PlanView, ReportsView
from reminders.status import Cell, OccurrenceStatus, ReportState
from reminders.store.reports import ReportPlan
from reminders.workdays import WorkCalendar

DUE_SOON_DAYS = 3  # the digest's "due within the next three days" (calendar days)


@dataclass(frozen=True, slots=True, kw_only=True)
class NudgePolicy:
    """When nudges and digests go out; times are local (Asia/Ho_Chi_Minh)."""

    first_after_days: int = 1
    every_working_days: int = 2
    max_nudges: int = 3
    morning: time = time(8, 0)
    digest_time: time = time(8, 0)
    calendar: WorkCalendar = field(default_factory=WorkCalendar)

    def __post_init__(self) -> None:
        if self.first_after_days < 0 or self.every_working_days < 1 or self.max_nudges < 0:
            raise ValueError("nudges need first_after_days >= 0, every_working_days >= 1 "
                             "and max_nudges >= 0")

    @classmethod
    def from_settings(cls, settings: Settings) -> NudgePolicy:
        """The policy of the [reports], [reminders] and [workdays] sections."""
        r = settings.reports
        return cls(first_after_days=r.nudge_first_after_days,
                   every_working_days=r.nudge_every_working_days, max_nudges=r.nudge_max,
                   morning=settings.reminders.morning_time, digest_time=r.digest_time,
                   calendar=WorkCalendar.from_settings(settings.workdays))

    def nudge_days(self, due: date) -> tuple[date, ...]:
        """The days of nudges 1..max_nudges after an effective deadline `due`."""
        # A report is overdue only once its last day is over, so a first nudge "0 days
        # after" would go to units that still have the day: it waits for the next day.
        day = self.calendar.on_or_after(due + timedelta(days=max(1, self.first_after_days)))
        days = []
        for _ in range(self.max_nudges):
            days.append(day)
            day = self._after_working_days(day)
        return tuple(days)

    def turn(self, due: date, now: datetime) -> tuple[int, date] | None:
        """(number, day) of the nudge whose turn it is at `now`, or None (before the first
        one's morning, or after the last one's turn)."""
        days = self.nudge_days(due)
        ends = (*days[1:], self._after_working_days(days[-1])) if days else ()
        for number, (day, end) in enumerate(zip(days, ends, strict=True), start=1):
            if at_local(day, self.morning) <= now < at_local(end, self.morning):
                return number, day
        return None

    def _after_working_days(self, day: date) -> date:
        for _ in range(self.every_working_days):
            day = self.calendar.next_working_day(day)
        return day


def at_local(day: date, clock: time) -> datetime:
    """`clock` on `day` in Việt Nam, as UTC."""
    return datetime.combine(day, clock, tzinfo=VN_TZ).astimezone(UTC)


def deadline_facts(plan: ReportPlan, occurrence: OccurrenceStatus) -> ItemFacts:
    """The deadline occurrence as messages show it (as planner.plan shows a reminder's)."""
    occ = occurrence.occurrence
    return ItemFacts(uid=occ.deadline_uid, kind="deadline", role=Role.REPORTER,
                     plan_id=plan.id, plan_label=plan.label, plan_title=plan.title, code=None,
                     title=occ.title, time_text=occ.time_text, day=occ.due_date,
                     receiver=occ.receiver)


def plan_nudges(view: ReportsView, units: Mapping[str, PlannerUnit], policy: NudgePolicy, *,
                now: datetime) -> tuple[OutboxRow, ...]:
    """The nudge rows whose turn it is at `now`, one per overdue unit and channel.

    `view` holds the report states at `now` (reports.reports_view); `units` maps unit id
    to the unit with its channels (planner.reach.planner_units). Exempt units, units that
    reported and inactive ones get nothing; a withdrawn report counts as not reported.
    """
    now = ensure_aware(now)
    rows: list[OutboxRow] = []
    for plan_view in view.plans:
        for status in plan_view.reports.occurrences:
            overdue = [c for c in status.cells if c.state is ReportState.OVERDUE]
            turn = policy.turn(status.due, now) if overdue else None
            if turn is None:
                continue
            number, day = turn
            facts = NudgeFacts(number=number, due=status.due,
                               working_days_overdue=policy.calendar.working_days_between(
                                   status.due, day))
            rows += _nudge_rows(plan_view.plan, status, overdue, units, label=str(number),
                                due_at=at_local(day, policy.morning), facts=facts)
    return _sorted(rows)


def manual_nudges(plan: ReportPlan, status: OccurrenceStatus,
                  units: Mapping[str, PlannerUnit], *, now: datetime,
                  by: str) -> tuple[OutboxRow, ...]:
    """Nudges due at `now` to every unit that has not reported (open or overdue) for one
    occurrence: the office's button. The same `now` gives the same keys (a double submit
    sends once); a later press sends again."""
    now = ensure_aware(now)
    stamp = f"manual-{now:%Y%m%dT%H%M%SZ}"
    rows: list[OutboxRow] = []
    for cell in status.missing():
        facts = NudgeFacts(number=None, due=status.due,
                           working_days_overdue=cell.working_days_overdue, requested_by=by)
        rows += _nudge_rows(plan, status, (cell,), units, label=stamp, due_at=now, facts=facts)
    return _sorted(rows)


def _nudge_rows(plan: ReportPlan, status: OccurrenceStatus, cells: Iterable[Cell],
                units: Mapping[str, PlannerUnit], *, label: str, due_at: datetime,
                facts: NudgeFacts) -> list[OutboxRow]:
    item = deadline_facts(plan, status)
    rows = []
    for cell in cells:
        unit = units.get(cell.unit_id)
        if unit is None or not unit.active:
            continue
        rows += [OutboxRow(key=nudge_key(item.uid, item.day, unit.id, label, channel),
                           unit_id=unit.id, channel=channel, kind=MessageKind.NUDGE,
                           due_at=due_at, item=item, nudge=facts)
                 for channel in unit.channels]
    return rows


def plan_digests(view: ReportsView, units: Mapping[str, PlannerUnit], policy: NudgePolicy, *,
                 now: datetime) -> tuple[OutboxRow, ...]:
    """Today's digest rows, once `digest_time` has come on a working day: one per standing
    office and channel, for the offices with something to list."""
    moment = local(now)
    today = moment.date()
    if not policy.calendar.is_working_day(today) or moment.time() < policy.digest_time:
        return ()
    followed: dict[str, list[PlanView]] = defaultdict(list)
    for plan_view in view.plans:
        if plan_view.plan.standing_unit_id:
            followed[plan_view.plan.standing_unit_id].append(plan_view)
    rows: list[OutboxRow] = []
    for unit_id, plan_views in sorted(followed.items()):
        unit = units.get(unit_id)
        if unit is None or not unit.active or not unit.channels:
            continue
        plans = tuple(p for p in (digest_plan(v, today) for v in plan_views) if p is not None)
        if not plans:
            continue
        facts = DigestFacts(day=today, plans=plans)
        rows += [OutboxRow(key=digest_key(unit_id, today, channel), unit_id=unit_id,
                           channel=channel, kind=MessageKind.DIGEST,
                           due_at=at_local(today, policy.digest_time), digest=facts)
                 for channel in unit.channels]
    return _sorted(rows)


def digest_plan(plan_view: PlanView, today: date) -> DigestPlan | None:
    """What the digest says of one plan on `today`; None when nobody is overdue or due soon."""
    soon = today + timedelta(days=DUE_SOON_DAYS)
    overdue: list[DigestDeadline] = []
    due_soon: list[DigestDeadline] = []
    for status in plan_view.reports.occurrences:
        late = [c for c in status.cells if c.state is ReportState.OVERDUE]
        near = [c for c in status.cells if c.state is ReportState.OPEN and c.due <= soon]
        if late:
            overdue.append(_deadline(status, late))
        if near:
            due_soon.append(_deadline(status, near))
    if not overdue and not due_soon:
        return None
    plan = plan_view.plan
    return DigestPlan(plan_id=plan.id, label=plan.label, title=plan.title,
                      figures=plan_view.reports.figures, overdue=tuple(overdue),
                      due_soon=tuple(due_soon))


def _deadline(status: OccurrenceStatus, cells: Iterable[Cell]) -> DigestDeadline:
    return DigestDeadline(
        occurrence_id=status.occurrence.id, title=status.occurrence.title, due=status.due,
        units=tuple(DigestUnit(unit_id=c.unit_id, name=c.unit_name,
                               working_days_overdue=c.working_days_overdue, seen=c.is_seen)
                    for c in cells))


def _sorted(rows: Iterable[OutboxRow]) -> tuple[OutboxRow, ...]:
    return tuple(sorted(rows, key=lambda r: (r.due_at, r.unit_id, r.channel.value, r.key)))
