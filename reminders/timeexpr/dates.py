"""Calendar arithmetic for periods: months, quarters, weeks of a month, parts of months/years."""

from __future__ import annotations

import calendar
from datetime import date, timedelta

Period = tuple[date, date]


def full_year(value: int) -> int:
    """Two-digit years are this century's ("17" → 2017); plans are never from the 1900s' end."""
    if value < 100:
        return 2000 + value if value < 70 else 1900 + value
    return value


def month_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def month(year: int, number: int) -> Period:
    return date(year, number, 1), month_end(year, number)


def quarter(year: int, number: int) -> Period:
    first = 3 * (number - 1) + 1
    return date(year, first, 1), month_end(year, first + 2)


def whole_year(year: int) -> Period:
    return date(year, 1, 1), date(year, 12, 31)


def week_of_month(year: int, number: int, which: int) -> Period:
    """Week `which` (1-based; -1 the last) of a month, Monday to Sunday, clipped to the month.

    Week 1 is the week holding the 1st. Raises ValueError past the month's last week.
    """
    first, last = month(year, number)
    if which == -1:
        monday = last - timedelta(days=last.weekday())
    else:
        monday = first - timedelta(days=first.weekday()) + timedelta(weeks=which - 1)
    if monday > last or which == 0:
        raise ValueError("week past the month")
    return max(monday, first), min(monday + timedelta(days=6), last)


def iso_week(year: int, number: int) -> Period:
    monday = date.fromisocalendar(year, number, 1)
    return monday, monday + timedelta(days=6)


# Parts of a month (rule 3): days 1–10, 11–20, 21 to the end.
MONTH_PARTS = {"early": (1, 10), "middle": (11, 20), "late": (21, 31)}


def part_of_month(year: int, number: int, part: str) -> Period:
    low, high = MONTH_PARTS[part]
    end = month_end(year, number)
    return date(year, number, low), min(date(year, number, min(high, end.day)), end)


def months_of_year(year: int, first: int, last: int) -> Period:
    return date(year, first, 1), month_end(year, last)


# Parts of a year (rule 3): early = first quarter, middle = second and third, late = last.
YEAR_PARTS = {"early": (1, 3), "middle": (4, 9), "late": (10, 12),
              "first_half": (1, 6), "second_half": (7, 12)}


def part_of_year(year: int, part: str) -> Period:
    first, last = YEAR_PARTS[part]
    return months_of_year(year, first, last)
