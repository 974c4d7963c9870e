"""A whole feed: the VCALENDAR head (names, refresh hints, the +07:00 zone) around its events."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

from icalendar import Calendar, Timezone, TimezoneStandard
from icalendar.prop import vDuration

from reminders.feeds.text import one_line

PRODID = "-//reminders//Lich ke hoach//VI"
TZID = "Asia/Ho_Chi_Minh"  # never Asia/Saigon: Outlook and Google map this one
END = "END:VCALENDAR\r\n"
END_BYTES = END.encode()


@dataclass(frozen=True, slots=True, kw_only=True)
class FeedDoc:
    """A feed as served: the bytes and their validators (also as HTTP header values, made
    once here rather than on every request)."""

    body: bytes
    etag: str
    last_modified: datetime
    etag_header: bytes = field(init=False, repr=False, compare=False)
    last_modified_header: bytes = field(init=False, repr=False, compare=False)
    length_header: bytes = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        set_ = object.__setattr__  # frozen: the derived fields are set once, here
        set_(self, "etag_header", self.etag.encode())
        set_(self, "last_modified_header",
             format_datetime(self.last_modified.astimezone(UTC), usegmt=True).encode())
        set_(self, "length_header", str(len(self.body)).encode())


def _zone() -> str:
    # Việt Nam keeps +07:00 all year; a one-rule zone every client reads the same way.
    zone = Timezone()
    zone.add("tzid", TZID)
    standard = TimezoneStandard()
    standard.add("dtstart", datetime(1970, 1, 1))
    standard.add("tzoffsetfrom", timedelta(hours=7))
    standard.add("tzoffsetto", timedelta(hours=7))
    standard.add("tzname", "+07")
    zone.add_component(standard)
    text: str = zone.to_ical().decode()
    return text


VTIMEZONE = _zone()


def head(name: str, description: str, refresh_hours: int) -> str:
    """Everything before the events; one per feed, cached by the caller."""
    calendar = Calendar()
    calendar.add("version", "2.0")
    calendar.add("prodid", PRODID)
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("name", one_line(name))
    calendar.add("x-wr-calname", one_line(name))
    calendar.add("description", one_line(description))
    calendar.add("x-wr-caldesc", one_line(description))
    calendar.add("x-wr-timezone", TZID)
    interval = timedelta(hours=refresh_hours)
    calendar.add("refresh-interval", interval, parameters={"VALUE": "DURATION"})
    calendar.add("x-published-ttl", vDuration(interval))
    text: str = calendar.to_ical().decode()
    return text[: -len(END)] + VTIMEZONE


def assemble(feed_head: str, events: Iterable[str]) -> bytes:
    """The feed's bytes; events come sorted by the caller."""
    return (feed_head + "".join(events) + END).encode()


def etag(body: bytes) -> str:
    """A strong validator from the bytes alone, so every worker and export agrees."""
    return '"' + hashlib.sha256(body).hexdigest()[:32] + '"'
