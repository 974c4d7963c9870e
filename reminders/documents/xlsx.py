"""The status workbook (.xlsx): a summary sheet, then one sheet per plan with its matrix.

A plan's sheet has a title block, the matrix (a row per expected unit, a column per
deadline occurrence, each cell the unit's state coloured by state), the figures per
occurrence with the plan's totals, and a legend.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable, Sequence
from datetime import UTC, datetime

from openpyxl import Workbook
from openpyxl.cell.cell import Cell as SheetCell
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.hyperlink import Hyperlink
from openpyxl.worksheet.worksheet import Worksheet

from reminders.documents.wording import MISSING, as_of, day, days_note, shorten, xml_safe
from reminders.reports import PlanView
from reminders.status import Cell, Figures, OccurrenceStatus, ReportState

SUMMARY_TITLE = "Tổng hợp"
HEADER_ROW = 6  # of a plan's sheet; the units start on the row below
FIRST_OCCURRENCE_COLUMN = 3  # A: STT, B: Đơn vị

# ARGB fills; the tests and the legend read them from here.
STATE_FILLS: dict[ReportState, str] = {
    ReportState.ON_TIME: "FFC6EFCE",  # green
    ReportState.OPEN: "FFBDD7EE",  # blue
    ReportState.LATE: "FFFFCC99",  # orange
    ReportState.OVERDUE: "FFFF8F8F",  # red
    ReportState.EXEMPT: "FFD9D9D9",  # grey
}
LEGEND_ORDER = (ReportState.ON_TIME, ReportState.LATE, ReportState.OPEN,
                ReportState.OVERDUE, ReportState.EXEMPT)

# (label, value) of the figures rows and columns; rates are fractions shown as percents.
FIGURES: tuple[tuple[str, Callable[[Figures], int | float | None]], ...] = (
    ("Phải báo cáo", lambda f: f.expected),
    ("Đã báo cáo", lambda f: f.submitted),
    ("Đúng hạn", lambda f: f.on_time),
    ("Trễ hạn", lambda f: f.late),
    ("Chưa đến hạn", lambda f: f.open),
    ("Quá hạn", lambda f: f.overdue),
    ("Đã nhận tin, chưa báo cáo", lambda f: f.seen_only),
    ("Miễn", lambda f: f.exempt),
    ("Tỷ lệ báo cáo", lambda f: f.reporting_rate),
    ("Tỷ lệ đúng hạn", lambda f: f.on_time_rate),
)
RATE_LABELS = frozenset({"Tỷ lệ báo cáo", "Tỷ lệ đúng hạn"})

_BOLD = Font(bold=True)
_WRAP = Alignment(wrap_text=True, vertical="top")
_CENTER = Alignment(wrap_text=True, horizontal="center", vertical="center")
_THIN = Side(style="thin", color="FF808080")
_BOX = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_HEAD_FILL = PatternFill("solid", fgColor="FFF2F2F2")
_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")
_LINE_HEIGHT = 15  # points per line of wrapped text
NAME_WIDTH = 45  # characters
OCCURRENCE_WIDTH = 22
SUMMARY_WIDTHS = (6, 45, 50, 10, *(12 for _ in FIGURES), 16)


def status_workbook(views: Sequence[PlanView], *, now: datetime) -> bytes:
    """The workbook of the report states of `views` as of `now`."""
    book = Workbook()
    summary = book.active
    summary.title = SUMMARY_TITLE
    titles = sheet_titles(views)
    _summary_sheet(summary, views, titles, now)
    for view, title in zip(views, titles, strict=True):
        _plan_sheet(book.create_sheet(title), view, now)
    book.properties.created = now.astimezone(UTC).replace(tzinfo=None)  # openpyxl: naive UTC
    book.properties.title = "Tình hình báo cáo"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def sheet_titles(views: Sequence[PlanView]) -> list[str]:
    """A sheet title per plan: its number, or 'Kế hoạch <id>'; legal in Excel and unique."""
    taken = {SUMMARY_TITLE.casefold()}
    titles = []
    for view in views:
        base = _FORBIDDEN.sub("-", xml_safe(view.plan.number or f"Kế hoạch {view.plan.id}"))
        base = " ".join(base.split()).strip("'") or f"Kế hoạch {view.plan.id}"
        title, n = base[:31].rstrip(" '"), 1
        while title.casefold() in taken:  # Excel compares sheet names case-blind
            n += 1
            suffix = f" ({n})"
            title = base[: 31 - len(suffix)].rstrip(" '") + suffix
        taken.add(title.casefold())
        titles.append(title)
    return titles


def cell_text(cell: Cell) -> str:
    """'Quá hạn (4 ngày)', 'Đúng hạn' + the document number, ... (days are working days)."""
    lines = [f"{cell.state.label} {days_note(cell)}".strip()]
    if cell.submitted is not None and cell.submitted.document_number:
        lines.append(f"Số VB: {cell.submitted.document_number}")
    if cell.state in MISSING and cell.seen is not None:
        lines.append("Đã nhận tin nhắc")
    return "\n".join(lines)


def occurrence_header(occurrence: OccurrenceStatus) -> str:
    text = f"{shorten(occurrence.occurrence.title, 60)}\nHạn: {day(occurrence.occurrence.due_date)}"
    if occurrence.moved:
        text += f"\n* lùi sang {day(occurrence.due)}"
    return text


def _summary_sheet(sheet: Worksheet, views: Sequence[PlanView], titles: Sequence[str],
                   now: datetime) -> None:
    _line(sheet, 1, "Tổng hợp tình hình báo cáo theo kế hoạch", Font(bold=True, size=14))
    _line(sheet, 2, as_of(now), Font(italic=True))
    head = ["STT", "Kế hoạch", "Trích yếu", "Số lần báo cáo", *(label for label, _ in FIGURES),
            "Trang tính"]
    _header(sheet, 4, head)
    total = Figures()
    row = 5
    for n, (view, title) in enumerate(zip(views, titles, strict=True), start=1):
        _put(sheet, row, 1, n)
        _put(sheet, row, 2, view.plan.label)
        # The link has a cell of its own: some spreadsheets do not wrap a linked cell.
        link = _put(sheet, row, len(SUMMARY_WIDTHS), title)
        quoted = title.replace("'", "''")  # a quote inside a quoted sheet name is doubled
        link.hyperlink = Hyperlink(ref=link.coordinate, location=f"'{quoted}'!A1")
        link.font = Font(color="FF0563C1", underline="single")
        _put(sheet, row, 3, view.plan.title)
        sheet.row_dimensions[row].height = _LINE_HEIGHT * max(
            _lines(view.plan.label, SUMMARY_WIDTHS[1]), _lines(view.plan.title, SUMMARY_WIDTHS[2]))
        _put(sheet, row, 4, len(view.reports.occurrences))
        _figures_across(sheet, row, 5, view.reports.figures)
        total = total + view.reports.figures
        row += 1
    _put(sheet, row, 2, "Cộng").font = _BOLD
    _put(sheet, row, 4, sum(len(v.reports.occurrences) for v in views)).font = _BOLD
    _figures_across(sheet, row, 5, total, bold=True)
    for column, width in enumerate(SUMMARY_WIDTHS, start=1):
        sheet.column_dimensions[get_column_letter(column)].width = width
    sheet.row_dimensions[4].height = 3 * _LINE_HEIGHT
    sheet.freeze_panes = "C5"
    _print_setup(sheet, title_rows="4:4", fit_width=True)


def _plan_sheet(sheet: Worksheet, view: PlanView, now: datetime) -> None:
    occurrences = view.reports.occurrences
    _line(sheet, 1, view.plan.label, Font(bold=True, size=14))
    _line(sheet, 2, view.plan.title, Font(italic=True))
    _line(sheet, 3, as_of(now))
    if view.plan.standing_name:
        _line(sheet, 4, f"Cơ quan thường trực: {view.plan.standing_name}")
    if not occurrences:
        _line(sheet, HEADER_ROW, "Kế hoạch không có hạn báo cáo nào.")
        sheet.column_dimensions["A"].width = 6
        return
    _header(sheet, HEADER_ROW, ["STT", "Đơn vị", *(occurrence_header(o) for o in occurrences)])
    sheet.row_dimensions[HEADER_ROW].height = 4 * _LINE_HEIGHT
    row = HEADER_ROW + 1
    for n, (unit_id, name) in enumerate(view.reports.units(), start=1):
        _put(sheet, row, 1, n)
        _put(sheet, row, 2, name)
        lines = _lines(name, NAME_WIDTH)
        for column, occurrence in enumerate(occurrences, start=FIRST_OCCURRENCE_COLUMN):
            found = occurrence.cell(unit_id)
            if found is None:  # not expected for this occurrence: left blank, no fill
                _put(sheet, row, column, None)
                continue
            text = cell_text(found)
            target = _put(sheet, row, column, text)
            target.fill = PatternFill("solid", fgColor=STATE_FILLS[found.state])
            lines = max(lines, _lines(text, OCCURRENCE_WIDTH))
        sheet.row_dimensions[row].height = lines * _LINE_HEIGHT
        row += 1
    row = _figures_block(sheet, row + 1, view)
    _legend(sheet, row + 1)
    sheet.column_dimensions["A"].width = 6
    sheet.column_dimensions["B"].width = NAME_WIDTH
    for column in range(FIRST_OCCURRENCE_COLUMN, FIRST_OCCURRENCE_COLUMN + len(occurrences) + 1):
        sheet.column_dimensions[get_column_letter(column)].width = OCCURRENCE_WIDTH
    sheet.freeze_panes = sheet.cell(HEADER_ROW + 1, FIRST_OCCURRENCE_COLUMN).coordinate
    # Many occurrences do not fit a page: print across pages with the names repeated.
    _print_setup(sheet, title_rows=f"{HEADER_ROW}:{HEADER_ROW}", title_cols="A:B",
                 fit_width=len(occurrences) <= 4)


def _figures_block(sheet: Worksheet, row: int, view: PlanView) -> int:
    """The figures per occurrence under their columns, the plan's in a last column."""
    occurrences = view.reports.occurrences
    total_column = FIRST_OCCURRENCE_COLUMN + len(occurrences)
    _header(sheet, row, ["", "Số liệu",
                         *(f"Hạn {day(o.occurrence.due_date)}" for o in occurrences),
                         "Cả kế hoạch"])
    for offset, (label, value) in enumerate(FIGURES, start=1):
        _put(sheet, row + offset, 2, label).font = _BOLD
        for column, occurrence in enumerate(occurrences, start=FIRST_OCCURRENCE_COLUMN):
            _figure(sheet, row + offset, column, label, value(occurrence.figures))
        _figure(sheet, row + offset, total_column, label, value(view.reports.figures))
        sheet.cell(row + offset, total_column).font = _BOLD
    return row + len(FIGURES) + 1


def _figures_across(sheet: Worksheet, row: int, first: int, figures: Figures, *,
                    bold: bool = False) -> None:
    for column, (label, value) in enumerate(FIGURES, start=first):
        _figure(sheet, row, column, label, value(figures))
        if bold:
            sheet.cell(row, column).font = _BOLD


def _figure(sheet: Worksheet, row: int, column: int, label: str,
            value: int | float | None) -> None:
    if value is None:  # a rate with nothing due yet
        _put(sheet, row, column, "—").alignment = _CENTER
        return
    target = _put(sheet, row, column, value)
    if label in RATE_LABELS:
        target.number_format = "0.0%"


def _legend(sheet: Worksheet, row: int) -> None:
    sheet.cell(row, 2, "Chú giải").font = _BOLD
    for offset, state in enumerate(LEGEND_ORDER, start=1):
        swatch = sheet.cell(row + offset, 2, state.label)
        swatch.fill = PatternFill("solid", fgColor=STATE_FILLS[state])
        swatch.border = _BOX
    notes = ("(N ngày): số ngày làm việc trễ hạn hoặc quá hạn.",
             "Ô trống: đơn vị không phải báo cáo lần này.",
             "* : hạn trùng ngày nghỉ, lùi sang ngày làm việc tiếp theo.",
             "Tỷ lệ tính trên số báo cáo đã nhận hoặc đã quá hạn.")
    for offset, note in enumerate(notes, start=len(LEGEND_ORDER) + 1):
        sheet.cell(row + offset, 2, note)


def _print_setup(sheet: Worksheet, *, title_rows: str, title_cols: str | None = None,
                 fit_width: bool) -> None:
    """A4 landscape, the header repeated on every printed page."""
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.orientation = sheet.ORIENTATION_LANDSCAPE
    sheet.print_title_rows = title_rows
    if title_cols:
        sheet.print_title_cols = title_cols
    if fit_width:
        sheet.sheet_properties.pageSetUpPr.fitToPage = True
        sheet.page_setup.fitToWidth, sheet.page_setup.fitToHeight = 1, 0


def _lines(text: str, width: float) -> int:
    """About how many lines `text` takes wrapped in a column `width` characters wide."""
    per_line = max(1, int(width * 1.15))  # a column's width counts digits; letters are narrower
    return sum(max(1, -(-len(part) // per_line)) for part in text.split("\n"))


def _header(sheet: Worksheet, row: int, values: Sequence[str]) -> None:
    for column, value in enumerate(values, start=1):
        target = _put(sheet, row, column, value)
        target.font = _BOLD
        target.alignment = _CENTER
        target.fill = _HEAD_FILL


def _line(sheet: Worksheet, row: int, text: str, font: Font | None = None) -> None:
    """A title line in column A, left to overflow into the empty cells on its right."""
    target = _value(sheet, row, 1, text)
    if font is not None:
        target.font = font


def _put(sheet: Worksheet, row: int, column: int, value: object) -> SheetCell:
    target = _value(sheet, row, column, value)
    target.border = _BOX
    target.alignment = _WRAP
    return target


def _value(sheet: Worksheet, row: int, column: int, value: object) -> SheetCell:
    if not isinstance(value, str):
        return sheet.cell(row, column, value)
    target = sheet.cell(row, column, xml_safe(value))
    target.data_type = "s"  # text is text: a name starting with "=" is no formula
    return target
