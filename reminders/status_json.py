"""Report states as JSON-ready dicts (the CLI's --json; stable keys, ISO dates)."""

from __future__ import annotations

from typing import Any

from reminders.clock import local
from reminders.reports import PlanView, ReportsView
from reminders.status import Cell, OccurrenceStatus, Submission


def submission_json(s: Submission) -> dict[str, Any]:
    return {
        "id": s.id, "occurrence_id": s.occurrence_id, "unit_id": s.unit_id,
        "kind": s.kind.value, "via": s.via.value, "at": local(s.at).isoformat(),
        "by_user": s.by_user, "document_number": s.document_number,
        "document_date": s.document_date.isoformat() if s.document_date else None,
        "note": s.note,
        "withdrawn_at": local(s.withdrawn_at).isoformat() if s.withdrawn_at else None,
        "withdrawn_by": s.withdrawn_by, "withdrawn_reason": s.withdrawn_reason,
    }


def cell_json(cell: Cell) -> dict[str, Any]:
    report, seen = cell.submitted, cell.seen
    return {
        "unit_id": cell.unit_id, "unit_name": cell.unit_name, "state": cell.state.value,
        "state_label": cell.state.label, "due": cell.due.isoformat(),
        "working_days_late": cell.working_days_late,
        "working_days_overdue": cell.working_days_overdue,
        "submitted_at": local(report.at).isoformat() if report else None,
        "via": report.via.value if report else None,
        "document_number": report.document_number if report else None,
        "document_date": (report.document_date.isoformat()
                          if report and report.document_date else None),
        "seen": cell.is_seen,
        "seen_at": local(seen.at).isoformat() if seen else None,
        "exempt_reason": cell.exempt_reason, "added_by_office": cell.added_by_office,
    }


def occurrence_json(status: OccurrenceStatus, *, cells: bool = True) -> dict[str, Any]:
    o = status.occurrence
    found: dict[str, Any] = {
        "id": o.id, "plan_id": o.plan_id, "deadline_uid": o.deadline_uid, "title": o.title,
        "time_text": o.time_text, "due_date": o.due_date.isoformat(),
        "effective_due": status.due.isoformat(), "moved": status.moved,
        "receiver": o.receiver, "figures": status.figures.to_json(),
    }
    if cells:
        found["cells"] = [cell_json(c) for c in status.cells]
    return found


def plan_json(view: PlanView, *, cells: bool = True) -> dict[str, Any]:
    p = view.plan
    return {
        "id": p.id, "number": p.number, "label": p.label, "title": p.title,
        "status": p.status.value, "standing_unit_id": p.standing_unit_id,
        "figures": view.reports.figures.to_json(),
        "occurrences": [occurrence_json(o, cells=cells) for o in view.reports.occurrences],
    }


def reports_json(view: ReportsView, *, cells: bool = True) -> dict[str, Any]:
    return {"now": local(view.now).isoformat(),
            "plans": [plan_json(p, cells=cells) for p in view.plans]}
