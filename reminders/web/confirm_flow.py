"""The one-click confirm flow without HTTP: what a link points at, and recording a click.

The claim of a verified link decides the unit, the occurrence and the action; nothing a
form sends can change them. Recording is idempotent: a link records at most one standing
record of its kind, and "Đã nhận" after a report was sent records nothing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy.engine import Connection

from reminders.config import Settings
from reminders.links import Action, LinkClaim
from reminders.reports import reports_view
from reminders.status import Cell, Occurrence, SubmissionKind, Via
from reminders.store.report_lookups import activity_title, lock_expected
from reminders.store.reports import (
    active_submission,
    find_occurrence,
    occurrence_for,
    record_submission,
)
from reminders.store.units import get_unit

BY_LINK = "liên kết"  # submissions.by_user of a click: no person is logged in
MAX_NUMBER = 100  # submissions.document_number is String(100)
MAX_NOTE = 2000
_DMY = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})")


@dataclass(frozen=True, slots=True, kw_only=True)
class Target:
    """The unit's report a link points at, with its state now."""

    claim: LinkClaim
    unit_name: str
    plan_label: str
    plan_title: str
    occurrence: Occurrence
    due: date  # the effective last day
    cell: Cell

    @property
    def done(self) -> bool:
        """The link's action needs no more: the report was sent, or (for "Đã nhận") seen."""
        if self.claim.action is Action.SUBMITTED:
            return self.cell.submitted is not None
        return self.cell.is_seen


@dataclass(frozen=True, slots=True, kw_only=True)
class Missing:
    """Nothing to confirm; `message` says why (a 404 page)."""

    message: str


@dataclass(frozen=True, slots=True, kw_only=True)
class ActivityLink:
    """A "Đã nhận" link of an activity reminder: reports are tracked for deadlines only."""

    title: str


@dataclass(frozen=True, slots=True, kw_only=True)
class ReportFields:
    """What the SUBMITTED form may add; never the unit or the occurrence."""

    document_number: str | None = None
    document_date: date | None = None
    note: str | None = None


NO_OCCURRENCE = Missing(message="Hạn báo cáo này không còn trong kế hoạch (có thể kế hoạch "
                                "đã được sửa hoặc thu hồi). Không có gì cần xác nhận.")
NOT_EXPECTED = Missing(message="Đơn vị không còn trong danh sách phải báo cáo hạn này. "
                               "Không có gì cần xác nhận.")


def load_target(conn: Connection, settings: Settings, claim: LinkClaim, *,
                now: datetime) -> Target | Missing | ActivityLink:
    """The report a verified claim points at, as of `now`."""
    occurrence_id = occurrence_for(conn, claim.item_uid, claim.occurrence)
    if occurrence_id is None:
        title = activity_title(conn, claim.item_uid)
        if title is not None and claim.action is Action.SEEN:
            return ActivityLink(title=title)
        return NO_OCCURRENCE
    occurrence = find_occurrence(conn, occurrence_id)
    view = reports_view(conn, settings, now=now,
                        plan_ids=[occurrence.plan_id] if occurrence else [])
    found = view.occurrence(occurrence_id)
    if found is None:  # the plan is no longer published
        return NO_OCCURRENCE
    plan_view, status = found
    cell = status.cell(claim.unit_id)
    unit = get_unit(conn, claim.unit_id)
    if cell is None or unit is None:
        return NOT_EXPECTED
    return Target(claim=claim, unit_name=unit.unit.name, plan_label=plan_view.plan.label,
                  plan_title=plan_view.plan.title, occurrence=status.occurrence,
                  due=status.due, cell=cell)


def record_click(conn: Connection, claim: LinkClaim, fields: ReportFields, *,
                 now: datetime) -> bool | Missing:
    """Record what the link confirms; False if it is already recorded (nothing written)."""
    occurrence_id = occurrence_for(conn, claim.item_uid, claim.occurrence)
    if occurrence_id is None:
        return NO_OCCURRENCE
    if not lock_expected(conn, occurrence_id, claim.unit_id):
        return NOT_EXPECTED
    report = active_submission(conn, occurrence_id, claim.unit_id, SubmissionKind.SUBMITTED)
    if report is not None:
        return False
    kind = SubmissionKind(claim.action.value)
    if kind is SubmissionKind.SEEN:
        if active_submission(conn, occurrence_id, claim.unit_id, kind) is not None:
            return False
        fields = ReportFields()
    record_submission(conn, occurrence_id=occurrence_id, unit_id=claim.unit_id, kind=kind,
                      via=Via.LINK, at=now, by_user=BY_LINK,
                      document_number=fields.document_number,
                      document_date=fields.document_date, note=fields.note)
    return True


def read_fields(form: dict[str, str], *, today: date) -> tuple[ReportFields, dict[str, str]]:
    """The optional report fields of a posted form, and Vietnamese errors by field name.

    Field names are the form's own (so_van_ban, ngay_van_ban, ghi_chu); any other field,
    a unit id for one, is ignored.
    """
    errors: dict[str, str] = {}
    number = " ".join(form.get("so_van_ban", "").split()) or None
    if number is not None and len(number) > MAX_NUMBER:
        errors["so_van_ban"] = f"Số văn bản dài quá {MAX_NUMBER} ký tự."
    note = form.get("ghi_chu", "").strip() or None
    if note is not None and len(note) > MAX_NOTE:
        errors["ghi_chu"] = f"Ghi chú dài quá {MAX_NOTE} ký tự."
    day: date | None = None
    raw_day = form.get("ngay_van_ban", "").strip()
    if raw_day:
        day = parse_day(raw_day)
        if day is None:
            errors["ngay_van_ban"] = "Ngày văn bản phải có dạng ngày/tháng/năm, ví dụ 26/12/2022."
        elif day > today:
            errors["ngay_van_ban"] = "Ngày văn bản không thể sau hôm nay."
            day = None
    return ReportFields(document_number=number, document_date=day, note=note), errors


def parse_day(text: str) -> date | None:
    """A day as a date input sends it (2022-12-26) or as people write it (26/12/2022)."""
    try:
        match = _DMY.fullmatch(text)
        if match:
            return date(int(match[3]), int(match[2]), int(match[1]))
        return date.fromisoformat(text) if len(text) == 10 else None
    except ValueError:
        return None
