"""Finding what a `reports` command names: the report states, one deadline occurrence."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Annotated

import typer

from reminders.config import Settings
from reminders.errors import UsageError
from reminders.reports import PlanView, ReportsView, reports_view
from reminders.services import open_store, prepare_store
from reminders.status import ReportState

NowOption = Annotated[str | None, typer.Option(
    "--now", help="Tính như ở thời điểm này (ISO, giờ Việt Nam nếu không ghi múi giờ).")]
DeadlineArg = Annotated[str, typer.Argument(
    metavar="DEADLINE",
    help="Hạn báo cáo: số hạn (#) trong `reports status`, UID của hạn (thêm @YYYY-MM-DD với "
         "hạn định kỳ), hoặc ngày YYYY-MM-DD khi đã ghi kế hoạch.")]
PlanArg = Annotated[int, typer.Argument(metavar="PLAN", help="Số hiệu kế hoạch (#).")]


def load_view(settings: Settings, now: datetime, plan_id: int | None = None) -> ReportsView:
    with open_store(settings) as engine:
        prepare_store(engine)
        with engine.connect() as conn:
            view = reports_view(conn, settings, now=now,
                                plan_ids=None if plan_id is None else [plan_id])
    if plan_id is not None and view.plan(plan_id) is None:
        raise UsageError(f"không có kế hoạch #{plan_id} đã công bố")
    return view


def find_occurrence(view: ReportsView, ref: str, *, plan_id: int | None = None,
                    unit_id: str | None = None) -> tuple[PlanView, int]:
    """The occurrence a DEADLINE argument names (see DeadlineArg)."""
    text = ref.strip().lstrip("#")
    plans = [p for p in view.plans if plan_id is None or p.plan.id == plan_id]
    candidates = [(p, o) for p in plans for o in p.reports.occurrences]
    if text.isdigit():
        found = [(p, o) for p, o in candidates if o.occurrence.id == int(text)]
    elif (day := _iso_day(text)) is not None:  # a bare day: the deadline due that day
        found = [(p, o) for p, o in candidates if o.occurrence.due_date == day]
    else:
        # UIDs hold an "@" themselves ("<hex>@reminders"): a day is only ever the last part.
        head, _, tail = text.rpartition("@")
        day = _iso_day(tail) if head else None
        uid = head if day is not None else text
        found = [(p, o) for p, o in candidates if o.occurrence.deadline_uid == uid
                 and (day is None or o.occurrence.due_date == day)]
        if len(found) > 1 and unit_id is not None:
            # A repeating deadline named without a day: the first one the unit still owes.
            owed = [(p, o) for p, o in found if (c := o.cell(unit_id)) is not None
                    and c.state in (ReportState.OPEN, ReportState.OVERDUE)]
            found = owed[:1] or found
    if not found:
        where = f" trong kế hoạch #{plan_id}" if plan_id is not None else ""
        raise UsageError(f"không tìm thấy hạn báo cáo '{ref}'{where} (xem `reminders reports "
                         "status`)")
    if len(found) > 1:
        days = ", ".join(f"#{o.occurrence.id} ({o.occurrence.due_date:%d/%m/%Y})"
                         for _, o in found[:6])
        raise UsageError(f"'{ref}' ứng với nhiều hạn: {days}; ghi rõ số hạn")
    return found[0][0], found[0][1].occurrence.id


def _iso_day(text: str) -> date | None:
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None


def write_file(path: Path, data: bytes) -> None:
    """Write through a temporary file so a failed export leaves nothing half-written."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_bytes(data)
    tmp.replace(path)


