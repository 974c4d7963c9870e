"""One deadline occurrence: /quan-ly/han/<id>, its units and submissions, and the office's
actions on it (mark received, withdraw, exempt or undo, add a unit, nudge the missing)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.engine import Connection
from starlette.responses import Response

from reminders.errors import RemindersError, UsageError
from reminders.reports import PlanView, compute, rules_from
from reminders.status import (
    Cell,
    OccurrenceStatus,
    ReportState,
    Submission,
    SubmissionKind,
    Via,
)
from reminders.store.reports import (
    active_submission,
    add_expected,
    find_occurrence,
    load_reports,
    record_submission,
    set_exempt,
    withdraw_submission,
)
from reminders.store.units import StoredUnit, get_unit, list_units
from reminders.web.dashboard.forms import (
    SUBMISSION_LABELS,
    SubmissionView,
    optional_date,
    received_at,
    submission_view,
    text_field,
)
from reminders.web.dashboard.http import PREFIX, Dashboard, Form, Visit
from reminders.web.dashboard.plans import LEGEND
from reminders.web.dashboard.views import (
    SEEN_LABEL,
    STATE_CSS,
    cell_detail,
    day,
    is_seen_only,
    numbers,
)


@dataclass(frozen=True, slots=True)
class UnitEntry:
    cell: Cell
    css: str
    detail: str
    seen: bool
    submissions: tuple[SubmissionView, ...]
    can_receive: bool  # not exempt and no standing report: the "received" form is offered


@dataclass(frozen=True, slots=True)
class _Page:
    view: PlanView
    status: OccurrenceStatus
    submissions: tuple[Submission, ...]
    addable: tuple[StoredUnit, ...]


class OccurrencePages:
    """GET /quan-ly/han/<id> and its POST actions."""

    def __init__(self, dash: Dashboard) -> None:
        self.dash = dash

    async def page(self, visit: Visit) -> Response:
        occurrence_id: int = visit.request.path_params["occurrence_id"]
        found = await self.dash.db(self._read, occurrence_id, visit.now)
        if found is None:
            return self.dash.not_found(visit, f"Không có hạn báo cáo số {occurrence_id}.")
        entries = tuple(_entry(cell, found.submissions) for cell in found.status.cells)
        occ = found.status.occurrence
        return self.dash.render(
            visit, "occurrence.html", view=found.view, status=found.status, occ=occ,
            due=day(found.status.due), written_due=day(occ.due_date), entries=entries,
            numbers=numbers(found.status.figures), missing=len(found.status.missing()),
            addable=found.addable, legend=LEGEND, seen_label=SEEN_LABEL,
            letter_url=f"{PREFIX}/han/{occ.id}/cong-van.docx")

    def _read(self, occurrence_id: int, now: datetime) -> _Page | None:
        with self.dash.services.engine.connect() as conn:
            occ = find_occurrence(conn, occurrence_id)
            if occ is None:
                return None
            data = load_reports(conn, [occ.plan_id], published_only=False)
            found = compute(data, now=now, rules=rules_from(self.dash.settings)
                            ).occurrence(occurrence_id)
            if found is None:
                return None
            expected = {c.unit_id for c in found[1].cells}
            addable = tuple(u for u in list_units(conn) if u.unit.id not in expected)
        mine = tuple(s for s in data.submissions if s.occurrence_id == occurrence_id)
        return _Page(view=found[0], status=found[1], submissions=mine, addable=addable)

    # --- actions ----------------------------------------------------------------------

    async def receive(self, visit: Visit, form: Form) -> Response:
        unit_id = form.get("unit", "")

        def work(conn: Connection, occurrence_id: int) -> str:
            name = _unit_name(conn, unit_id)
            if active_submission(conn, occurrence_id, unit_id, SubmissionKind.SUBMITTED):
                raise UsageError(f"Đã có báo cáo của {name}; rút lại bản ghi cũ trước nếu "
                                 "cần ghi lại.")
            record_submission(
                conn, occurrence_id=occurrence_id, unit_id=unit_id,
                kind=SubmissionKind.SUBMITTED, via=Via.DASHBOARD,
                at=received_at(form.get("ngay_nhan", ""), visit.now),
                by_user=visit.user.username,
                document_number=text_field(form, "so_van_ban", "Số văn bản", 100),
                document_date=optional_date(form.get("ngay_van_ban", ""), "Ngày văn bản"),
                note=text_field(form, "ghi_chu", "Ghi chú", 2000))
            return f"Đã ghi nhận báo cáo của {name}."
        return await self._act(visit, work, unit_id)

    async def withdraw(self, visit: Visit, form: Form) -> Response:
        def work(conn: Connection, occurrence_id: int) -> str:
            try:
                submission_id = int(form.get("submission", ""))
            except ValueError:
                raise UsageError("Không rõ bản ghi cần rút lại.") from None
            reason = text_field(form, "ly_do", "Lý do", 1000) or ""
            done = withdraw_submission(conn, submission_id, by=visit.user.username,
                                       reason=reason, at=visit.now)
            if done.occurrence_id != occurrence_id:  # rolls the withdrawal back
                raise UsageError("Bản ghi này không thuộc hạn báo cáo đang xem.")
            return (f"Đã rút lại bản ghi «{SUBMISSION_LABELS[done.kind]}» của "
                    f"{_unit_name(conn, done.unit_id)}.")
        return await self._act(visit, work, form.get("unit", ""))

    async def exempt(self, visit: Visit, form: Form) -> Response:
        unit_id = form.get("unit", "")

        def work(conn: Connection, occurrence_id: int) -> str:
            reason = text_field(form, "ly_do", "Lý do", 1000)
            set_exempt(conn, occurrence_id, unit_id, exempt=True, reason=reason)
            return f"Đã miễn báo cáo cho {_unit_name(conn, unit_id)}."
        return await self._act(visit, work, unit_id)

    async def unexempt(self, visit: Visit, form: Form) -> Response:
        unit_id = form.get("unit", "")

        def work(conn: Connection, occurrence_id: int) -> str:
            set_exempt(conn, occurrence_id, unit_id, exempt=False)
            return f"Đã bỏ miễn báo cáo cho {_unit_name(conn, unit_id)}."
        return await self._act(visit, work, unit_id)

    async def add_unit(self, visit: Visit, form: Form) -> Response:
        unit_id = form.get("unit", "")

        def work(conn: Connection, occurrence_id: int) -> str:
            if not unit_id:
                raise UsageError("Hãy chọn đơn vị cần thêm.")
            name = _unit_name(conn, unit_id)
            if not add_expected(conn, occurrence_id, unit_id):
                return f"{name} đã có trong danh sách phải báo cáo."
            return f"Đã thêm {name} vào danh sách phải báo cáo."
        return await self._act(visit, work, unit_id)

    async def nudge(self, visit: Visit, form: Form) -> Response:
        settings = self.dash.settings

        def work(conn: Connection, occurrence_id: int) -> str:
            # Imported here: the nudging module is younger than the dashboard.
            from reminders.nudging import nudge_now

            occ = find_occurrence(conn, occurrence_id)
            plans = [occ.plan_id] if occ is not None else []
            found = compute(load_reports(conn, plans, published_only=False), now=visit.now,
                            rules=rules_from(settings)).occurrence(occurrence_id)
            missing = len(found[1].missing()) if found is not None else 0
            sent = nudge_now(conn, settings, occurrence_id=occurrence_id, now=visit.now,
                             by=visit.user.username)
            if not sent:
                return ("Không có tin nhắc nào được gửi: các đơn vị chưa báo cáo đã được "
                        "nhắc gần đây hoặc chưa có địa chỉ nhận tin.")
            return f"Đã gửi nhắc tới {missing} đơn vị ({sent} tin)."
        return await self._act(visit, work, "")

    async def _act(self, visit: Visit, work: Callable[[Connection, int], str],
                   unit_id: str) -> Response:
        occurrence_id: int = visit.request.path_params["occurrence_id"]
        url = f"{PREFIX}/han/{occurrence_id}"

        def run() -> str:
            with self.dash.services.engine.begin() as conn:
                if find_occurrence(conn, occurrence_id) is None:
                    raise UsageError(f"Không có hạn báo cáo số {occurrence_id}.")
                return work(conn, occurrence_id)
        back = f"{url}#don-vi-{unit_id}" if unit_id else url
        try:
            text = await self.dash.db(run)
        except RemindersError as exc:
            return await self.dash.done(visit, back, str(exc), error=True)
        return await self.dash.done(visit, back, text)


def _unit_name(conn: Connection, unit_id: str) -> str:
    found = get_unit(conn, unit_id) if unit_id else None
    if found is None:
        raise UsageError(f"Không có đơn vị '{unit_id}' trong danh mục.")
    return found.unit.name


def _entry(cell: Cell, submissions: tuple[Submission, ...]) -> UnitEntry:
    mine = tuple(submission_view(s) for s in sorted(
        (s for s in submissions if s.unit_id == cell.unit_id), key=lambda s: (s.at, s.id)))
    return UnitEntry(cell=cell, css=STATE_CSS[cell.state], detail=cell_detail(cell),
                     seen=is_seen_only(cell), submissions=mine,
                     can_receive=cell.submitted is None
                     and cell.state is not ReportState.EXEMPT)
