"""Repeating times (rules 8 and 13) as RRULEs, and their first occurrence."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from dateutil.rrule import rrulestr

from reminders.timeexpr import lexicon
from reminders.timeexpr.atoms import Atom, Kind

_BYDAY = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
_DAY_OF_MONTH = re.compile(r"(?:ngày|mùng)\s+(?P<d>\d{1,2})(?![\d/])")


@dataclass(frozen=True, slots=True)
class Repeat:
    rrule: str
    deadline: bool
    undetermined: bool  # "hàng năm" with no day: a rhythm, not a date


def read_repeat(text: str, atoms: list[Atom]) -> Repeat | None:
    """The repetition a text states, or None. `atoms` are the text's atoms."""
    repeats = [a for a in atoms if a.kind is Kind.REPEAT]
    if not repeats:
        return None
    kinds = {a.part for a in repeats}
    day: int | None = None
    strict = deadline = False
    day_match = _DAY_OF_MONTH.search(text)
    if day_match:
        before = text[: day_match.start()]
        day = int(day_match["d"])
        strict = bool(lexicon.STRICT_BEFORE.search(before))
        deadline = strict or bool(lexicon.END_ON.search(before))
    by_day = None if day is None else (day - 1 if strict else day)
    # "trước ngày 1" is the last day of the month before.
    month_day = "" if by_day is None else f";BYMONTHDAY={by_day if by_day > 0 else -1}"
    no_day = by_day is None  # a rhythm without a day gives no date (rules 12 and 13)
    if "QUARTER_END" in kinds:
        return Repeat(f"FREQ=YEARLY;BYMONTH=3,6,9,12{month_day}", deadline, no_day)
    if "QUARTER_START" in kinds:  # "trước ngày 10 của tháng đầu quý sau"
        return Repeat(f"FREQ=YEARLY;BYMONTH=1,4,7,10{month_day}", deadline, no_day)
    every = next((a.number for a in repeats if a.number), None)
    if every:
        return Repeat(f"FREQ=MONTHLY;INTERVAL={every}{month_day}", deadline, no_day)
    if "QUARTERLY" in kinds:
        return Repeat(f"FREQ=MONTHLY;INTERVAL=3{month_day}", deadline, no_day)
    if "MONTHLY" in kinds:
        return Repeat(f"FREQ=MONTHLY{month_day}", deadline, no_day)
    if "WEEKLY" in kinds:
        weekday = next((a.weekday for a in atoms if a.kind is Kind.WEEKDAY), None)
        by = "" if weekday is None else f";BYDAY={_BYDAY[weekday]}"
        return Repeat(f"FREQ=WEEKLY{by}", deadline, weekday is None)
    if "DAILY" in kinds:
        return Repeat("FREQ=DAILY", deadline, False)
    dated = next((a for a in atoms if a.kind is Kind.DATE and a.day and a.month), None)
    if dated is not None and dated.day and dated.month:
        before = text[: dated.start]
        strict = bool(lexicon.STRICT_BEFORE.search(before))
        limit = date(2001, dated.month, dated.day) - timedelta(days=1 if strict else 0)
        deadline = strict or bool(lexicon.END_ON.search(before))
        return Repeat(f"FREQ=YEARLY;BYMONTH={limit.month};BYMONTHDAY={limit.day}", deadline,
                      False)
    return Repeat("FREQ=YEARLY", deadline, True)


def first_occurrence(rule: str, on_or_after: date) -> date | None:
    """The first day the rule falls on, on or after a date (None if it never does)."""
    start = datetime(on_or_after.year, on_or_after.month, on_or_after.day)
    found = rrulestr(f"RRULE:{rule}", dtstart=start).after(start, inc=True)
    return found.date() if found else None
