"""What the JSON API takes: request bodies read strictly, errors worded in Vietnamese."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from starlette.responses import JSONResponse

from reminders.status import SubmissionKind

MAX_NUMBER = 100  # submissions.document_number is String(100)
MAX_NOTE = 2000
MAX_REASON = 1000
SUBMISSION_FIELDS = frozenset({"occurrence_id", "unit_id", "kind", "at", "document_number",
                               "document_date", "note"})


class ApiError(Exception):
    """An answer other than success: status, a Vietnamese message, the field at fault."""

    def __init__(self, status: int, message: str, *, field: str | None = None,
                 extra: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.field = field
        self.extra = extra or {}

    def response(self) -> JSONResponse:
        body: dict[str, Any] = {"error": self.message, **self.extra}
        if self.field is not None:
            body["field"] = self.field
        headers = {"www-authenticate": "Bearer"} if self.status == 401 else None
        return JSONResponse(body, status_code=self.status, headers=headers)


@dataclass(frozen=True, slots=True, kw_only=True)
class SubmissionInput:
    occurrence_id: int
    unit_id: str
    kind: SubmissionKind
    at: datetime | None = None  # office tokens only
    document_number: str | None = None
    document_date: date | None = None
    note: str | None = None


def invalid(field: str, message: str) -> ApiError:
    return ApiError(422, message, field=field)


def json_object(raw: bytes) -> dict[str, Any]:
    """The body as a JSON object; 422 otherwise."""
    try:
        body = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise ApiError(422, "Nội dung gửi lên phải là JSON hợp lệ (UTF-8).") from None
    if not isinstance(body, dict):
        raise ApiError(422, "Nội dung gửi lên phải là một đối tượng JSON.")
    return body


def submission_input(body: dict[str, Any], *, today: date) -> SubmissionInput:
    """A submission to record, checked field by field (unknown fields are refused)."""
    unknown = sorted(set(body) - SUBMISSION_FIELDS)
    if unknown:
        raise invalid(unknown[0], f"Trường '{unknown[0]}' không được hỗ trợ.")
    occurrence_id = body.get("occurrence_id")
    if isinstance(occurrence_id, bool) or not isinstance(occurrence_id, int):
        raise invalid("occurrence_id", "Cần occurrence_id là số nguyên (số của hạn báo cáo).")
    unit_id = body.get("unit_id")
    if not isinstance(unit_id, str) or not unit_id.strip():
        raise invalid("unit_id", "Cần unit_id là mã đơn vị.")
    kind_text = body.get("kind")
    if kind_text not in ("submitted", "seen"):
        raise invalid("kind", "kind phải là 'submitted' (đã gửi báo cáo) hoặc 'seen' (đã nhận).")
    at = _instant(body.get("at"))
    number = _text(body, "document_number", MAX_NUMBER, "Số văn bản")
    day = _date(body.get("document_date"))
    if day is not None and day > today:
        raise invalid("document_date", "Ngày văn bản không thể sau hôm nay.")
    return SubmissionInput(occurrence_id=occurrence_id, unit_id=unit_id.strip(),
                           kind=SubmissionKind(kind_text), at=at, document_number=number,
                           document_date=day, note=_text(body, "note", MAX_NOTE, "Ghi chú"))


def withdraw_reason(body: dict[str, Any]) -> str:
    unknown = sorted(set(body) - {"reason"})
    if unknown:
        raise invalid(unknown[0], f"Trường '{unknown[0]}' không được hỗ trợ.")
    reason = _text(body, "reason", MAX_REASON, "Lý do")
    if reason is None:
        raise invalid("reason", "Cần ghi lý do rút lại.")
    return reason


def _text(body: dict[str, Any], field: str, limit: int, label: str) -> str | None:
    value = body.get(field)
    if value is None:
        return None
    if not isinstance(value, str):
        raise invalid(field, f"{label} phải là chuỗi ký tự.")
    value = value.strip()
    if len(value) > limit:
        raise invalid(field, f"{label} dài quá {limit} ký tự.")
    return value or None


def _date(value: object) -> date | None:
    if value is None:
        return None
    try:
        if isinstance(value, str) and len(value) == 10:
            return date.fromisoformat(value)
    except ValueError:
        pass
    raise invalid("document_date", "Ngày văn bản phải có dạng YYYY-MM-DD.")


def _instant(value: object) -> datetime | None:
    if value is None:
        return None
    try:
        at = datetime.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        at = None
    if at is None:
        raise invalid("at", "Thời điểm phải có dạng ISO 8601, ví dụ 2024-01-19T16:30:00+07:00.")
    if at.tzinfo is None or at.utcoffset() is None:
        raise invalid("at", "Thời điểm phải ghi rõ múi giờ, ví dụ +07:00.")
    return at
