"""The printable list of units that have not reported ("Danh sách đơn vị chưa báo cáo").

One A4 page (HTML with print CSS, nothing fetched, no scripts) per plan: for each deadline
occurrence with units still owing their report, a numbered table of those units, how
late they are, and whether they confirmed getting the reminder ("seen, not reported" is
the case the office phones about).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from reminders.documents.wording import as_of, due_text, figures_line, seen_phrase, state_phrase
from reminders.reports import PlanView
from reminders.status import OccurrenceStatus, ReportState
from reminders.web.templating import render

TEMPLATE = "documents/missing.html"


@dataclass(frozen=True, slots=True, kw_only=True)
class MissingRow:
    number: int
    unit_name: str
    status: str  # "Quá hạn 4 ngày làm việc" / "Chưa đến hạn"
    overdue: bool
    seen: bool
    seen_text: str


@dataclass(frozen=True, slots=True, kw_only=True)
class MissingSection:
    """One deadline occurrence and the units that still owe it."""

    occurrence_id: int
    title: str
    time_text: str
    due: str
    figures: str
    rows: tuple[MissingRow, ...]


def missing_list_html(view: PlanView, *, now: datetime, occurrence_id: int | None = None,
                      due_until: date | None = None) -> str:
    """The printable page for one plan: every occurrence with units still owing a report
    (or only `occurrence_id`; or only those whose effective deadline is on or before
    `due_until`). Raises ValueError when the plan has no occurrence `occurrence_id`."""
    if occurrence_id is not None:
        chosen = view.occurrence(occurrence_id)
        if chosen is None:
            raise ValueError(f"Kế hoạch không có hạn báo cáo số {occurrence_id}.")
        occurrences: tuple[OccurrenceStatus, ...] = (chosen,)
    else:
        occurrences = view.reports.occurrences
    if due_until is not None:
        occurrences = tuple(o for o in occurrences if o.due <= due_until)
    sections = tuple(missing_section(o) for o in occurrences if o.missing())
    return render(TEMPLATE, plan_label=view.plan.label, plan_title=view.plan.title,
                  as_of=as_of(now), sections=sections,
                  figures=figures_line(view.reports.figures) if occurrence_id is None else "")


def missing_section(occurrence: OccurrenceStatus) -> MissingSection:
    rows = tuple(
        MissingRow(number=n, unit_name=cell.unit_name, status=state_phrase(cell),
                   overdue=cell.state is ReportState.OVERDUE, seen=cell.is_seen,
                   seen_text=seen_phrase(cell))
        for n, cell in enumerate(occurrence.missing(), start=1))
    return MissingSection(occurrence_id=occurrence.occurrence.id,
                          title=occurrence.occurrence.title,
                          time_text=occurrence.occurrence.time_text,
                          due=due_text(occurrence), figures=figures_line(occurrence.figures),
                          rows=rows)
