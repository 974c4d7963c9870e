"""The reader: a Vietnamese time text → TimeSpec (pure; `year`, `ref_date`, `today` are inputs)."""

from __future__ import annotations

from datetime import date, timedelta

from reminders.timeexpr import lexicon
from reminders.timeexpr.atoms import find_atoms
from reminders.timeexpr.combine import Reading, read_clause, split_clauses
from reminders.timeexpr.glosses import drop_glosses
from reminders.timeexpr.lunar_text import find_lunar
from reminders.timeexpr.normalize import normalize
from reminders.timeexpr.repeat import first_occurrence, read_repeat
from reminders.timeexpr.spec import Span, TimeSpec


def parse(
    text: str,
    *,
    year: int | None = None,
    ref_date: date | None = None,
    today: date | None = None,
) -> TimeSpec:
    """Read `text` as contracts/time-expressions.md says.

    `year` is the year for dates written without one (the plan's year); without it the
    year of `today` is used and the answer says so. `ref_date` is the day a bare time of
    day ("08h30") falls on and where a repetition starts. Never raises on any text.
    """
    norm = normalize(text)
    default_year = year or (today or ref_date or date(2000, 1, 1)).year
    warnings: list[str] = []
    tentative = bool(lexicon.TENTATIVE.search(norm))

    norm, lunar, gloss_warnings = drop_glosses(norm, find_lunar(norm, default_year),
                                               default_year)
    warnings.extend(gloss_warnings)
    spans: list[Span] = [_lunar_span(norm[: m.start], m.day) for m in lunar]
    for match in reversed(lunar):  # the solar reader must not read these again
        norm = norm[: match.start] + " " * (match.end - match.start) + norm[match.end :]

    # Rule 11: a yearly lunar date has no RRULE (the project expands it itself).
    repeat = None if lunar else read_repeat(norm, find_atoms(norm))
    if repeat is not None:
        start = ref_date or date(default_year, 1, 1)
        first = None if repeat.undetermined else first_occurrence(repeat.rrule, start)
        occurrence = [Span(start=first, end=first, deadline=repeat.deadline)] if first else []
        return TimeSpec(
            text=text, spans=tuple(occurrence), deadline=repeat.deadline, tentative=tentative,
            undetermined=not occurrence, rrule=repeat.rrule, lunar=False,
            warnings=tuple(warnings),
        )

    readings: list[Reading] = []
    for clause in split_clauses(norm):
        reading = read_clause(clause, default_year, ref_date)
        if reading.spans:
            label = clause.strip()
            reading.spans = [s if s.label else _labelled(s, label) for s in reading.spans]
        readings.append(reading)
        spans.extend(reading.spans)
        warnings.extend(reading.warnings)
    spans = _close_open_starts(spans)
    if year is None and any(r.year_assumed for r in readings) and spans:
        warnings.append(f"không ghi năm: hiểu là năm {default_year}")
    first_time = next((r for r in readings if r.time is not None), None)
    part = next((r.part_of_day for r in readings if r.part_of_day), None)
    return TimeSpec(
        text=text,
        spans=tuple(spans),
        time=first_time.time if first_time else None,
        end_time=first_time.end_time if first_time else None,
        part_of_day=part,
        deadline=any(s.deadline for s in spans),
        tentative=tentative,
        undetermined=not spans,
        rrule=None,
        lunar=bool(lunar),
        warnings=tuple(warnings),
    )


def _close_open_starts(spans: list[Span]) -> list[Span]:
    """"Bắt đầu từ ngày D1 … và kết thúc chậm nhất vào ngày D2": one span from D1 to D2.

    A start with no end followed by an end with no start is one range told in two clauses.
    """
    out: list[Span] = []
    for span in spans:
        last = out[-1] if out else None
        if (last is not None and last.start is not None and last.end is None
                and span.end is not None and span.end >= last.start):
            # "từ tháng 3-2019 và kết thúc trong tháng 5-2019" closes at the second's end
            out[-1] = Span(start=last.start, end=span.end, time=last.time or span.time,
                           deadline=span.deadline, label=last.label)
            continue
        out.append(span)
    return out


def _lunar_span(before: str, day: date) -> Span:
    """A lunar day, or a deadline by it ("trước Tết Nguyên đán")."""
    if lexicon.STRICT_BEFORE.search(before):
        return Span(start=None, end=day - timedelta(days=1), deadline=True)
    if lexicon.END_ON.search(before):
        return Span(start=None, end=day, deadline=True)
    return Span(start=day, end=day)


def _labelled(span: Span, label: str) -> Span:
    return Span(start=span.start, end=span.end, time=span.time, deadline=span.deadline,
                label=label)

