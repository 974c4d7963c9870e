"""One unit: /quan-ly/don-vi/<id>: its activities and deadlines, its feeds, its messages."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from starlette.responses import Response

from reminders.feeds.catalogue import Catalogue
from reminders.feeds.clients import LABELS, Client
from reminders.feeds.model import FeedItem, FeedKey, FeedKind, FeedUnit
from reminders.reports import ReportsView, reports_view
from reminders.store.feed_states import last_fetches
from reminders.store.outbox import DeliveryRow, list_deliveries
from reminders.store.units import StoredUnit, get_unit
from reminders.web.dashboard.http import Dashboard, Visit, when
from reminders.web.dashboard.outbox import lines
from reminders.web.dashboard.views import STATE_CSS, cell_detail, day, is_seen_only
from reminders.web.feed_pages import DESCRIPTIONS, TITLES, feed_url, webcal
from reminders.web.feed_pages import when as item_when

DELIVERY_LIMIT = 50


@dataclass(frozen=True, slots=True)
class FeedLine:
    kind: str  # FeedKind value, for element ids
    title: str
    description: str
    https_url: str
    webcal_url: str
    fetches: tuple[str, ...]  # "Google Lịch: 08:15 24/11/2026", newest first


@dataclass(frozen=True, slots=True)
class ActivityLine:
    plan: str
    plan_id: int
    title: str
    role: str  # "Chủ trì" or "Phối hợp"
    time_text: str
    when: str
    location: str | None


@dataclass(frozen=True, slots=True)
class DeadlineLine:
    plan: str
    plan_id: int
    occurrence_id: int
    title: str
    due_date: date
    due: str
    state: str
    css: str
    label: str
    detail: str
    seen: bool


@dataclass(frozen=True, slots=True)
class _Data:
    unit: StoredUnit | None
    view: ReportsView
    fetches: dict[str, dict[str, datetime]]
    deliveries: tuple[DeliveryRow, ...]


class UnitPages:
    """GET /quan-ly/don-vi/<unit id>."""

    def __init__(self, dash: Dashboard) -> None:
        self.dash = dash

    async def page(self, visit: Visit) -> Response:
        unit_id: str = visit.request.path_params["unit_id"]

        def read() -> _Data:
            with self.dash.services.engine.connect() as conn:
                return _Data(unit=get_unit(conn, unit_id),
                             view=reports_view(conn, self.dash.settings, now=visit.now),
                             fetches=last_fetches(conn, unit_id),
                             deliveries=list_deliveries(conn, unit_id=unit_id,
                                                        limit=DELIVERY_LIMIT, newest_first=True,
                                                        due_by=visit.now))

        data = await self.dash.db(read)
        if data.unit is None:
            return self.dash.not_found(visit, f"Không có đơn vị '{unit_id}' trong danh mục.")
        catalogue = self.dash.hub.catalogue
        base = self.dash.settings.service.public_base_url.rstrip("/")
        owner = catalogue.units.get(unit_id)
        active = owner is not None and owner.active
        name = data.unit.unit.name
        return self.dash.render(
            visit, "unit.html", unit=data.unit, feeds=feeds(catalogue, owner, base, data.fetches)
            if active else (), subscribe_url=f"{base}/lich/{owner.token}/"
            if owner is not None and active else None,
            activities=activities(catalogue, owner) if owner is not None else (),
            deadlines=deadlines(data.view, unit_id),
            deliveries=lines(data.deliveries, {unit_id: name}), delivery_limit=DELIVERY_LIMIT)


def feeds(catalogue: Catalogue, unit: FeedUnit | None, base_url: str,
          fetches: dict[str, dict[str, datetime]]) -> tuple[FeedLine, ...]:
    """The unit's feeds as its subscribe page offers them, with the last fetch per client."""
    if unit is None:
        return ()
    kinds = [FeedKind.ALL, FeedKind.ACTIVITIES, FeedKind.DEADLINES]
    if catalogue.follows(unit.id):
        kinds.append(FeedKind.FOLLOWED)
    found = []
    for kind in kinds:
        key = FeedKey(kind, unit.id)
        url = feed_url(catalogue, key, base_url)
        seen = sorted(fetches.get(str(key), {}).items(), key=lambda pair: pair[1], reverse=True)
        found.append(FeedLine(
            kind=kind.value, title=TITLES[kind], description=DESCRIPTIONS[kind], https_url=url,
            webcal_url=webcal(url),
            fetches=tuple(f"{_client(client)}: {when(at)}" for client, at in seen)))
    return tuple(found)


def activities(catalogue: Catalogue, unit: FeedUnit) -> tuple[ActivityLine, ...]:
    """The activities of published plans the unit leads or takes part in (as its feed)."""
    found: list[ActivityLine] = []
    for plan_id in sorted(catalogue.entries):
        entry = catalogue.entries[plan_id]
        seen: set[str] = set()
        for _key, event, _body in entry.activities.get(unit.id, ()):
            item = event.item
            if item.uid in seen or item.removed_at is not None:
                continue
            seen.add(item.uid)
            found.append(ActivityLine(
                plan=entry.plan.label, plan_id=plan_id, title=item.title,
                role="Chủ trì" if _leads(item, unit) else "Phối hợp", time_text=item.time_text,
                when=item_when(item), location=item.location))
    return tuple(found)


def deadlines(view: ReportsView, unit_id: str) -> tuple[DeadlineLine, ...]:
    """Every occurrence the unit owes a report for, with its state, by due day."""
    found: list[DeadlineLine] = []
    for plan in view.plans:
        for occ in plan.reports.occurrences:
            cell = occ.cell(unit_id)
            if cell is None:
                continue
            found.append(DeadlineLine(
                plan=plan.plan.label, plan_id=plan.plan.id, occurrence_id=occ.occurrence.id,
                title=occ.occurrence.title, due_date=occ.due, due=day(occ.due),
                state=cell.state.value,
                css=STATE_CSS[cell.state], label=cell.state.label, detail=cell_detail(cell),
                seen=is_seen_only(cell)))
    return tuple(sorted(found, key=lambda d: (d.due_date, d.title, d.occurrence_id)))


def _leads(item: FeedItem, unit: FeedUnit) -> bool:
    return any(link.unit_id == unit.id or (link.group_id and link.group_id in unit.groups)
               for link in item.lead)


def _client(client: str) -> str:
    try:
        return LABELS[Client(client)]
    except ValueError:
        return client
