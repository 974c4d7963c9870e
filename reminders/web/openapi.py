"""The OpenAPI 3.1 description of the JSON API (reminders/web/api.py), kept as data.

Response schemas close their objects (additionalProperties: false), so the tests that
validate real answers against them catch a field added in code but not described here.
"""

from __future__ import annotations

from typing import Any

from reminders import __version__
from reminders.status import ReportState

Schema = dict[str, Any]


def _ref(name: str) -> Schema:
    return {"$ref": f"#/components/schemas/{name}"}


def _obj(properties: Schema, *, optional: tuple[str, ...] = ()) -> Schema:
    """A closed object whose properties are all required except `optional`."""
    return {"type": "object", "properties": properties,
            "required": [k for k in properties if k not in optional],
            "additionalProperties": False}


def _array(item: Schema) -> Schema:
    return {"type": "array", "items": item}


def _null(schema: Schema) -> Schema:
    return {"anyOf": [schema, {"type": "null"}]}


INT: Schema = {"type": "integer"}
COUNT: Schema = {"type": "integer", "minimum": 0}
TEXT: Schema = {"type": "string"}
DAY: Schema = {"type": "string", "format": "date"}
INSTANT: Schema = {"type": "string", "format": "date-time",
                   "description": "ISO 8601 với múi giờ Việt Nam (+07:00)."}
RATE: Schema = _null({"type": "number", "minimum": 0, "maximum": 1})
STATES = [s.value for s in ReportState]

_OCC_REF: Schema = {
    "id": INT, "plan_id": INT, "deadline_id": INT, "deadline_uid": TEXT,
    "title": TEXT, "time_text": TEXT,
    "due_date": DAY | {"description": "Ngày hạn như kế hoạch ghi."},
    "due": DAY | {"description": "Ngày cuối còn đúng hạn (sau quy tắc ngày nghỉ)."},
    "moved": {"type": "boolean"}, "receiver": _null(TEXT),
}
_OCC: Schema = {**_OCC_REF, "figures": _ref("Figures")}

SCHEMAS: dict[str, Schema] = {
    "Error": _obj({"error": TEXT, "field": TEXT, "submission_id": INT},
                  optional=("field", "submission_id")),
    "Figures": _obj({
        "expected": COUNT, "submitted": COUNT, "on_time": COUNT, "late": COUNT,
        "open": COUNT, "overdue": COUNT, "exempt": COUNT, "seen_only": COUNT, "due": COUNT,
        "reporting_rate": RATE, "on_time_rate": RATE,
    }),
    "Plan": _obj({
        "id": INT, "number": _null(TEXT), "issuer": TEXT, "issued": _null(DAY),
        "title": TEXT, "label": TEXT,
        "status": {"type": "string", "enum": ["draft", "published", "archived"]},
        "standing_unit_id": _null(TEXT), "standing_name": _null(TEXT),
        "figures": _ref("Figures"),
    }),
    "OccurrenceRef": _obj(_OCC_REF),
    "Occurrence": _obj(_OCC),
    "Cell": _obj({
        "occurrence_id": INT, "unit_id": TEXT, "unit_name": TEXT,
        "state": {"type": "string", "enum": STATES}, "state_label": TEXT, "due": DAY,
        "submission_id": _null(INT), "submitted_at": _null(INSTANT),
        "via": _null({"type": "string", "enum": ["link", "dashboard", "api"]}),
        "document_number": _null(TEXT), "document_date": _null(DAY),
        "working_days_late": COUNT, "working_days_overdue": COUNT,
        "seen": {"type": "boolean"}, "seen_at": _null(INSTANT),
        "exempt_reason": _null(TEXT), "added_by_office": {"type": "boolean"},
    }),
    "Submission": _obj({
        "id": INT, "occurrence_id": INT, "unit_id": TEXT,
        "kind": {"type": "string", "enum": ["submitted", "seen"]},
        "via": {"type": "string", "enum": ["link", "dashboard", "api"]},
        "at": INSTANT, "by_user": _null(TEXT), "document_number": _null(TEXT),
        "document_date": _null(DAY), "note": _null(TEXT), "withdrawn_at": _null(INSTANT),
        "withdrawn_by": _null(TEXT), "withdrawn_reason": _null(TEXT),
    }),
    "OccurrenceStatus": _obj({**_OCC, "cells": _array(_ref("Cell"))}),
    "DeadlineItem": _obj({**_OCC, "plan_label": TEXT, "cell": _null(_ref("Cell"))}),
    "UnitReport": _obj({"plan_id": INT, "plan_label": TEXT,
                        "occurrence": _ref("OccurrenceRef"), "cell": _ref("Cell")}),
    "PlanList": _obj({"plans": _array(_ref("Plan"))}),
    "PlanDetail": _obj({"plan": _ref("Plan"), "occurrences": _array(_ref("Occurrence"))}),
    "PlanStatus": _obj({"plan": _ref("Plan"),
                        "occurrences": _array(_ref("OccurrenceStatus"))}),
    "DeadlineList": _obj({"deadlines": _array(_ref("DeadlineItem"))}),
    "UnitReports": _obj({"unit": _obj({"id": TEXT, "name": TEXT}),
                         "reports": _array(_ref("UnitReport"))}),
    "SubmissionCreate": _obj({
        "occurrence_id": INT | {"description": "Số của lần hạn (id trong /deadlines)."},
        "unit_id": TEXT,
        "kind": {"type": "string", "enum": ["submitted", "seen"],
                 "description": "submitted: đã gửi báo cáo; seen: đã nhận tin nhắc."},
        "at": INSTANT | {"description": "Chỉ mã của văn phòng; mặc định là bây giờ."},
        "document_number": {"type": "string", "maxLength": 100},
        "document_date": DAY, "note": {"type": "string", "maxLength": 2000},
    }, optional=("at", "document_number", "document_date", "note")),
    "SubmissionCreated": _obj({"submission": _ref("Submission"), "cell": _ref("Cell")}),
    "WithdrawRequest": _obj({"reason": {"type": "string", "minLength": 1, "maxLength": 1000}}),
    "SubmissionResult": _obj({"submission": _ref("Submission")}),
}


def _json(schema: str, description: str) -> Schema:
    return {"description": description,
            "content": {"application/json": {"schema": _ref(schema)}}}


def _error(description: str) -> Schema:
    return {"$ref": f"#/components/responses/{description}"}


_ERRORS = {"401": _error("Unauthorized"), "403": _error("Forbidden")}


def _get(summary: str, schema: str, *, params: tuple[Schema, ...] = (),
         errors: tuple[str, ...] = ()) -> Schema:
    responses = {"200": _json(schema, "Thành công."), **_ERRORS}
    responses |= {code: _error(_ERROR_NAMES[code]) for code in errors}
    return {"get": {"summary": summary, "parameters": list(params), "responses": responses}}


def _post(summary: str, request: str, status: str, schema: str,
          *, params: tuple[Schema, ...] = (), errors: tuple[str, ...] = ()) -> Schema:
    responses = {status: _json(schema, "Đã ghi nhận."), **_ERRORS}
    responses |= {code: _error(_ERROR_NAMES[code]) for code in errors}
    return {"post": {"summary": summary, "parameters": list(params),
                     "requestBody": {"required": True, "content": {
                         "application/json": {"schema": _ref(request)}}},
                     "responses": responses}}


def _path_param(name: str, schema: Schema, description: str) -> Schema:
    return {"name": name, "in": "path", "required": True, "schema": schema,
            "description": description}


_ERROR_NAMES = {"404": "NotFound", "409": "Conflict", "413": "TooLarge", "422": "Invalid"}
_PLAN = _path_param("plan_id", INT, "Số của kế hoạch.")

PATHS: dict[str, Schema] = {
    "/api/v1/plans": _get("Các kế hoạch đã công bố, kèm số liệu báo cáo", "PlanList"),
    "/api/v1/plans/{plan_id}": _get(
        "Một kế hoạch và các lần hạn báo cáo của nó", "PlanDetail", params=(_PLAN,),
        errors=("404",)),
    "/api/v1/plans/{plan_id}/status": _get(
        "Bảng theo dõi: mỗi lần hạn, trạng thái của từng đơn vị", "PlanStatus",
        params=(_PLAN,), errors=("404",)),
    "/api/v1/deadlines": _get(
        "Các lần hạn báo cáo, lọc theo đơn vị và trạng thái", "DeadlineList", params=(
            {"name": "unit", "in": "query", "required": False, "schema": TEXT,
             "description": "Mã đơn vị; mã API của đơn vị chỉ dùng được mã của mình."},
            {"name": "state", "in": "query", "required": False,
             "schema": {"type": "string", "enum": STATES}}),
        errors=("404", "422")),
    "/api/v1/units/{unit_id}/reports": _get(
        "Báo cáo của một đơn vị trong mọi kế hoạch", "UnitReports",
        params=(_path_param("unit_id", TEXT, "Mã đơn vị."),), errors=("404",)),
    "/api/v1/submissions": _post(
        "Ghi nhận đơn vị đã gửi báo cáo hoặc đã nhận tin nhắc", "SubmissionCreate", "201",
        "SubmissionCreated", errors=("409", "413", "422")),
    "/api/v1/submissions/{submission_id}/withdraw": _post(
        "Rút lại một bản ghi báo cáo (chỉ mã của văn phòng)", "WithdrawRequest", "200",
        "SubmissionResult", params=(_path_param("submission_id", INT, "Số bản ghi."),),
        errors=("404", "409", "413", "422")),
    "/api/openapi.json": {"get": {
        "summary": "Tài liệu OpenAPI này", "security": [],
        "responses": {"200": {"description": "Tài liệu OpenAPI 3.1.",
                              "content": {"application/json": {"schema": {
                                  "type": "object"}}}}}}},
}

_ERROR_RESPONSES = {
    "Unauthorized": "Thiếu mã API, mã không đúng hoặc đã bị thu hồi.",
    "Forbidden": "Mã API của đơn vị không được xem hoặc ghi dữ liệu này.",
    "NotFound": "Không có kế hoạch, đơn vị hoặc bản ghi này.",
    "Conflict": "Đã ghi nhận (hoặc đã rút lại) trước đó.",
    "TooLarge": "Nội dung gửi lên quá dài.",
    "Invalid": "Dữ liệu không hợp lệ; `field` chỉ trường sai.",
}

OPENAPI: dict[str, Any] = {
    "openapi": "3.1.0",
    "info": {
        "title": "reminders: API theo dõi báo cáo",
        "version": __version__,
        "description": "Trạng thái báo cáo theo kế hoạch và ghi nhận báo cáo. Mã API tạo "
                       "bằng `reminders api token-create`: mã của văn phòng xem và ghi mọi "
                       "đơn vị; mã của một đơn vị chỉ xem và ghi cho chính đơn vị đó.",
    },
    "paths": PATHS,
    "components": {
        "schemas": SCHEMAS,
        "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer",
                                       "description": "Authorization: Bearer <mã API>"}},
        "responses": {
            name: {"description": text,
                   "content": {"application/json": {"schema": _ref("Error")}},
                   **({"headers": {"WWW-Authenticate": {"schema": TEXT}}}
                      if name == "Unauthorized" else {})}
            for name, text in _ERROR_RESPONSES.items()},
    },
    "security": [{"bearer": []}],
}
