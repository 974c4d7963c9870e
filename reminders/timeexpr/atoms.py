"""Date atoms: the small pieces a time text is made of, each found by one named pattern.

An atom is a day, a month, a quarter, a year, a week, a part of a month or year, a time of
day, a weekday, a part of the day, a bare number, or a repetition. Grow the reader by adding
a pattern to PATTERNS; where two patterns overlap, the one starting first and then the
longest wins (ties go to the earlier pattern).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import time
from enum import StrEnum

from reminders.timeexpr.dates import full_year


class Kind(StrEnum):
    DATE = "date"
    MONTH = "month"
    QUARTER = "quarter"
    YEAR = "year"
    WEEK = "week"  # week of a month
    ISO_WEEK = "iso_week"
    MONTH_PART = "month_part"
    YEAR_PART = "year_part"
    TIME = "time"
    WEEKDAY = "weekday"
    DAY_PART = "day_part"
    NUMBER = "number"  # a bare day, month or quarter number that a neighbour explains
    REPEAT = "repeat"
    COUNT = "count"  # "10 năm 2011-2020": how long, not when


@dataclass(frozen=True, slots=True)
class Atom:
    kind: Kind
    start: int
    end: int
    day: int | None = None
    month: int | None = None
    year: int | None = None
    number: int | None = None  # quarter, week, count of months, bare number
    part: str | None = None
    roman: bool = False
    clock: time | None = None
    end_clock: time | None = None
    weekday: int | None = None  # Monday = 0
    bare: bool = False  # written as figures only ("4/2024"): a neighbour may say what it is

    def with_year(self, year: int) -> Atom:
        return replace(self, year=year)


_YEAR_SUFFIX = r"(?:/(?P<y>\d{4}|\d{2})(?![\d/])|\s+năm\s+(?P<y2>\d{4}))?"
_ROMAN = {"i": 1, "ii": 2, "iii": 3, "iv": 4}
_WEEKDAYS = {"2": 0, "hai": 0, "3": 1, "ba": 1, "4": 2, "tư": 2, "5": 3, "năm": 3,
             "6": 4, "sáu": 4, "7": 5, "bảy": 5}
_MONTH_PARTS = {"đầu": "early", "thượng tuần": "early", "giữa": "middle",
                "trung tuần": "middle", "cuối": "late", "hạ tuần": "late"}
_YEAR_PARTS = {"đầu": "early", "giữa": "middle", "cuối": "late", "nửa đầu": "first_half",
               "nửa cuối": "second_half", "nửa sau": "second_half"}
_DAY_PARTS = {"sáng": "morning", "trưa": "afternoon", "chiều": "afternoon", "tối": "evening"}
_REPEATS = {"ngày": "DAILY", "tuần": "WEEKLY", "tháng": "MONTHLY", "quý": "QUARTERLY",
            "năm": "YEARLY"}

Builder = Callable[[re.Match[str]], Atom | None]


def _year(match: re.Match[str]) -> int | None:
    groups = match.groupdict()
    raw = groups.get("y") or groups.get("y2")
    return full_year(int(raw)) if raw else None


def _date(m: re.Match[str]) -> Atom | None:
    day, month = int(m["d"]), int(m["m"])
    if not (1 <= day <= 31 and 1 <= month <= 12):
        return None
    return Atom(Kind.DATE, m.start(), m.end(), day=day, month=month, year=_year(m))


def _month(m: re.Match[str]) -> Atom | None:
    month = int(m["m"])
    if not 1 <= month <= 12:
        return None
    return Atom(Kind.MONTH, m.start(), m.end(), month=month, year=_year(m),
                bare=not m.group(0).startswith("tháng"))


def _quarter(m: re.Match[str]) -> Atom:
    raw = m["q"]
    number = _ROMAN[raw] if raw in _ROMAN else int(raw)
    return Atom(Kind.QUARTER, m.start(), m.end(), number=number, year=_year(m))


def _quarter_part(m: re.Match[str]) -> Atom:
    """"Cuối quý II": the quarter's first, middle or last month."""
    raw = m["q"]
    number = _ROMAN[raw] if raw in _ROMAN else int(raw)
    offset = {"đầu": 0, "giữa": 1, "cuối": 2}[m["p"]]
    return Atom(Kind.MONTH, m.start(), m.end(), month=3 * (number - 1) + 1 + offset,
                year=_year(m))


def _roman(m: re.Match[str]) -> Atom:
    return Atom(Kind.NUMBER, m.start(), m.end(), number=_ROMAN[m["q"]], roman=True,
                year=_year(m))


def _year_atom(m: re.Match[str]) -> Atom:
    return Atom(Kind.YEAR, m.start(), m.end(), year=_year(m))


def _week(m: re.Match[str]) -> Atom | None:
    raw = m["w"]
    which = 1 if raw.startswith("đầu") else -1 if raw.startswith("cuối") else int(raw)
    month = int(m["m"])
    if not (1 <= month <= 12 and which != 0):
        return None
    return Atom(Kind.WEEK, m.start(), m.end(), number=which, month=month, year=_year(m))


def _iso_week(m: re.Match[str]) -> Atom | None:
    number = int(m["w"])
    if not 1 <= number <= 53:
        return None
    return Atom(Kind.ISO_WEEK, m.start(), m.end(), number=number, year=_year(m))


def _month_part(m: re.Match[str]) -> Atom | None:
    month = int(m["m"])
    if not 1 <= month <= 12:
        return None
    return Atom(Kind.MONTH_PART, m.start(), m.end(), month=month, part=_MONTH_PARTS[m["p"]],
                year=_year(m))


def _months_of_year(m: re.Match[str]) -> Atom | None:
    count = int(m["n"])
    if not 1 <= count <= 12:
        return None
    part = "first_months" if m["p"] == "đầu" else "last_months"
    return Atom(Kind.YEAR_PART, m.start(), m.end(), number=count, part=part, year=_year(m))


def _year_part(m: re.Match[str]) -> Atom:
    return Atom(Kind.YEAR_PART, m.start(), m.end(), part=_YEAR_PARTS[m["p"]], year=_year(m))


def _clock(hour: str, minute: str | None) -> time | None:
    h, mi = int(hour), int(minute or 0)
    return time(h, mi) if h < 24 and mi < 60 else None


def _time_range(m: re.Match[str]) -> Atom | None:
    first, last = _clock(m["a"], m["am"]), _clock(m["b"], m["bm"])
    if first is None or last is None:
        return None
    return Atom(Kind.TIME, m.start(), m.end(), clock=first, end_clock=last)


def _time(m: re.Match[str]) -> Atom | None:
    clock = _clock(m["h"], m["mi"])
    return None if clock is None else Atom(Kind.TIME, m.start(), m.end(), clock=clock)


def _weekday(m: re.Match[str]) -> Atom:
    weekday = 6 if m["wd"] is None else _WEEKDAYS[m["wd"]]
    return Atom(Kind.WEEKDAY, m.start(), m.end(), weekday=weekday)


def _day_part(m: re.Match[str]) -> Atom:
    return Atom(Kind.DAY_PART, m.start(), m.end(), part=_DAY_PARTS[m["p"]])


def _number(m: re.Match[str]) -> Atom:
    return Atom(Kind.NUMBER, m.start(), m.end(), number=int(m["n"]))


def _day_number(m: re.Match[str]) -> Atom:
    return Atom(Kind.NUMBER, m.start(), m.end(), number=int(m["n"]), part="day")


def _repeat(m: re.Match[str]) -> Atom:
    return Atom(Kind.REPEAT, m.start(), m.end(), part=_REPEATS[m["f"]])


def _every_n_months(m: re.Match[str]) -> Atom:
    return Atom(Kind.REPEAT, m.start(), m.end(), part="MONTHLY", number=int(m["n"]))


def _monthly(m: re.Match[str]) -> Atom:
    return Atom(Kind.REPEAT, m.start(), m.end(), part="MONTHLY")


def _count(m: re.Match[str]) -> Atom:
    return Atom(Kind.COUNT, m.start(), m.end(), number=int(m["n"]))


def _start_of_quarter(m: re.Match[str]) -> Atom:
    return Atom(Kind.REPEAT, m.start(), m.end(), part="QUARTER_START")


def _end_of_quarter(m: re.Match[str]) -> Atom:
    return Atom(Kind.REPEAT, m.start(), m.end(), part="QUARTER_END")


_DAY = r"(?:(?:ngày|mùng)\s+)?"
PATTERNS: tuple[tuple[str, re.Pattern[str], Builder], ...] = tuple(
    (name, re.compile(regex), builder)
    for name, regex, builder in (
        ("date", _DAY + r"(?P<d>\d{1,2})/(?P<m>\d{1,2})/(?P<y>\d{4}|\d{2})(?![\d/])", _date),
        ("date in words", _DAY + r"(?P<d>\d{1,2})\s+tháng\s+(?P<m>\d{1,2})"
         r"(?:\s+năm\s+|/)(?P<y>\d{4})(?!\d)", _date),
        ("day and month", _DAY + r"(?P<d>\d{1,2})/(?P<m>\d{1,2})(?![\d/])", _date),
        ("day and month in words", _DAY + r"(?P<d>\d{1,2})\s+tháng\s+(?P<m>\d{1,2})(?![\d/])",
         _date),
        ("week of a month", r"tuần\s+(?:thứ\s+)?(?P<w>\d{1,2}|đầu tiên|đầu|cuối cùng|cuối)"
         r"\s+(?:của\s+)?tháng\s+(?P<m>\d{1,2})" + _YEAR_SUFFIX, _week),
        ("week of a year", r"tuần\s+(?:thứ\s+)?(?P<w>\d{1,2})(?:/|\s+năm\s+)(?P<y>\d{4})",
         _iso_week),
        ("part of a month", r"(?P<p>thượng tuần|trung tuần|hạ tuần|đầu|giữa|cuối)\s+"
         r"tháng\s+(?P<m>\d{1,2})" + _YEAR_SUFFIX, _month_part),
        ("part of a quarter", r"(?P<p>đầu|giữa|cuối)\s+quý\s+(?P<q>iv|i{1,3}|[1-4])(?!\w)"
         + _YEAR_SUFFIX, _quarter_part),
        ("months of a year", r"(?P<n>\d{1,2})\s+tháng\s+(?P<p>đầu|cuối)\s+(?:của\s+)?năm"
         r"(?:\s+(?P<y>\d{4}))?", _months_of_year),
        ("part of a year", r"(?P<p>nửa đầu|nửa cuối|nửa sau|đầu|giữa|cuối)\s+năm"
         r"(?:\s+(?P<y>\d{4}))?", _year_part),
        ("month", r"(?:tháng\s+)?(?P<m>\d{1,2})/(?P<y>\d{4})(?!\d)", _month),
        ("month in words", r"tháng\s+(?P<m>\d{1,2})\s+năm\s+(?P<y>\d{4})", _month),
        ("month, short year", r"tháng\s+(?P<m>\d{1,2})/(?P<y>\d{2})(?![\d/])", _month),
        ("month alone", r"tháng\s+(?P<m>\d{1,2})(?![\d/])", _month),
        ("quarter", r"quý\s+(?P<q>iv|i{1,3}|[1-4])(?!\w)" + _YEAR_SUFFIX, _quarter),
        ("roman numeral", r"(?<![\w])(?P<q>iv|i{1,3})(?!\w)(?:/(?P<y>\d{4}))?", _roman),
        ("year", r"năm\s+(?P<y>\d{4})", _year_atom),
        ("bare year", r"(?<![\d/])(?P<y>(?:19|20)\d{2})(?![\d/])", _year_atom),
        ("time range", r"(?P<a>\d{1,2})h(?P<am>\d{2})?\s*(?:-|đến|tới)\s*"
         r"(?P<b>\d{1,2})h(?P<bm>\d{2})?", _time_range),
        ("time", r"(?<![\w/])(?P<h>\d{1,2})h(?P<mi>\d{2})?(?!\w)", _time),
        ("weekday", r"thứ\s+(?P<wd>[2-7]|hai|ba|tư|năm|sáu|bảy)(?!\w)|chủ\s+nhật", _weekday),
        ("part of the day", r"buổi\s+(?P<p>sáng|chiều|tối|trưa)"
         r"|(?<!\w)(?P<p2>sáng|chiều|tối)(?=\s+(?:ngày|thứ|chủ nhật|\d))", _day_part),
        ("every n months", r"(?P<n>\d{1,2})\s+tháng\s+(?:một|1)\s+lần", _every_n_months),
        ("repeat", r"(?:hàng|mỗi)\s+(?P<f>ngày|tuần|tháng|quý|năm)(?!\w)", _repeat),
        ("last month of a quarter", r"tháng\s+cuối\s+(?:cùng\s+)?(?:của\s+)?"
         r"(?:mỗi\s+|các\s+|từng\s+|hàng\s+)?quý", _end_of_quarter),
        ("first month of a quarter", r"tháng\s+đầu\s+(?:tiên\s+)?(?:của\s+)?"
         r"(?:mỗi\s+|các\s+|từng\s+|hàng\s+)?quý(?:\s+(?:sau|tiếp theo|kế tiếp))?",
         _start_of_quarter),
        # "trước ngày 10 của tháng", "ngày 25 các tháng": a day of every month
        ("day of every month", r"(?<=\d )(?:của\s+(?:mỗi\s+|các\s+|từng\s+)?|(?:các|từng)\s+)"
         r"tháng(?!\s*(?:\d|cuối|đầu|giữa|này|trước|[ivx]+\b))", _monthly),
        ("count of years", r"(?<![\w/,;&-])(?<![,;&-] )(?<!và )(?P<n>\d{1,2})\s+năm"
         r"(?=\s*\(?\s*(?:19|20)\d{2}\b)", _count),
        ("day alone", r"(?:ngày|mùng)\s+(?P<n>\d{1,2})(?![\d/]|\s+tháng)", _day_number),
        ("number", r"(?<![\w/])(?P<n>\d{1,2})(?![\w/])", _number),
    )
)


def find_atoms(text: str) -> list[Atom]:
    """Atoms of a normalised text in order, without overlaps (leftmost, then longest)."""
    found: list[tuple[int, int, int, Atom]] = []
    for priority, (_name, pattern, build) in enumerate(PATTERNS):
        for match in pattern.finditer(text):
            if match.groupdict().get("p2"):
                atom: Atom | None = Atom(Kind.DAY_PART, match.start(), match.end(),
                                         part=_DAY_PARTS[match["p2"]])
            else:
                atom = build(match)
            if atom is not None:
                found.append((atom.start, -(atom.end - atom.start), priority, atom))
    found.sort(key=lambda item: item[:3])
    chosen: list[Atom] = []
    taken_until = -1
    for start, _length, _priority, atom in found:
        if start >= taken_until:
            chosen.append(atom)
            taken_until = atom.end
    return chosen
