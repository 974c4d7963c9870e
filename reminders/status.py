"""Who has reported: per unit and deadline occurrence, per deadline, per plan (pure).

States follow the government's four-way count of tasks (done on time, done late, open
within the deadline, open overdue) plus "miễn" (exempt, set by the office). Rates follow
DHIS2: the reporting rate is reports received over reports expected, the on-time rate
reports received on time over reports expected. Only reports that are due count in the
denominator (received, or past their deadline): a report whose deadline is still ahead
neither helps nor hurts a rate until it arrives.

A deadline ends at the end of its day (Asia/Ho_Chi_Minh). With the office's setting
`workdays.deadline_on_day_off = "next_working_day"` (Civil Code art. 148), a deadline on a
weekend, holiday or day off ends at the end of the next working day instead.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime
from enum import StrEnum

from reminders.clock import local
from reminders.units.names import fold
from reminders.workdays import WorkCalendar

AS_WRITTEN = "as_written"
NEXT_WORKING_DAY = "next_working_day"


class ReportState(StrEnum):
    ON_TIME = "on_time"
    LATE = "late"
    OPEN = "open"  # not yet, deadline still ahead
    OVERDUE = "overdue"  # not yet, deadline passed
    EXEMPT = "exempt"

    @property
    def label(self) -> str:
        return STATE_LABELS[self]


STATE_LABELS = {
    ReportState.ON_TIME: "Đúng hạn",
    ReportState.LATE: "Trễ hạn",
    ReportState.OPEN: "Chưa đến hạn",
    ReportState.OVERDUE: "Quá hạn",
    ReportState.EXEMPT: "Miễn",
}


class SubmissionKind(StrEnum):
    SEEN = "seen"  # "Đã nhận": the unit saw the reminder
    SUBMITTED = "submitted"  # "Đã gửi báo cáo"


class Via(StrEnum):
    LINK = "link"
    DASHBOARD = "dashboard"
    API = "api"


VIA_LABELS = {Via.LINK: "liên kết trong tin nhắc", Via.DASHBOARD: "văn phòng ghi nhận",
              Via.API: "API"}


@dataclass(frozen=True, slots=True, kw_only=True)
class Occurrence:
    """One due day of one deadline of a plan."""

    id: int
    plan_id: int
    deadline_id: int
    deadline_uid: str
    title: str
    time_text: str  # as the plan writes it
    due_date: date  # as written (the last day)
    receiver: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class Expectation:
    """A unit is expected to report for an occurrence (or exempt from it)."""

    occurrence_id: int
    unit_id: str
    unit_name: str
    exempt: bool = False
    exempt_reason: str | None = None
    added_by_office: bool = False


@dataclass(frozen=True, slots=True, kw_only=True)
class Submission:
    """A record that a unit saw the reminder or sent its report; withdrawn ones stay."""

    id: int
    occurrence_id: int
    unit_id: str
    kind: SubmissionKind
    via: Via
    at: datetime  # aware
    by_user: str | None = None
    document_number: str | None = None  # "Số văn bản"
    document_date: date | None = None
    note: str | None = None
    withdrawn_at: datetime | None = None
    withdrawn_by: str | None = None
    withdrawn_reason: str | None = None

    @property
    def active(self) -> bool:
        return self.withdrawn_at is None

    def standing_at(self, now: datetime) -> bool:
        """Recorded by `now` and not withdrawn by then: states are as of a moment, so a
        view of the past (or a rehearsal with --now) ignores what came later."""
        return self.at <= now and (self.withdrawn_at is None or self.withdrawn_at > now)


@dataclass(frozen=True, slots=True)
class Rules:
    """How deadlines are read: the working calendar and the day-off rule."""

    calendar: WorkCalendar
    on_day_off: str = AS_WRITTEN

    def __post_init__(self) -> None:
        if self.on_day_off not in (AS_WRITTEN, NEXT_WORKING_DAY):
            raise ValueError(f"unknown deadline_on_day_off {self.on_day_off!r}")

    def effective_due(self, due: date) -> date:
        """The last day a report is on time."""
        if self.on_day_off == NEXT_WORKING_DAY:
            return self.calendar.on_or_after(due)
        return due


@dataclass(frozen=True, slots=True, kw_only=True)
class Cell:
    """One unit's report for one occurrence."""

    occurrence_id: int
    unit_id: str
    unit_name: str
    state: ReportState
    due: date  # effective last day
    submitted: Submission | None = None  # the report that counts (the first one not withdrawn)
    seen: Submission | None = None  # the first "Đã nhận" not withdrawn
    working_days_late: int = 0  # LATE: working days after the deadline it arrived
    working_days_overdue: int = 0  # OVERDUE: working days since the deadline, up to today
    exempt_reason: str | None = None
    added_by_office: bool = False

    @property
    def is_seen(self) -> bool:
        """Seen, counting a report sent as seen."""
        return self.seen is not None or self.submitted is not None


@dataclass(frozen=True, slots=True, kw_only=True)
class Figures:
    """The four-way count, exempt, and the rates (None when nothing is due yet)."""

    expected: int = 0  # not exempt
    on_time: int = 0
    late: int = 0
    open: int = 0
    overdue: int = 0
    exempt: int = 0
    seen_only: int = 0  # open or overdue, but the unit confirmed it saw the reminder

    @property
    def submitted(self) -> int:
        return self.on_time + self.late

    @property
    def due(self) -> int:
        """Reports that count in the rates: received, or past their deadline."""
        return self.on_time + self.late + self.overdue

    @property
    def reporting_rate(self) -> float | None:
        return self.submitted / self.due if self.due else None

    @property
    def on_time_rate(self) -> float | None:
        return self.on_time / self.due if self.due else None

    def __add__(self, other: Figures) -> Figures:
        return Figures(expected=self.expected + other.expected,
                       on_time=self.on_time + other.on_time, late=self.late + other.late,
                       open=self.open + other.open, overdue=self.overdue + other.overdue,
                       exempt=self.exempt + other.exempt,
                       seen_only=self.seen_only + other.seen_only)

    def to_json(self) -> dict[str, object]:
        return {"expected": self.expected, "submitted": self.submitted,
                "on_time": self.on_time, "late": self.late, "open": self.open,
                "overdue": self.overdue, "exempt": self.exempt, "seen_only": self.seen_only,
                "due": self.due, "reporting_rate": _rounded(self.reporting_rate),
                "on_time_rate": _rounded(self.on_time_rate)}


@dataclass(frozen=True, slots=True, kw_only=True)
class OccurrenceStatus:
    occurrence: Occurrence
    due: date  # effective last day
    moved: bool  # the day-off rule moved the deadline
    cells: tuple[Cell, ...]  # by unit name
    figures: Figures

    def cell(self, unit_id: str) -> Cell | None:
        return next((c for c in self.cells if c.unit_id == unit_id), None)

    def missing(self) -> tuple[Cell, ...]:
        """The units that have not reported (open or overdue)."""
        return tuple(c for c in self.cells
                     if c.state in (ReportState.OPEN, ReportState.OVERDUE))


@dataclass(frozen=True, slots=True, kw_only=True)
class PlanReports:
    plan_id: int
    occurrences: tuple[OccurrenceStatus, ...]  # by due day, then deadline order
    figures: Figures

    def units(self) -> tuple[tuple[str, str], ...]:
        """(unit id, name) of every unit expected at least once, by name."""
        seen: dict[str, str] = {}
        for occ in self.occurrences:
            for cell in occ.cells:
                seen.setdefault(cell.unit_id, cell.unit_name)
        return tuple(sorted(seen.items(), key=lambda kv: (_sort_name(kv[1]), kv[0])))


def cell_state(expectation: Expectation, submissions: Sequence[Submission], due: date,
               now: datetime, rules: Rules) -> Cell:
    """The state of one unit's report at `now`; `submissions` are that unit's for the
    occurrence."""
    today = local(now).date()
    active = sorted((s for s in submissions if s.standing_at(now)), key=lambda s: (s.at, s.id))
    report = next((s for s in active if s.kind is SubmissionKind.SUBMITTED), None)
    seen = next((s for s in active if s.kind is SubmissionKind.SEEN), None)
    base = Cell(occurrence_id=expectation.occurrence_id, unit_id=expectation.unit_id,
                unit_name=expectation.unit_name, state=ReportState.OPEN, due=due,
                submitted=report, seen=seen, exempt_reason=expectation.exempt_reason,
                added_by_office=expectation.added_by_office)
    if expectation.exempt:
        return _with(base, state=ReportState.EXEMPT)
    if report is not None:
        day = local(report.at).date()
        if day <= due:
            return _with(base, state=ReportState.ON_TIME)
        return _with(base, state=ReportState.LATE,
                     working_days_late=max(1, rules.calendar.working_days_between(due, day)))
    if today > due:
        return _with(base, state=ReportState.OVERDUE,
                     working_days_overdue=rules.calendar.working_days_between(due, today))
    return base


def figures_of(cells: Iterable[Cell]) -> Figures:
    counts: dict[ReportState, int] = defaultdict(int)
    seen_only = 0
    for cell in cells:
        counts[cell.state] += 1
        if cell.state in (ReportState.OPEN, ReportState.OVERDUE) and cell.seen is not None:
            seen_only += 1
    return Figures(expected=sum(n for s, n in counts.items() if s is not ReportState.EXEMPT),
                   on_time=counts[ReportState.ON_TIME], late=counts[ReportState.LATE],
                   open=counts[ReportState.OPEN], overdue=counts[ReportState.OVERDUE],
                   exempt=counts[ReportState.EXEMPT], seen_only=seen_only)


def occurrence_status(occurrence: Occurrence, expectations: Iterable[Expectation],
                      submissions: Iterable[Submission], *, now: datetime,
                      rules: Rules) -> OccurrenceStatus:
    due = rules.effective_due(occurrence.due_date)
    by_unit: dict[str, list[Submission]] = defaultdict(list)
    for s in submissions:
        if s.occurrence_id == occurrence.id:
            by_unit[s.unit_id].append(s)
    cells = tuple(sorted(
        (cell_state(e, by_unit.get(e.unit_id, ()), due, now, rules)
         for e in expectations if e.occurrence_id == occurrence.id),
        key=lambda c: (_sort_name(c.unit_name), c.unit_id)))
    return OccurrenceStatus(occurrence=occurrence, due=due, moved=due != occurrence.due_date,
                            cells=cells, figures=figures_of(cells))


def plan_reports(plan_id: int, occurrences: Iterable[Occurrence],
                 expectations: Iterable[Expectation], submissions: Iterable[Submission], *,
                 now: datetime, rules: Rules) -> PlanReports:
    """Every occurrence of one plan with its cells and figures, and the plan's figures."""
    mine = sorted((o for o in occurrences if o.plan_id == plan_id),
                  key=lambda o: (o.due_date, o.deadline_id, o.id))
    ids = {o.id for o in mine}
    expected: dict[int, list[Expectation]] = defaultdict(list)
    for e in expectations:
        if e.occurrence_id in ids:
            expected[e.occurrence_id].append(e)
    sent: dict[int, list[Submission]] = defaultdict(list)
    for s in submissions:
        if s.occurrence_id in ids:
            sent[s.occurrence_id].append(s)
    statuses = tuple(occurrence_status(o, expected[o.id], sent[o.id], now=now, rules=rules)
                     for o in mine)
    total = Figures()
    for status in statuses:
        total = total + status.figures
    return PlanReports(plan_id=plan_id, occurrences=statuses, figures=total)


def percent(rate: float | None) -> str:
    """"87,5 %" (Vietnamese decimal comma), or "—" when nothing is due yet."""
    if rate is None:
        return "—"
    text = f"{rate * 100:.1f}".replace(".", ",")
    return f"{text.removesuffix(',0')} %"


def _rounded(rate: float | None) -> float | None:
    return None if rate is None else round(rate, 4)


def _with(cell: Cell, **changes: object) -> Cell:
    return replace(cell, **changes)  # type: ignore[arg-type]


def _sort_name(name: str) -> str:
    return fold(name)
