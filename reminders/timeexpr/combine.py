"""Atoms → spans: clauses, ranges and lists, shared years, and the words around dates.

Rules 2, 4, 5 and 13 of contracts/time-expressions.md live here; the calendar arithmetic is
in dates.py and the atoms in atoms.py.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace
from datetime import date, timedelta

from reminders.timeexpr import dates, lexicon
from reminders.timeexpr.atoms import Atom, Kind, find_atoms
from reminders.timeexpr.spec import Span

PERIOD_KINDS = frozenset({Kind.DATE, Kind.MONTH, Kind.QUARTER, Kind.YEAR, Kind.WEEK,
                          Kind.ISO_WEEK, Kind.MONTH_PART, Kind.YEAR_PART, Kind.NUMBER})
_WEEKDAY_NAMES = ("Thứ Hai", "Thứ Ba", "Thứ Tư", "Thứ Năm", "Thứ Sáu", "Thứ Bảy", "Chủ nhật")


@dataclass(slots=True)
class Reading:
    """What one clause says."""

    spans: list[Span] = field(default_factory=list)
    time: dt.time | None = None
    end_time: dt.time | None = None
    part_of_day: str | None = None
    warnings: list[str] = field(default_factory=list)
    year_assumed: bool = False


@dataclass(slots=True)
class _Group:
    atoms: list[Atom]
    joins: list[str]  # "range" or "list", one between each pair of atoms
    year: int | None = None  # a trailing "năm 2024" that qualifies the whole group


def split_clauses(text: str) -> list[str]:
    """Rule 4: a new "- " item, or ";" between parts that each carry date words."""
    clauses: list[str] = []
    for item in lexicon.CLAUSE_BULLET.split(text):
        pieces = item.split(";")
        current = pieces[0]
        for piece in pieces[1:]:
            if lexicon.DATE_WORDS.search(piece) and lexicon.DATE_WORDS.search(current):
                clauses.append(current)
                current = piece
            else:
                current = f"{current};{piece}"
        clauses.append(current)
    return [c.strip(" -;,.") for c in clauses if c.strip(" -;,.")]


def read_clause(text: str, default_year: int, ref_date: date | None) -> Reading:
    """The spans and modifiers of one clause (already normalised)."""
    reading = Reading()
    atoms = _drop_weeks_with_dates(text, find_atoms(text))
    periods = [a for a in atoms if a.kind in PERIOD_KINDS]
    clause_year = next((a.year for a in periods if a.year is not None), None)
    for group, prefix in _timed_groups(text, periods):
        resolved = _resolve_numbers(group)
        if resolved is None:
            continue
        year = group.year or clause_year
        if year is None and any(a.year is None for a in resolved):
            reading.year_assumed = True
        periods_found = _periods(resolved, group.joins, year or default_year)
        if periods_found is None:
            reading.warnings.append(f"không đọc được khoảng thời gian: '{text}'")
            continue
        if lexicon.ONWARDS.match(text[group.atoms[-1].end:]):
            # "2026 trở đi", "từ năm 2026 trở về sau": from the period's start, open
            reading.spans.append(Span(start=periods_found[0][0], end=None))
            continue
        reading.spans.extend(_qualify(prefix, periods_found, group.joins,
                                      bool(lexicon.ONE_SESSION.search(text))))
    for atom in atoms:
        if atom.kind is Kind.TIME and reading.time is None:
            reading.time, reading.end_time = atom.clock, atom.end_clock
        elif atom.kind is Kind.DAY_PART and reading.part_of_day is None:
            reading.part_of_day = atom.part
        elif atom.kind is Kind.WEEKDAY:
            reading.warnings.extend(_check_weekday(atom, reading.spans))
    if not reading.spans and (reading.time or reading.part_of_day) and ref_date is not None:
        reading.spans.append(Span(start=ref_date, end=ref_date))
    if reading.time is not None:
        reading.spans = [replace(s, time=reading.time) for s in reading.spans]
    return reading


def _timed_groups(text: str, periods: list[Atom]) -> list[tuple[_Group, str]]:
    """Each group with the words before it; topic periods left out when others remain."""
    pairs: list[tuple[_Group, str]] = []
    previous_end = 0
    for group in _groups(text, periods):
        pairs.append((group, text[previous_end:group.atoms[0].start]))
        previous_end = group.atoms[-1].end
    timed = [(g, p) for g, p in pairs if not lexicon.TOPIC.search(p)]
    return timed if timed else pairs


def _drop_weeks_with_dates(text: str, atoms: list[Atom]) -> list[Atom]:
    """Rule 3: "Tuần 13 (24/3/2025 - 30/3/2025)": the dates in brackets win."""
    kept: list[Atom] = []
    for index, atom in enumerate(atoms):
        following = atoms[index + 1] if index + 1 < len(atoms) else None
        if (atom.kind in (Kind.WEEK, Kind.ISO_WEEK) and following is not None
                and following.kind is Kind.DATE
                and text[atom.end:following.start].strip().startswith("(")):
            continue
        kept.append(atom)
    return kept


def _groups(text: str, periods: list[Atom]) -> list[_Group]:
    groups: list[_Group] = []
    for atom in periods:
        if groups:
            group = groups[-1]
            gap = _join_words(text[group.atoms[-1].end:atom.start])
            if lexicon.RANGE_JOIN.match(gap):
                group.atoms.append(atom)
                group.joins.append("range")
                continue
            if lexicon.LIST_JOIN.match(gap):
                group.atoms.append(atom)
                group.joins.append("list")
                continue
            if (atom.kind is Kind.YEAR and group.year is None and gap.strip(" ,") == ""
                    and any(a.year is None for a in group.atoms)):
                group.year = atom.year
                continue
        groups.append(_Group([atom], []))
    # A lone bare number ("01 buổi") says nothing about when.
    return [g for g in groups if not (len(g.atoms) == 1 and g.atoms[0].kind is Kind.NUMBER)]


def _join_words(gap: str) -> str:
    """The words joining two dates, without weekdays and brackets ("28/01 (thứ ba) đến hết
    chủ nhật ngày 02/02"): those are checks, not joins."""
    return lexicon.WEEKDAY_NOISE.sub(" ", gap).replace("(", " ").replace(")", " ")


def _resolve_numbers(group: _Group) -> list[Atom] | None:
    """Give bare numbers the unit of their neighbour: "18-25/11" → day 18 of November."""
    atoms = list(group.atoms)
    kinds = {a.kind for a in atoms if not a.bare}
    for index, atom in enumerate(atoms):
        if atom.bare and Kind.QUARTER in kinds and atom.month and atom.month <= 4:
            # "Quý 3-4/2024": the figures after a quarter are a quarter, not April
            atoms[index] = Atom(Kind.QUARTER, atom.start, atom.end, number=atom.month,
                                year=atom.year)
            continue
        if atom.kind is not Kind.NUMBER:
            continue
        partner = next((a for a in atoms[index + 1:] if a.kind is not Kind.NUMBER), None)
        partner = partner or next(
            (a for a in reversed(atoms[:index]) if a.kind is not Kind.NUMBER), None)
        if atom.roman and partner is None:
            partner = Atom(Kind.QUARTER, 0, 0)
        if partner is None or atom.number is None:
            return None
        n = atom.number
        year = atom.year if atom.year is not None else partner.year
        if partner.kind is Kind.DATE and 1 <= n <= 31:
            atoms[index] = Atom(Kind.DATE, atom.start, atom.end, day=n, month=partner.month,
                                year=year)
        elif partner.kind is Kind.MONTH and 1 <= n <= 12:
            atoms[index] = Atom(Kind.MONTH, atom.start, atom.end, month=n, year=year)
        elif partner.kind is Kind.QUARTER and 1 <= n <= 4:
            atoms[index] = Atom(Kind.QUARTER, atom.start, atom.end, number=n, year=year)
        elif partner.kind is Kind.WEEK:
            atoms[index] = Atom(Kind.WEEK, atom.start, atom.end, number=n, month=partner.month,
                                year=year)
        else:
            return None
    return atoms


def _periods(atoms: list[Atom], joins: list[str], fallback_year: int
             ) -> list[dates.Period] | None:
    """Each member's period with shared years filled in; ranges folded into one period."""
    years: list[int | None] = [a.year for a in atoms]
    for index in range(len(atoms)):
        if years[index] is None:
            later = next((y for y in years[index + 1:] if y is not None), None)
            earlier = next((y for y in reversed(years[:index]) if y is not None), None)
            years[index] = later or earlier or fallback_year
    try:
        spans = [_period(a, y or fallback_year) for a, y in zip(atoms, years, strict=True)]
    except ValueError:
        return None
    folded: list[dates.Period] = [spans[0]]
    for join, span in zip(joins, spans[1:], strict=True):
        if join == "range":
            first = folded[-1][0]
            if first > span[1] and atoms[0].year is None:
                first = first.replace(year=first.year - 1)  # "từ 15/12 đến 15/01/2025"
            folded[-1] = (first, span[1])
        else:
            folded.append(span)
    return folded


def _period(atom: Atom, year: int) -> dates.Period:
    match atom.kind:
        case Kind.DATE:
            day = date(year, atom.month or 1, atom.day or 1)
            return day, day
        case Kind.MONTH:
            return dates.month(year, atom.month or 1)
        case Kind.QUARTER:
            return dates.quarter(year, atom.number or 1)
        case Kind.YEAR:
            return dates.whole_year(year)
        case Kind.WEEK:
            return dates.week_of_month(year, atom.month or 1, atom.number or 1)
        case Kind.ISO_WEEK:
            return dates.iso_week(year, atom.number or 1)
        case Kind.MONTH_PART:
            return dates.part_of_month(year, atom.month or 1, atom.part or "early")
        case Kind.YEAR_PART:
            if atom.part == "first_months":
                return dates.months_of_year(year, 1, atom.number or 6)
            if atom.part == "last_months":
                return dates.months_of_year(year, 13 - (atom.number or 6), 12)
            return dates.part_of_year(year, atom.part or "early")
    raise ValueError(f"no period for {atom.kind}")


def _qualify(prefix: str, periods: list[dates.Period], joins: list[str],
             one_session: bool = False) -> list[Span]:
    """Rule 2 and 13: the words before a group make it a deadline or an open range."""
    first, last = periods[0][0], periods[-1][1]
    if lexicon.BEFORE_TIME.search(prefix):
        return [Span(start=None, end=last, deadline=True)]
    if lexicon.STRICT_BEFORE.search(prefix):
        return [Span(start=None, end=first - timedelta(days=1), deadline=True)]
    opens = bool(lexicon.OPEN_START.search(prefix))  # "… báo cáo từ ngày D" opens, not limits
    hours = bool(lexicon.HOURS_OF_A_DAY.search(prefix))
    if not (opens or hours) and (lexicon.END_ON.search(prefix)
                                 or lexicon.FINISH_IN.search(prefix)):
        return [Span(start=None, end=last, deadline=True)]
    if opens and "range" not in joins and len(periods) == 1:
        # "01 buổi, bắt đầu từ 08h00 ngày 12/6/2024": one session starting then, not a range
        return [Span(start=first, end=first if one_session else None)]
    merged: list[dates.Period] = []
    for period in sorted(periods):
        if merged and period[0] <= merged[-1][1] + timedelta(days=1):
            merged[-1] = (merged[-1][0], max(merged[-1][1], period[1]))
        else:
            merged.append(period)
    return [Span(start=a, end=b) for a, b in merged]


def _check_weekday(atom: Atom, spans: list[Span]) -> list[str]:
    """Rule 6: a weekday is a check; the date stands and a mismatch is a warning."""
    days = [s.start for s in spans if s.start is not None and s.start == s.end]
    if not days or atom.weekday is None:
        return []
    day = days[-1]
    if day.weekday() == atom.weekday:
        return []
    return [
        f"{_WEEKDAY_NAMES[atom.weekday]} không khớp với ngày {day:%d/%m/%Y} "
        f"({_WEEKDAY_NAMES[day.weekday()]}): giữ theo ngày"
    ]
