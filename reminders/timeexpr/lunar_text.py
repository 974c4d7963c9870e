"""Lunar dates in words (rule 11): "mùng 10 tháng 3 âm lịch", "29 tháng Chạp năm Bính Thân"."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from reminders.timeexpr.lunar import lunar_to_solar, years_named

_MONTHS = {"giêng": 1, "hai": 2, "ba": 3, "tư": 4, "năm": 5, "sáu": 6, "bảy": 7, "tám": 8,
           "chín": 9, "mười": 10, "một": 11, "mười một": 11, "chạp": 12, "mười hai": 12}
_CAN = r"giáp|ất|bính|đinh|mậu|kỷ|kỉ|canh|tân|nhâm|quý|quí"
_CHI = r"tý|tí|sửu|dần|mão|mẹo|thìn|tỵ|tị|ngọ|mùi|thân|dậu|tuất|hợi"
_MONTH_WORD = r"mười một|mười hai|giêng|chạp|mười|một|hai|ba|tư|năm|sáu|bảy|tám|chín|\d{1,2}"
_MARK = r"\s*\(?\s*(?:âm lịch|âl|al)\b\s*\)?"
_IN_WORDS = re.compile(
    r"(?:(?:ngày|mùng)\s+)?(?P<d>\d{1,2}|rằm)\s+tháng\s+(?P<m>" + _MONTH_WORD + r")"
    r"(?P<leap>\s+nhuận)?"
    r"(?:\s+(?:năm\s+)?(?P<can>" + _CAN + r")\s+(?P<chi>" + _CHI + r")(?!\w)"
    r"|(?:/|\s+năm\s+)(?P<y>\d{4}))?"
    r"(?P<mark>" + _MARK + r")?"
    r"(?:\s*năm\s+(?P<y3>\d{4}))?"
)
_IN_FIGURES = re.compile(r"(?:(?:ngày|mùng)\s+)?(?P<d>\d{1,2})/(?P<m>\d{1,2})(?:/(?P<y>\d{4}))?"
                         r"(?P<mark>" + _MARK + r")(?:\s*năm\s+(?P<y3>\d{4}))?")


# Festivals of the lunar calendar that plans name instead of a date: (lunar month, day).
_FESTIVALS = {"tết nguyên đán": (1, 1), "tết âm lịch": (1, 1), "tết cổ truyền": (1, 1),
              "tết trung thu": (8, 15), "giỗ tổ hùng vương": (3, 10), "tết đoan ngọ": (5, 5),
              "lễ vu lan": (7, 15), "tết hàn thực": (3, 3), "tết nguyên tiêu": (1, 15)}
_FESTIVAL = re.compile(
    r"(?P<name>" + "|".join(_FESTIVALS) + r")(?:\s*\([^()]{0,40}\))?"
    r"(?:\s+(?:năm\s+)?(?P<can>" + _CAN + r")\s+(?P<chi>" + _CHI + r")(?!\w))?"
    r"(?:\s*(?:năm\s+)?(?P<y>\d{4}))?"
)


@dataclass(frozen=True, slots=True)
class LunarMatch:
    start: int
    end: int
    day: date
    festival: bool = False  # named ("Tết Nguyên đán"), not dated


def find_lunar(text: str, default_year: int) -> list[LunarMatch]:
    """Lunar dates in a normalised text, converted to solar days; solar dates are left alone.

    A date counts as lunar only with a sign of it: "âm lịch", "Giêng", "Chạp", "rằm",
    "nhuận" or a Can-Chi year ("năm Bính Thân").
    """
    found: list[LunarMatch] = []
    for match in _FESTIVAL.finditer(text):
        month, day = _FESTIVALS[match["name"]]
        if match["can"]:
            year = years_named(f"{match['can']} {match['chi']}", default_year)
        else:
            year = int(match["y"]) if match["y"] else default_year
        found.append(LunarMatch(match.start(), match.end(), lunar_to_solar(year, month, day),
                                festival=True))
    for pattern in (_IN_WORDS, _IN_FIGURES):
        for match in pattern.finditer(text):
            groups = match.groupdict()
            raw_month = match["m"]
            signs = (groups.get("mark"), groups.get("leap"), groups.get("can"),
                     match["d"] == "rằm", raw_month in ("giêng", "chạp"))
            if not any(signs):
                continue
            day = 15 if match["d"] == "rằm" else int(match["d"])
            month = int(raw_month) if raw_month.isdigit() else _MONTHS[raw_month]
            if groups.get("can"):
                year = years_named(f"{match['can']} {match['chi']}", default_year)
            elif groups.get("y") or groups.get("y3"):
                year = int(groups.get("y") or groups["y3"])
            else:
                year = default_year
            try:
                solar = lunar_to_solar(year, month, day, leap=bool(groups.get("leap")))
            except ValueError:
                continue
            if not any(f.start < match.end() and match.start() < f.end for f in found):
                found.append(LunarMatch(match.start(), match.end(), solar))
    return sorted(found, key=lambda f: f.start)
