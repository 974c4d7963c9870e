"""Text → one canonical lower-case form, so that patterns are written once.

Rule 10: "hóa"/"hoá", NFC/NFD, case, HTML tags and entities, dashes and quotes, dates
written with "/", "-", "." or spaces, and times written "7 giờ 30", "07:30", "19h30’"
all come out the same.
"""

from __future__ import annotations

import html
import re
import unicodedata

_TAGS = re.compile(r"<[^<>]{0,200}>")
# Old-style tone placement at the end of a syllable ("hoá", "thuỷ") → the new style.
_OLD_TONES = re.compile(r"(?<!q)([ou])([áàảãạéèẻẽẹýỳỷỹỵ])(?![a-zđăâêôơư\w])")
_MOVE = {
    ("o", "á"): "óa", ("o", "à"): "òa", ("o", "ả"): "ỏa", ("o", "ã"): "õa", ("o", "ạ"): "ọa",
    ("o", "é"): "óe", ("o", "è"): "òe", ("o", "ẻ"): "ỏe", ("o", "ẽ"): "õe", ("o", "ẹ"): "ọe",
    ("u", "ý"): "úy", ("u", "ỳ"): "ùy", ("u", "ỷ"): "ủy", ("u", "ỹ"): "ũy", ("u", "ỵ"): "ụy",
}
# What a count of is written with: "trong 2-3 ngày" is two or three days, not 2 March.
_COUNTED = r"ngày|tuần|tháng|năm(?!\s*\d{4})|giờ|phút|lần|buổi|người|đơn vị|tiết|%"


def _day_month_in_brackets(match: re.Match[str]) -> str:
    day, month = int(match[1]), int(match[2])
    if 1 <= day <= 31 and 1 <= month <= 12:
        return f"({day:d}/{month:d})"
    return match[0]


def _day_month(match: re.Match[str]) -> str:
    day, month = int(match[2]), int(match[3])
    if 1 <= day <= 31 and 1 <= month <= 12:
        return f"{match[1]}{match[2]}/{match[3]}"
    return match[0]


_REPLACEMENTS = (
    (re.compile(r"[‐‑‒–—―−]"), "-"),
    (re.compile(r"[’‘′`´]"), "'"),
    (re.compile(r"[“”]"), '"'),
    (re.compile(r"\bmồng\b"), "mùng"),
    (re.compile(r"\bhằng\b"), "hàng"),
    (re.compile(r"\s*/\s*"), "/"),
    # times: "7 giờ 30 phút", "7 giờ", "07:30", "7h 30", "19h30'"
    (re.compile(r"\b(\d{1,2})\s*giờ\s*(\d{1,2})(?:\s*phút)?"), r"\1h\2"),
    (re.compile(r"\b(\d{1,2})\s*giờ\b"), r"\1h"),
    (re.compile(r"\b([01]?\d|2[0-3]):([0-5]\d)\b"), r"\1h\2"),
    (re.compile(r"\b(\d{1,2})\s*h\s*(\d{2})\b"), r"\1h\2"),
    (re.compile(r"\b(\d{1,2})h(\d{2})?\s*'"), r"\1h\2"),
    # dates: "25.12.2017", "1-4-2019", "01 10 2017"? (spaces only around "/", done above)
    (re.compile(r"\b(\d{1,2})\s*\.\s*(\d{1,2})\s*\.\s*(\d{4}|\d{2})\b"), r"\1/\2/\3"),
    (re.compile(r"\b(\d{1,2})-(\d{1,2})-(\d{4})\b"), r"\1/\2/\3"),
    (re.compile(r"\b(\d{1,2})-(\d{1,2})-(\d{2})\b(?![/\d-])"), r"\1/\2/\3"),
    (re.compile(r"\b(\d{1,2})\.(\d{4})\b"), r"\1/\2"),
    # "tháng 4-2021": a month and its year, as newspapers write them
    (re.compile(r"\b(tháng\s+\d{1,2})-(\d{4})\b"), r"\1/\2"),
    (re.compile(r"\s+"), " "),
    # "ngày 14-11", "sáng 8-3", "thứ năm ngày 12.10", "đến 14-6", "3-5.10": a day and a
    # month without a year, once a word before them says a day follows (a bare "2.5" or
    # "14-16" stays a number); "18-25/11" and "4-10/2024" are ranges and are left alone.
    (re.compile(r"((?:(?:^|[\s(,])(?:ngày|mùng|sáng|trưa|chiều|tối|đêm|hôm|từ|đến|tới|hết"
                r"|và|trước|sau|vào|lúc|nhất|là|hạn|nhật|nay|thứ (?:[2-7]|hai|ba|tư|năm|sáu|bảy))"
                r"|-|,|\b\d{1,2}-),?\s?)(\d{1,2})[-.](\d{1,2})"
                r"(?![\d/.-]|h\b|\s*(?:" + _COUNTED + r")\b)"), _day_month),
    # "hôm nay (14-11)": a day and a month alone in brackets
    (re.compile(r"\((\d{1,2})[-.](\d{1,2})\)"), lambda m: _day_month_in_brackets(m)),
    # "quý IV-2024", "quý 1-2025"
    (re.compile(r"\b(quý\s+(?:iv|i{1,3}|[1-4]))-(\d{4})\b"), r"\1/\2"),
)


def normalize(text: str) -> str:
    """The canonical form of a time text (lower case, NFC, new tone placement)."""
    value = html.unescape(_TAGS.sub(" ", html.unescape(text)))
    value = unicodedata.normalize("NFC", value).lower()
    value = _OLD_TONES.sub(lambda m: _MOVE.get((m.group(1), m.group(2)), m.group(0)), value)
    for pattern, replacement in _REPLACEMENTS:
        value = pattern.sub(replacement, value)
    return value.strip(" .")
