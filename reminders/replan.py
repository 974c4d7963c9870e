"""Keeps the outbox in step with the published plans: store → planner (pure) → store.

Run after an import or a publish, and by the service's tick whenever a plan or the
registry changed. Planning again with nothing changed writes nothing.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.engine import Connection, Engine

from reminders.config import Settings
from reminders.planner.plan import desired
from reminders.planner.policy import Policy
from reminders.planner.reach import Reach, planner_units
from reminders.planner.reconcile import reconcile
from reminders.store.feed_data import load_plans, plan_stamps
from reminders.store.outbox_plan import Applied, apply, stored_rows
from reminders.store.reports import SyncedExpected, sync_expected
from reminders.store.tables import deliveries, group_members, units
from reminders.store.units import list_units

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True, kw_only=True)
class ReplanReport:
    plans: int
    applied: Applied
    expected: SyncedExpected = field(default_factory=SyncedExpected)


def replan(conn: Connection, settings: Settings, *, now: datetime,
           plan_ids: Collection[int] | None = None) -> ReplanReport:
    """Plan the reminders of some plans (default: every plan) in the caller's transaction.

    Plans that are no longer published are planned too, with nothing desired: their
    pending reminders are cancelled.
    """
    published = set(plan_stamps(conn))
    if plan_ids is None:
        with_rows = set(conn.execute(select(deliveries.c.plan_id).distinct()
                                     .where(deliveries.c.plan_id.is_not(None))).scalars())
        ids = published | with_rows
    else:
        ids = set(plan_ids)
    policy = Policy.from_settings(settings)
    reach = Reach.from_settings(settings)
    found = planner_units(((s.unit, s.active) for s in list_units(conn, active_only=False)),
                          reach)
    wanted = desired(load_plans(conn, ids & published), found, policy, now=now)
    decision = reconcile(wanted, stored_rows(conn, ids), policy, now=now)
    applied = apply(conn, decision, now)
    # Who owes which report follows the same plans and the same registry.
    expected = sync_expected(conn, ids & published)
    if applied.inserted or applied.rescheduled or applied.cancelled or applied.revived:
        log.info("lập lịch nhắc cho %d kế hoạch: thêm %d, dời %d, hủy %d tin", len(ids),
                 applied.inserted, applied.rescheduled, applied.cancelled)
    return ReplanReport(plans=len(ids), applied=applied, expected=expected)


def planned_text(report: ReplanReport) -> str:
    """What planning did, for a person."""
    a = report.applied
    if not (a.inserted or a.rescheduled or a.cancelled or a.revived):
        return "Tin nhắc: không có gì thay đổi."
    revived = f", khôi phục {a.revived}" if a.revived else ""
    return (f"Tin nhắc: thêm {a.inserted}, dời giờ {a.rescheduled}, hủy {a.cancelled}{revived} "
            "(xem `reminders outbox preview`).")


def _registry_stamp(conn: Connection) -> str:
    """Changes with any unit's contacts, preferences, activity or groups."""
    digest = hashlib.sha256()
    for row in conn.execute(select(units).order_by(units.c.id)):
        digest.update(repr(tuple(row)).encode())
    for row in conn.execute(select(group_members).order_by(group_members.c.group_id,
                                                           group_members.c.unit_id)):
        digest.update(repr(tuple(row)).encode())
    return digest.hexdigest()


@dataclass(slots=True)
class Replanner:
    """The tick's planning step: replans the plans that changed since it last looked."""

    engine: Engine
    settings: Settings
    _plans: dict[int, object] = field(default_factory=dict)
    _registry: str | None = None

    def step(self, now: datetime) -> ReplanReport | None:
        with self.engine.begin() as conn:
            stamps = plan_stamps(conn)
            registry = _registry_stamp(conn)
            if registry != self._registry or self._registry is None:
                changed: set[int] | None = None  # everything: contacts or groups moved
            else:
                changed = {pid for pid, stamp in stamps.items() if self._plans.get(pid) != stamp}
                changed |= set(self._plans) - set(stamps)  # unpublished since
                if not changed:
                    return None
            report = replan(conn, self.settings, now=now, plan_ids=changed)
        self._plans = dict(stamps)
        self._registry = registry
        return report
