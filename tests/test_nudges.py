"""Planning nudges and digests (pure): which rows exist at which moment of a fixed clock."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta

import pytest

from reminders.clock import VN_TZ, FixedClock
from reminders.config import Settings
from reminders.domain import Channel, PlanStatus
from reminders.planner.model import KEY_LIMIT, MessageKind, PlannerUnit
from reminders.planner.nudges import NudgePolicy, manual_nudges, plan_digests, plan_nudges
from reminders.planner.report_facts import OutboxRow
from reminders.reports import ReportsView, compute
from reminders.status import (
    AS_WRITTEN,
    NEXT_WORKING_DAY,
    Expectation,
    Occurrence,
    Rules,
    Submission,
    SubmissionKind,
    Via,
)
from reminders.store.reports import ReportData, ReportPlan
from reminders.workdays import WorkCalendar

CAL = WorkCalendar()
POLICY = NudgePolicy(calendar=CAL)
UID = "7f06b8ea92bff1546f3a2f4d56ed8a8d@reminders"
OFFICE = "vhtt-thanh-xuan"
PLAN = ReportPlan(id=1, number="249/KH-UBND", issuer="UBND quận Thanh Xuân",
                  issued=date(2022, 9, 20), title="Tổ chức các hoạt động kỷ niệm",
                  place="Thanh Xuân",
                  status=PlanStatus.PUBLISHED, standing_unit_id=OFFICE,
                  standing_name="Phòng Văn hóa và Thông tin")
UNITS = {u.id: u for u in (
    PlannerUnit(id="ha-dinh", name="UBND phường Hạ Đình", channels=(Channel.EMAIL,)),
    PlannerUnit(id="phuong-liet", name="UBND phường Phương Liệt",
                channels=(Channel.EMAIL, Channel.ZALO)),
    PlannerUnit(id="noi-vu", name="Phòng Nội vụ", channels=(Channel.EMAIL,)),
    PlannerUnit(id="tu-pham", name="Phòng Tư pháp", channels=(Channel.EMAIL,)),
    PlannerUnit(id="da-giai-the", name="UBND phường cũ", channels=(Channel.EMAIL,),
                active=False),
    PlannerUnit(id=OFFICE, name="Phòng Văn hóa và Thông tin", channels=(Channel.EMAIL,)),
)}


def vn(day: date, hour: int = 8, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=VN_TZ).astimezone(UTC)


def occurrence(occ_id: int, due: date, uid: str = UID) -> Occurrence:
    return Occurrence(id=occ_id, plan_id=PLAN.id, deadline_id=occ_id, deadline_uid=uid,
                      title="Báo cáo kết quả", time_text=f"trước ngày {due:%d/%m/%Y}",
                      due_date=due, receiver="Phòng Văn hóa và Thông tin")


def expect(occ_id: int, *unit_ids: str, exempt: tuple[str, ...] = ()) -> list[Expectation]:
    return [Expectation(occurrence_id=occ_id, unit_id=u, unit_name=UNITS[u].name,
                        exempt=u in exempt, exempt_reason="sáp nhập" if u in exempt else None)
            for u in unit_ids]


def report(sub_id: int, occ_id: int, unit_id: str, at: datetime, *,
           kind: SubmissionKind = SubmissionKind.SUBMITTED,
           withdrawn: datetime | None = None) -> Submission:
    return Submission(id=sub_id, occurrence_id=occ_id, unit_id=unit_id, kind=kind,
                      via=Via.LINK, at=at, withdrawn_at=withdrawn,
                      withdrawn_by="vanphong" if withdrawn else None,
                      withdrawn_reason="nhầm đơn vị" if withdrawn else None)


def view(now: datetime, occurrences: list[Occurrence], expectations: list[Expectation],
         submissions: Sequence[Submission] = (), *, on_day_off: str = AS_WRITTEN,
         plans: tuple[ReportPlan, ...] = (PLAN,)) -> ReportsView:
    data = ReportData(plans=plans, occurrences=tuple(occurrences),
                      expectations=tuple(expectations), submissions=tuple(submissions))
    return compute(data, now=now, rules=Rules(CAL, on_day_off))


def run(start: datetime, end: datetime, build: Callable[[datetime], ReportsView],
        policy: NudgePolicy = POLICY, step: timedelta = timedelta(minutes=30)
        ) -> dict[str, tuple[OutboxRow, datetime]]:
    """Every nudge row planned on a clock ticking from start to end, with when it first
    appeared (an outbox keeps the first one of each key)."""
    clock, found = FixedClock(start), {}
    while clock.now() <= end:
        now = clock.now()
        for row in plan_nudges(build(now), UNITS, policy, now=now):
            found.setdefault(row.key, (row, now))
        clock.advance(step)
    return found


def schedule(found: dict[str, tuple[OutboxRow, datetime]]) -> set[tuple[str, int, datetime]]:
    """(unit, nudge number, moment it appeared) of every nudge planned."""
    return {(row.unit_id, row.nudge.number, seen) for row, seen in found.values()
            if row.nudge is not None and row.nudge.number is not None
            and row.channel is Channel.EMAIL}


MONDAY = date(2024, 6, 17)


def test_a_monday_deadline_gets_nudges_on_tuesday_thursday_and_the_next_monday() -> None:
    occ = occurrence(1, MONDAY)
    found = run(vn(MONDAY, 0), vn(MONDAY + timedelta(days=21), 0),
                lambda now: view(now, [occ], expect(1, "ha-dinh")))
    assert schedule(found) == {("ha-dinh", 1, vn(date(2024, 6, 18))),
                               ("ha-dinh", 2, vn(date(2024, 6, 20))),
                               ("ha-dinh", 3, vn(date(2024, 6, 24)))}  # then no more
    row = next(r for r, _ in found.values() if r.nudge and r.nudge.number == 2)
    assert row.key == f"n:{UID}:2024-06-17:ha-dinh:2:email"
    assert row.kind is MessageKind.NUDGE and row.due_at == vn(date(2024, 6, 20))
    assert row.nudge is not None and row.nudge.working_days_overdue == 3
    assert row.item is not None and (row.item.uid, row.item.day) == (UID, MONDAY)
    assert row.item.plan_label == PLAN.label and row.item.receiver == "Phòng Văn hóa và Thông tin"


def test_every_channel_of_a_unit_gets_the_nudge_and_inactive_or_unknown_units_none() -> None:
    occ = occurrence(1, MONDAY)
    now = vn(date(2024, 6, 18), 9)
    expectations = [*expect(1, "phuong-liet", "da-giai-the"),
                    Expectation(occurrence_id=1, unit_id="khong-co", unit_name="Đơn vị lạ")]
    rows = plan_nudges(view(now, [occ], expectations), UNITS, POLICY, now=now)
    assert [(r.unit_id, r.channel) for r in rows] == [("phuong-liet", Channel.EMAIL),
                                                      ("phuong-liet", Channel.ZALO)]


def test_units_that_reported_or_are_exempt_get_no_nudge_and_a_withdrawn_report_does() -> None:
    occ = occurrence(1, MONDAY)
    subs = [
        report(1, 1, "noi-vu", vn(date(2024, 6, 19), 10)),  # late, after the first nudge
        report(2, 1, "tu-pham", vn(date(2024, 6, 18), 7)),  # late, before the first nudge
        report(3, 1, "ha-dinh", vn(MONDAY, 9), withdrawn=vn(MONDAY, 11)),
        report(4, 1, "phuong-liet", vn(MONDAY, 9), kind=SubmissionKind.SEEN),
    ]
    expectations = expect(1, "noi-vu", "tu-pham", "ha-dinh", "phuong-liet", OFFICE,
                          exempt=(OFFICE,))

    def build(now: datetime) -> ReportsView:
        return view(now, [occ], expectations, [s for s in subs if s.at <= now])

    got = schedule(run(vn(MONDAY, 0), vn(MONDAY + timedelta(days=14), 0), build))
    assert {(u, n) for u, n, _ in got} == {
        ("noi-vu", 1), ("ha-dinh", 1), ("ha-dinh", 2), ("ha-dinh", 3),
        ("phuong-liet", 1), ("phuong-liet", 2), ("phuong-liet", 3)}  # "Đã nhận" is no report


@pytest.mark.parametrize(("due", "days"), [
    # Quốc khánh 2024: Monday 2 and Tuesday 3 September are off.
    pytest.param(date(2024, 8, 30), [date(2024, 9, 4), date(2024, 9, 6), date(2024, 9, 10)],
                 id="2-9"),
    # Tết 2024: 8 to 14 February.
    pytest.param(date(2024, 2, 7), [date(2024, 2, 15), date(2024, 2, 19), date(2024, 2, 21)],
                 id="tet"),
    # New Year 2023 falls on a Sunday: Monday 2 January is off instead.
    pytest.param(date(2022, 12, 29), [date(2022, 12, 30), date(2023, 1, 4), date(2023, 1, 6)],
                 id="tet-duong-lich"),
])
def test_holidays_are_skipped(due: date, days: list[date]) -> None:
    occ = occurrence(1, due)
    found = run(vn(due, 0), vn(due + timedelta(days=30), 0),
                lambda now: view(now, [occ], expect(1, "ha-dinh")), step=timedelta(hours=1))
    assert schedule(found) == {("ha-dinh", n, vn(day)) for n, day in enumerate(days, 1)}


def test_the_day_off_rule_moves_the_deadline_and_so_the_nudges() -> None:
    sunday = date(2024, 11, 17)
    occ = occurrence(1, sunday)
    for rule, days in ((AS_WRITTEN, [date(2024, 11, 18), date(2024, 11, 20), date(2024, 11, 22)]),
                       (NEXT_WORKING_DAY, [date(2024, 11, 19), date(2024, 11, 21),
                                           date(2024, 11, 25)])):
        found = run(vn(sunday, 0), vn(sunday + timedelta(days=20), 0),
                    lambda now, rule=rule: view(now, [occ], expect(1, "ha-dinh"),
                                                on_day_off=rule), step=timedelta(hours=1))
        assert schedule(found) == {("ha-dinh", n, vn(d)) for n, d in enumerate(days, 1)}, rule
        first = next(r for r, _ in found.values() if r.nudge and r.nudge.number == 1)
        assert first.nudge is not None and first.nudge.working_days_overdue == 1
        assert first.item is not None and first.item.day == sunday  # the links' occurrence


@pytest.mark.parametrize(("back", "number"), [
    pytest.param(vn(date(2024, 6, 24), 10), 3, id="a week later: the third"),
    pytest.param(vn(date(2024, 6, 21), 14), 2, id="friday: the second"),
    pytest.param(vn(date(2024, 6, 18), 7), None, id="before the first morning: none yet"),
    pytest.param(vn(date(2024, 6, 26), 8), None, id="after the last turn: none"),
])
def test_a_restart_sends_only_the_nudge_whose_turn_it_is(back: datetime,
                                                        number: int | None) -> None:
    occ = occurrence(1, MONDAY)
    rows = plan_nudges(view(back, [occ], expect(1, "phuong-liet")), UNITS, POLICY, now=back)
    assert {r.nudge.number for r in rows if r.nudge} == ({number} if number else set())
    assert len(rows) == (2 if number else 0)  # email and Zalo, once


def test_the_policy_follows_the_settings() -> None:
    base = Settings()
    settings = replace(base, reports=replace(base.reports, nudge_first_after_days=3,
                                             nudge_every_working_days=1, nudge_max=2))
    policy = NudgePolicy.from_settings(settings)
    # Three days after Thursday 13 June is Sunday 16: Monday 17, then Tuesday 18.
    assert policy.nudge_days(date(2024, 6, 13)) == (date(2024, 6, 17), date(2024, 6, 18))
    assert NudgePolicy(max_nudges=0, calendar=CAL).nudge_days(MONDAY) == ()
    assert NudgePolicy(max_nudges=0, calendar=CAL).turn(MONDAY, vn(date(2024, 6, 18))) is None
    # "0 days after" still waits until the report is overdue: the next working day.
    assert NudgePolicy(first_after_days=0, calendar=CAL).nudge_days(MONDAY)[0] == date(2024, 6, 18)
    with pytest.raises(ValueError):
        NudgePolicy(every_working_days=0)


def test_long_uids_keep_keys_within_the_column() -> None:
    occ = occurrence(1, MONDAY, uid="x" * 300)
    now = vn(date(2024, 6, 18), 9)
    rows = plan_nudges(view(now, [occ], expect(1, "ha-dinh")), UNITS, POLICY, now=now)
    assert rows and all(len(r.key) <= KEY_LIMIT and r.key.startswith("n:") for r in rows)


def test_manual_nudges_go_now_to_every_unit_not_reported() -> None:
    occ = occurrence(1, date(2024, 6, 21))
    now = vn(date(2024, 6, 19), 15, 20)
    status = view(now, [occ], expect(1, "ha-dinh", "noi-vu", "tu-pham", exempt=("tu-pham",)),
                  [report(1, 1, "noi-vu", vn(date(2024, 6, 18), 9))]).plans[0].reports
    rows = manual_nudges(PLAN, status.occurrences[0], UNITS, now=now, by="vanphong")
    assert [(r.key, r.due_at) for r in rows] == [
        (f"n:{UID}:2024-06-21:ha-dinh:manual-20240619T082000Z:email", now)]
    assert rows[0].nudge is not None and rows[0].nudge.number is None
    assert rows[0].nudge.requested_by == "vanphong" and rows[0].nudge.working_days_overdue == 0


# --- the digest ------------------------------------------------------------------------------

def digest_view(now: datetime) -> ReportsView:
    occs = [occurrence(1, date(2024, 6, 10)),  # overdue
            occurrence(2, date(2024, 6, 20)),  # due in three days from Monday 17
            occurrence(3, date(2024, 6, 21))]  # four days: not yet
    expectations = (expect(1, "ha-dinh", "noi-vu", "tu-pham") + expect(2, "ha-dinh", "noi-vu")
                    + expect(3, "ha-dinh"))
    subs = [report(1, 1, "noi-vu", vn(date(2024, 6, 7))),
            report(2, 1, "ha-dinh", vn(date(2024, 6, 11)), kind=SubmissionKind.SEEN),
            report(3, 2, "noi-vu", vn(date(2024, 6, 14)))]
    other = replace(PLAN, id=2, standing_unit_id=None)  # no standing office: no digest
    return view(now, occs, expectations, subs, plans=(PLAN, other))


def test_the_digest_comes_on_working_days_once_its_time_has_come() -> None:
    seen = {}
    clock = FixedClock(vn(date(2024, 6, 14), 0))  # Friday, over the weekend, to Tuesday
    while clock.now() < vn(date(2024, 6, 19), 0):
        now = clock.now()
        for row in plan_digests(digest_view(now), UNITS, POLICY, now=now):
            seen.setdefault(row.key, now)
        clock.advance(timedelta(minutes=15))
    assert seen == {f"d:{OFFICE}:{day}:email": vn(date.fromisoformat(day))
                    for day in ("2024-06-14", "2024-06-17", "2024-06-18")}
    late = replace(POLICY, digest_time=time(9, 30))
    assert plan_digests(digest_view(vn(MONDAY, 9, 29)), UNITS, late, now=vn(MONDAY, 9, 29)) == ()
    holiday = vn(date(2024, 9, 2), 9)
    assert plan_digests(digest_view(holiday), UNITS, POLICY, now=holiday) == ()


def test_the_digest_lists_who_is_overdue_and_who_is_due_soon() -> None:
    now = vn(MONDAY, 8, 5)
    (row,) = plan_digests(digest_view(now), UNITS, POLICY, now=now)
    assert (row.unit_id, row.kind, row.due_at) == (OFFICE, MessageKind.DIGEST, vn(MONDAY))
    assert row.digest is not None and row.digest.day == MONDAY
    (plan,) = row.digest.plans
    assert plan.plan_id == 1 and plan.label == PLAN.label
    (late,) = plan.overdue
    assert (late.occurrence_id, late.due) == (1, date(2024, 6, 10))
    assert [(u.unit_id, u.working_days_overdue, u.seen) for u in late.units] == [
        ("tu-pham", 5, False), ("ha-dinh", 5, True)]  # by name, as the dashboard
    assert [(d.occurrence_id, [u.unit_id for u in d.units]) for d in plan.due_soon] == [
        (2, ["ha-dinh"])]
    assert (plan.figures.on_time, plan.figures.overdue, plan.figures.open) == (2, 2, 2)


def test_no_digest_when_there_is_nothing_to_list_or_nobody_to_send_it_to() -> None:
    now = vn(MONDAY, 9)
    quiet = view(now, [occurrence(1, date(2024, 7, 1))], expect(1, "ha-dinh"))
    assert plan_digests(quiet, UNITS, POLICY, now=now) == ()
    no_channel = {**UNITS, OFFICE: replace(UNITS[OFFICE], channels=())}
    assert plan_digests(digest_view(now), no_channel, POLICY, now=now) == ()
