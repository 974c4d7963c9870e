"""One VEVENT as text: a role-free body rendered once with icalendar, the role lines apart.

The same event sits in many feeds (a lead's, each partner's, the plan's, the office's);
only SUMMARY and CATEGORIES depend on who looks. icalendar builds and folds every line,
but building a whole event costs ~0.2 ms, so the body is rendered once per item revision
and the two role lines (~20 µs) once per role.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

from icalendar import Event
from icalendar.parser import Contentline, Parameters
from icalendar.prop import vCategory, vRecur, vText

from reminders.clock import VN_TZ
from reminders.feeds.events import EventSpec, Marker
from reminders.feeds.model import FeedItem, FeedPlan, ItemKind, Variant
from reminders.feeds.text import SUMMARY_LIMIT, clean, names, one_line, shorten

CRLF = "\r\n"
CANCELLED_PREFIX = "[HỦY] "
TASK_PREFIX = "Hoàn thành: "
ROLE_LABELS = {
    Variant.LEAD: "Chủ trì",
    Variant.PARTNER: "Phối hợp",
    Variant.PLAIN: "Hoạt động",
    Variant.DEADLINE: "Hạn báo cáo",
}


def item_link(base_url: str, uid: str) -> str:
    """The item's page: /muc/<the UID's local part>."""
    return f"{base_url.rstrip('/')}/muc/{uid.partition('@')[0]}"


def render_body(spec: EventSpec, plan: FeedPlan, base_url: str) -> str:
    """Every line of the VEVENT but BEGIN/END, SUMMARY and CATEGORIES; deterministic."""
    item = spec.item
    stamp = item.updated_at.astimezone(UTC)
    event = Event()
    event.add("uid", spec.uid)
    event.add("dtstamp", stamp)
    event.add("last-modified", stamp)
    event.add("sequence", max(item.revision - 1, 0))
    event.add("dtstart", spec.start)
    event.add("dtend", spec.end)
    if spec.rrule:
        event.add("rrule", vRecur.from_ical(spec.rrule))
    event.add("status", _status(item))
    event.add("transp", "TRANSPARENT" if spec.transparent else "OPAQUE")
    if item.location and clean(item.location):
        event.add("location", one_line(item.location))
    event.add("description", describe(item, plan, base_url))
    event.add("url", item_link(base_url, item.uid))
    lines: str = event.to_ical().decode()
    # Drop BEGIN:VEVENT and END:VEVENT; assemble() puts the role lines in between.
    return lines[len("BEGIN:VEVENT" + CRLF): -len("END:VEVENT" + CRLF)]


def render_head(spec: EventSpec, variant: Variant) -> str:
    """SUMMARY and CATEGORIES for one way of seeing the event."""
    summary = Contentline.from_parts("SUMMARY", Parameters(), vText(summary_text(spec, variant)))
    categories = Contentline.from_parts("CATEGORIES", Parameters(),
                                        vCategory([ROLE_LABELS[variant]]))
    text: str = summary.to_ical().decode() + CRLF + categories.to_ical().decode() + CRLF
    return text


def summary_text(spec: EventSpec, variant: Variant) -> str:
    """'[Chủ trì] Gặp mặt hội viên…', 'Hạn báo cáo: Báo cáo kết quả', '[HỦY] …'."""
    item = spec.item
    if item.kind is ItemKind.DEADLINE:
        # The importer titles a task's deadline "Hoàn thành: …" (ingest/deadlines.py).
        task = item.title.removeprefix(TASK_PREFIX)
        label = "Hạn hoàn thành: " if task != item.title else "Hạn báo cáo: "
        text = label + shorten(task, SUMMARY_LIMIT - len(label))
    else:
        marker = spec.marker
        tag = f"[{ROLE_LABELS[variant]}] " if variant in (Variant.LEAD, Variant.PARTNER) else ""
        suffix = " (dự kiến)" if item.tentative and marker == Marker.NONE else ""
        room = SUMMARY_LIMIT - len(tag) - len(marker) - len(suffix)
        text = tag + marker + shorten(item.title, room) + suffix
    return CANCELLED_PREFIX + text if item.removed_at else text


def describe(item: FeedItem, plan: FeedPlan, base_url: str) -> str:
    """DESCRIPTION: the plan, the full title, who, when as written, the result, the link."""
    lines = [f"{plan.label}: {one_line(plan.title)}"]
    if item.removed_at:
        lines.append(f"ĐÃ HỦY: không còn trong kế hoạch từ ngày "
                     f"{_local_day(item.removed_at):%d/%m/%Y}.")
    if item.kind is ItemKind.ACTIVITY:
        head = f"Nội dung ({item.code}): " if item.code else "Nội dung: "
        lines.append(head + clean(item.title))
        if item.lead:
            lines.append("Chủ trì: " + names(tuple(u.name for u in item.lead)))
        if item.partners:
            lines.append("Phối hợp: " + names(tuple(u.name for u in item.partners)))
    else:
        lines.append("Nội dung: " + clean(item.title))
        if item.reporters:
            lines.append("Đơn vị báo cáo: " + names(tuple(u.name for u in item.reporters)))
        if item.receiver:
            lines.append("Nơi nhận: " + one_line(item.receiver))
    lines.append("Thời gian theo kế hoạch: " + one_line(item.time_text))
    if item.expected_result and clean(item.expected_result):
        lines.append("Kết quả dự kiến: " + clean(item.expected_result))
    lines.append("Chi tiết: " + item_link(base_url, item.uid))
    return "\n".join(lines)


def _status(item: FeedItem) -> str:
    if item.removed_at:
        return "CANCELLED"
    return "TENTATIVE" if item.tentative else "CONFIRMED"


def _local_day(at: datetime) -> date:
    return at.astimezone(VN_TZ).date()
