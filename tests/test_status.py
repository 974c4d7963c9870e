"""status.py alone: one cell's state, the figures, and invariants over random histories."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from reminders.clock import VN_TZ
from reminders.status import (
    Expectation,
    Figures,
    Occurrence,
    ReportState,
    Rules,
    Submission,
    SubmissionKind,
    Via,
    occurrence_status,
    percent,
)
from reminders.workdays import WorkCalendar

CAL = WorkCalendar()
DUE = date(2024, 11, 17)  # a Sunday
OCC = Occurrence(id=1, plan_id=1, deadline_id=1, deadline_uid="u@reminders", title="Báo cáo",
                 time_text="trước ngày 18/11/2024", due_date=DUE)


def _at(day: date, hour: int = 10) -> datetime:
    return datetime.combine(day, time(hour), VN_TZ)


def _sub(n: int, unit: str, at: datetime, kind: SubmissionKind = SubmissionKind.SUBMITTED,
         withdrawn: datetime | None = None) -> Submission:
    return Submission(id=n, occurrence_id=1, unit_id=unit, kind=kind, via=Via.LINK, at=at,
                      withdrawn_at=withdrawn, withdrawn_reason="x" if withdrawn else None)


def _one(subs: list[Submission], now: datetime, rule: str = "as_written",
         exempt: bool = False) -> ReportState:
    status = occurrence_status(OCC, [Expectation(occurrence_id=1, unit_id="a",
                                                 unit_name="A", exempt=exempt)],
                               subs, now=now, rules=Rules(CAL, rule))
    return status.cells[0].state


@pytest.mark.parametrize(("subs", "now", "rule", "expected"), [
    ([], _at(DUE), "as_written", ReportState.OPEN),
    ([], _at(DUE, 23), "as_written", ReportState.OPEN),  # the whole last day
    ([], _at(DUE + timedelta(days=1), 0), "as_written", ReportState.OVERDUE),
    ([], _at(DUE + timedelta(days=1)), "next_working_day", ReportState.OPEN),
    ([], _at(DUE + timedelta(days=2)), "next_working_day", ReportState.OVERDUE),
    ([_sub(1, "a", _at(DUE, 23))], _at(DUE + timedelta(days=3)), "as_written",
     ReportState.ON_TIME),
    ([_sub(1, "a", _at(DUE + timedelta(days=1)))], _at(DUE + timedelta(days=3)),
     "next_working_day", ReportState.ON_TIME),
    ([_sub(1, "a", _at(DUE + timedelta(days=1)))], _at(DUE + timedelta(days=3)),
     "as_written", ReportState.LATE),
    ([_sub(1, "a", _at(DUE), SubmissionKind.SEEN)], _at(DUE + timedelta(days=3)),
     "as_written", ReportState.OVERDUE),
    ([_sub(1, "a", _at(DUE), withdrawn=_at(DUE, 11))], _at(DUE + timedelta(days=3)),
     "as_written", ReportState.OVERDUE),
    # Withdrawn later than `now`: as of `now` the report still stood.
    ([_sub(1, "a", _at(DUE), withdrawn=_at(DUE + timedelta(days=5)))],
     _at(DUE + timedelta(days=3)), "as_written", ReportState.ON_TIME),
    # Recorded after `now`: not yet there.
    ([_sub(1, "a", _at(DUE + timedelta(days=4)))], _at(DUE + timedelta(days=3)),
     "as_written", ReportState.OVERDUE),
], ids=["on the day", "late evening", "next midnight", "art148 Monday", "art148 Tuesday",
        "sent on the day", "sent Monday art148", "sent Monday as written", "seen only",
        "withdrawn", "withdrawn later", "recorded later"])
def test_one_cell(subs: list[Submission], now: datetime, rule: str,
                  expected: ReportState) -> None:
    assert _one(subs, now, rule) is expected


def test_exempt_wins_over_everything() -> None:
    assert _one([_sub(1, "a", _at(DUE))], _at(DUE + timedelta(days=9)),
                exempt=True) is ReportState.EXEMPT


def test_rates_and_percent() -> None:
    f = Figures(expected=8, on_time=3, late=1, open=2, overdue=2)
    assert (f.submitted, f.due) == (4, 6)
    assert percent(f.reporting_rate) == "66,7 %"
    assert percent(f.on_time_rate) == "50 %"
    assert percent(Figures(expected=2, open=2).reporting_rate) == "—"
    with pytest.raises(ValueError, match="deadline_on_day_off"):
        Rules(CAL, "whenever")


_units = st.lists(st.sampled_from("abcdefgh"), unique=True, min_size=1, max_size=8)
_offsets = st.integers(min_value=-10, max_value=20)


@given(units=_units, exempt=st.sets(st.sampled_from("abcdefgh")),
       events=st.lists(st.tuples(st.sampled_from("abcdefgh"), _offsets, st.booleans(),
                                 st.booleans()), max_size=20),
       now_offset=_offsets, rule=st.sampled_from(["as_written", "next_working_day"]))
def test_counts_add_up_and_rates_stay_between_0_and_1(
        units: list[str], exempt: set[str], events: list[tuple[str, int, bool, bool]],
        now_offset: int, rule: str) -> None:
    now = datetime.combine(DUE + timedelta(days=now_offset), time(12), UTC)
    expectations = [Expectation(occurrence_id=1, unit_id=u, unit_name=u.upper(),
                                exempt=u in exempt) for u in units]
    subs = [_sub(n, unit, _at(DUE + timedelta(days=offset)),
                 SubmissionKind.SUBMITTED if submitted else SubmissionKind.SEEN,
                 withdrawn=_at(DUE + timedelta(days=offset), 15) if withdrawn else None)
            for n, (unit, offset, submitted, withdrawn) in enumerate(events)]
    status = occurrence_status(OCC, expectations, subs, now=now, rules=Rules(CAL, rule))
    f = status.figures
    assert f.expected + f.exempt == len(units)
    assert f.on_time + f.late + f.open + f.overdue == f.expected
    for rate in (f.reporting_rate, f.on_time_rate):
        assert rate is None or 0 <= rate <= 1
    assert f.on_time_rate is None or f.reporting_rate is not None
    assert f.on_time_rate is None or f.on_time_rate <= f.reporting_rate  # type: ignore[operator]
    # Open and overdue never both: the deadline has passed for everyone or for no one.
    assert not (f.open and f.overdue)
    for cell in status.cells:
        assert (cell.working_days_overdue > 0) <= (cell.state is ReportState.OVERDUE)
