"""The TimeSpec value of contracts/time-expressions.md and its JSON form."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from datetime import date
from typing import Any


@dataclass(frozen=True, slots=True, kw_only=True)
class Span:
    """One part of a time expression: a day range, open on either side where the text is."""

    start: date | None
    end: date | None
    time: dt.time | None = None
    deadline: bool = False
    label: str = ""

    def as_json(self) -> dict[str, Any]:
        return {
            "start": _day(self.start),
            "end": _day(self.end),
            "time": _clock(self.time),
            "deadline": self.deadline,
            "label": self.label,
        }


@dataclass(frozen=True, slots=True, kw_only=True)
class TimeSpec:
    """What a Vietnamese time text means: the contract's object, every field."""

    text: str
    spans: tuple[Span, ...] = ()
    time: dt.time | None = None
    end_time: dt.time | None = None
    part_of_day: str | None = None
    deadline: bool = False
    tentative: bool = False
    undetermined: bool = False
    rrule: str | None = None
    lunar: bool = False
    warnings: tuple[str, ...] = field(default=())

    @property
    def start(self) -> date | None:
        """The earliest start; None when undetermined or any span is open at the start."""
        if not self.spans or any(s.start is None for s in self.spans):
            return None
        return min(s.start for s in self.spans if s.start is not None)

    @property
    def end(self) -> date | None:
        """The latest end (inclusive); None when undetermined or any span is open at the end."""
        if not self.spans or any(s.end is None for s in self.spans):
            return None
        return max(s.end for s in self.spans if s.end is not None)

    def as_json(self) -> dict[str, Any]:
        return {
            "text": self.text,
            "start": _day(self.start),
            "end": _day(self.end),
            "time": _clock(self.time),
            "end_time": _clock(self.end_time),
            "part_of_day": self.part_of_day,
            "deadline": self.deadline,
            "tentative": self.tentative,
            "undetermined": self.undetermined,
            "rrule": self.rrule,
            "lunar": self.lunar,
            "warnings": list(self.warnings),
            "spans": [s.as_json() for s in self.spans],
        }


def _day(value: date | None) -> str | None:
    return value.isoformat() if value else None


def _clock(value: dt.time | None) -> str | None:
    return value.strftime("%H:%M") if value else None
