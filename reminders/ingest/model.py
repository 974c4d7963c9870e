"""An imported plan (contracts/plan-json.md) as frozen values, and its JSON form."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from reminders.timeexpr.spec import TimeSpec


@dataclass(frozen=True, slots=True, kw_only=True)
class UnitRef:
    """A unit or group as the plan names it, and what the registry made of it.

    `unit_id` is the registry unit, or the registry group when `is_group`; None when the
    name did not resolve (then `suggestions` holds registry names that come close).
    """

    name: str
    unit_id: str | None = None
    is_group: bool = False
    suggestions: tuple[str, ...] = ()

    def as_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"name": self.name, "unit_id": self.unit_id}
        if self.is_group:
            out["group_id"] = self.unit_id
        return out


@dataclass(frozen=True, slots=True, kw_only=True)
class Warning:
    """Something the importer could not read, or read with doubt. `message` is Vietnamese."""

    code: str
    message: str
    where: str

    def as_json(self) -> dict[str, Any]:
        return {"code": self.code, "message": self.message, "where": self.where}


@dataclass(frozen=True, slots=True, kw_only=True)
class Activity:
    code: str
    section: str | None
    title: str
    lead: tuple[UnitRef, ...]
    partners: tuple[UnitRef, ...]
    location: str | None
    time: TimeSpec
    expected_result: str | None
    source: str
    people: tuple[str, ...] = ()  # persons named instead of units ("Người thực hiện")

    def as_json(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "section": self.section,
            "title": self.title,
            "lead": [u.as_json() for u in self.lead],
            "partners": [u.as_json() for u in self.partners],
            "location": self.location,
            "time": self.time.as_json(),
            "expected_result": self.expected_result,
            "people": list(self.people),
            "source": self.source,
        }


@dataclass(frozen=True, slots=True, kw_only=True)
class Assignment:
    unit: UnitRef
    tasks: tuple[str, ...]
    source: str

    def as_json(self) -> dict[str, Any]:
        return {"unit": self.unit.as_json(), "tasks": list(self.tasks), "source": self.source}


@dataclass(frozen=True, slots=True, kw_only=True)
class Deadline:
    title: str
    time: TimeSpec
    to_unit: UnitRef | None
    from_units: tuple[UnitRef, ...]
    text: str
    source: str

    def as_json(self) -> dict[str, Any]:
        return {
            "title": self.title,
            "time": self.time.as_json(),
            "to_unit": self.to_unit.as_json() if self.to_unit else None,
            "from_units": [u.as_json() for u in self.from_units],
            "text": self.text,
            "source": self.source,
        }


@dataclass(frozen=True, slots=True, kw_only=True)
class PlanInfo:
    number: str | None
    issued: date | None
    place: str | None
    issuer: str | None
    issuer_unit_id: str | None
    title: str | None
    standing_unit: UnitRef | None
    implements: tuple[str, ...]
    year: int

    def as_json(self) -> dict[str, Any]:
        return {
            "number": self.number,
            "issued": self.issued.isoformat() if self.issued else None,
            "place": self.place,
            "issuer": self.issuer,
            "title": self.title,
            "standing_unit": self.standing_unit.as_json() if self.standing_unit else None,
            "implements": list(self.implements),
            "year": self.year,
        }


@dataclass(frozen=True, slots=True, kw_only=True)
class SourceFile:
    name: str
    sha256: str
    size: int


@dataclass(frozen=True, slots=True, kw_only=True)
class ImportedPlan:
    plan: PlanInfo
    activities: tuple[Activity, ...]
    assignments: tuple[Assignment, ...]
    deadlines: tuple[Deadline, ...]
    warnings: tuple[Warning, ...]
    sources: tuple[SourceFile, ...]

    def as_json(self) -> dict[str, Any]:
        return {
            "plan": self.plan.as_json(),
            "activities": [a.as_json() for a in self.activities],
            "assignments": [a.as_json() for a in self.assignments],
            "deadlines": [d.as_json() for d in self.deadlines],
            "warnings": [w.as_json() for w in self.warnings],
        }
