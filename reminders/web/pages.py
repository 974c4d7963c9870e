"""Server-rendered pages: a unit's subscribe page and one activity's or deadline's page."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime

import segno
from markupsafe import Markup

from reminders.clock import local
from reminders.web.templating import render

# The title prefix that marks the feed holding both activities and deadlines; that is the
# one the QR code points at, since one subscription is what most people should make.
COMBINED_PREFIX = "Tất cả"


@dataclass(frozen=True, slots=True, kw_only=True)
class FetchSeen:
    """The last time one family of calendar clients fetched a feed."""

    client: str  # Vietnamese label, e.g. "Google Lịch", "Outlook", "Lịch Apple", "Khác"
    at: datetime  # aware


@dataclass(frozen=True, slots=True, kw_only=True)
class FeedLink:
    """One calendar feed as offered on the subscribe page."""

    title: str
    description: str
    https_url: str
    webcal_url: str
    fetches: tuple[FetchSeen, ...] = ()  # last fetch per client family, newest first


@dataclass(frozen=True, slots=True, kw_only=True)
class SubscribePage:
    """Everything the subscribe page of one unit shows."""

    unit_name: str
    feeds: tuple[FeedLink, ...]
    plan_feeds: tuple[FeedLink, ...]
    refresh_hours: int


@dataclass(frozen=True, slots=True, kw_only=True)
class ItemPage:
    """One activity or reporting deadline, as its calendar event links to it."""

    kind: str  # "Hoạt động" or "Hạn báo cáo"
    title: str
    status: str | None
    plan: str
    time_text: str
    when: str
    lead: tuple[str, ...]
    partners: tuple[str, ...]
    location: str | None
    expected_result: str | None
    reporters: tuple[str, ...] = ()
    receiver: str | None = None


@dataclass(frozen=True, slots=True)
class _FeedView:
    feed: FeedLink
    key: str  # prefix of the element ids, unique on the page
    fetch_lines: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class _Row:
    label: str
    values: tuple[str, ...]
    main: bool = False  # the title: set larger than the other fields


def format_fetch_time(at: datetime) -> str:
    """`at` as people in Việt Nam read it: "HH:MM dd/mm/yyyy" in Asia/Ho_Chi_Minh."""
    return local(at).strftime("%H:%M %d/%m/%Y")


def fetch_line(seen: FetchSeen) -> str:
    """One line such as "Google Lịch tải lần cuối lúc 08:15 24/11/2026"."""
    return f"{seen.client} tải lần cuối lúc {format_fetch_time(seen.at)}"


def combined_feed(feeds: tuple[FeedLink, ...]) -> FeedLink | None:
    """The feed with both activities and deadlines, else the first feed, else None."""
    for feed in feeds:
        if feed.title.startswith(COMBINED_PREFIX):
            return feed
    return feeds[0] if feeds else None


def qr_svg(text: str) -> str:
    """An inline <svg> QR code of `text`, drawn in user units so CSS can size it."""
    code = segno.make(text, error="m", micro=False)
    # omitsize gives a viewBox instead of a fixed width/height, so the page scales it; the
    # 4-module quiet zone is what the QR standard asks for and what phone cameras need.
    svg: str = code.svg_inline(
        scale=1,
        border=4,
        omitsize=True,
        svgclass="qr",
        lineclass=None,
        dark="#000",
        light="#fff",
        title="Mã QR của địa chỉ lịch",
    )
    return svg.replace("<svg ", '<svg role="img" ', 1)


def render_subscribe_page(page: SubscribePage) -> str:
    """The HTML of a unit's subscribe page: its feeds, a QR code and how to subscribe."""
    combined = combined_feed(page.feeds)
    return render(
        "web/subscribe.html",
        page=page,
        feeds=_views(page.feeds, "lich"),
        plan_feeds=_views(page.plan_feeds, "kehoach"),
        combined=combined,
        qr=Markup(qr_svg(combined.https_url)) if combined is not None else None,
    )


def render_item_page(page: ItemPage) -> str:
    """The HTML of one activity's or deadline's page; empty fields are left out."""
    rows = [
        _Row("Nội dung", (page.title,), main=True),
        _Row("Kế hoạch", (page.plan,)),
        _Row("Thời gian theo kế hoạch", (page.time_text,)),
        _Row("Thời gian", (page.when,)),
        _Row("Đơn vị chủ trì", page.lead),
        _Row("Đơn vị phối hợp", page.partners),
        _Row("Địa điểm", _opt(page.location)),
        _Row("Kết quả dự kiến", _opt(page.expected_result)),
        _Row("Đơn vị phải báo cáo", page.reporters),
        _Row("Nơi nhận báo cáo", _opt(page.receiver)),
    ]
    kept = [
        _Row(row.label, values, row.main)
        for row in rows
        if (values := tuple(v.strip() for v in row.values if v.strip()))
    ]
    status = page.status.strip() if page.status else None
    return render(
        "web/item.html",
        page=page,
        rows=kept,
        status=status or None,
        status_class=_status_class(status) if status else "",
    )


def _views(feeds: tuple[FeedLink, ...], prefix: str) -> list[_FeedView]:
    return [
        _FeedView(feed, f"{prefix}-{index}", tuple(fetch_line(seen) for seen in feed.fetches))
        for index, feed in enumerate(feeds, start=1)
    ]


def _opt(value: str | None) -> tuple[str, ...]:
    return (value,) if value else ()


def _status_class(status: str) -> str:
    # Statuses are free Vietnamese text ("Đã hủy", "Đã huỷ", "Dự kiến"), and both tone-mark
    # placements occur, so compare without diacritics and on whole words ("huyện" ≠ "hủy").
    plain = "".join(
        ch for ch in unicodedata.normalize("NFD", status.lower()) if not unicodedata.combining(ch)
    )
    if re.search(r"\bhuy\b", plain):
        return "badge-cancelled"
    if re.search(r"\bdu kien\b", plain):
        return "badge-tentative"
    return "badge-neutral"
