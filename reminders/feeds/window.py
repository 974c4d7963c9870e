"""Which events a feed shows today: a rolling window, and removed items for 30 days."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from reminders.clock import VN_TZ
from reminders.feeds.events import EventSpec

CANCELLED_DAYS = 30  # a removed item stays as CANCELLED this long, then leaves the feed


@dataclass(frozen=True, slots=True, kw_only=True)
class Window:
    """Days back and ahead of `today` (local); None on both sides shows everything."""

    today: date
    days_back: int | None = 30
    days_ahead: int | None = 400

    @classmethod
    def everything(cls, today: date) -> Window:
        return cls(today=today, days_back=None, days_ahead=None)

    def shows(self, event: EventSpec) -> bool:
        removed = event.item.removed_at
        if removed is not None:
            gone = removed.astimezone(VN_TZ).date() + timedelta(days=CANCELLED_DAYS)
            if self.today >= gone:
                return False
        if self.days_back is not None and event.last_day < self.today - timedelta(
                days=self.days_back):
            return False
        return self.days_ahead is None or event.first_day <= self.today + timedelta(
            days=self.days_ahead)
