"""Working days: weekends, Vietnamese public holidays and the office's swap-day table."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta
from threading import Lock
from typing import TYPE_CHECKING

import holidays

if TYPE_CHECKING:
    from reminders.config.schema import WorkdaySettings

_ONE_DAY = timedelta(days=1)
# No office stops for a year; a search running this far means the table is broken.
_SEARCH_LIMIT = 366
DAY_OFF_NAME = "Nghỉ bù"


class WorkCalendar:
    """Which days the office works.

    Saturdays, Sundays and the public holidays of the `holidays` package (Tết included)
    are days off; the office's table adds days off (`days_off`, "nghỉ bù") and turns days
    off into working days (`working_days`, "làm bù", e.g. a Saturday worked in exchange).
    The package's list of government swaps stops at 2024, hence the table.
    """

    def __init__(self, days_off: Iterable[date] = (), working_days: Iterable[date] = ()) -> None:
        self._days_off = frozenset(days_off)
        self._working = frozenset(working_days)
        both = sorted(self._days_off & self._working)
        if both:
            raise ValueError(f"a day cannot be both off and worked: {both[0].isoformat()}")
        self._years: dict[int, dict[date, str]] = {}
        self._lock = Lock()  # the dispatcher and the web app may share one calendar

    @classmethod
    def from_settings(cls, settings: WorkdaySettings) -> WorkCalendar:
        """The calendar of the [workdays] section."""
        return cls(days_off=settings.days_off, working_days=settings.working_days)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, WorkCalendar):
            return NotImplemented
        return (self._days_off, self._working) == (other._days_off, other._working)

    def __hash__(self) -> int:
        return hash((self._days_off, self._working))

    def __repr__(self) -> str:
        return (f"WorkCalendar(days_off={sorted(self._days_off)!r}, "
                f"working_days={sorted(self._working)!r})")

    @property
    def days_off(self) -> frozenset[date]:
        return self._days_off

    @property
    def working_days(self) -> frozenset[date]:
        return self._working

    def holiday_name(self, d: date) -> str | None:
        """The public holiday (in Vietnamese) or "Nghỉ bù" on `d`; None on other days.

        Weekends have no name; a holiday listed in `working_days` keeps its name even
        though the office works that day.
        """
        name = self._holidays(d.year).get(d)
        if name is not None:
            return name
        return DAY_OFF_NAME if d in self._days_off else None

    def is_working_day(self, d: date) -> bool:
        if d in self._working:
            return True
        if d in self._days_off or d.weekday() >= 5:
            return False
        return d not in self._holidays(d.year)

    def previous_working_day(self, d: date) -> date:
        """The last working day strictly before `d`."""
        return self._step(d - _ONE_DAY, -_ONE_DAY)

    def on_or_before(self, d: date) -> date:
        """`d` if it is a working day, else the previous one."""
        return self._step(d, -_ONE_DAY)

    def next_working_day(self, d: date) -> date:
        """The first working day strictly after `d`."""
        return self._step(d + _ONE_DAY, _ONE_DAY)

    def on_or_after(self, d: date) -> date:
        """`d` if it is a working day, else the next one."""
        return self._step(d, _ONE_DAY)

    def working_days_between(self, a: date, b: date) -> int:
        """Working days after `a` up to and including `b` (days overdue: a = the deadline).

        Negative when `b` is before `a`, so that between(a, b) + between(b, c) ==
        between(a, c) for any three days; 0 when they are the same day.
        """
        if b < a:
            return -self.working_days_between(b, a)
        count = 0
        day = a + _ONE_DAY
        while day <= b:
            count += self.is_working_day(day)
            day += _ONE_DAY
        return count

    def _step(self, d: date, step: timedelta) -> date:
        day = d
        for _ in range(_SEARCH_LIMIT):
            if self.is_working_day(day):
                return day
            day += step
        raise ValueError(f"no working day within {_SEARCH_LIMIT} days of {d.isoformat()}")

    def _holidays(self, year: int) -> dict[date, str]:
        found = self._years.get(year)
        if found is None:
            with self._lock:
                found = self._years.get(year)
                if found is None:
                    # language="vi": the names are shown to Vietnamese users as they are.
                    table = holidays.country_holidays("VN", years=year, language="vi")
                    found = {day: str(name) for day, name in table.items() if day.year == year}
                    self._years[year] = found
        return found
