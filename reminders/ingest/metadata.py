"""The plan's own facts: number, date and place line, title, issuer, what it implements."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from datetime import date

from reminders.ingest.outline import Kind, Line, PartKind
from reminders.ingest.textutil import fold, squeeze

# "Số: 249 /KH-UBND", "Số: /KH-UBND" (a draft), "Số: 35-NQ/TU"; what follows on the line
# (the place and date, the title, in a crawl that ran them together) is not the number.
_NUMBER = re.compile(r"^Số\s*:?\s*(?P<num>\d*\s*/\s*[^\s,;]+|\d+[-/.][^\s,;]+|[^\s,;]+)",
                     re.I)
_DATE_LINE = re.compile(
    r"^(?P<place>[^\d,]{2,40}),\s*ngày\s*(?P<day>\d{1,2})?\s*(?:/|tháng)\s*(?P<month>\d{1,2})?"
    r"\s*(?:/|năm)\s*(?P<year>\d{4})",
    re.I,
)
_ANNEX = re.compile(r"kèm theo (?:kế hoạch|quyết định)", re.I)
_ANNEX_DATE = re.compile(r"ngày\s*(?:(\d{1,2})\s*)?/\s*(\d{1,2})?\s*/\s*(\d{4})")
_TITLE_START = re.compile(r"^(?:kế hoạch|ke hoach)\b\s*(?P<rest>.*)$", re.I)
_TITLE_STOP = re.compile(r"^(?:căn cứ|thực hiện|xét|sau khi|nhằm|để|trên cơ sở|\()", re.I)
_DOC_REF = re.compile(
    r"(?P<kind>Kế hoạch|Đề án|Quyết định|Chỉ thị|Nghị quyết|Công văn|Văn bản|Thông báo|"
    r"Chương trình|Hướng dẫn)\s+(?:số\s*:?\s*)?(?P<num>\d+[\w.-]*/[\w.&Đđ/-]*[\wĐđ])",
    re.I,
)
# "...; UBND quận Thanh Xuân xây dựng kế hoạch ..., cụ thể như sau:" names the issuer.
_ISSUER = re.compile(
    r"(?:^|[;,.]\s*)(?P<who>(?:UBND|Ủy ban nhân dân|Uỷ ban nhân dân|Sở|Ban|Phòng|Hội|"
    r"Trung tâm|Văn phòng|Bộ|Cục|Chi cục|Đoàn|Liên đoàn|Công an|Ban Chỉ huy)\b[^;,.:]{0,60}?)"
    r"\s+(?:xây dựng|ban hành|triển khai|lập)\s+(?:kế hoạch|Kế hoạch)",
)
_LEVEL_END = re.compile(r"\b(?:quận|huyện|tỉnh|thành phố|thị xã|xã|phường|thị trấn)$", re.I)
_YEAR = re.compile(r"\b(19[5-9]\d|20\d\d)\b")


@dataclass(frozen=True, slots=True, kw_only=True)
class Metadata:
    number: str | None
    issued: date | None
    place: str | None
    issuer: str | None
    title: str | None
    implements: tuple[str, ...]
    year: int | None
    is_annex: bool


def read_metadata(lines: list[Line]) -> Metadata:
    """What the first page says about the plan; every field may be missing."""
    preamble = [ln for ln in lines[:60] if ln.part is PartKind.PREAMBLE] or lines[:30]
    number = _number(preamble)
    issued, place, year = _date_line(preamble)
    title = _title(preamble)
    is_annex = any(_ANNEX.search(ln.full) for ln in preamble[:8]) and title is None
    if year is None:
        year = _annex_year(preamble)
    implements = _implements(preamble, title)
    issuer = _issuer(lines, place)
    year = _title_year_named(title, issued, year)
    if year is None:
        year = _title_year(title)
    return Metadata(number=number, issued=issued, place=place, issuer=issuer, title=title,
                    implements=implements, year=year, is_annex=is_annex)


def _number(lines: list[Line]) -> str | None:
    for line in lines[:20]:
        match = _NUMBER.match(line.full)
        if match:
            value = re.sub(r"\s+", "", match.group("num"))
            # "Số: /KH-UBND" is a draft: the number is filled in when it is signed.
            return value if re.match(r"^\d", value) else None
    return None


def _date_line(lines: list[Line]) -> tuple[date | None, str | None, int | None]:
    for line in lines[:25]:
        match = _DATE_LINE.match(line.full)
        if not match and _NUMBER.match(line.full):
            # "Số: 435/QĐ-UBND Kon Tum, ngày 04 tháng 5 năm 2020": run onto the number's line
            rest = line.full[_NUMBER.match(line.full).end():]  # type: ignore[union-attr]
            match = _DATE_LINE.match(rest.strip())
        if not match:
            continue
        place = squeeze(match.group("place"))
        year = int(match.group("year"))
        day, month = match.group("day"), match.group("month")
        issued = None
        if day and month:
            try:
                issued = date(year, int(month), int(day))
            except ValueError:
                issued = None
        return issued, place, year
    return None, None, None


def _annex_year(lines: list[Line]) -> int | None:
    for line in lines[:12]:
        if _ANNEX.search(line.full):
            match = _ANNEX_DATE.search(line.full)
            if match:
                return int(match.group(3))
    return None


def _title(lines: list[Line]) -> str | None:
    for index, line in enumerate(lines):
        match = _TITLE_START.match(line.full)
        if not match or line.kind is not Kind.TEXT:
            continue
        parts = [match.group("rest")] if match.group("rest") else []
        for following in lines[index + 1:index + 5]:
            if following.kind is Kind.PART or (parts and _TITLE_STOP.match(following.full)):
                break
            parts.append(following.full)
            if len(" ".join(parts)) > 400:
                break
        title = squeeze(" ".join(parts))
        return title or None
    return None


def _implements(lines: list[Line], title: str | None) -> tuple[str, ...]:
    texts = [title or ""] + [ln.full for ln in lines if fold(ln.full).startswith("thuc hien")]
    found: list[str] = []
    for text in texts:
        for match in _DOC_REF.finditer(text):
            number = match.group("num")
            if number not in found:
                found.append(number)
    return tuple(found)


def _issuer(lines: list[Line], place: str | None) -> str | None:
    for line in lines[:80]:
        if line.kind is not Kind.TEXT or not fold(line.full).rstrip().endswith("nhu sau:"):
            continue
        match = _ISSUER.search(line.full)
        if match:
            who = squeeze(match.group("who"))
            who = re.sub(r"^(?:Ủy|Uỷ) ban nhân dân", "UBND", who)
            if place and _LEVEL_END.search(who):
                who = f"{who} {place}"
            return who
    return None


def _title_year_named(title: str | None, issued: date | None, year: int | None) -> int | None:
    """A plan signed in December for "năm 2025" reads its dates in 2025."""
    named = re.search(r"\bnăm\s+(20\d\d)\b", title or "", re.I)
    if named and year is not None and int(named.group(1)) == year + 1:
        return year + 1
    return year


def _title_year(title: str | None) -> int | None:
    if not title:
        return None
    years = [int(y) for y in _YEAR.findall(title)]
    if not years:
        return None
    return Counter(years).most_common(1)[0][0] if len(set(years)) == 1 else max(years)
