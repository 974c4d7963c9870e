"""Report states as lines of text for the terminal (`reminders reports status`)."""

from __future__ import annotations

from reminders.clock import local
from reminders.reports import PlanView
from reminders.status import Cell, Figures, OccurrenceStatus, ReportState, percent

_VIA = {"link": "qua liên kết", "dashboard": "văn phòng ghi", "api": "qua API"}


def figures_line(f: Figures) -> str:
    """'25 đơn vị phải báo cáo: 3 đúng hạn, 1 trễ hạn, 0 chưa đến hạn, 21 quá hạn, 0 miễn;
    đã báo cáo 16 %, đúng hạn 12 %'."""
    exempt = f", {f.exempt} miễn" if f.exempt else ""
    return (f"{f.expected} phải báo cáo: {f.on_time} đúng hạn, {f.late} trễ hạn, "
            f"{f.open} chưa đến hạn, {f.overdue} quá hạn{exempt}; "
            f"tỷ lệ báo cáo {percent(f.reporting_rate)}, đúng hạn {percent(f.on_time_rate)}")


def cell_text(cell: Cell) -> str:
    label = cell.state.label
    if cell.state is ReportState.OVERDUE:
        label += f" {cell.working_days_overdue} ngày làm việc"
    elif cell.state is ReportState.LATE:
        label += f" {cell.working_days_late} ngày làm việc"
    elif cell.state is ReportState.EXEMPT and cell.exempt_reason:
        label += f" ({cell.exempt_reason})"
    if cell.submitted is not None:
        s = cell.submitted
        number = f", số {s.document_number}" if s.document_number else ""
        label += f" — nộp {local(s.at):%d/%m/%Y} {_VIA.get(s.via.value, s.via.value)}{number}"
    elif cell.seen is not None:
        label += f" — đã nhận tin {local(cell.seen.at):%d/%m/%Y}"
    return label


def occurrence_lines(status: OccurrenceStatus, *, detail: bool) -> list[str]:
    o = status.occurrence
    moved = f" (tính đến {status.due:%d/%m/%Y}, ngày nghỉ)" if status.moved else ""
    lines = [f"  Hạn #{o.id}  {o.title} — hạn {o.due_date:%d/%m/%Y}{moved}",
             f"      {figures_line(status.figures)}"]
    if detail:
        lines += [f"      • {c.unit_name} [{c.unit_id}]: {cell_text(c)}" for c in status.cells]
    else:
        overdue = [c for c in status.cells if c.state is ReportState.OVERDUE]
        if overdue:
            names = ", ".join(c.unit_name for c in overdue[:8])
            more = f" và {len(overdue) - 8} đơn vị khác" if len(overdue) > 8 else ""
            lines.append(f"      Quá hạn: {names}{more}")
    return lines


def plan_lines(view: PlanView, *, detail: bool) -> list[str]:
    """The plan, its totals, and each occurrence (every unit when `detail`)."""
    lines = [f"#{view.plan.id}  {view.plan.label}"]
    if view.plan.title.strip():
        lines.append(f"    {view.plan.title}")
    if not view.reports.occurrences:
        return [*lines, "    Kế hoạch không có hạn báo cáo."]
    lines.append(f"    Cả kế hoạch: {figures_line(view.reports.figures)}")
    for status in view.reports.occurrences:
        lines += occurrence_lines(status, detail=detail)
    return lines
