"""What the plan pages show, built from report states (pure): cards, bars, timeline, matrix."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from reminders.clock import local
from reminders.domain import PlanStatus
from reminders.reports import PlanView
from reminders.status import Cell, Figures, OccurrenceStatus, ReportState, percent
from reminders.store.plan_detail import StoredActivity, UnitLink

# CSS class suffix of each state; the colours are in base.html, next to the legend's.
STATE_CSS = {
    ReportState.ON_TIME: "on-time",
    ReportState.LATE: "late",
    ReportState.OPEN: "open",
    ReportState.OVERDUE: "overdue",
    ReportState.EXEMPT: "exempt",
}
# The order of the bar and of the legend: done, then what still waits, then exempt.
BAR_ORDER = (ReportState.ON_TIME, ReportState.LATE, ReportState.OVERDUE, ReportState.OPEN,
             ReportState.EXEMPT)
SEEN_LABEL = "Đã nhận"
UNDATED = "Chưa xác định thời gian"


@dataclass(frozen=True, slots=True)
class Segment:
    css: str
    label: str
    count: int
    width: str  # a CSS percentage, "12.5%"


@dataclass(frozen=True, slots=True)
class Numbers:
    """A Figures as a page shows it: counts, rates in Vietnamese, and the bar."""

    figures: Figures
    reporting_rate: str
    on_time_rate: str
    bar: tuple[Segment, ...]

    @property
    def total(self) -> int:
        return self.figures.expected + self.figures.exempt


@dataclass(frozen=True, slots=True)
class NextDue:
    occurrence_id: int
    title: str
    due: str
    missing: int


@dataclass(frozen=True, slots=True)
class PlanCard:
    view: PlanView
    numbers: Numbers
    next_due: NextDue | None
    occurrences: int


@dataclass(frozen=True, slots=True)
class ActivityRow:
    title: str
    time_text: str
    when: str
    location: str | None
    lead: tuple[str, ...]
    partners: tuple[str, ...]
    tentative: bool


@dataclass(frozen=True, slots=True)
class Month:
    label: str
    activities: tuple[ActivityRow, ...]


@dataclass(frozen=True, slots=True)
class MatrixCell:
    occurrence_id: int
    state: str  # ReportState value, for data-state
    css: str
    label: str
    seen: bool  # "Đã nhận": the unit saw the reminder but has not reported
    detail: str


@dataclass(frozen=True, slots=True)
class Column:
    occurrence_id: int
    title: str
    due: str
    moved: bool
    numbers: Numbers


@dataclass(frozen=True, slots=True)
class Row:
    unit_id: str
    unit_name: str
    cells: tuple[MatrixCell | None, ...]  # None: not expected for that occurrence


@dataclass(frozen=True, slots=True)
class Matrix:
    columns: tuple[Column, ...]
    rows: tuple[Row, ...]


def day(value: date | None) -> str:
    return "" if value is None else f"{value:%d/%m/%Y}"


def numbers(figures: Figures) -> Numbers:
    counts = {ReportState.ON_TIME: figures.on_time, ReportState.LATE: figures.late,
              ReportState.OVERDUE: figures.overdue, ReportState.OPEN: figures.open,
              ReportState.EXEMPT: figures.exempt}
    total = sum(counts.values())
    bar = tuple(Segment(STATE_CSS[s], s.label, counts[s], f"{counts[s] * 100 / total:.3g}%")
                for s in BAR_ORDER if total and counts[s])
    return Numbers(figures=figures, reporting_rate=percent(figures.reporting_rate),
                   on_time_rate=percent(figures.on_time_rate), bar=bar)


def next_due(occurrences: Iterable[OccurrenceStatus], today: date) -> NextDue | None:
    """The first occurrence whose (effective) deadline is today or later."""
    for occ in occurrences:
        if occ.due >= today:
            return NextDue(occurrence_id=occ.occurrence.id, title=occ.occurrence.title,
                           due=day(occ.due), missing=len(occ.missing()))
    return None


def plan_cards(views: Iterable[PlanView], now: datetime) -> tuple[tuple[PlanCard, ...],
                                                                   tuple[PlanCard, ...]]:
    """(published, archived) plan cards, newest plan first; drafts are not followed up."""
    today = local(now).date()
    published: list[PlanCard] = []
    archived: list[PlanCard] = []
    for view in views:
        card = PlanCard(view=view, numbers=numbers(view.reports.figures),
                        next_due=next_due(view.reports.occurrences, today),
                        occurrences=len(view.reports.occurrences))
        if view.plan.status is PlanStatus.PUBLISHED:
            published.append(card)
        elif view.plan.status is PlanStatus.ARCHIVED:
            archived.append(card)
    return tuple(published), tuple(archived)


def cell_detail(cell: Cell) -> str:
    """One line on a cell: its state and what explains it."""
    parts = [cell.state.label]
    if cell.state is ReportState.LATE:
        parts[0] += f" {cell.working_days_late} ngày làm việc"
    elif cell.state is ReportState.OVERDUE:
        parts[0] += f" {cell.working_days_overdue} ngày làm việc"
    elif cell.state is ReportState.EXEMPT and cell.exempt_reason:
        parts.append(f"lý do: {cell.exempt_reason}")
    if cell.submitted is not None:
        parts.append(f"nhận lúc {local(cell.submitted.at):%H:%M %d/%m/%Y}")
        if cell.submitted.document_number:
            parts.append(f"số {cell.submitted.document_number}")
    elif cell.seen is not None:
        parts.append(f"{SEEN_LABEL.lower()} tin nhắc lúc {local(cell.seen.at):%H:%M %d/%m/%Y}")
    return "; ".join(parts)


def is_seen_only(cell: Cell) -> bool:
    return cell.seen is not None and cell.state in (ReportState.OPEN, ReportState.OVERDUE)


def matrix(view: PlanView) -> Matrix:
    """Rows of units (by name), columns of occurrences (by due day)."""
    occurrences = view.reports.occurrences
    columns = tuple(Column(occurrence_id=o.occurrence.id, title=o.occurrence.title,
                           due=day(o.due), moved=o.moved, numbers=numbers(o.figures))
                    for o in occurrences)
    rows = []
    for unit_id, name in view.reports.units():
        cells: list[MatrixCell | None] = []
        for occ in occurrences:
            cell = occ.cell(unit_id)
            cells.append(None if cell is None else MatrixCell(
                occurrence_id=occ.occurrence.id, state=cell.state.value,
                css=STATE_CSS[cell.state], label=cell.state.label, seen=is_seen_only(cell),
                detail=cell_detail(cell)))
        rows.append(Row(unit_id=unit_id, unit_name=name, cells=tuple(cells)))
    return Matrix(columns=columns, rows=tuple(rows))


def timeline(activities: Sequence[StoredActivity]) -> tuple[Month, ...]:
    """Activities by start day, grouped by month; those without a day come last."""
    ordered = sorted(activities, key=lambda a: (a.start_date is None,
                                                a.start_date or date.min, a.position))
    months: list[Month] = []
    for activity in ordered:
        label = f"Tháng {activity.start_date:%m/%Y}" if activity.start_date else UNDATED
        row = ActivityRow(title=activity.title, time_text=activity.time_text,
                          when=_when(activity), location=activity.location,
                          lead=_names(activity.lead), partners=_names(activity.partners),
                          tentative=activity.tentative)
        if months and months[-1].label == label:
            months[-1] = Month(label, (*months[-1].activities, row))
        else:
            months.append(Month(label, (row,)))
    return tuple(months)


def _when(activity: StoredActivity) -> str:
    start, end = activity.start_date, activity.end_date
    if start is None:
        return ""
    text = day(start) if end is None or end == start else f"{day(start)} – {day(end)}"
    if activity.start_at is not None and (end is None or end == start):
        text += f", {local(activity.start_at):%H:%M}"
    return text


def _names(links: Iterable[UnitLink]) -> tuple[str, ...]:
    return tuple(link.name for link in links)
