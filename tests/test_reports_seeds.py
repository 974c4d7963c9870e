"""Report states over the seed plans, stored and published, at several FixedClock moments.

Seed 000 (249/KH-UBND): one deadline, Monday 26/12/2022 ("trước ngày 27/12/2022"), owed by
"các phòng, ban, đơn vị" (14 units) and "UBND 11 phường" (11): 25 expected reports.
Seeds 001+002: "định kỳ hàng tháng (trước ngày 20)" in 2024: the 19th of each month, 12
occurrences; 19/05/2024 is a Sunday. Seed 004 (324/KH-UBND): Sở Nội vụ owes two reports,
Thursday 14/11/2024 and Sunday 17/11/2024.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, time

import pytest
from sqlalchemy import Engine, func, select

from reminders.clock import VN_TZ, FixedClock
from reminders.config import Settings
from reminders.domain import PlanStatus
from reminders.replan import replan
from reminders.reports import PlanView, reports_view
from reminders.status import Figures, ReportState, SubmissionKind, Via
from reminders.store.plan_import import save_imported_plan
from reminders.store.plans import set_status
from reminders.store.reports import (
    add_expected,
    record_submission,
    set_exempt,
    sync_expected,
    withdraw_submission,
)
from reminders.store.tables import expected_reports, submissions
from tests.feed_support import seed_plan, store_plans

STORED_AT = datetime(2022, 11, 1, 2, 0, tzinfo=UTC)
PHONG_BAN = 14
PHUONG = 11
NEXT_WORKING_DAY = "next_working_day"


def _vn(day: date, hour: int = 9) -> datetime:
    return datetime.combine(day, time(hour), VN_TZ)


def _settings(rule: str = "as_written") -> Settings:
    base = Settings()
    return replace(base, workdays=replace(base.workdays, deadline_on_day_off=rule))


def _store(engine: Engine, *seeds: tuple[str, ...]) -> list[int]:
    ids = store_plans(engine, tuple(seed_plan(*s) for s in seeds), at=STORED_AT)
    with engine.begin() as conn:
        replan(conn, Settings(), now=STORED_AT)
    return ids


def _view(engine: Engine, plan_id: int, now: datetime, rule: str = "as_written") -> PlanView:
    with engine.connect() as conn:
        view = reports_view(conn, _settings(rule), now=now).plan(plan_id)
    assert view is not None
    return view


def _submit(engine: Engine, occurrence_id: int, unit_id: str, at: datetime,
            kind: SubmissionKind = SubmissionKind.SUBMITTED, number: str | None = None) -> int:
    with engine.begin() as conn:
        return record_submission(conn, occurrence_id=occurrence_id, unit_id=unit_id, kind=kind,
                                 via=Via.DASHBOARD, at=at, by_user="vanphong",
                                 document_number=number)


def test_seed_000_expects_25_reports_and_counts_them_before_on_and_after_the_deadline(
        engine: Engine) -> None:
    (plan_id,) = _store(engine, ("000",))
    before = _view(engine, plan_id, _vn(date(2022, 12, 20)))
    (occ,) = before.reports.occurrences
    assert occ.occurrence.due_date == date(2022, 12, 26)
    assert occ.occurrence.time_text == "trước ngày 27/12/2022"
    assert len(occ.cells) == PHONG_BAN + PHUONG
    units = {c.unit_id for c in occ.cells}
    assert {"vhtt-thanh-xuan", "ubnd-phuong-phuong-liet", "ubnd-phuong-thanh-xuan-nam"} <= units
    assert before.reports.figures == Figures(expected=25, open=25)
    assert before.reports.figures.reporting_rate is None  # nothing due yet

    oid = occ.occurrence.id
    _submit(engine, oid, "vhtt-thanh-xuan", _vn(date(2022, 12, 19)), number="45/BC-VHTT")
    _submit(engine, oid, "ubnd-phuong-phuong-liet", _vn(date(2022, 12, 26), 16))
    _submit(engine, oid, "gddt-thanh-xuan", _vn(date(2022, 12, 27), 8))
    _submit(engine, oid, "ubnd-phuong-kim-giang", _vn(date(2022, 12, 20)), SubmissionKind.SEEN)
    with engine.begin() as conn:
        set_exempt(conn, oid, "ban-qlda-thanh-xuan", exempt=True, reason="Không tham gia")

    on_day = _view(engine, plan_id, _vn(date(2022, 12, 26), 17)).reports.occurrences[0]
    assert on_day.figures == Figures(expected=24, on_time=2, open=22, exempt=1, seen_only=1)

    # Wednesday 28/12: two working days after the deadline.
    after = _view(engine, plan_id, _vn(date(2022, 12, 28))).reports.occurrences[0]
    states = {c.unit_id: c for c in after.cells}
    assert states["vhtt-thanh-xuan"].state is ReportState.ON_TIME
    assert states["vhtt-thanh-xuan"].submitted is not None
    assert states["vhtt-thanh-xuan"].submitted.document_number == "45/BC-VHTT"
    assert states["ubnd-phuong-phuong-liet"].state is ReportState.ON_TIME
    assert states["gddt-thanh-xuan"].state is ReportState.LATE
    assert states["gddt-thanh-xuan"].working_days_late == 1
    assert states["ban-qlda-thanh-xuan"].state is ReportState.EXEMPT
    assert states["ban-qlda-thanh-xuan"].exempt_reason == "Không tham gia"
    kim_giang = states["ubnd-phuong-kim-giang"]
    assert (kim_giang.state, kim_giang.is_seen, kim_giang.working_days_overdue) == (
        ReportState.OVERDUE, True, 2)
    assert after.figures == Figures(expected=24, on_time=2, late=1, overdue=21, exempt=1,
                                    seen_only=1)
    assert after.figures.reporting_rate == pytest.approx(3 / 24)
    assert after.figures.on_time_rate == pytest.approx(2 / 24)

    # Over the New Year: 30/12 (Fri), 2/1 (Mon, in lieu of Sunday 1/1?), 3/1 — the holiday
    # table decides; Monday 02/01/2023 was a day off in lieu of New Year's Day.
    new_year = _view(engine, plan_id, _vn(date(2023, 1, 3))).reports.occurrences[0]
    assert new_year.cell("ubnd-phuong-kim-giang").working_days_overdue == 5  # type: ignore[union-attr]


def test_a_withdrawn_report_counts_as_not_reported_and_stays_on_record(engine: Engine) -> None:
    (plan_id,) = _store(engine, ("000",))
    oid = _view(engine, plan_id, STORED_AT).reports.occurrences[0].occurrence.id
    first = _submit(engine, oid, "gddt-thanh-xuan", _vn(date(2022, 12, 22)))
    with engine.begin() as conn:
        withdraw_submission(conn, first, by="vanphong", reason="Nhầm đơn vị",
                            at=_vn(date(2022, 12, 23)))
    cell = _view(engine, plan_id, _vn(date(2022, 12, 27))).reports.occurrences[0].cell(
        "gddt-thanh-xuan")
    assert cell is not None and cell.state is ReportState.OVERDUE
    assert cell.working_days_overdue == 1
    _submit(engine, oid, "gddt-thanh-xuan", _vn(date(2022, 12, 28)))
    cell = _view(engine, plan_id, _vn(date(2022, 12, 29))).reports.occurrences[0].cell(
        "gddt-thanh-xuan")
    assert cell is not None and cell.state is ReportState.LATE
    assert cell.working_days_late == 2
    with engine.connect() as conn:
        rows = conn.execute(select(submissions.c.withdrawn_reason)
                            .order_by(submissions.c.id)).scalars().all()
    assert rows == ["Nhầm đơn vị", None]


def test_a_sunday_deadline_ends_as_written_or_on_the_next_working_day(engine: Engine) -> None:
    (plan_id,) = _store(engine, ("004",))
    monday = _vn(date(2024, 11, 18), 10)
    written = _view(engine, plan_id, monday)
    thursday, sunday = written.reports.occurrences
    assert (thursday.occurrence.due_date, sunday.occurrence.due_date) == (
        date(2024, 11, 14), date(2024, 11, 17))
    assert [c.unit_id for c in sunday.cells] == ["so-noi-vu-ha-noi"]
    assert (sunday.due, sunday.moved) == (date(2024, 11, 17), False)
    assert sunday.cells[0].state is ReportState.OVERDUE
    assert sunday.cells[0].working_days_overdue == 1
    assert thursday.cells[0].working_days_overdue == 2  # Fri 15, Mon 18

    art148 = _view(engine, plan_id, monday, NEXT_WORKING_DAY)
    moved = art148.reports.occurrences[1]
    assert (moved.due, moved.moved) == (date(2024, 11, 18), True)
    assert moved.cells[0].state is ReportState.OPEN
    assert art148.reports.occurrences[0].due == date(2024, 11, 14)  # a Thursday stays

    _submit(engine, moved.occurrence.id, "so-noi-vu-ha-noi", _vn(date(2024, 11, 18), 16))
    later = _vn(date(2024, 11, 19))
    assert _view(engine, plan_id, later, NEXT_WORKING_DAY).reports.occurrences[1].cells[
        0].state is ReportState.ON_TIME
    late = _view(engine, plan_id, later).reports.occurrences[1].cells[0]
    assert (late.state, late.working_days_late) == (ReportState.LATE, 1)


def test_a_monthly_deadline_has_twelve_occurrences_counted_month_by_month(
        engine: Engine) -> None:
    (plan_id,) = _store(engine, ("001", "002"))
    view = _view(engine, plan_id, _vn(date(2024, 5, 20)))
    days = [o.occurrence.due_date for o in view.reports.occurrences]
    assert days == [date(2024, month, 19) for month in range(1, 13)]
    assert all(len(o.cells) == PHONG_BAN + PHUONG for o in view.reports.occurrences)
    assert view.reports.figures == Figures(expected=300, overdue=125, open=175)
    # 19/05/2024 is a Sunday: under art. 148 May's report is still open on Monday 20/05.
    art148 = _view(engine, plan_id, _vn(date(2024, 5, 20)), NEXT_WORKING_DAY)
    assert art148.reports.figures == Figures(expected=300, overdue=100, open=200)
    may = art148.reports.occurrences[4]
    assert (may.due, may.figures.open) == (date(2024, 5, 20), 25)
    # Each month stands alone: a report in March does not answer April.
    march = view.reports.occurrences[2].occurrence.id
    _submit(engine, march, "gddt-thanh-xuan", _vn(date(2024, 3, 18)))
    after = _view(engine, plan_id, _vn(date(2024, 5, 20)))
    by_month = {o.occurrence.due_date.month: o.cell("gddt-thanh-xuan")
                for o in after.reports.occurrences}
    assert by_month[3].state is ReportState.ON_TIME  # type: ignore[union-attr]
    assert by_month[4].state is ReportState.OVERDUE  # type: ignore[union-attr]
    assert after.reports.figures.on_time == 1


def test_office_decisions_and_answers_survive_a_new_import(engine: Engine) -> None:
    (plan_id,) = _store(engine, ("000",))
    oid = _view(engine, plan_id, STORED_AT).reports.occurrences[0].occurrence.id
    with engine.begin() as conn:
        assert add_expected(conn, oid, "ubnd-thanh-xuan") is True
        assert add_expected(conn, oid, "ubnd-thanh-xuan") is False
        set_exempt(conn, oid, "ban-qlda-thanh-xuan", exempt=True, reason="Sáp nhập")
    _submit(engine, oid, "gddt-thanh-xuan", _vn(date(2022, 12, 20)))
    with engine.begin() as conn:  # the same plan imported again, planned again
        save_imported_plan(conn, seed_plan("000"), now=STORED_AT)
        set_status(conn, plan_id, PlanStatus.PUBLISHED, now=STORED_AT)
        replan(conn, Settings(), now=STORED_AT)
        assert sync_expected(conn).added == 0
    occ = _view(engine, plan_id, _vn(date(2022, 12, 20), 12)).reports.occurrences[0]
    assert len(occ.cells) == 26
    added = occ.cell("ubnd-thanh-xuan")
    assert added is not None and added.added_by_office
    assert occ.cell("ban-qlda-thanh-xuan").state is ReportState.EXEMPT  # type: ignore[union-attr]
    assert occ.cell("gddt-thanh-xuan").state is ReportState.ON_TIME  # type: ignore[union-attr]


def test_an_archived_plan_leaves_the_view_and_keeps_its_rows(engine: Engine) -> None:
    (plan_id,) = _store(engine, ("000",))
    clock = FixedClock(_vn(date(2022, 12, 28)))
    with engine.begin() as conn:
        set_status(conn, plan_id, PlanStatus.ARCHIVED, now=clock.now())
        replan(conn, Settings(), now=clock.now())
    with engine.connect() as conn:
        assert reports_view(conn, Settings(), now=clock.now()).plan(plan_id) is None
        assert reports_view(conn, Settings(), now=clock.now(),
                            published_only=False).plan(plan_id) is not None
        assert conn.execute(select(func.count()).select_from(expected_reports)).scalar() == 25
