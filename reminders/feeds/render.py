"""One VEVENT as text: a role-free body rendered once per item revision, the role lines apart.

The same event sits in many feeds (a lead's, each partner's, the plan's, the office's);
only SUMMARY and CATEGORIES depend on who looks. Values are encoded by icalendar's own
property types (text escaping, dates, times, RRULE); lines are joined and folded here,
because icalendar's whole-event path costs ~0.25 ms an event, most of it folding one
character at a time, and a district has tens of thousands of events. `reference_event`
builds the same event with icalendar alone; the tests require identical content lines.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from icalendar import Event
from icalendar.prop import vCategory, vDate, vDatetime, vRecur, vText

from reminders.clock import VN_TZ
from reminders.feeds.events import EventSpec, Marker
from reminders.feeds.model import FeedItem, FeedPlan, ItemKind, Variant
from reminders.feeds.text import SUMMARY_LIMIT, clean, names, one_line, shorten

CRLF = "\r\n"
LINE_OCTETS = 75
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


def fold(line: str) -> str:
    """RFC 5545 §3.1: lines of at most 75 octets, never cut inside a UTF-8 character."""
    data = line.encode()
    if len(data) <= LINE_OCTETS:
        return line
    parts = []
    start, limit = 0, LINE_OCTETS
    while len(data) - start > limit:
        end = start + limit
        while data[end] & 0xC0 == 0x80:  # a continuation byte: step back to the letter
            end -= 1
        parts.append(data[start:end])
        start, limit = end, LINE_OCTETS - 1  # the leading space counts
    parts.append(data[start:])
    return b"\r\n ".join(parts).decode()


def _ical(value: Any) -> str:
    """A property value as icalendar writes it (escaped, formatted), unfolded."""
    encoded: bytes = value.to_ical()
    return encoded.decode()


def _text(value: str) -> str:
    return _ical(vText(value))


def _when(name: str, value: date | datetime) -> str:
    if isinstance(value, datetime):
        return f"{name};TZID=Asia/Ho_Chi_Minh:{_ical(vDatetime(value.astimezone(VN_TZ)))}"
    return f"{name};VALUE=DATE:{_ical(vDate(value))}"


def render_body(spec: EventSpec, plan: FeedPlan, base_url: str) -> str:
    """Every line of the VEVENT but BEGIN/END, SUMMARY and CATEGORIES; deterministic."""
    item = spec.item
    stamp = _ical(vDatetime(item.updated_at.astimezone(UTC)))
    lines = [
        _when("DTSTART", spec.start),
        _when("DTEND", spec.end),
        f"DTSTAMP:{stamp}",
        f"UID:{_text(spec.uid)}",
        f"SEQUENCE:{max(item.revision - 1, 0)}",
    ]
    if spec.rrule:
        lines.append(f"RRULE:{_ical(vRecur.from_ical(spec.rrule))}")
    lines += [f"DESCRIPTION:{_text(describe(item, plan, base_url))}",
              f"LAST-MODIFIED:{stamp}"]
    if item.location and clean(item.location):
        lines.append(f"LOCATION:{_text(one_line(item.location))}")
    lines += [f"STATUS:{_status(item)}",
              f"TRANSP:{'TRANSPARENT' if spec.transparent else 'OPAQUE'}",
              f"URL:{item_link(base_url, item.uid)}"]
    return "".join(fold(line) + CRLF for line in lines)


def render_head(spec: EventSpec, variant: Variant) -> str:
    """SUMMARY and CATEGORIES for one way of seeing the event."""
    return (fold("SUMMARY:" + _text(summary_text(spec, variant))) + CRLF
            + fold("CATEGORIES:" + _ical(vCategory([ROLE_LABELS[variant]]))) + CRLF)


def reference_event(spec: EventSpec, variant: Variant, plan: FeedPlan, base_url: str) -> Event:
    """The same event built with icalendar alone: what render_head + render_body must equal."""
    item = spec.item
    stamp = item.updated_at.astimezone(UTC)
    event = Event()
    event.add("summary", summary_text(spec, variant))
    event.add("categories", [ROLE_LABELS[variant]])
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
    return event


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
