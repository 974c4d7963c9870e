"""The standing office's dashboard under /quan-ly: who has reported, nudges, the outbox.

URL map (GET pages; POST actions, each with a CSRF token):
    /quan-ly/                                  plans and their progress
    /quan-ly/dang-nhap                         GET, POST: log in
    /quan-ly/dang-xuat                         POST: log out
    /quan-ly/ke-hoach/<id>                     one plan: timeline and deadline matrix
    /quan-ly/han/<occurrence id>               one deadline occurrence, with POST actions
        …/nhan, …/rut-lai, …/mien, …/bo-mien, …/them-don-vi, …/nhac
    /quan-ly/don-vi/<unit id>                  one unit: items, feeds, messages
    /quan-ly/hop-thu-di[?trang-thai=failed]    the outbox; POST …/<id>/gui-lai
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Mount, Route

from reminders.feeds.hub import FeedHub
from reminders.services import Services
from reminders.web.auth import LoginLimiter
from reminders.web.dashboard.http import PREFIX, Dashboard, Visit
from reminders.web.dashboard.login import LoginPages
from reminders.web.dashboard.occurrence import OccurrencePages
from reminders.web.dashboard.outbox import OutboxPages
from reminders.web.dashboard.plans import PlanPages
from reminders.web.dashboard.unit_page import UnitPages

__all__ = ["PREFIX", "Dashboard", "dashboard_mount"]


def dashboard_mount(services: Services, hub: FeedHub, *, limiter: LoginLimiter | None = None,
                    extra: Callable[[Dashboard], Sequence[BaseRoute]] | None = None) -> Mount:
    """The dashboard's routes, mounted at /quan-ly.

    Everything under /quan-ly is answered here (a route added after the mount is never
    reached): more pages come in through `extra`, which is given the Dashboard so that
    they can wrap their handlers with `dash.page` / `dash.action`.
    """
    dash = Dashboard(services, hub, limiter)
    login = LoginPages(dash)
    plans = PlanPages(dash)
    occ = OccurrencePages(dash)
    units = UnitPages(dash)
    outbox = OutboxPages(dash)

    async def missing(visit: Visit) -> Response:
        return dash.not_found(visit, "Không có trang này.")

    async def missing_post(request: Request) -> Response:
        return dash.refuse(request, "Không có trang này.", status=404)

    han = "/han/{occurrence_id:int}"
    return Mount(PREFIX, routes=[
        Route("/", dash.page(plans.home), methods=["GET"]),
        Route("/dang-nhap", login.login, methods=["GET", "POST"]),
        Route("/dang-xuat", login.logout, methods=["POST"]),
        Route("/ke-hoach/{plan_id:int}", dash.page(plans.plan), methods=["GET"]),
        Route(han, dash.page(occ.page), methods=["GET"]),
        Route(f"{han}/nhan", dash.action(occ.receive), methods=["POST"]),
        Route(f"{han}/rut-lai", dash.action(occ.withdraw), methods=["POST"]),
        Route(f"{han}/mien", dash.action(occ.exempt), methods=["POST"]),
        Route(f"{han}/bo-mien", dash.action(occ.unexempt), methods=["POST"]),
        Route(f"{han}/them-don-vi", dash.action(occ.add_unit), methods=["POST"]),
        Route(f"{han}/nhac", dash.action(occ.nudge), methods=["POST"]),
        Route("/don-vi/{unit_id}", dash.page(units.page), methods=["GET"]),
        Route("/hop-thu-di", dash.page(outbox.page), methods=["GET"]),
        Route("/hop-thu-di/{delivery_id:int}/gui-lai", dash.action(outbox.retry),
              methods=["POST"]),
        *(extra(dash) if extra is not None else ()),
        Route("/{rest:path}", dash.page(missing), methods=["GET"]),
        Route("/{rest:path}", missing_post, methods=["POST"]),
    ])
