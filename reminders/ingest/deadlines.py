"""Reporting and completion deadlines written in sentences.

"yêu cầu các phòng, ban, đơn vị, UBND 11 phường ... báo cáo kết quả về UBND quận (qua
phòng Văn hóa và Thông tin quận) trước ngày 27/12/2022": who must report (the units
addressed), who receives (the unit after "qua", else after "về"), and when.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import date

from reminders.ingest.model import UnitRef
from reminders.ingest.textutil import shorten
from reminders.ingest.unitcells import UnitReader
from reminders.timeexpr import parse
from reminders.timeexpr.spec import Span, TimeSpec

_CLAUSE = re.compile(r"(?<!\d)[;.](?!\d)\s+|;\s*|\./\.")
_REPEAT = re.compile(
    r"(?:định\s+kỳ\s+)?(?:(?:hằng|hàng)\s+(?:tháng|quý|năm|tuần)|\d+\s+tháng\s+(?:một|1)\s+lần"
    r"|định\s+kỳ\s+(?:\d+\s+tháng|tháng|quý|năm))",
    re.I,
)
_LIMIT_WORD = re.compile(
    r"\b(?:trước|chậm\s+nhất|muộn\s+nhất|trễ\s+nhất|hạn\s+chót|thời\s+hạn|không\s+quá"
    r"|đến\s+hết|hoàn\s+thành\s+trong|trong(?=\s+(?:ngày|tháng|quý|năm|tuần|thời\s+hạn)\b))\b",
    re.I)
_TIME_END = re.compile(r"\d+|\b(?:IV|I{1,3}|quý|tháng|năm|tuần)\b(?:\s+(?:sau|cuối|tới))?", re.I)
# A rhythm with no day sets a deadline only when it is the report's own rhythm.
_RHYTHM_OF_REPORT = re.compile(
    r"\b(?:báo\s+cáo|gửi)(?:\s+\S+){0,3}\s+(?:định\s+kỳ|hằng|hàng)\b"
    r"|\b(?:định\s+kỳ|hằng|hàng)\s+(?:tháng|quý|năm|tuần)(?:\s+\S+){0,3}\s+(?:báo\s+cáo|gửi)\b",
    re.I)
_WITHIN = re.compile(r"(?:hoàn\s+thành\s+)?trong\b", re.I)
_LOOKS_DATED = re.compile(r"\b(?:ngày|tháng|quý)\s*\S*\d|\d{1,2}\s*[/.-]\s*\d{1,2}", re.I)
_LIMIT = re.compile(
    r"(?:trước|chậm\s+nhất(?:\s+là)?|hạn\s+chót|không\s+quá|trong)\s+(?:ngày\s+)?\d{1,2}"
    r"(?:\s*[/-]\s*\d{1,2}(?:\s*[/-]\s*\d{2,4})?|\s+tháng\s+\d{1,2}(?:\s+năm\s+\d{4})?)?"
    r"(?:\s+(?:hằng|hàng)\s+(?:tháng|quý|năm)|\s+(?:của\s+)?tháng\s+cuối\s+(?:quý|năm))?"
    r"|(?:trước|chậm\s+nhất)\s+(?:tháng|quý)\s+[\dIVX]+(?:\s*/\s*\d{4})?",
    re.I,
)
_REPORT = re.compile(
    r"\bbáo\s+cáo\b(?!\s+viên)|\bgửi\b[^;]{0,80}\bvề\b"
    r"|\bgửi\s+(?:về\s+)?(?:UBND|Ủy\s+ban|Uỷ\s+ban|Sở|Phòng|Ban|Văn\s+phòng|Trung\s+tâm)\b",
    re.I,
)
_DONE = re.compile(r"\bhoàn\s+(?:thành|tất)\b", re.I)
_ADDRESSEE = re.compile(
    r"\b(?:yêu\s+cầu|đề\s+nghị|giao)\s+(?P<who>.+?)\s+(?=(?:nghiêm\s+túc|khẩn\s+trương|chủ\s+động|"
    r"tổ\s+chức|triển\s+khai|thực\s+hiện|phối\s+hợp|báo\s+cáo|căn\s+cứ|tập\s+trung|quan\s+tâm|"
    r"tích\s+cực|định\s+kỳ|hoàn\s+thành|gửi|xây\s+dựng|rà\s+soát|tổng\s+hợp)\b)",
    re.I,
)
_SUBJECT = re.compile(r"^(?P<who>.+?)\s+(?=(?:định\s+kỳ\s+)?(?:báo\s+cáo|gửi)\b)", re.I)
_TO = re.compile(
    r"\b(?:về|cho|lên|gửi)\s+(?P<to>(?:UBND|Ủy ban|Uỷ ban|Sở|Phòng|phòng|Ban|Văn phòng|Trung tâm|"
    r"Bộ|Cục|Chi cục|Hội|Đoàn|Thường trực|Công an)[^();,.]*?)\s*"
    r"(?:\(\s*(?:qua\s+(?P<via>[^()]+?)|(?P<standing>(?:cơ quan|đơn vị)\s+thường\s+trực))\s*\))?"
    r"(?=\s+(?:trước|chậm|định|hằng|hàng|để|theo|về|trong|qua|xem)\b|[();,.]|$)",
)
_TITLE = re.compile(
    r"báo\s+cáo\s+(?P<what>(?:kết\s+quả|tình\s+hình|tiến\s+độ|tổng\s+kết|sơ\s+kết|đánh\s+giá)"
    r"[^,;()]*?)(?=\s+(?:về|cho|lên|gửi|trước|chậm|định|hằng|hàng|để)\b|[,;()]|$)",
    re.I,
)


@dataclass(frozen=True, slots=True, kw_only=True)
class FoundDeadline:
    title: str
    time: TimeSpec
    to_unit: UnitRef | None
    from_units: tuple[UnitRef, ...]
    text: str
    where: str
    problem: str = ""  # what the office must check (a rhythm with no day)
    readable: bool = True  # False: it only reports a sentence that could not be read


def find_deadlines(text: str, *, where: str, reader: UnitReader, year: int,
                   ref_date: date | None, default_from: tuple[UnitRef, ...] = (),
                   default_to: UnitRef | None = None,
                   completion: bool = False) -> list[FoundDeadline]:
    """Deadlines a paragraph sets. `completion` also takes "hoàn thành trước …" (tasks)."""
    found: list[FoundDeadline] = []
    clauses = [c.strip(" -+•") for c in _CLAUSE.split(text) if c and c.strip(" -+•")]
    for position, clause in enumerate(clauses):
        reporting = bool(_REPORT.search(clause))
        if not reporting and not (completion and _DONE.search(clause)):
            continue
        phrase = _time_phrase(clause)
        if phrase is None:
            continue
        spec = _limit(parse(phrase, year=year, ref_date=ref_date))
        if (not spec.deadline and not spec.rrule and spec.end is not None
                and _WITHIN.match(phrase)):
            # "báo cáo … trong tháng 12/2025": by the end of that month
            spec = replace(spec, deadline=True, spans=(Span(start=None, end=spec.end,
                                                            deadline=True),))
        problem = ""
        if spec.rrule and spec.undetermined and not _RHYTHM_OF_REPORT.search(clause):
            continue  # "hội nghị … hàng tháng": a rhythm, but not of a report
        if spec.rrule and spec.undetermined:
            problem = ("Báo cáo định kỳ không ghi ngày: hãy chọn ngày phải báo cáo "
                       f"(“{shorten(phrase, 80)}”)")
        elif spec.undetermined or not (spec.deadline or spec.rrule):
            if _LOOKS_DATED.search(phrase):
                found.append(FoundDeadline(
                    title="", time=spec, to_unit=None, from_units=(), text=clause, where=where,
                    problem=f"Câu có vẻ đặt thời hạn nhưng không đọc được ngày: “{clause}”",
                    readable=False))
            continue
        from_units = _who(clause, clauses[:position], reader) or default_from
        to_unit = _to(clause, reader) or default_to
        title = _title(clause, reporting)
        found.append(FoundDeadline(title=title, time=spec, to_unit=to_unit,
                                   from_units=tuple(from_units), text=clause, where=where,
                                   problem=problem))
    return found


def _limit(spec: TimeSpec) -> TimeSpec:
    """The limit a sentence sets: "trong năm 2024 … báo cáo trước ngày 15/12" is the 14th."""
    limits = tuple(s for s in spec.spans if s.deadline)
    if limits and len(limits) < len(spec.spans):
        return replace(spec, spans=limits)
    return spec


def _time_phrase(clause: str) -> str | None:
    """The clause from its first word of limit or rhythm on: the time reader reads it all
    ("trước 17h00 ngày 15/6/2024", "trước cuối tháng 6/2024", "trong tháng 6/2024",
    "định kỳ hằng tháng (trước ngày 20)")."""
    starts = [m.start() for m in (_LIMIT_WORD.search(clause), _REPEAT.search(clause)) if m]
    if not starts:
        return None
    phrase = clause[min(starts):]
    # Up to the last figure of the time, so the phrase shown is the time itself.
    ends = [m.end() for m in _TIME_END.finditer(phrase)]
    if ends:
        end = ends[-1]
        if phrase[:end].count("(") > phrase[:end].count(")") and phrase[end:end + 1] == ")":
            end += 1
        if end > 3:
            phrase = phrase[:end]
    return phrase


def _who(clause: str, before: list[str], reader: UnitReader) -> list[UnitRef]:
    for text in [clause, *reversed(before)]:
        match = _ADDRESSEE.search(text)
        if match:
            units = _units(match.group("who"), reader)
            if units:
                return units
    match = _SUBJECT.match(clause)
    if match:
        return _units(match.group("who"), reader)
    return []


def _units(text: str, reader: UnitReader) -> list[UnitRef]:
    reading = reader.read_cell(text, scan=False)
    units = [u for u in reading.units if u.unit_id]
    return units if units and len(units) == len(reading.units) else []


def _to(clause: str, reader: UnitReader) -> UnitRef | None:
    match = _TO.search(clause)
    if match is None:
        return None
    name = match.group("via") or match.group("to")
    return reader.ref(name.strip())


def _title(clause: str, reporting: bool) -> str:
    if reporting:
        match = _TITLE.search(clause)
        what = match.group("what").strip() if match else "kết quả thực hiện"
        return shorten(f"Báo cáo {what}", 80)
    return "Hoàn thành: " + shorten(_LIMIT.sub("", clause).strip(" ,;."), 100)
