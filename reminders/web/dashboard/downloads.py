"""The dashboard's downloads: status workbook, CSV, printable list, follow-up letter.

Documents are built in a worker thread (openpyxl and python-docx take tens of ms) from the
same report states the pages show; each answer is a fresh attachment, never cached.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import timedelta
from urllib.parse import quote

import anyio.to_thread
from starlette.responses import HTMLResponse, Response
from starlette.routing import BaseRoute, Route

from reminders.clock import local
from reminders.documents.csv_export import status_csv_bytes
from reminders.documents.letter import follow_up_letter
from reminders.documents.printable import missing_list_html
from reminders.documents.xlsx import status_workbook
from reminders.letterhead import letterhead
from reminders.reports import PlanView, reports_view
from reminders.web.dashboard.http import Dashboard, Visit

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _attachment(data: bytes, media_type: str, filename: str) -> Response:
    # RFC 6266: an ASCII name for old clients, the UTF-8 one for the rest.
    ascii_name = filename.encode("ascii", "replace").decode().replace("?", "_")
    return Response(data, media_type=media_type, headers={
        "content-disposition": f"attachment; filename=\"{ascii_name}\"; "
                               f"filename*=UTF-8''{quote(filename)}",
        "cache-control": "no-store",
        "x-content-type-options": "nosniff",
    })


class Downloads:
    """Handlers for the four download links of the plan and occurrence pages."""

    def __init__(self, dash: Dashboard) -> None:
        self._dash = dash

    def routes(self) -> Sequence[BaseRoute]:
        page = self._dash.page
        return [
            Route("/ke-hoach/{plan_id:int}/xuat.xlsx", page(self.xlsx), methods=["GET"]),
            Route("/ke-hoach/{plan_id:int}/xuat.csv", page(self.csv), methods=["GET"]),
            Route("/ke-hoach/{plan_id:int}/in", page(self.printable), methods=["GET"]),
            Route("/han/{occurrence_id:int}/cong-van.docx", page(self.letter),
                  methods=["GET"]),
        ]

    async def _plan(self, visit: Visit) -> PlanView | None:
        plan_id = int(visit.request.path_params["plan_id"])
        return await anyio.to_thread.run_sync(self._read, visit, plan_id)

    def _read(self, visit: Visit, plan_id: int) -> PlanView | None:
        services = self._dash.services
        with services.engine.connect() as conn:
            return reports_view(conn, services.settings, now=visit.now,
                                plan_ids=[plan_id], published_only=False).plan(plan_id)

    async def _build(self, visit: Visit, build: Callable[[PlanView], Response]) -> Response:
        view = await self._plan(visit)
        if view is None:
            return self._dash.not_found(visit, "Không có kế hoạch này.")
        return await anyio.to_thread.run_sync(build, view)

    async def xlsx(self, visit: Visit) -> Response:
        def build(view: PlanView) -> Response:
            return _attachment(status_workbook([view], now=visit.now), XLSX,
                               f"theo-doi-bao-cao-ke-hoach-{view.plan.id}.xlsx")
        return await self._build(visit, build)

    async def csv(self, visit: Visit) -> Response:
        def build(view: PlanView) -> Response:
            return _attachment(status_csv_bytes([view]), "text/csv; charset=utf-8",
                               f"theo-doi-bao-cao-ke-hoach-{view.plan.id}.csv")
        return await self._build(visit, build)

    async def printable(self, visit: Visit) -> Response:
        soon = local(visit.now).date() + timedelta(days=3)

        def build(view: PlanView) -> Response:
            html = missing_list_html(view, now=visit.now, due_until=soon)
            return HTMLResponse(html, headers={
                "content-security-policy": "default-src 'none'; style-src 'unsafe-inline'; "
                                           "base-uri 'none'; form-action 'none'; "
                                           "frame-ancestors 'none'",
                "cache-control": "no-store"})
        return await self._build(visit, build)

    async def letter(self, visit: Visit) -> Response:
        occurrence_id = int(visit.request.path_params["occurrence_id"])
        services = self._dash.services

        def build() -> Response | str:
            with services.engine.connect() as conn:
                found = reports_view(conn, services.settings, now=visit.now,
                                     published_only=False).occurrence(occurrence_id)
                if found is None:
                    return "Không có hạn báo cáo này."
                view, status = found
                if not status.missing():
                    return "Mọi đơn vị đã báo cáo hạn này; không cần công văn đôn đốc."
                head = letterhead(conn, view.plan)
            data = follow_up_letter(view, status, issuer_parent=head.parent,
                                    issuer_name=head.name, place=head.place, now=visit.now)
            return _attachment(data, DOCX, f"cong-van-don-doc-han-{occurrence_id}.docx")

        answer = await anyio.to_thread.run_sync(build)
        if isinstance(answer, str):
            return self._dash.not_found(visit, answer)
        return answer
