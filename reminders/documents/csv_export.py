"""The report states as CSV: one row per (plan, deadline occurrence, expected unit).

Columns (stable ASCII names, for machine readers; dates ISO 8601, times in
Asia/Ho_Chi_Minh with their offset, empty when there is none):

- plan_id: the plan's id in the store
- plan_label: "Kế hoạch số 249/KH-UBND ngày 20/09/2022 của UBND quận Thanh Xuân"
- occurrence_id: the deadline occurrence's id (what `reports` commands and links take)
- deadline_title: the deadline's title as the plan writes it
- due_date: the last day as the plan writes it (YYYY-MM-DD)
- effective_due: the last day a report is on time, after the day-off rule
- unit_id, unit_name: the expected unit
- state: on_time | late | open | overdue | exempt
- state_label: the state in Vietnamese ("Đúng hạn", "Trễ hạn", "Chưa đến hạn", ...)
- working_days: working days late (state late) or overdue (state overdue), else 0
- submitted_at: when the report that counts arrived
- via: how it was recorded: link | dashboard | api
- document_number, document_date: the report's "Số văn bản" and its date
- seen_at: when the unit confirmed it got the reminder ("Đã nhận")
- exempt_reason: why the office exempted the unit ("miễn")
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from datetime import date, datetime

from reminders.clock import local
from reminders.reports import PlanView
from reminders.status import ReportState

COLUMNS = ("plan_id", "plan_label", "occurrence_id", "deadline_title", "due_date",
           "effective_due", "unit_id", "unit_name", "state", "state_label", "working_days",
           "submitted_at", "via", "document_number", "document_date", "seen_at",
           "exempt_reason")
BOM = "\ufeff"


def status_csv(views: Sequence[PlanView]) -> str:
    """The CSV text (header row first, "\\r\\n" line ends as RFC 4180 has them)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(COLUMNS)
    for view in views:
        for occurrence in view.reports.occurrences:
            for cell in occurrence.cells:
                report, seen = cell.submitted, cell.seen
                days = (cell.working_days_late if cell.state is ReportState.LATE
                        else cell.working_days_overdue)
                writer.writerow((
                    view.plan.id, view.plan.label, occurrence.occurrence.id,
                    occurrence.occurrence.title, _iso(occurrence.occurrence.due_date),
                    _iso(occurrence.due), cell.unit_id, cell.unit_name, cell.state.value,
                    cell.state.label, days,
                    _iso(report.at if report else None),
                    report.via.value if report else "",
                    (report.document_number or "") if report else "",
                    _iso(report.document_date if report else None),
                    _iso(seen.at if seen else None),
                    cell.exempt_reason or ""))
    return out.getvalue()


def status_csv_bytes(views: Sequence[PlanView]) -> bytes:
    """The CSV as UTF-8 with a byte order mark, so Excel reads the Vietnamese text right."""
    return (BOM + status_csv(views)).encode("utf-8")


def _iso(value: date | datetime | None) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return local(value).isoformat(timespec="seconds")
    return value.isoformat()
