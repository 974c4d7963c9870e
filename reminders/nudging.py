"""Nudges and digests into the outbox: the tick's step, and the office's "nudge now" button.

The step reads the report states (reports.reports_view), asks planner/nudges.py (pure)
which nudge and digest rows should exist now, inserts the new ones (a key already there
is skipped, so ticks can repeat freely) and cancels pending nudges that are no longer
owed: the unit reported or was exempted while its nudge waited for a retry. The
dispatcher sends them like any other row.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy.engine import Connection, Engine

from reminders.config import Settings
from reminders.errors import UsageError
from reminders.planner.model import PlannerUnit
from reminders.planner.nudges import NudgePolicy, manual_nudges, plan_digests, plan_nudges
from reminders.planner.reach import Reach, planner_units
from reminders.reports import ReportsView, reports_view
from reminders.status import ReportState
from reminders.store.outbox_nudges import cancel_nudges, insert_rows, pending_nudges
from reminders.store.reports import find_occurrence
from reminders.store.units import list_units

log = logging.getLogger(__name__)

_MISSING = (ReportState.OPEN, ReportState.OVERDUE)


@dataclass(frozen=True, slots=True, kw_only=True)
class NudgeReport:
    """What one step did, in outbox rows."""

    nudges: int = 0
    digests: int = 0
    cancelled: int = 0


def _units(conn: Connection, settings: Settings) -> Mapping[str, PlannerUnit]:
    return planner_units(((s.unit, s.active) for s in list_units(conn, active_only=False)),
                         Reach.from_settings(settings))


def nudge_now(conn: Connection, settings: Settings, *, occurrence_id: int, now: datetime,
              by: str) -> int:
    """Nudge, due now, every unit that has not reported for one deadline occurrence (one row
    per channel); returns the number of rows inserted. Runs in the caller's transaction.

    Raises UsageError for an unknown occurrence or one of a plan not published.
    """
    occurrence = find_occurrence(conn, occurrence_id)
    if occurrence is None:
        raise UsageError(f"Không có hạn báo cáo số {occurrence_id}.")
    found = reports_view(conn, settings, now=now,
                         plan_ids=[occurrence.plan_id]).occurrence(occurrence_id)
    if found is None:
        raise UsageError(f"Hạn báo cáo số {occurrence_id} không thuộc kế hoạch đang ban hành "
                         "nên không thể đôn đốc.")
    plan_view, status = found
    rows = manual_nudges(plan_view.plan, status, _units(conn, settings), now=now, by=by)
    inserted = insert_rows(conn, rows, now)
    log.info("%s đôn đốc hạn báo cáo số %d: %d tin", by, occurrence_id, inserted)
    return inserted


def _stale(conn: Connection, view: ReportsView) -> list[int]:
    """Pending nudges whose unit no longer owes that report (or whose deadline is gone)."""
    owed: set[tuple[str, date, str]] = set()
    for plan_view in view.plans:
        for status in plan_view.reports.occurrences:
            occ = status.occurrence
            owed.update((occ.deadline_uid, occ.due_date, c.unit_id) for c in status.cells
                        if c.state in _MISSING)
    return [row.id for row in pending_nudges(conn)
            if (row.item_uid, row.occurrence, row.unit_id) not in owed]


@dataclass(slots=True)
class NudgeStep:
    """The tick's nudging step; built once by the composition root."""

    engine: Engine
    settings: Settings

    def step(self, now: datetime) -> NudgeReport:
        policy = NudgePolicy.from_settings(self.settings)
        with self.engine.begin() as conn:
            view = reports_view(conn, self.settings, now=now)
            units = _units(conn, self.settings)
            rows = plan_nudges(view, units, policy, now=now)
            digests = plan_digests(view, units, policy, now=now)
            report = NudgeReport(nudges=insert_rows(conn, rows, now),
                                 digests=insert_rows(conn, digests, now),
                                 cancelled=cancel_nudges(conn, _stale(conn, view)))
        if report.nudges or report.digests or report.cancelled:
            log.info("đôn đốc: thêm %d tin, %d bản tổng hợp; hủy %d tin", report.nudges,
                     report.digests, report.cancelled)
        return report

