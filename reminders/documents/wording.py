"""How the documents word dates, states and figures, so all of them say it the same way."""

from __future__ import annotations

import re
from datetime import date, datetime

from reminders.clock import local
from reminders.status import Cell, Figures, OccurrenceStatus, ReportState, percent

# Not yet reported: the states a follow-up is about.
MISSING = (ReportState.OPEN, ReportState.OVERDUE)
# Control characters (a Word line break "\x0b" pasted into a title) are illegal in the XML of
# .xlsx and .docx files; openpyxl and lxml refuse them outright.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def xml_safe(text: str) -> str:
    """`text` with the control characters XML cannot hold turned into spaces."""
    return _CONTROL.sub(" ", text)


def day(value: date) -> str:
    """'26/12/2022'."""
    return f"{value:%d/%m/%Y}"


def moment(value: datetime) -> str:
    """'10:00 ngày 30/12/2022', in Asia/Ho_Chi_Minh."""
    seen = local(value)
    return f"{seen:%H:%M} ngày {seen:%d/%m/%Y}"


def as_of(now: datetime) -> str:
    """The line every document carries under its title."""
    return f"Số liệu tính đến {moment(now)}"


def shorten(text: str, limit: int) -> str:
    """`text` cut at a word boundary to at most `limit` characters, with '…' if cut."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    if text[len(cut)] != " " and " " in cut[limit // 2:]:  # mid-word: back to a space
        cut = cut[: cut.rindex(" ")]
    return cut.rstrip(" ,;:-") + "…"


def due_text(occurrence: OccurrenceStatus) -> str:
    """'26/12/2022', or '17/11/2024 (lùi sang 18/11/2024 do trùng ngày nghỉ)'."""
    written = day(occurrence.occurrence.due_date)
    if not occurrence.moved:
        return written
    return f"{written} (lùi sang {day(occurrence.due)} do trùng ngày nghỉ)"


def days_note(cell: Cell) -> str:
    """'(3 ngày)': working days late or overdue; empty otherwise."""
    if cell.state is ReportState.LATE:
        return f"({cell.working_days_late} ngày)"
    if cell.state is ReportState.OVERDUE:
        return f"({cell.working_days_overdue} ngày)"
    return ""


def state_phrase(cell: Cell) -> str:
    """'Quá hạn 4 ngày làm việc', 'Trễ hạn 2 ngày làm việc', or the plain state label."""
    if cell.state is ReportState.OVERDUE:
        return f"Quá hạn {cell.working_days_overdue} ngày làm việc"
    if cell.state is ReportState.LATE:
        return f"Trễ hạn {cell.working_days_late} ngày làm việc"
    return cell.state.label


def seen_phrase(cell: Cell) -> str:
    """Whether the unit confirmed it got the reminder: 'seen, not reported' matters."""
    if cell.seen is not None:
        return f"Đã nhận lúc {moment(cell.seen.at)}"
    if cell.submitted is not None:
        return "Đã nhận"
    return "Chưa xác nhận"


def figures_line(figures: Figures) -> str:
    """One line of figures for a page or a letter."""
    parts = [f"Phải báo cáo: {figures.expected}",
             f"Đã báo cáo: {figures.submitted} (đúng hạn {figures.on_time}, "
             f"trễ hạn {figures.late})",
             f"Chưa báo cáo: {figures.open + figures.overdue} (quá hạn {figures.overdue}, "
             f"chưa đến hạn {figures.open})"]
    if figures.seen_only:
        parts.append(f"Đã nhận tin nhắc nhưng chưa báo cáo: {figures.seen_only}")
    if figures.exempt:
        parts.append(f"Miễn: {figures.exempt}")
    parts.append(f"Tỷ lệ báo cáo: {percent(figures.reporting_rate)}")
    parts.append(f"Tỷ lệ đúng hạn: {percent(figures.on_time_rate)}")
    return " · ".join(parts)
