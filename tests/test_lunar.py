"""The Vietnamese lunar calendar (reminders.timeexpr.lunar), contract rule 11."""

from __future__ import annotations

import unicodedata
from datetime import date, timedelta

import holidays
import pytest

from reminders.timeexpr import lunar
from reminders.timeexpr.lunar import (
    LunarDate,
    can_chi_year,
    leap_month,
    lunar_to_solar,
    month_length,
    solar_to_lunar,
    tet,
    years_named,
)

CHINA = 8.0  # the same algorithm at UTC+8 is the Chinese calendar


def _first_days(country: str, name: str, years: range) -> dict[int, date]:
    """The first day each year that `holidays` calls `name` (a festival lasts several days)."""
    found: dict[int, date] = {}
    for day, holiday in holidays.country_holidays(country, years=years).items():
        if holiday == name:
            found[day.year] = min(day, found.get(day.year, day))
    return found


def test_tet_matches_holidays_vn() -> None:
    # holidays' Vietnamese calendar starts in 1901; 1900 is checked on its own below.
    years = range(1901, 2101)
    expected = _first_days("VN", "Lunar New Year", years)
    assert sorted(expected) == list(years)
    assert {y: tet(y) for y in years} == expected


def test_tet_1900() -> None:
    # Tết Canh Tý 1900 fell on Wednesday 31 January 1900 (published lunar calendars).
    assert tet(1900) == date(1900, 1, 31)


def test_utc8_is_the_chinese_calendar() -> None:
    # An independent check of the algorithm: at UTC+8 it gives China's Spring Festival.
    years = range(1950, 2101)  # the years holidays' CN calendar covers
    expected = _first_days("CN", "Chinese New Year (Spring Festival)", years)
    assert sorted(expected) == list(years)
    assert {y: lunar._lunar_to_solar(y, 1, 1, False, CHINA) for y in years} == expected


@pytest.mark.parametrize(
    ("year", "vietnam", "china"),
    [
        pytest.param(1968, date(1968, 1, 29), date(1968, 1, 30), id="1968-Mậu-Thân"),
        pytest.param(1985, date(1985, 1, 21), date(1985, 2, 20), id="1985-a-month-apart"),
        pytest.param(2007, date(2007, 2, 17), date(2007, 2, 18), id="2007"),
        pytest.param(2030, date(2030, 2, 2), date(2030, 2, 3), id="2030"),
        pytest.param(2053, date(2053, 2, 18), date(2053, 2, 19), id="2053"),
    ],
)
def test_tet_differs_from_china(year: int, vietnam: date, china: date) -> None:
    assert tet(year) == vietnam
    assert lunar._lunar_to_solar(year, 1, 1, False, CHINA) == china


# (lunar year, month, day, leap, solar date); ids are the festival's name.
FESTIVALS = [
    pytest.param(2022, 3, 10, False, date(2022, 4, 10), id="Giỗ Tổ Hùng Vương 2022"),
    pytest.param(2023, 3, 10, False, date(2023, 4, 29), id="Giỗ Tổ Hùng Vương 2023"),
    pytest.param(2024, 3, 10, False, date(2024, 4, 18), id="Giỗ Tổ Hùng Vương 2024"),
    pytest.param(2025, 3, 10, False, date(2025, 4, 7), id="Giỗ Tổ Hùng Vương 2025"),
    pytest.param(2020, 3, 10, False, date(2020, 4, 2), id="Giỗ Tổ Hùng Vương 2020"),
    pytest.param(2024, 1, 1, False, date(2024, 2, 10), id="Tết Giáp Thìn"),
    pytest.param(2025, 1, 1, False, date(2025, 1, 29), id="Tết Ất Tỵ"),
    pytest.param(2024, 1, 15, False, date(2024, 2, 24), id="Rằm tháng Giêng 2024"),
    pytest.param(2025, 1, 15, False, date(2025, 2, 12), id="Rằm tháng Giêng 2025"),
    pytest.param(2024, 4, 15, False, date(2024, 5, 22), id="Phật đản 2024"),
    pytest.param(2023, 5, 5, False, date(2023, 6, 22), id="Tết Đoan ngọ 2023"),
    pytest.param(2024, 5, 5, False, date(2024, 6, 10), id="Tết Đoan ngọ 2024"),
    pytest.param(2025, 5, 5, False, date(2025, 5, 31), id="Tết Đoan ngọ 2025"),
    pytest.param(2020, 7, 15, False, date(2020, 9, 2), id="Vu Lan 2020 (after leap 4)"),
    pytest.param(2023, 7, 15, False, date(2023, 8, 30), id="Vu Lan 2023"),
    pytest.param(2024, 7, 15, False, date(2024, 8, 18), id="Vu Lan 2024"),
    pytest.param(2025, 7, 15, False, date(2025, 9, 6), id="Vu Lan 2025 (after leap 6)"),
    pytest.param(2017, 8, 15, False, date(2017, 10, 4), id="Trung thu 2017 (after leap 6)"),
    pytest.param(2020, 8, 15, False, date(2020, 10, 1), id="Trung thu 2020"),
    pytest.param(2022, 8, 15, False, date(2022, 9, 10), id="Trung thu 2022"),
    pytest.param(2023, 8, 15, False, date(2023, 9, 29), id="Trung thu 2023"),
    pytest.param(2024, 8, 15, False, date(2024, 9, 17), id="Trung thu 2024"),
    pytest.param(2025, 8, 15, False, date(2025, 10, 6), id="Trung thu 2025"),
    pytest.param(2023, 12, 23, False, date(2024, 2, 2), id="ông Công ông Táo 2024"),
    pytest.param(2024, 12, 23, False, date(2025, 1, 22), id="ông Công ông Táo 2025"),
    pytest.param(2016, 12, 29, False, date(2017, 1, 26), id="29 tháng Chạp năm Bính Thân"),
    pytest.param(2023, 2, 1, True, date(2023, 3, 22), id="1 tháng 2 nhuận 2023"),
    pytest.param(2020, 4, 1, True, date(2020, 5, 23), id="1 tháng 4 nhuận 2020"),
    pytest.param(2025, 6, 1, True, date(2025, 7, 25), id="1 tháng 6 nhuận 2025"),
]


@pytest.mark.parametrize(("year", "month", "day", "leap", "solar"), FESTIVALS)
def test_known_dates(year: int, month: int, day: int, leap: bool, solar: date) -> None:
    assert lunar_to_solar(year, month, day, leap=leap) == solar
    assert solar_to_lunar(solar) == LunarDate(year, month, day, leap)


def test_hung_kings_day_matches_holidays_vn() -> None:
    years = range(2007, 2101)  # a public holiday from 2007 on
    expected = _first_days("VN", "Hung Kings' Commemoration Day", years)
    assert {y: lunar_to_solar(y, 3, 10) for y in years} == expected


@pytest.mark.parametrize(
    ("year", "month"),
    [(2017, 6), (2020, 4), (2023, 2), (2025, 6), (2028, 5), (2033, 11), (2024, None)],
)
def test_leap_month(year: int, month: int | None) -> None:
    assert leap_month(year) == month


def test_leap_month_straddles_months() -> None:
    assert solar_to_lunar(date(2023, 3, 21)) == LunarDate(2023, 2, 30, False)
    assert solar_to_lunar(date(2023, 3, 22)) == LunarDate(2023, 2, 1, True)
    assert solar_to_lunar(date(2023, 4, 20)) == LunarDate(2023, 3, 1, False)
    # The leap 11 of 2033 lies after the year's own month 11, still in lunar year 2033.
    assert solar_to_lunar(lunar_to_solar(2033, 11, 1, leap=True)).year == 2033


def test_month_lengths() -> None:
    assert month_length(2016, 12) == 30  # 2017-01-27 was 30 Tết
    assert month_length(2024, 12) == 29  # Ất Tỵ (2025) had no 30 Tết
    assert month_length(2023, 2, leap=True) == 29
    for year in range(2000, 2050):
        n = 13 if leap_month(year) else 12
        months = [(m, False) for m in range(1, 13)]
        if (lm := leap_month(year)) is not None:
            months.insert(lm, (lm, True))
        lengths = [month_length(year, m, leap) for m, leap in months]
        assert len(lengths) == n and set(lengths) <= {29, 30}
        assert sum(lengths) == (tet(year + 1) - tet(year)).days


def test_day_30_of_a_month_next_to_a_new_moon_near_midnight() -> None:
    # Hồ Ngọc Đức's published solar→lunar guesses the lunation from the mean month and gives
    # "day 0" here; the calendar itself has day 30 of month 3, then 1 of month 4.
    assert solar_to_lunar(date(2054, 5, 7)) == LunarDate(2054, 3, 30, False)
    assert solar_to_lunar(date(2054, 5, 8)) == LunarDate(2054, 4, 1, False)


def test_round_trip_every_day() -> None:
    d, last = date(1950, 1, 1), date(2060, 12, 31)
    previous = solar_to_lunar(d - timedelta(days=1))
    while d <= last:
        ld = solar_to_lunar(d)
        assert 1 <= ld.day <= 30
        assert ld.day == previous.day + 1 or ld.day == 1, d
        assert lunar_to_solar(ld.year, ld.month, ld.day, leap=ld.leap) == d
        previous, d = ld, d + timedelta(days=1)


@pytest.mark.parametrize(
    ("year", "month", "day", "leap"),
    [
        pytest.param(2024, 12, 30, False, id="30 Tết 2025 does not exist"),
        pytest.param(2023, 2, 30, True, id="day 30 of a 29-day leap month"),
        pytest.param(2024, 2, 1, True, id="2024 has no leap month"),
        pytest.param(2023, 3, 1, True, id="2023's leap month is 2, not 3"),
        pytest.param(2024, 0, 1, False, id="month 0"),
        pytest.param(2024, 13, 1, False, id="month 13"),
        pytest.param(2024, 1, 0, False, id="day 0"),
        pytest.param(2024, 1, 31, False, id="day 31"),
        pytest.param(1500, 1, 1, False, id="year out of range"),
    ],
)
def test_impossible_dates(year: int, month: int, day: int, leap: bool) -> None:
    with pytest.raises(ValueError):
        lunar_to_solar(year, month, day, leap=leap)


def test_month_length_of_missing_leap_month() -> None:
    with pytest.raises(ValueError, match="no leap month 5"):
        month_length(2024, 5, leap=True)


@pytest.mark.parametrize(
    ("year", "name"),
    [
        (2016, "Bính Thân"),
        (2024, "Giáp Thìn"),
        (2025, "Ất Tỵ"),
        (1954, "Giáp Ngọ"),
        (1968, "Mậu Thân"),
        (1984, "Giáp Tý"),
        (2043, "Quý Hợi"),
    ],
)
def test_can_chi_year(year: int, name: str) -> None:
    assert can_chi_year(year) == name
    assert years_named(name, year + 29) == year
    assert years_named(name, year - 29) == year


@pytest.mark.parametrize(
    ("text", "near", "year"),
    [
        pytest.param("Bính Thân", 2017, 2016, id="Bính Thân"),
        pytest.param("giap thin", 2025, 2024, id="no marks"),
        pytest.param("GIÁP THÌN", 2024, 2024, id="upper case"),
        pytest.param(unicodedata.normalize("NFD", "Bính Thân"), 2017, 2016, id="NFD"),
        pytest.param("Quí Mão", 2020, 2023, id="Quí, old spelling"),
        pytest.param("Qúy Mão", 2020, 2023, id="old tone placement"),
        pytest.param("Ất Tị", 2020, 2025, id="Tị for Tỵ"),
        pytest.param("Kỉ Hợi", 2020, 2019, id="Kỉ for Kỷ"),
        pytest.param("Giáp Ty", 2000, 1984, id="Ty can only be Tý after Giáp"),
        pytest.param("  Mậu   Thân ", 1970, 1968, id="spaces"),
        pytest.param("Giáp Ngọ", 1984, 1954, id="tie goes to the earlier year"),
    ],
)
def test_years_named(text: str, near: int, year: int) -> None:
    assert years_named(text, near) == year


@pytest.mark.parametrize("text", ["Giáp Sửu", "Bính", "Thân", "Bính Thân Dậu", "", "Năm Thìn"])
def test_years_named_rejects(text: str) -> None:
    with pytest.raises(ValueError):
        years_named(text, 2024)


def test_sixty_distinct_names() -> None:
    assert len({can_chi_year(y) for y in range(2000, 2060)}) == 60
    assert len(lunar._POSITION) == 60
