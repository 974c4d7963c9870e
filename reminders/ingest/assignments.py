"""The assignment part ("PHÂN CÔNG / TỔ CHỨC THỰC HIỆN"): each unit with its tasks."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from reminders.ingest.model import UnitRef, Warning
from reminders.ingest.outline import Kind, Line, PartKind
from reminders.ingest.unitcells import UnitReader

# Words a unit heading starts with (after "Đề nghị"); a numbered line starting otherwise
# is a task ("1. Tổ chức kiểm tra ...") of the unit the part named before.
_UNIT_HEAD = re.compile(
    r"^(?:đề nghị\s+)?(?:các|ubnd|ub|ủy|uỷ|phòng|sở|ban|hội|đoàn|trung tâm|công an|văn phòng|"
    r"chi cục|đài|bảo tàng|trường|liên đoàn|lđlđ|huyện đoàn|quận đoàn|thành đoàn|tỉnh đoàn|"
    r"huyện ủy|quận ủy|đảng ủy|mặt trận|mttq|bch|bchqs|cục|bộ|tổng cục|kho bạc|chi nhánh|"
    r"thanh tra|báo|cơ quan|tổ|viện|bệnh viện|ngân hàng|bưu điện|điện lực)\b",
    re.I,
)
_GIVE = re.compile(
    r"^(?:giao|đề nghị|yêu cầu)\s+(?P<who>.+?)\s+(?:triển khai|thực hiện|tổ chức|chủ trì|"
    r"chịu trách nhiệm|là)\b",
    re.I,
)
_LISTED = re.compile(r"^(?P<head>Các (?:đơn vị|cơ quan|phòng))\s*\((?P<inner>[^()]+)\)\s*$", re.I)
_CLOSING = re.compile(
    r"^(?:trên đây|(?:UBND|Ủy ban nhân dân|Uỷ ban nhân dân)\b[^.;]{0,60}?\b(?:yêu cầu|đề nghị)\b)",
    re.I,
)
_STANDING = re.compile(r"\blà\s+(?:đơn vị|cơ quan)\s+(?:thường trực|đầu mối)", re.I)


@dataclass(slots=True, kw_only=True)
class AssignedUnit:
    units: list[UnitRef]
    tasks: list[str] = field(default_factory=list)
    where: str = ""
    # Where each task was written, for the deadlines it may set.
    task_where: list[str] = field(default_factory=list)


@dataclass(slots=True)
class AssignmentReading:
    blocks: list[AssignedUnit] = field(default_factory=list)
    standing: UnitRef | None = None
    warnings: list[Warning] = field(default_factory=list)


def read_assignments(lines: list[Line], reader: UnitReader) -> AssignmentReading:
    reading = AssignmentReading()
    current: AssignedUnit | None = None
    top_depth: int | None = None
    for line in lines:
        if line.part is not PartKind.ASSIGNMENT:
            current, top_depth = None, None
            continue
        if line.kind is Kind.PART:
            current, top_depth = None, None
            continue
        heading = line.kind is Kind.HEADING and (top_depth is None or line.depth <= top_depth)
        if heading:
            block = _unit_heading(line, reader, reading.warnings)
            if block is not None:
                top_depth = line.depth
                current = block
                reading.blocks.append(block)
                _note_standing(reading, block, block.tasks)
                continue
        if line.kind is Kind.TEXT and _CLOSING.match(line.full):
            current = None  # "UBND quận yêu cầu các phòng, ban ..." closes the part
            continue
        given = _GIVE.match(line.text if line.kind is Kind.HEADING else line.full)
        if given and line.kind in (Kind.HEADING, Kind.TEXT):
            found = reader.read_cell(given.group("who"), where=line.where, scan=False)
            if found.units and all(u.unit_id for u in found.units):
                current = AssignedUnit(units=found.units, where=line.where)
                reading.blocks.append(current)
                source = line.text if line.kind is Kind.HEADING else line.full
                _add_task(current, source[given.end("who"):], line.where)
                continue
        if current is not None:
            _add_task(current, line.full if line.kind is Kind.HEADING else line.text, line.where)
            _note_standing(reading, current, current.tasks[-1:])
    reading.blocks = [b for b in reading.blocks if b.units]
    return reading


def _add_task(block: AssignedUnit, text: str, where: str) -> None:
    text = text.strip(" -+:;")
    if text:
        block.tasks.append(text)
        block.task_where.append(where)


def _note_standing(reading: AssignmentReading, block: AssignedUnit, tasks: list[str]) -> None:
    if reading.standing is None and block.units and any(_STANDING.search(t) for t in tasks):
        reading.standing = block.units[0]


def _unit_heading(line: Line, reader: UnitReader, warnings: list[Warning]) -> AssignedUnit | None:
    text = line.text
    head, task = text, ""
    colon = _colon(text)
    if colon is not None:
        head, task = text[:colon], text[colon + 1:]
    listed = _LISTED.match(head.strip())
    if listed:
        head = listed.group("inner")
    if not _UNIT_HEAD.match(head.strip()) and not listed:
        return None
    found = reader.read_cell(head, where=line.where, scan=False)
    units = found.units + found.partners
    resolved = bool(units) and all(u.unit_id for u in units)
    if not resolved and colon is None and len(head.split()) > 12:
        # "2. Phòng Quản lý Văn hóa tổng hợp kết quả, …": the unit is the sentence's subject.
        subject = reader.subject(head)
        if not subject:
            return None
        block = AssignedUnit(units=subject, where=line.where)
        _add_task(block, text, line.where)
        return block
    if not units or len(head.split()) > 30:
        return None
    warnings.extend(found.warnings)
    block = AssignedUnit(units=units, where=line.where)
    _add_task(block, task, line.where)
    return block


def _colon(text: str) -> int | None:
    """The colon ending a unit list ("5. Phòng Tài chính-Kế hoạch: Thẩm định ...")."""
    depth = 0
    for index, char in enumerate(text[:200]):
        if char == "(":
            depth += 1
        elif char == ")":
            depth = max(0, depth - 1)
        elif char == ":" and depth == 0:
            return index
    return None
