"""What the JSON API answers: plans, occurrences, cells and submissions as JSON, and the
part of the report states a token may see (an office token all, a unit token its own)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from reminders.clock import local
from reminders.reports import PlanView, ReportsView
from reminders.status import Cell, Figures, OccurrenceStatus, Submission, figures_of
from reminders.store.reports import ReportPlan

Json = dict[str, Any]


@dataclass(frozen=True, slots=True)
class Scope:
    """Whose data a token sees: every unit's (office, `unit_id` None) or one unit's."""

    unit_id: str | None

    def cells(self, occurrence: OccurrenceStatus) -> tuple[Cell, ...]:
        if self.unit_id is None:
            return occurrence.cells
        return tuple(c for c in occurrence.cells if c.unit_id == self.unit_id)

    def occurrences(self, plan: PlanView) -> tuple[OccurrenceStatus, ...]:
        """The plan's occurrences the token may see: for a unit, those it is expected in."""
        return tuple(o for o in plan.reports.occurrences if self.cells(o))

    def plans(self, view: ReportsView) -> tuple[PlanView, ...]:
        if self.unit_id is None:
            return view.plans
        return tuple(p for p in view.plans if self.occurrences(p))

    def figures(self, occurrence: OccurrenceStatus) -> Figures:
        """The office sees the occurrence's figures; a unit the figures of its own cell."""
        return occurrence.figures if self.unit_id is None else figures_of(self.cells(occurrence))

    def plan_figures(self, plan: PlanView) -> Figures:
        if self.unit_id is None:
            return plan.reports.figures
        total = Figures()
        for occurrence in self.occurrences(plan):
            total = total + self.figures(occurrence)
        return total


def plan_json(plan: ReportPlan, figures: Figures) -> Json:
    return {"id": plan.id, "number": plan.number, "issuer": plan.issuer,
            "issued": _day(plan.issued), "title": plan.title, "label": plan.label,
            "status": plan.status.value, "standing_unit_id": plan.standing_unit_id,
            "standing_name": plan.standing_name, "figures": figures.to_json()}


def occurrence_ref(status: OccurrenceStatus) -> Json:
    """An occurrence without figures: where a deadline falls and what it asks."""
    occ = status.occurrence
    return {"id": occ.id, "plan_id": occ.plan_id, "deadline_id": occ.deadline_id,
            "deadline_uid": occ.deadline_uid, "title": occ.title, "time_text": occ.time_text,
            "due_date": occ.due_date.isoformat(), "due": status.due.isoformat(),
            "moved": status.moved, "receiver": occ.receiver}


def occurrence_json(status: OccurrenceStatus, figures: Figures) -> Json:
    return {**occurrence_ref(status), "figures": figures.to_json()}


def cell_json(cell: Cell) -> Json:
    """One unit's report for one occurrence; times in Việt Nam's offset."""
    sent = cell.submitted
    return {"occurrence_id": cell.occurrence_id, "unit_id": cell.unit_id,
            "unit_name": cell.unit_name, "state": cell.state.value,
            "state_label": cell.state.label, "due": cell.due.isoformat(),
            "submission_id": sent.id if sent else None,
            "submitted_at": _instant(sent.at) if sent else None,
            "via": sent.via.value if sent else None,
            "document_number": sent.document_number if sent else None,
            "document_date": _day(sent.document_date) if sent else None,
            "working_days_late": cell.working_days_late,
            "working_days_overdue": cell.working_days_overdue,
            "seen": cell.is_seen, "seen_at": _instant(cell.seen.at) if cell.seen else None,
            "exempt_reason": cell.exempt_reason, "added_by_office": cell.added_by_office}


def submission_json(s: Submission) -> Json:
    return {"id": s.id, "occurrence_id": s.occurrence_id, "unit_id": s.unit_id,
            "kind": s.kind.value, "via": s.via.value, "at": _instant(s.at),
            "by_user": s.by_user, "document_number": s.document_number,
            "document_date": _day(s.document_date), "note": s.note,
            "withdrawn_at": _instant(s.withdrawn_at) if s.withdrawn_at else None,
            "withdrawn_by": s.withdrawn_by, "withdrawn_reason": s.withdrawn_reason}


def _instant(at: datetime) -> str:
    return local(at).isoformat()


def _day(value: date | None) -> str | None:
    return value.isoformat() if value else None
