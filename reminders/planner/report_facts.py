"""What nudges and the office's digest say, as kept in an outbox row's payload.

A nudge ("đôn đốc") asks a unit for a report that is overdue (or, sent by hand by the
office, one still missing); the digest ("bản tổng hợp") tells the standing office ("đơn vị
thường trực") each working morning who is overdue and whose report falls due soon. The
facts are computed once, when the row is planned, so a message sent late or again says
the same as it would have on its day.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from reminders.domain import Channel
from reminders.planner.model import ItemFacts, MessageKind
from reminders.status import Figures


@dataclass(frozen=True, slots=True, kw_only=True)
class NudgeFacts:
    """Which nudge this is and how late the report is."""

    number: int | None  # 1, 2, …; None: the office pressed "Nhắc các đơn vị chưa báo cáo"
    due: date  # the effective last day (after the day-off rule)
    working_days_overdue: int  # as of the nudge's day; 0 when not overdue yet
    requested_by: str | None = None  # the office user, for nudges sent by hand

    def to_json(self) -> dict[str, Any]:
        return {"number": self.number, "due": self.due.isoformat(),
                "working_days_overdue": self.working_days_overdue,
                "requested_by": self.requested_by}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> NudgeFacts:
        return cls(number=data["number"], due=date.fromisoformat(data["due"]),
                   working_days_overdue=data["working_days_overdue"],
                   requested_by=data.get("requested_by"))


@dataclass(frozen=True, slots=True, kw_only=True)
class DigestUnit:
    """One unit that has not reported."""

    unit_id: str
    name: str
    working_days_overdue: int = 0
    seen: bool = False  # it confirmed it saw the reminder ("Đã nhận")


@dataclass(frozen=True, slots=True, kw_only=True)
class DigestDeadline:
    """One deadline occurrence and the units it still waits for."""

    occurrence_id: int
    title: str
    due: date  # effective last day
    units: tuple[DigestUnit, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class DigestPlan:
    """One plan the office follows: its figures, who is overdue, whose report is due soon."""

    plan_id: int
    label: str
    title: str
    figures: Figures
    overdue: tuple[DigestDeadline, ...]
    due_soon: tuple[DigestDeadline, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class DigestFacts:
    day: date
    plans: tuple[DigestPlan, ...]

    def to_json(self) -> dict[str, Any]:
        return {"day": self.day.isoformat(), "plans": [_plan_json(p) for p in self.plans]}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> DigestFacts:
        return cls(day=date.fromisoformat(data["day"]),
                   plans=tuple(_plan(p) for p in data["plans"]))


@dataclass(frozen=True, slots=True, kw_only=True)
class OutboxRow:
    """One nudge or digest row that should exist (the reminders' is planner.model.Reminder)."""

    key: str
    unit_id: str
    channel: Channel
    kind: MessageKind
    due_at: datetime  # aware
    item: ItemFacts | None = None  # nudges: the deadline occurrence
    nudge: NudgeFacts | None = None
    digest: DigestFacts | None = None

    def payload(self) -> dict[str, Any]:
        """The dispatcher reads "item" and "stage" as for reminders, plus these facts."""
        return {"stage": None, "item": self.item.to_json() if self.item else None,
                "previous": None, "nudge": self.nudge.to_json() if self.nudge else None,
                "digest": self.digest.to_json() if self.digest else None}


_FIGURES = ("expected", "on_time", "late", "open", "overdue", "exempt", "seen_only")


def _plan_json(plan: DigestPlan) -> dict[str, Any]:
    return {"plan_id": plan.plan_id, "label": plan.label, "title": plan.title,
            "figures": {name: getattr(plan.figures, name) for name in _FIGURES},
            "overdue": [_deadline_json(d) for d in plan.overdue],
            "due_soon": [_deadline_json(d) for d in plan.due_soon]}


def _plan(data: dict[str, Any]) -> DigestPlan:
    return DigestPlan(plan_id=data["plan_id"], label=data["label"], title=data["title"],
                      figures=Figures(**{name: data["figures"][name] for name in _FIGURES}),
                      overdue=tuple(_deadline(d) for d in data["overdue"]),
                      due_soon=tuple(_deadline(d) for d in data["due_soon"]))


def _deadline_json(deadline: DigestDeadline) -> dict[str, Any]:
    return {"occurrence_id": deadline.occurrence_id, "title": deadline.title,
            "due": deadline.due.isoformat(),
            "units": [{"unit_id": u.unit_id, "name": u.name,
                       "working_days_overdue": u.working_days_overdue, "seen": u.seen}
                      for u in deadline.units]}


def _deadline(data: dict[str, Any]) -> DigestDeadline:
    return DigestDeadline(occurrence_id=data["occurrence_id"], title=data["title"],
                          due=date.fromisoformat(data["due"]),
                          units=tuple(DigestUnit(**u) for u in data["units"]))
