"""Expected reports and submissions: who owes which report, and what arrived.

Expected reports follow the published plans: every occurrence of a live deadline expects
the units it names, groups expanded to their active members ("UBND 11 phường" is eleven
rows). The office's own decisions (a unit added, a unit exempted) are kept when a plan is
imported again; rows the plan no longer asks for go, unless a unit already answered.
Submissions are never deleted: the office withdraws one, with a reason.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import delete, insert, select, update
from sqlalchemy.engine import Connection

from reminders.domain import PlanStatus
from reminders.errors import UsageError
from reminders.feeds.model import plan_label
from reminders.status import Expectation, Occurrence, Submission, SubmissionKind, Via
from reminders.store.tables import (
    deadline_occurrences,
    deadline_units,
    deadlines,
    expected_reports,
    group_members,
    plans,
    submissions,
    units,
)


@dataclass(frozen=True, slots=True, kw_only=True)
class ReportPlan:
    """A plan as the reports pages name it."""

    id: int
    number: str | None
    issuer: str
    issued: date | None
    title: str
    place: str
    status: PlanStatus
    standing_unit_id: str | None
    standing_name: str | None

    @property
    def label(self) -> str:
        return plan_label(self.number, self.issued, self.issuer)


@dataclass(frozen=True, slots=True, kw_only=True)
class ReportData:
    """Everything status.py needs for some plans, read in one transaction."""

    plans: tuple[ReportPlan, ...]
    occurrences: tuple[Occurrence, ...]
    expectations: tuple[Expectation, ...]
    submissions: tuple[Submission, ...]

    def plan(self, plan_id: int) -> ReportPlan | None:
        return next((p for p in self.plans if p.id == plan_id), None)


@dataclass(frozen=True, slots=True, kw_only=True)
class SyncedExpected:
    added: int = 0
    removed: int = 0


def sync_expected(conn: Connection, plan_ids: Collection[int] | None = None) -> SyncedExpected:
    """Make the expected reports of published plans (some, or all) follow their deadlines."""
    query = (select(deadline_occurrences.c.id, deadline_occurrences.c.deadline_id)
             .join(deadlines, deadlines.c.id == deadline_occurrences.c.deadline_id)
             .join(plans, plans.c.id == deadlines.c.plan_id)
             .where(plans.c.status == PlanStatus.PUBLISHED.value,
                    deadlines.c.removed_at.is_(None)))
    if plan_ids is not None:
        query = query.where(deadlines.c.plan_id.in_(sorted(plan_ids)))
    occurrence_deadline: dict[int, int] = {oid: did for oid, did in conn.execute(query)}
    if not occurrence_deadline:
        return SyncedExpected()
    wanted_by_deadline = _reporters(conn, set(occurrence_deadline.values()))
    stored: dict[int, dict[str, tuple[int, bool, bool]]] = defaultdict(dict)
    rows = conn.execute(
        select(expected_reports.c.id, expected_reports.c.occurrence_id,
               expected_reports.c.unit_id, expected_reports.c.exempt,
               expected_reports.c.added_by_office)
        .where(expected_reports.c.occurrence_id.in_(sorted(occurrence_deadline))))
    for rid, oid, unit_id, exempt, added in rows:
        stored[oid][unit_id] = (rid, exempt, added)
    answered = {(oid, unit_id) for oid, unit_id in conn.execute(
        select(submissions.c.occurrence_id, submissions.c.unit_id)
        .where(submissions.c.occurrence_id.in_(sorted(occurrence_deadline))))}
    new: list[dict[str, object]] = []
    stale: list[int] = []
    for oid, did in sorted(occurrence_deadline.items()):
        wanted = wanted_by_deadline.get(did, set())
        have = stored.get(oid, {})
        new.extend({"occurrence_id": oid, "unit_id": u} for u in sorted(wanted - set(have)))
        stale.extend(rid for unit_id, (rid, exempt, added) in have.items()
                     if unit_id not in wanted and not exempt and not added
                     and (oid, unit_id) not in answered)
    if new:
        conn.execute(insert(expected_reports), new)
    if stale:
        conn.execute(delete(expected_reports).where(expected_reports.c.id.in_(stale)))
    return SyncedExpected(added=len(new), removed=len(stale))


def _reporters(conn: Connection, deadline_ids: Collection[int]) -> dict[int, set[str]]:
    """Deadline id → the active units it names, groups expanded."""
    active = set(conn.execute(select(units.c.id).where(units.c.active)).scalars())
    members: dict[str, set[str]] = defaultdict(set)
    for group_id, unit_id in conn.execute(select(group_members.c.group_id,
                                                 group_members.c.unit_id)):
        members[group_id].add(unit_id)
    found: dict[int, set[str]] = defaultdict(set)
    for did, unit_id, group_id in conn.execute(
            select(deadline_units.c.deadline_id, deadline_units.c.unit_id,
                   deadline_units.c.group_id)
            .where(deadline_units.c.deadline_id.in_(sorted(deadline_ids)))):
        if group_id:
            found[did] |= members.get(group_id, set()) & active
        elif unit_id and unit_id in active:
            found[did].add(unit_id)
    return found


def load_reports(conn: Connection, plan_ids: Collection[int] | None = None, *,
                 published_only: bool = True) -> ReportData:
    """The plans (published ones by default), their occurrences, expectations and
    submissions (withdrawn ones included)."""
    plan_query = select(plans).order_by(plans.c.id)
    if published_only:
        plan_query = plan_query.where(plans.c.status == PlanStatus.PUBLISHED.value)
    if plan_ids is not None:
        plan_query = plan_query.where(plans.c.id.in_(sorted(plan_ids)))
    found_plans = tuple(
        ReportPlan(id=r.id, number=r.number, issuer=r.issuer, issued=r.issued, title=r.title,
                   place=r.place, status=PlanStatus(r.status),
                   standing_unit_id=r.standing_unit_id, standing_name=r.standing_name)
        for r in conn.execute(plan_query))
    ids = [p.id for p in found_plans]
    occurrences = tuple(
        Occurrence(id=r.id, plan_id=r.plan_id, deadline_id=r.deadline_id,
                   deadline_uid=r.uid, title=r.title, time_text=r.time_text,
                   due_date=r.due_date, receiver=r.to_name)
        for r in conn.execute(
            select(deadline_occurrences.c.id, deadline_occurrences.c.deadline_id,
                   deadline_occurrences.c.due_date, deadlines.c.plan_id, deadlines.c.uid,
                   deadlines.c.title, deadlines.c.time_text, deadlines.c.to_name)
            .join(deadlines, deadlines.c.id == deadline_occurrences.c.deadline_id)
            .where(deadlines.c.plan_id.in_(ids), deadlines.c.removed_at.is_(None))
            .order_by(deadline_occurrences.c.due_date, deadlines.c.position,
                      deadline_occurrences.c.id)))
    occ_ids = [o.id for o in occurrences]
    expectations = tuple(
        Expectation(occurrence_id=r.occurrence_id, unit_id=r.unit_id, unit_name=r.name,
                    exempt=r.exempt, exempt_reason=r.exempt_reason,
                    added_by_office=r.added_by_office)
        for r in conn.execute(
            select(expected_reports, units.c.name)
            .join(units, units.c.id == expected_reports.c.unit_id)
            .where(expected_reports.c.occurrence_id.in_(occ_ids))
            .order_by(expected_reports.c.occurrence_id, expected_reports.c.unit_id)))
    found_submissions = tuple(
        _submission(r) for r in conn.execute(
            select(submissions).where(submissions.c.occurrence_id.in_(occ_ids))
            .order_by(submissions.c.id)).mappings())
    return ReportData(plans=found_plans, occurrences=occurrences, expectations=expectations,
                      submissions=found_submissions)


def _submission(row: Mapping[Any, Any]) -> Submission:
    return Submission(
        id=row["id"], occurrence_id=row["occurrence_id"], unit_id=row["unit_id"],
        kind=SubmissionKind(row["kind"]), via=Via(row["via"]), at=row["at"],
        by_user=row["by_user"], document_number=row["document_number"],
        document_date=row["document_date"], note=row["note"],
        withdrawn_at=row["withdrawn_at"], withdrawn_by=row["withdrawn_by"],
        withdrawn_reason=row["withdrawn_reason"])


def get_submission(conn: Connection, submission_id: int) -> Submission | None:
    """One submission, withdrawn or not; None if there is no such id."""
    row = conn.execute(select(submissions).where(submissions.c.id == submission_id)
                       ).mappings().first()
    return None if row is None else _submission(row)


def find_occurrence(conn: Connection, occurrence_id: int) -> Occurrence | None:
    row = conn.execute(
        select(deadline_occurrences.c.id, deadline_occurrences.c.deadline_id,
               deadline_occurrences.c.due_date, deadlines.c.plan_id, deadlines.c.uid,
               deadlines.c.title, deadlines.c.time_text, deadlines.c.to_name)
        .join(deadlines, deadlines.c.id == deadline_occurrences.c.deadline_id)
        .where(deadline_occurrences.c.id == occurrence_id)).first()
    if row is None:
        return None
    return Occurrence(id=row.id, plan_id=row.plan_id, deadline_id=row.deadline_id,
                      deadline_uid=row.uid, title=row.title, time_text=row.time_text,
                      due_date=row.due_date, receiver=row.to_name)


def occurrence_for(conn: Connection, deadline_uid: str, due_date: date) -> int | None:
    """The occurrence of a deadline (by UID) on a day, as a signed link names it."""
    return conn.execute(
        select(deadline_occurrences.c.id)
        .join(deadlines, deadlines.c.id == deadline_occurrences.c.deadline_id)
        .where(deadlines.c.uid == deadline_uid,
               deadline_occurrences.c.due_date == due_date)).scalar()


def is_expected(conn: Connection, occurrence_id: int, unit_id: str) -> bool:
    return conn.execute(
        select(expected_reports.c.id).where(expected_reports.c.occurrence_id == occurrence_id,
                                            expected_reports.c.unit_id == unit_id)
    ).first() is not None


def record_submission(conn: Connection, *, occurrence_id: int, unit_id: str,
                      kind: SubmissionKind, via: Via, at: datetime, by_user: str | None = None,
                      document_number: str | None = None, document_date: date | None = None,
                      note: str | None = None) -> int:
    """Record that a unit saw the reminder or sent its report; the unit must be expected."""
    if not is_expected(conn, occurrence_id, unit_id):
        raise UsageError(f"Đơn vị '{unit_id}' không thuộc danh sách phải báo cáo hạn này.")
    return int(conn.execute(insert(submissions).values(
        occurrence_id=occurrence_id, unit_id=unit_id, kind=kind.value, via=via.value, at=at,
        by_user=by_user, document_number=_opt(document_number), document_date=document_date,
        note=_opt(note)).returning(submissions.c.id)).scalar_one())


def active_submission(conn: Connection, occurrence_id: int, unit_id: str,
                      kind: SubmissionKind) -> int | None:
    """The id of the unit's standing (not withdrawn) record of this kind, if any."""
    return conn.execute(
        select(submissions.c.id).where(
            submissions.c.occurrence_id == occurrence_id, submissions.c.unit_id == unit_id,
            submissions.c.kind == kind.value, submissions.c.withdrawn_at.is_(None))
        .order_by(submissions.c.at, submissions.c.id)).scalar()


def withdraw_submission(conn: Connection, submission_id: int, *, by: str, reason: str,
                        at: datetime) -> Submission:
    """Withdraw a submission (kept, marked); a reason is required."""
    if not reason.strip():
        raise UsageError("Cần ghi lý do rút lại.")
    row = conn.execute(select(submissions).where(submissions.c.id == submission_id)
                       ).mappings().first()
    if row is None:
        raise UsageError(f"Không có bản ghi báo cáo số {submission_id}.")
    if row["withdrawn_at"] is not None:
        raise UsageError(f"Bản ghi báo cáo số {submission_id} đã được rút lại trước đó.")
    conn.execute(update(submissions).where(submissions.c.id == submission_id).values(
        withdrawn_at=at, withdrawn_by=by, withdrawn_reason=reason.strip()))
    return _submission({**row, "withdrawn_at": at, "withdrawn_by": by,
                        "withdrawn_reason": reason.strip()})


def set_exempt(conn: Connection, occurrence_id: int, unit_id: str, *, exempt: bool,
               reason: str | None = None) -> None:
    """Exempt a unit from one occurrence ("miễn", with a reason), or undo it."""
    if exempt and not (reason or "").strip():
        raise UsageError("Cần ghi lý do miễn báo cáo.")
    done = conn.execute(update(expected_reports).where(
        expected_reports.c.occurrence_id == occurrence_id,
        expected_reports.c.unit_id == unit_id).values(
            exempt=exempt, exempt_reason=(reason or "").strip() or None if exempt else None))
    if not done.rowcount:
        raise UsageError(f"Đơn vị '{unit_id}' không thuộc danh sách phải báo cáo hạn này.")


def add_expected(conn: Connection, occurrence_id: int, unit_id: str) -> bool:
    """The office adds a unit to an occurrence; False when it was already expected."""
    if find_occurrence(conn, occurrence_id) is None:
        raise UsageError(f"Không có hạn báo cáo số {occurrence_id}.")
    if conn.execute(select(units.c.id).where(units.c.id == unit_id)).first() is None:
        raise UsageError(f"Không có đơn vị '{unit_id}' trong danh mục.")
    if is_expected(conn, occurrence_id, unit_id):
        return False
    conn.execute(insert(expected_reports).values(occurrence_id=occurrence_id, unit_id=unit_id,
                                                 added_by_office=True))
    return True


def _opt(value: str | None) -> str | None:
    return value.strip() or None if value else None
