"""An item's calendar events: spans, long windows as two markers, deadline occurrences (pure).

What the events are does not depend on the unit that sees them (feeds/render.py adds the
role) nor on today (feeds/window.py decides what a feed shows).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from reminders.clock import VN_TZ
from reminders.feeds.model import DaySpan, FeedItem, ItemKind

LONG_WINDOW_DAYS = 7  # longer windows become a first-day and a last-day marker
DEFAULT_DURATION = timedelta(hours=1)  # a start time without an end


class Marker:
    """What an event stands for, shown before the title."""

    NONE = ""
    START = "Bắt đầu: "
    END = "Hạn hoàn thành: "


@dataclass(frozen=True, slots=True, kw_only=True)
class EventSpec:
    """One VEVENT of an item; `start`/`end` are dates (end exclusive) or local datetimes."""

    uid: str
    item: FeedItem
    marker: str
    start: date | datetime
    end: date | datetime
    first_day: date
    last_day: date  # the last day shown (for RRULE: the last occurrence)
    rrule: str | None = None
    transparent: bool = False

    @property
    def timed(self) -> bool:
        return isinstance(self.start, datetime)

    @property
    def sort_key(self) -> tuple[str, str]:
        return self.start.isoformat() if self.timed else f"{self.start.isoformat()}T", self.uid


def derived_uid(uid: str, suffix: str) -> str:
    """A stable UID for the n-th event of an item: 'abc@reminders' → 'abc-d2@reminders'."""
    if not suffix:
        return uid
    local, at, domain = uid.partition("@")
    return f"{local}-{suffix}{at}{domain}"


def plan_events(item: FeedItem) -> tuple[EventSpec, ...]:
    """The events an item shows as; none when its time is undetermined."""
    if item.kind is ItemKind.DEADLINE:
        return _deadline_events(item)
    events: list[EventSpec] = []
    for index, span in enumerate(item.spans):
        suffix = "" if index == 0 else f"d{index + 1}"
        events += _span_events(item, span, derived_uid(item.uid, suffix),
                               single=len(item.spans) == 1)
    return tuple(events)


def _span_events(item: FeedItem, span: DaySpan, uid: str, *, single: bool) -> list[EventSpec]:
    if span.start is None and span.end is None:
        return []
    if span.start is None or span.end is None:
        # "trước ngày 15/12" or "từ ngày 5/12": one marker on the day that is known.
        day = span.end if span.start is None else span.start
        assert day is not None
        marker = Marker.END if span.start is None else Marker.START
        return [_all_day(item, uid, marker, day, day, transparent=True)]
    days = (span.end - span.start).days + 1
    if days > LONG_WINDOW_DAYS:
        return [
            _all_day(item, uid, Marker.START, span.start, span.start, transparent=True),
            _all_day(item, derived_uid(uid, "ket-thuc"), Marker.END, span.end, span.end,
                     transparent=True),
        ]
    start_time = _clock(span.time)
    if start_time is not None:
        start = datetime.combine(span.start, start_time, tzinfo=VN_TZ)
        end_time = _clock(item.end_time) if single else None
        end = datetime.combine(span.end, end_time, tzinfo=VN_TZ) if end_time else None
        if end is None or end <= start:
            end = start + DEFAULT_DURATION if days == 1 else None
        if end is not None:
            return [EventSpec(uid=uid, item=item, marker=Marker.NONE, start=start, end=end,
                              first_day=span.start, last_day=span.end)]
    return [_all_day(item, uid, Marker.NONE, span.start, span.end, transparent=days > 1)]


def _deadline_events(item: FeedItem) -> tuple[EventSpec, ...]:
    if not item.occurrences:
        return ()
    if item.rrule is not None:
        first, last = item.occurrences[0], item.occurrences[-1]
        return (EventSpec(uid=item.uid, item=item, marker=Marker.NONE, start=first,
                          end=first + timedelta(days=1), first_day=first, last_day=last,
                          rrule=bounded_rrule(item.rrule, last), transparent=True),)
    return tuple(
        _all_day(item, derived_uid(item.uid, "" if index == 0 else f"h{index + 1}"),
                 Marker.NONE, day, day, transparent=True)
        for index, day in enumerate(item.occurrences)
    )


def bounded_rrule(rule: str, last: date) -> str:
    """The rule with an UNTIL on its last stored occurrence, unless it already ends."""
    parts = [p for p in rule.upper().removeprefix("RRULE:").split(";") if p]
    if any(p.startswith(("UNTIL=", "COUNT=")) for p in parts):
        return ";".join(parts)
    return ";".join([*parts, f"UNTIL={last:%Y%m%d}"])


def _all_day(item: FeedItem, uid: str, marker: str, first: date, last: date, *,
             transparent: bool) -> EventSpec:
    return EventSpec(uid=uid, item=item, marker=marker, start=first,
                     end=last + timedelta(days=1), first_day=first, last_day=last,
                     transparent=transparent)


def _clock(text: str | None) -> time | None:
    if not text:
        return None
    hours, _, minutes = text.partition(":")
    return time(int(hours), int(minutes or 0))
