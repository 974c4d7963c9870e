"""The JSON API under /api/v1: report states and submissions for other software.

Every call carries `Authorization: Bearer <token>` (reminders api token-create). An office
token sees and records everything; a unit's token sees only its own cells, only in the
plans and occurrences where it is expected, and records only for itself. The states come
from reminders.reports, so the API counts exactly as the dashboard and the CLI do.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from typing import Any

import anyio.to_thread
from starlette.datastructures import QueryParams
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from reminders.clock import local
from reminders.reports import PlanView, ReportsView, reports_view
from reminders.services import Services
from reminders.status import ReportState, SubmissionKind, Via
from reminders.store.api_tokens import ApiToken, find_token, touch
from reminders.store.report_lookups import lock_expected
from reminders.store.reports import (
    active_submission,
    find_occurrence,
    get_submission,
    record_submission,
    withdraw_submission,
)
from reminders.store.units import get_unit
from reminders.web.api_input import (
    ApiError,
    invalid,
    json_object,
    submission_input,
    withdraw_reason,
)
from reminders.web.api_json import (
    Json,
    Scope,
    cell_json,
    occurrence_json,
    occurrence_ref,
    plan_json,
    submission_json,
)
from reminders.web.openapi import OPENAPI

MAX_BODY = 65_536
_HEADERS = {"cache-control": "no-store"}
OFFICE_ONLY = "Chỉ mã API của văn phòng mới làm được việc này."


@dataclass(frozen=True, slots=True, kw_only=True)
class Call:
    """One authenticated request, as a handler sees it."""

    token: ApiToken
    scope: Scope
    params: dict[str, Any]
    query: QueryParams
    body: bytes
    now: datetime


Handler = Callable[[Call], tuple[int, Json]]


class JsonApi:
    """The API's routes over ready services."""

    def __init__(self, services: Services) -> None:
        self._services = services

    def routes(self) -> list[Route]:
        get, post = self._endpoint, partial(self._endpoint, body=True)
        return [
            Route("/api/v1/plans", get(self.plans), methods=["GET"]),
            Route("/api/v1/plans/{plan_id:int}", get(self.plan), methods=["GET"]),
            Route("/api/v1/plans/{plan_id:int}/status", get(self.plan_status), methods=["GET"]),
            Route("/api/v1/deadlines", get(self.deadlines), methods=["GET"]),
            Route("/api/v1/units/{unit_id}/reports", get(self.unit_reports), methods=["GET"]),
            Route("/api/v1/submissions", post(self.submit), methods=["POST"]),
            Route("/api/v1/submissions/{submission_id:int}/withdraw", post(self.withdraw),
                  methods=["POST"]),
            Route("/api/openapi.json", openapi, methods=["GET"]),
        ]

    # --- reading ---------------------------------------------------------------------------

    def plans(self, call: Call) -> tuple[int, Json]:
        scope = call.scope
        return 200, {"plans": [plan_json(p.plan, scope.plan_figures(p))
                               for p in scope.plans(self._view(call.now))]}

    def plan(self, call: Call) -> tuple[int, Json]:
        found, scope = self._plan(call), call.scope
        return 200, {"plan": plan_json(found.plan, scope.plan_figures(found)),
                     "occurrences": [occurrence_json(o, scope.figures(o))
                                     for o in scope.occurrences(found)]}

    def plan_status(self, call: Call) -> tuple[int, Json]:
        found, scope = self._plan(call), call.scope
        return 200, {"plan": plan_json(found.plan, scope.plan_figures(found)),
                     "occurrences": [{**occurrence_json(o, scope.figures(o)),
                                      "cells": [cell_json(c) for c in scope.cells(o)]}
                                     for o in scope.occurrences(found)]}

    def deadlines(self, call: Call) -> tuple[int, Json]:
        unit = call.query.get("unit") or None
        if call.scope.unit_id is not None:
            if unit not in (None, call.scope.unit_id):
                raise ApiError(403, "Mã API của đơn vị chỉ xem được hạn báo cáo của chính "
                                    "đơn vị đó.")
            unit = call.scope.unit_id
        state = _state(call.query.get("state"))
        if unit is not None:
            self._unit_name(unit)
        items = []
        for view in self._view(call.now).plans:
            for occ in view.reports.occurrences:
                cell = occ.cell(unit) if unit is not None else None
                if unit is not None and cell is None:
                    continue
                states = {cell.state} if cell is not None else {c.state for c in occ.cells}
                if state is not None and state not in states:
                    continue
                items.append({**occurrence_json(occ, call.scope.figures(occ)),
                              "plan_label": view.plan.label,
                              "cell": cell_json(cell) if cell is not None else None})
        items.sort(key=lambda i: (i["due"], i["plan_id"], i["id"]))
        return 200, {"deadlines": items}

    def unit_reports(self, call: Call) -> tuple[int, Json]:
        unit_id: str = call.params["unit_id"]
        if call.scope.unit_id not in (None, unit_id):
            raise ApiError(403, "Mã API của đơn vị chỉ xem được báo cáo của chính đơn vị đó.")
        name = self._unit_name(unit_id)
        reports = [{"plan_id": view.plan.id, "plan_label": view.plan.label,
                    "occurrence": occurrence_ref(occ), "cell": cell_json(cell)}
                   for view in self._view(call.now).plans
                   for occ in view.reports.occurrences
                   if (cell := occ.cell(unit_id)) is not None]
        return 200, {"unit": {"id": unit_id, "name": name}, "reports": reports}

    # --- writing ---------------------------------------------------------------------------

    def submit(self, call: Call) -> tuple[int, Json]:
        data = submission_input(json_object(call.body), today=local(call.now).date())
        office = call.scope.unit_id is None
        if not office and data.unit_id != call.scope.unit_id:
            raise ApiError(403, "Mã API của đơn vị chỉ ghi nhận được báo cáo của chính đơn vị đó.")
        if not office and data.at is not None:
            raise ApiError(403, "Chỉ mã API của văn phòng mới ghi được thời điểm khác bây giờ.")
        at = data.at or call.now
        if at > call.now:
            raise invalid("at", "Thời điểm gửi báo cáo không thể ở tương lai.")
        settings = self._services.settings
        with self._services.engine.begin() as conn:
            occ = find_occurrence(conn, data.occurrence_id)
            view = reports_view(conn, settings, now=call.now,
                                plan_ids=[occ.plan_id] if occ else [])
            if occ is None or view.occurrence(occ.id) is None:
                raise invalid("occurrence_id", f"Không có hạn báo cáo số {data.occurrence_id} "
                                               "trong các kế hoạch đã công bố.")
            if get_unit(conn, data.unit_id) is None:
                raise invalid("unit_id", f"Không có đơn vị '{data.unit_id}'.")
            if not lock_expected(conn, occ.id, data.unit_id):
                message = f"Đơn vị '{data.unit_id}' không thuộc danh sách phải báo cáo hạn này."
                raise ApiError(422 if office else 403, message, field="unit_id")
            kinds = [SubmissionKind.SUBMITTED]
            if data.kind is SubmissionKind.SEEN:
                kinds.append(SubmissionKind.SEEN)
            for kind in kinds:
                existing = active_submission(conn, occ.id, data.unit_id, kind)
                if existing is not None:
                    raise ApiError(409, "Đã ghi nhận trước đó; không ghi thêm.",
                                   extra={"submission_id": existing})
            new_id = record_submission(
                conn, occurrence_id=occ.id, unit_id=data.unit_id, kind=data.kind, via=Via.API,
                at=at, by_user=call.token.who, document_number=data.document_number,
                document_date=data.document_date, note=data.note)
            record = get_submission(conn, new_id)
            after = reports_view(conn, settings, now=call.now, plan_ids=[occ.plan_id])
        found = after.occurrence(occ.id)
        assert record is not None and found is not None
        cell = found[1].cell(data.unit_id)
        assert cell is not None
        return 201, {"submission": submission_json(record), "cell": cell_json(cell)}

    def withdraw(self, call: Call) -> tuple[int, Json]:
        if call.scope.unit_id is not None:
            raise ApiError(403, OFFICE_ONLY)
        reason = withdraw_reason(json_object(call.body))
        submission_id: int = call.params["submission_id"]
        with self._services.engine.begin() as conn:
            found = get_submission(conn, submission_id)
            if found is None:
                raise ApiError(404, f"Không có bản ghi báo cáo số {submission_id}.")
            if not found.active:
                raise ApiError(409, f"Bản ghi báo cáo số {submission_id} đã được rút lại "
                                    "trước đó.")
            done = withdraw_submission(conn, submission_id, by=call.token.who, reason=reason,
                                       at=call.now)
        return 200, {"submission": submission_json(done)}

    # --- plumbing --------------------------------------------------------------------------

    def _endpoint(self, handler: Handler, *,
                  body: bool = False) -> Callable[[Request], Awaitable[Response]]:
        async def endpoint(request: Request) -> Response:
            raw = b""
            if body:
                async for chunk in request.stream():
                    raw += chunk
                    if len(raw) > MAX_BODY:
                        return ApiError(413, "Nội dung gửi lên quá dài.").response()
            return await anyio.to_thread.run_sync(partial(self._run, handler, request, raw))
        return endpoint

    def _run(self, handler: Handler, request: Request, raw: bytes) -> Response:
        now = self._services.clock.now()
        try:
            token = self._authenticate(request.headers.get("authorization"), now)
            status, answer = handler(Call(token=token, scope=Scope(token.unit_id),
                                          params=dict(request.path_params),
                                          query=request.query_params, body=raw, now=now))
        except ApiError as exc:
            return exc.response()
        return JSONResponse(answer, status_code=status, headers=_HEADERS)

    def _authenticate(self, header: str | None, now: datetime) -> ApiToken:
        scheme, _, secret = (header or "").partition(" ")
        if scheme.lower() != "bearer" or not secret.strip():
            raise ApiError(401, "Cần mã API: gửi tiêu đề Authorization: Bearer <mã>.")
        with self._services.engine.begin() as conn:
            token = find_token(conn, secret.strip())
            if token is None:
                raise ApiError(401, "Mã API không đúng.")
            if not token.active:
                raise ApiError(401, "Mã API đã bị thu hồi.")
            touch(conn, token, now=now)
        return token

    def _view(self, now: datetime) -> ReportsView:
        with self._services.engine.connect() as conn:
            return reports_view(conn, self._services.settings, now=now)

    def _plan(self, call: Call) -> PlanView:
        plan_id: int = call.params["plan_id"]
        found = self._view(call.now).plan(plan_id)
        if found is None:
            raise ApiError(404, f"Không có kế hoạch số {plan_id} trong các kế hoạch đã công bố.")
        if not call.scope.occurrences(found) and call.scope.unit_id is not None:
            raise ApiError(403, "Đơn vị không phải báo cáo trong kế hoạch này.")
        return found

    def _unit_name(self, unit_id: str) -> str:
        with self._services.engine.connect() as conn:
            unit = get_unit(conn, unit_id)
        if unit is None:
            raise ApiError(404, f"Không có đơn vị '{unit_id}'.")
        return unit.unit.name


def _state(text: str | None) -> ReportState | None:
    if not text:
        return None
    try:
        return ReportState(text)
    except ValueError:
        allowed = ", ".join(s.value for s in ReportState)
        raise invalid("state", f"Trạng thái '{text}' không có; dùng một trong: {allowed}.") \
            from None


async def openapi(_request: Request) -> Response:
    """The OpenAPI document; public, like any API's description."""
    return JSONResponse(OPENAPI)
