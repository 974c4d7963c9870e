"""What the subscribe page and an item's page show, taken from the feeds' catalogue."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime

from reminders.feeds.catalogue import Catalogue
from reminders.feeds.clients import LABELS, Client
from reminders.feeds.entries import PlanEntry
from reminders.feeds.events import plan_events
from reminders.feeds.model import FeedItem, FeedKey, FeedKind, FeedPlan, FeedUnit, ItemKind
from reminders.web.pages import (
    FeedLink,
    FetchSeen,
    ItemPage,
    SubscribePage,
    render_item_page,
    render_subscribe_page,
)

WEEKDAYS = ("Thứ Hai", "Thứ Ba", "Thứ Tư", "Thứ Năm", "Thứ Sáu", "Thứ Bảy", "Chủ nhật")
DESCRIPTIONS = {
    FeedKind.ALL: "Mọi hoạt động đơn vị chủ trì, phối hợp và các hạn báo cáo của đơn vị.",
    FeedKind.ACTIVITIES: "Các hoạt động đơn vị chủ trì hoặc phối hợp.",
    FeedKind.DEADLINES: "Các hạn đơn vị phải gửi báo cáo.",
    FeedKind.FOLLOWED: "Mọi hoạt động và hạn báo cáo của các kế hoạch đơn vị làm đầu mối "
                       "theo dõi (đơn vị thường trực).",
    FeedKind.PLAN: "Mọi hoạt động và hạn báo cáo của kế hoạch.",
}
TITLES = {
    FeedKind.ALL: "Tất cả (hoạt động và hạn báo cáo)",
    FeedKind.ACTIVITIES: "Hoạt động",
    FeedKind.DEADLINES: "Hạn báo cáo",
    FeedKind.FOLLOWED: "Theo dõi các kế hoạch",
}


def feed_url(catalogue: Catalogue, key: FeedKey, base_url: str) -> str:
    return f"{base_url.rstrip('/')}/lich/{catalogue.token(key)}/{catalogue.slug(key)}.ics"


def webcal(url: str) -> str:
    return "webcal://" + url.split("://", 1)[1]


def subscribe_page(catalogue: Catalogue, owner: FeedUnit | FeedPlan, base_url: str,
                   fetches: Mapping[str, Mapping[str, datetime]], refresh_hours: int) -> str:
    """The page behind /lich/<token>/: a unit's feeds and its plans' feeds, or one plan's."""
    if isinstance(owner, FeedPlan):
        key = FeedKey(FeedKind.PLAN, str(owner.id))
        page = SubscribePage(unit_name=f"{owner.label}", refresh_hours=refresh_hours,
                             feeds=(_link(catalogue, key, base_url, fetches),), plan_feeds=())
        return render_subscribe_page(page)
    kinds = [FeedKind.ALL, FeedKind.ACTIVITIES, FeedKind.DEADLINES]
    if catalogue.follows(owner.id):
        kinds.append(FeedKind.FOLLOWED)
    feeds = tuple(_link(catalogue, FeedKey(k, owner.id), base_url, fetches) for k in kinds)
    plans = tuple(_link(catalogue, FeedKey(FeedKind.PLAN, str(p.id)), base_url, {})
                  for p in catalogue.plans_of(owner.id))
    return render_subscribe_page(SubscribePage(unit_name=owner.name, feeds=feeds,
                                               plan_feeds=plans, refresh_hours=refresh_hours))


def _link(catalogue: Catalogue, key: FeedKey, base_url: str,
          fetches: Mapping[str, Mapping[str, datetime]]) -> FeedLink:
    url = feed_url(catalogue, key, base_url)
    if key.kind is FeedKind.PLAN:
        plan = catalogue.entries[int(key.owner)].plan
        title = f"Kế hoạch số {plan.number}" if plan.number else plan.title
        description = plan.title if plan.number else DESCRIPTIONS[FeedKind.PLAN]
    else:
        title, description = TITLES[key.kind], DESCRIPTIONS[key.kind]
    seen = sorted(((LABELS.get(Client(client), client), at)
                   for client, at in fetches.get(str(key), {}).items()),
                  key=lambda pair: pair[1], reverse=True)
    return FeedLink(title=title, description=description, https_url=url, webcal_url=webcal(url),
                    fetches=tuple(FetchSeen(client=c, at=at) for c, at in seen))


def item_page(entry: PlanEntry, item: FeedItem) -> str:
    """The page an event's link opens: everything the plan says of the item."""
    plan = entry.plan
    if item.removed_at:
        status: str | None = "Đã hủy (không còn trong kế hoạch)"
    else:
        status = "Dự kiến" if item.tentative else None
    page = ItemPage(
        kind="Hạn báo cáo" if item.kind is ItemKind.DEADLINE else "Hoạt động",
        title=item.title, status=status, plan=f"{plan.label}: {plan.title}",
        time_text=item.time_text, when=when(item),
        lead=tuple(u.name for u in item.lead), partners=tuple(u.name for u in item.partners),
        location=item.location, expected_result=item.expected_result,
        reporters=tuple(u.name for u in item.reporters), receiver=item.receiver)
    return render_item_page(page)


def when(item: FeedItem) -> str:
    """The item's dates in words: 'Thứ Hai, 12/12/2022, 07:00', '05/12/2022 – 11/12/2022'."""
    if item.kind is ItemKind.DEADLINE:
        days = item.occurrences
        shown = ", ".join(_day(d) for d in days[:12])
        more = f" và {len(days) - 12} lần khác" if len(days) > 12 else ""
        return (f"Hạn: {shown}{more}" if days else "")
    parts = []
    for span in item.spans:
        if span.start and span.end and span.start != span.end:
            parts.append(f"{_day(span.start)} – {_day(span.end)}")
        elif span.start or span.end:
            day = span.start or span.end
            assert day is not None
            text = f"{WEEKDAYS[day.weekday()]}, {_day(day)}"
            parts.append(f"{text}, {span.time}" if span.time else text)
    if not parts and not plan_events(item):
        return "Chưa xác định"
    return "; ".join(parts)


def _day(day: date) -> str:
    return f"{day:%d/%m/%Y}"

