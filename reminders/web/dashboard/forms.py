"""Reading the office's form fields (dates, short texts) and showing submissions back."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time

from reminders.clock import VN_TZ, ensure_aware, local
from reminders.errors import UsageError
from reminders.status import VIA_LABELS, Submission, SubmissionKind
from reminders.web.dashboard.views import SEEN_LABEL, day

SUBMISSION_LABELS = {SubmissionKind.SEEN: SEEN_LABEL, SubmissionKind.SUBMITTED: "Đã gửi báo cáo"}
# A report received on a day given without a time is taken as received at noon: any time
# of that day gives the same state, and noon reads right in the log.
_NOON = time(12, 0)
_DMY = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})")


@dataclass(frozen=True, slots=True)
class SubmissionView:
    id: int
    kind: str
    kind_label: str
    active: bool
    at: str
    via: str
    by_user: str | None
    document_number: str | None
    document_date: str
    note: str | None
    withdrawn_at: str
    withdrawn_by: str | None
    withdrawn_reason: str | None


def submission_view(s: Submission) -> SubmissionView:
    return SubmissionView(
        id=s.id, kind=s.kind.value, kind_label=SUBMISSION_LABELS[s.kind], active=s.active,
        at=_when(s.at), via=VIA_LABELS[s.via], by_user=s.by_user,
        document_number=s.document_number, document_date=day(s.document_date), note=s.note,
        withdrawn_at=_when(s.withdrawn_at), withdrawn_by=s.withdrawn_by,
        withdrawn_reason=s.withdrawn_reason)


def text_field(form: dict[str, str], name: str, label: str, limit: int) -> str | None:
    """A trimmed text field, None when empty; UsageError when longer than `limit`."""
    value = form.get(name, "").strip()
    if len(value) > limit:
        raise UsageError(f"{label} dài quá {limit} ký tự.")
    return value or None


def optional_date(text: str, label: str) -> date | None:
    """A date as a date input sends it (2024-11-14) or as people write it (14/11/2024)."""
    text = text.strip()
    if not text:
        return None
    found = _DMY.fullmatch(text)
    try:
        if found:
            return date(int(found[3]), int(found[2]), int(found[1]))
        return date.fromisoformat(text)
    except ValueError:
        raise UsageError(f"{label} không đúng dạng ngày: '{text[:40]}'.") from None


def received_at(text: str, now: datetime) -> datetime:
    """When a report arrived: `now` when left empty, else a local date-time or date.

    Refuses a moment after `now` (a report cannot be received tomorrow).
    """
    text = text.strip()
    if not text:
        return now
    if "T" in text:
        try:
            at = ensure_aware(datetime.fromisoformat(text).replace(tzinfo=VN_TZ))
        except ValueError:
            raise UsageError(f"Ngày nhận không đúng dạng: '{text[:40]}'.") from None
    else:
        day_given = optional_date(text, "Ngày nhận")
        assert day_given is not None
        at = now if day_given == local(now).date() else ensure_aware(
            datetime.combine(day_given, _NOON, VN_TZ))
    if at > now:
        raise UsageError("Ngày nhận không được muộn hơn thời điểm hiện tại.")
    return at


def _when(at: datetime | None) -> str:
    return "" if at is None else f"{local(at):%H:%M %d/%m/%Y}"
