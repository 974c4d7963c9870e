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


def drop_glosses(text: str, found: list[LunarMatch], default_year: int
                 ) -> tuple[str, list[LunarMatch], list[str]]:
    """The text with glosses blanked, the lunar dates that still count, and warnings."""
    solar = _solar_dates(text, found)
    if not solar:
        return text, found, []
    kept: list[LunarMatch] = []
    warnings: list[str] = []
    for match in found:
        bracket = _bracket_around(text, match.start, match.end)
        if bracket is not None:
            before = [a for a in solar if a.end <= bracket[0]]
            if before:
                written = _day(before[-1], default_year)
                if written is not None and written != match.day:
                    warnings.append(
                        f"ngày âm lịch trong ngoặc ứng với {match.day:%d/%m/%Y}, không khớp với "
                        f"ngày {written:%d/%m/%Y}: giữ theo ngày dương lịch")
                text = _blank(text, *bracket)
                continue
        if match.festival and not _POINTED.search(text[: match.start]):
            text = _blank(text, match.start, match.end)
            continue
        kept.append(match)
    return text, kept, warnings


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
