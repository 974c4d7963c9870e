"""The plans: /quan-ly/ (every plan and its progress) and /quan-ly/ke-hoach/<id> (one plan)."""

from __future__ import annotations

from starlette.responses import Response

from reminders.clock import local
from reminders.reports import ReportsView, reports_view
from reminders.store.plans import PlanDetail, get_plan
from reminders.web.dashboard.http import PREFIX, Dashboard, Visit
from reminders.web.dashboard.views import (
    BAR_ORDER,
    SEEN_LABEL,
    STATE_CSS,
    matrix,
    numbers,
    plan_cards,
    timeline,
)

LEGEND = tuple((STATE_CSS[state], state.label) for state in BAR_ORDER)


class PlanPages:
    """GET /quan-ly/ and GET /quan-ly/ke-hoach/<id>."""

    def __init__(self, dash: Dashboard) -> None:
        self.dash = dash

    async def home(self, visit: Visit) -> Response:
        def read() -> ReportsView:
            with self.dash.services.engine.connect() as conn:
                return reports_view(conn, self.dash.settings, now=visit.now,
                                    published_only=False)

        view = await self.dash.db(read)
        published, archived = plan_cards(view.plans, visit.now)
        return self.dash.render(visit, "home.html", published=published, archived=archived,
                                today=f"{local(visit.now):%d/%m/%Y}", legend=LEGEND)

    async def plan(self, visit: Visit) -> Response:
        plan_id: int = visit.request.path_params["plan_id"]

        def read() -> tuple[ReportsView, PlanDetail | None]:
            with self.dash.services.engine.connect() as conn:
                return (reports_view(conn, self.dash.settings, now=visit.now,
                                     plan_ids=[plan_id], published_only=False),
                        get_plan(conn, plan_id))

        view, detail = await self.dash.db(read)
        found = view.plan(plan_id)
        if found is None or detail is None:
            return self.dash.not_found(visit, f"Không có kế hoạch số hiệu #{plan_id}.")
        base = f"{PREFIX}/ke-hoach/{plan_id}"
        downloads = (
            ("xuat-xlsx", f"{base}/xuat.xlsx", "Bảng tổng hợp (.xlsx)"),
            ("xuat-csv", f"{base}/xuat.csv", "Dữ liệu (.csv)"),
            ("ban-in", f"{base}/in", "Bản in danh sách"),
        )
        return self.dash.render(
            visit, "plan.html", view=found, detail=detail, numbers=numbers(found.reports.figures),
            months=timeline(detail.activities), matrix=matrix(found), legend=LEGEND,
            seen_label=SEEN_LABEL, downloads=downloads)
