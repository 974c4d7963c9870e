"""Working days: weekends, Vietnamese public holidays (Tết included), the office's swap days."""

from __future__ import annotations

from datetime import date, time, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reminders.config.schema import WorkdaySettings
from reminders.workdays import WorkCalendar

PLAIN = WorkCalendar()
# The 2025 swap the package does not know: Saturday 26/4 worked for Friday 2/5 off
# (the package has 2/5 already); and an office's own day off, Friday 3/1/2025.
OFFICE = WorkCalendar(days_off=[date(2025, 1, 3)], working_days=[date(2025, 4, 26)])
DAYS = st.dates(min_value=date(2020, 1, 1), max_value=date(2030, 12, 31))


@pytest.mark.parametrize("first, last", [
    pytest.param(date(2023, 1, 20), date(2023, 1, 26), id="Tết Quý Mão 2023"),
    pytest.param(date(2024, 2, 8), date(2024, 2, 14), id="Tết Giáp Thìn 2024"),
    pytest.param(date(2025, 1, 27), date(2025, 2, 1), id="Tết Ất Tỵ 2025"),
])
def test_tet_days_are_off(first: date, last: date) -> None:
    day = first
    while day <= last:
        assert not PLAIN.is_working_day(day), day
        assert PLAIN.holiday_name(day), day
        day += timedelta(days=1)
    assert PLAIN.is_working_day(PLAIN.next_working_day(last))


@pytest.mark.parametrize("day, name", [
    pytest.param(date(2024, 4, 30), "Ngày Chiến thắng", id="30/4"),
    pytest.param(date(2024, 5, 1), "Ngày Quốc tế Lao động", id="1/5"),
    pytest.param(date(2024, 9, 2), "Quốc khánh", id="2/9"),
    pytest.param(date(2024, 2, 10), "Tết Nguyên Đán", id="mùng 1 Tết 2024"),
    pytest.param(date(2025, 1, 1), "Tết Dương lịch", id="1/1"),
])
def test_public_holidays_have_vietnamese_names(day: date, name: str) -> None:
    assert PLAIN.holiday_name(day) == name
    assert not PLAIN.is_working_day(day)


@pytest.mark.parametrize("day, working", [
    pytest.param(date(2024, 11, 15), True, id="a Friday"),
    pytest.param(date(2024, 11, 16), False, id="a Saturday"),
    pytest.param(date(2024, 11, 17), False, id="a Sunday"),
    pytest.param(date(2025, 4, 26), True, id="Saturday 26/4/2025 worked (làm bù)"),
    pytest.param(date(2025, 5, 2), False, id="Friday 2/5/2025 off in exchange"),
    pytest.param(date(2025, 1, 3), False, id="the office's nghỉ bù, Friday 3/1/2025"),
    pytest.param(date(2025, 1, 2), True, id="the Thursday before it"),
])
def test_office_table(day: date, working: bool) -> None:
    assert OFFICE.is_working_day(day) is working


def test_without_the_table_the_swapped_days_are_ordinary() -> None:
    assert not PLAIN.is_working_day(date(2025, 4, 26))
    assert PLAIN.is_working_day(date(2025, 1, 3))
    assert PLAIN.holiday_name(date(2025, 1, 3)) is None
    assert OFFICE.holiday_name(date(2025, 1, 3)) == "Nghỉ bù"
    assert PLAIN.holiday_name(date(2024, 11, 16)) is None  # weekends have no name


@pytest.mark.parametrize("day, before, on_or_before, after, on_or_after", [
    pytest.param(date(2024, 2, 12), date(2024, 2, 7), date(2024, 2, 7), date(2024, 2, 15),
                 date(2024, 2, 15), id="inside Tết 2024"),
    pytest.param(date(2024, 11, 18), date(2024, 11, 15), date(2024, 11, 18), date(2024, 11, 19),
                 date(2024, 11, 18), id="a Monday"),
    pytest.param(date(2025, 4, 27), date(2025, 4, 26), date(2025, 4, 26), date(2025, 4, 28),
                 date(2025, 4, 28), id="Sunday after a worked Saturday"),
    pytest.param(date(2025, 1, 6), date(2025, 1, 2), date(2025, 1, 6), date(2025, 1, 7),
                 date(2025, 1, 6), id="Monday after the office's day off"),
])
def test_moving_between_working_days(day: date, before: date, on_or_before: date, after: date,
                                     on_or_after: date) -> None:
    assert OFFICE.previous_working_day(day) == before
    assert OFFICE.on_or_before(day) == on_or_before
    assert OFFICE.next_working_day(day) == after
    assert OFFICE.on_or_after(day) == on_or_after


@pytest.mark.parametrize("a, b, count", [
    pytest.param(date(2024, 11, 15), date(2024, 11, 15), 0, id="same day"),
    pytest.param(date(2024, 11, 15), date(2024, 11, 18), 1, id="over a weekend"),
    pytest.param(date(2024, 2, 7), date(2024, 2, 16), 2, id="over Tết 2024"),
    pytest.param(date(2025, 4, 25), date(2025, 5, 5), 4, id="26/4 worked, 28, 29, then 5/5"),
    pytest.param(date(2024, 11, 18), date(2024, 11, 15), -1, id="backwards"),
])
def test_working_days_between(a: date, b: date, count: int) -> None:
    assert OFFICE.working_days_between(a, b) == count


def test_from_settings() -> None:
    section = WorkdaySettings(work_start=time(7, 30), days_off=(date(2025, 1, 3),),
                              working_days=(date(2025, 4, 26),))
    assert WorkCalendar.from_settings(section) == OFFICE


def test_a_day_both_off_and_worked_is_refused() -> None:
    with pytest.raises(ValueError, match="2025-01-03"):
        WorkCalendar(days_off=[date(2025, 1, 3)], working_days=[date(2025, 1, 3)])


@settings(max_examples=300, deadline=None)
@given(DAYS)
def test_previous_working_day_is_before_and_working(day: date) -> None:
    previous = OFFICE.previous_working_day(day)
    assert previous < day
    assert OFFICE.is_working_day(previous)
    # Nothing in between is a working day.
    assert OFFICE.working_days_between(previous, day - timedelta(days=1)) == 0


@settings(max_examples=300, deadline=None)
@given(DAYS)
def test_next_and_on_or_after(day: date) -> None:
    following = OFFICE.next_working_day(day)
    assert following > day and OFFICE.is_working_day(following)
    assert OFFICE.on_or_after(day) == (day if OFFICE.is_working_day(day) else following)
    assert OFFICE.on_or_before(day) <= day


@settings(max_examples=200, deadline=None)
@given(DAYS, st.integers(0, 400), st.integers(0, 400))
def test_working_days_between_adds_up(a: date, ab: int, bc: int) -> None:
    b, c = a + timedelta(days=ab), a + timedelta(days=ab + bc)
    between = OFFICE.working_days_between
    assert between(a, b) + between(b, c) == between(a, c)
    assert between(b, a) == -between(a, b)
    assert 0 <= between(a, b) <= ab
    assert between(a, OFFICE.next_working_day(a)) == 1
