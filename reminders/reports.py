"""The reports view over the store: read once, compute states with status.py (pure).

Every consumer (CLI, dashboard, JSON API, exports, nudges) asks here, so they all count
the same way.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.engine import Connection

from reminders.config import Settings
from reminders.status import OccurrenceStatus, PlanReports, Rules, plan_reports
from reminders.store.reports import ReportData, ReportPlan, load_reports
from reminders.workdays import WorkCalendar


def rules_from(settings: Settings) -> Rules:
    """The working calendar and the office's day-off rule for deadlines."""
    return Rules(WorkCalendar.from_settings(settings.workdays),
                 settings.workdays.deadline_on_day_off)


@dataclass(frozen=True, slots=True, kw_only=True)
class PlanView:
    """A plan with its report states at one moment."""

    plan: ReportPlan
    reports: PlanReports

    def occurrence(self, occurrence_id: int) -> OccurrenceStatus | None:
        return next((o for o in self.reports.occurrences if o.occurrence.id == occurrence_id),
                    None)


@dataclass(frozen=True, slots=True, kw_only=True)
class ReportsView:
    """Report states of several plans at one moment (`now`)."""

    now: datetime
    plans: tuple[PlanView, ...]  # newest plan first

    def plan(self, plan_id: int) -> PlanView | None:
        return next((p for p in self.plans if p.plan.id == plan_id), None)

    def occurrence(self, occurrence_id: int) -> tuple[PlanView, OccurrenceStatus] | None:
        for view in self.plans:
            found = view.occurrence(occurrence_id)
            if found is not None:
                return view, found
        return None


def compute(data: ReportData, *, now: datetime, rules: Rules) -> ReportsView:
    views = tuple(
        PlanView(plan=p, reports=plan_reports(p.id, data.occurrences, data.expectations,
                                              data.submissions, now=now, rules=rules))
        for p in sorted(data.plans, key=lambda p: -p.id))
    return ReportsView(now=now, plans=views)


def reports_view(conn: Connection, settings: Settings, *, now: datetime,
                 plan_ids: Collection[int] | None = None,
                 published_only: bool = True) -> ReportsView:
    """Read and compute the report states of some plans (default: every published one)."""
    data = load_reports(conn, plan_ids, published_only=published_only)
    return compute(data, now=now, rules=rules_from(settings))
