"""Lunar words that only accompany solar dates: a gloss in brackets, a festival's name.

"từ thứ Ba ngày 28/01/2025 (tức ngày 29 tháng Chạp năm Giáp Thìn) đến …": the solar date
rules and the bracket is a check (a warning when they disagree), never a span of its own.
"Ngày 30/01/2025 Nghỉ Tết Nguyên đán": the festival names the occasion of a dated day.
"""

from __future__ import annotations

import re
from datetime import date

from reminders.timeexpr.atoms import Atom, Kind, find_atoms
from reminders.timeexpr.dates import full_year
from reminders.timeexpr.lunar_text import LunarMatch

# A festival still sets the time when a limit word points at it: "trước Tết Nguyên đán".
_POINTED = re.compile(r"(?:\btrước|\bđến|\btới|\bhết|\bchậm nhất|\bdịp)\s*(?:khi\s+)?$")


_MARKER = re.compile(r"\b(?:tức|nhằm)\b")


def drop_glosses(text: str, found: list[LunarMatch], default_year: int
                 ) -> tuple[str, list[LunarMatch], list[str]]:
    """The text with glosses blanked, the lunar dates that still count, and warnings.

    A gloss is a bracket holding a lunar date, or one opened by "tức"/"nhằm", or a run
    "…, tức/nhằm <lunar date> [đến <lunar date>]" after the solar dates.
    """
    solar = _solar_dates(text, found)
    if not solar:
        return text, found, []
    year = next((a.year for a in solar if a.year), default_year)
    written = {d for d in (_day(a, year) for a in solar) if d is not None}
    regions = _gloss_regions(text, found, solar[0].end)
    kept: list[LunarMatch] = []
    warnings: list[str] = []
    for match in found:
        if any(a <= match.start and match.end <= b for a, b in regions):
            if match.day not in written:
                warnings.append(
                    f"ngày âm lịch ghi kèm ứng với {match.day:%d/%m/%Y}, không trùng ngày dương "
                    "lịch nào đã ghi: giữ theo ngày dương lịch")
            continue
        if match.festival and not _POINTED.search(text[: match.start]):
            text = _blank(text, match.start, match.end)
            continue
        kept.append(match)
    for a, b in regions:
        text = _blank(text, a, b)
    return text, kept, warnings


def _gloss_regions(text: str, found: list[LunarMatch], after: int) -> list[tuple[int, int]]:
    regions: list[tuple[int, int]] = []
    for match in found:  # brackets holding a lunar date
        bracket = _bracket_around(text, match.start, match.end)
        if bracket is not None and bracket[0] >= after:
            regions.append(bracket)
    for marker in _MARKER.finditer(text, after):
        opening = text.rfind("(", after, marker.start())
        if opening >= 0 and ")" not in text[opening:marker.start()]:
            closing = text.find(")", marker.end())
            if closing >= 0:
                regions.append((opening, closing + 1))
                continue
        stop = text.find(";", marker.end())
        ends = [m.end for m in found
                if m.start >= marker.end() and (stop < 0 or m.start < stop)]
        if ends:
            regions.append((marker.start(), max(ends)))
    return regions + _lunar_before_solar(text, found)


def _lunar_before_solar(text: str, found: list[LunarMatch]) -> list[tuple[int, int]]:
    """"từ 29 tháng Chạp đến mùng 5, tức từ 26.1 đến 1.2": the lunar dates come first and
    the solar ones after "tức"; the solar ones rule, so the lunar part is the gloss."""
    regions: list[tuple[int, int]] = []
    for marker in _MARKER.finditer(text):
        before = [m for m in found if m.end <= marker.start()]
        after = [a for a in find_atoms(text[marker.end():]) if a.kind is Kind.DATE]
        if before and after and not any(m.start >= marker.end() for m in found):
            start = min(m.start for m in before)
            regions.append((start, marker.end()))

    return regions


def _solar_dates(text: str, found: list[LunarMatch]) -> list[Atom]:
    blanked = text
    for match in found:
        blanked = _blank(blanked, match.start, match.end)
    return [a for a in find_atoms(blanked) if a.kind is Kind.DATE]


def _bracket_around(text: str, start: int, end: int) -> tuple[int, int] | None:
    opening = text.rfind("(", 0, start)
    if opening < 0 or ")" in text[opening:start]:
        return None
    closing = text.find(")", end)
    if closing < 0 or "(" in text[end:closing]:
        return None
    return opening, closing + 1


def _day(atom: Atom, default_year: int) -> date | None:
    try:
        return date(full_year(atom.year) if atom.year else default_year, atom.month or 1,
                    atom.day or 1)
    except ValueError:
        return None


def _blank(text: str, start: int, end: int) -> str:
    return text[:start] + " " * (end - start) + text[end:]
