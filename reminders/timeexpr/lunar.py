"""The Vietnamese lunar calendar (âm lịch) by Hồ Ngọc Đức's astronomical algorithm at UTC+7."""

from __future__ import annotations

import math
import unicodedata
from bisect import bisect_right
from dataclasses import dataclass
from datetime import date
from functools import lru_cache

# Months start on the local day of the new moon, so the zone decides the calendar:
# UTC+7 is Vietnam's; UTC+8 gives the Chinese calendar, which differs in some years.
TIMEZONE = 7.0
MIN_YEAR, MAX_YEAR = 1800, 2199  # lunar years; the range Hồ Ngọc Đức's own tables cover

_JDN_OFFSET = 1721425  # date.toordinal() + this = Julian day number
_SYNODIC = 29.530588853  # mean lunation, days
_EPOCH = 2415021.076998695  # Julian day of new moon k = 0 (1900-01-01)
_DR = math.pi / 180


def _new_moon(k: int) -> float:
    """Julian day (UT, fractional) of the k-th new moon after 1900-01-01 (Meeus's series)."""
    t = k / 1236.85
    t2, t3 = t * t, t * t * t
    jd1 = 2415020.75933 + 29.53058868 * k + 0.0001178 * t2 - 0.000000155 * t3
    jd1 += 0.00033 * math.sin((166.56 + 132.87 * t - 0.009173 * t2) * _DR)
    m = (359.2242 + 29.10535608 * k - 0.0000333 * t2 - 0.00000347 * t3) * _DR
    mpr = (306.0253 + 385.81691806 * k + 0.0107306 * t2 + 0.00001236 * t3) * _DR
    f = (21.2964 + 390.67050646 * k - 0.0016528 * t2 - 0.00000239 * t3) * _DR
    c1 = (0.1734 - 0.000393 * t) * math.sin(m) + 0.0021 * math.sin(2 * m)
    c1 += -0.4068 * math.sin(mpr) + 0.0161 * math.sin(2 * mpr) - 0.0004 * math.sin(3 * mpr)
    c1 += 0.0104 * math.sin(2 * f) - 0.0051 * math.sin(m + mpr) - 0.0074 * math.sin(m - mpr)
    c1 += 0.0004 * math.sin(2 * f + m) - 0.0004 * math.sin(2 * f - m)
    c1 += -0.0006 * math.sin(2 * f + mpr) + 0.0010 * math.sin(2 * f - mpr)
    c1 += 0.0005 * math.sin(2 * mpr + m)
    if t < -11:
        delta_t = 0.001 + 0.000839 * t + 0.0002261 * t2 - 0.00000845 * t3 - 0.000000081 * t * t3
    else:
        delta_t = -0.000278 + 0.000265 * t + 0.000262 * t2
    return jd1 + c1 - delta_t


def _sun_longitude(jd: float) -> float:
    """The sun's apparent longitude in radians, 0 ≤ L < 2π, at Julian day `jd` (UT)."""
    t = (jd - 2451545.0) / 36525
    t2 = t * t
    m = (357.52910 + 35999.05030 * t - 0.0001559 * t2 - 0.00000048 * t * t2) * _DR
    l0 = 280.46645 + 36000.76983 * t + 0.0003032 * t2
    dl = (1.914600 - 0.004817 * t - 0.000014 * t2) * math.sin(m)
    dl += (0.019993 - 0.000101 * t) * math.sin(2 * m) + 0.000290 * math.sin(3 * m)
    return ((l0 + dl) * _DR) % (2 * math.pi)


def _new_moon_day(k: int, zone: float) -> int:
    """The local day (Julian day number) on which new moon k falls."""
    return math.floor(_new_moon(k) + 0.5 + zone / 24)


def _sun_sector(jdn: int, zone: float) -> int:
    """Which 30° sector (major solar term, 0..11) the sun is in at local midnight opening `jdn`."""
    return math.floor(_sun_longitude(jdn - 0.5 - zone / 24) / math.pi * 6)


def _month11(year: int, zone: float) -> int:
    """First day (JDN) of lunar month 11: the month holding the winter solstice of `year`."""
    off = date(year, 12, 31).toordinal() + _JDN_OFFSET - 2415021
    k = math.floor(off / _SYNODIC)
    nm = _new_moon_day(k, zone)
    # Sector 9 starts at the solstice (270°); a month starting past it is month 12.
    return _new_moon_day(k - 1, zone) if _sun_sector(nm, zone) >= 9 else nm


def _leap_offset(a11: int, zone: float) -> int:
    """In a 13-month span after month 11 at `a11`, the index of the first month without a
    major solar term: that month is the leap month (tháng nhuận)."""
    k = math.floor((a11 - _EPOCH) / _SYNODIC + 0.5)
    i = 1
    arc = _sun_sector(_new_moon_day(k + i, zone), zone)
    while True:
        last = arc
        i += 1
        arc = _sun_sector(_new_moon_day(k + i, zone), zone)
        if arc == last or i >= 14:
            return i - 1


_Month = tuple[int, int, bool, int]  # (lunar year, month, leap, first day as JDN)


@lru_cache(maxsize=1024)
def _span(year: int, zone: float) -> tuple[_Month, ...]:
    """The months from month 11 of solar year `year - 1` up to month 11 of `year`."""
    a11, b11 = _month11(year - 1, zone), _month11(year, zone)
    k = math.floor((a11 - _EPOCH) / _SYNODIC + 0.5)
    count = round((b11 - a11) / _SYNODIC)  # 12, or 13 when a leap month falls in between
    leap_at = _leap_offset(a11, zone) if count == 13 else -1
    months: list[_Month] = []
    month = 10
    for i in range(count):
        leap = i == leap_at
        if not leap:  # a leap month repeats the number of the month before it
            month = month % 12 + 1
        # Months 11 and 12 (and a leap 11 or 12) still belong to the lunar year before.
        months.append(
            (year - 1 if month >= 11 and i < 4 else year, month, leap, _new_moon_day(k + i, zone))
        )
    return tuple(months)


@dataclass(frozen=True, slots=True)
class _Year:
    starts: tuple[int, ...]  # first day (JDN) of each month, in order
    labels: tuple[tuple[int, bool], ...]  # (month, leap) of each month
    end: int  # JDN of the next Tết


@lru_cache(maxsize=1024)
def _year(year: int, zone: float) -> _Year:
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise ValueError(f"lunar year {year} is outside {MIN_YEAR}..{MAX_YEAR}")
    both = _span(year, zone) + _span(year + 1, zone)
    months = [m for m in both if m[0] == year]
    end = next(m[3] for m in both if m[0] == year + 1)
    return _Year(tuple(m[3] for m in months), tuple((m[1], m[2]) for m in months), end)


def _index(y: _Year, year: int, month: int, leap: bool) -> int:
    if not 1 <= month <= 12:
        raise ValueError(f"lunar month {month} is not in 1..12")
    try:
        return y.labels.index((month, leap))
    except ValueError:
        raise ValueError(f"lunar year {year} has no leap month {month}") from None


def _length(y: _Year, i: int) -> int:
    return (y.starts[i + 1] if i + 1 < len(y.starts) else y.end) - y.starts[i]


@dataclass(frozen=True, slots=True)
class LunarDate:
    """A date of the lunar calendar; `year` is the lunar year, which begins at its Tết."""

    year: int
    month: int
    day: int
    leap: bool = False


def _lunar_to_solar(year: int, month: int, day: int, leap: bool, zone: float) -> date:
    y = _year(year, zone)
    i = _index(y, year, month, leap)
    if not 1 <= day <= _length(y, i):
        raise ValueError(
            f"lunar month {month}{' (leap)' if leap else ''} of {year} has no day {day}"
        )
    return date.fromordinal(y.starts[i] + day - 1 - _JDN_OFFSET)


def _solar_to_lunar(d: date, zone: float) -> LunarDate:
    jdn = d.toordinal() + _JDN_OFFSET
    # Tết always falls in January or February of the solar year of the same number.
    year = d.year if jdn >= _year(d.year, zone).starts[0] else d.year - 1
    y = _year(year, zone)
    i = bisect_right(y.starts, jdn) - 1
    month, leap = y.labels[i]
    return LunarDate(year, month, jdn - y.starts[i] + 1, leap)


def lunar_to_solar(year: int, month: int, day: int, *, leap: bool = False) -> date:
    """The solar date of day/month (leap or not) of lunar year `year`.

    Raises ValueError for a month outside 1..12, a leap month the year does not have, a day
    the month does not have (30 in a 29-day month), or a year outside MIN_YEAR..MAX_YEAR.
    """
    return _lunar_to_solar(year, month, day, leap, TIMEZONE)


def solar_to_lunar(d: date) -> LunarDate:
    """The lunar date of `d`; raises ValueError outside the supported years."""
    return _solar_to_lunar(d, TIMEZONE)


def tet(year: int) -> date:
    """Tết Nguyên Đán: 1 tháng Giêng (month 1, day 1) of lunar year `year`."""
    return date.fromordinal(_year(year, TIMEZONE).starts[0] - _JDN_OFFSET)


def leap_month(year: int) -> int | None:
    """The leap month (tháng nhuận) of lunar year `year`, or None in a 12-month year."""
    return next((m for m, leap in _year(year, TIMEZONE).labels if leap), None)


def month_length(year: int, month: int, leap: bool = False) -> int:
    """29 or 30: the days of the month; raises ValueError as lunar_to_solar does."""
    y = _year(year, TIMEZONE)
    return _length(y, _index(y, year, month, leap))


# Can-Chi (Heavenly Stem, Earthly Branch) year names; 1984 is Giáp Tý, the cycle's start.
_CAN = ("Giáp", "Ất", "Bính", "Đinh", "Mậu", "Kỷ", "Canh", "Tân", "Nhâm", "Quý")
_CHI = ("Tý", "Sửu", "Dần", "Mão", "Thìn", "Tỵ", "Ngọ", "Mùi", "Thân", "Dậu", "Tuất", "Hợi")
_CYCLE_START = 1984
# Spellings seen in documents ("Tị", "Kỉ", "Quí", the southern "Mẹo"), after folding.
_ALIASES = {"ti": "ty", "ki": "ky", "qui": "quy", "meo": "mao"}


def can_chi_year(year: int) -> str:
    """The Can-Chi name of lunar year `year`: 2024 → "Giáp Thìn"."""
    return f"{_CAN[(year - _CYCLE_START) % 10]} {_CHI[(year - _CYCLE_START) % 12]}"


def _fold(text: str) -> str:
    # Without any marks "Tý" and "Tỵ" both fold to "ty", yet every name stays unique: a
    # stem pairs only with branches of the same parity, so "Giáp ty" can only be Giáp Tý.
    bare = unicodedata.normalize("NFD", text.lower().replace("đ", "d"))
    words = "".join(c for c in bare if not unicodedata.combining(c)).split()
    return " ".join(_ALIASES.get(w, w) for w in words)


_POSITION = {_fold(can_chi_year(_CYCLE_START + i)): i for i in range(60)}


def years_named(can_chi: str, near: int) -> int:
    """The year called `can_chi` nearest to `near` (within ±30; a tie goes to the earlier).

    Any case, NFC or NFD, old or new tone placement, or no marks at all; raises ValueError
    when `can_chi` is not one of the 60 names.
    """
    position = _POSITION.get(_fold(can_chi))
    if position is None:
        raise ValueError(f"not a Can-Chi year name: {can_chi!r}")
    ahead = (position - (near - _CYCLE_START)) % 60
    return near + ahead if ahead < 30 else near + ahead - 60
