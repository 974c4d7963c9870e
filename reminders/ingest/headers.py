"""Recognise an activity table's header by what its cells mean, not where they are."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from enum import StrEnum

from reminders.ingest.document import Row
from reminders.ingest.textutil import fold


class Role(StrEnum):
    NUMBER = "tt"
    TITLE = "title"
    LEAD = "lead"
    PARTNER = "partner"
    PEOPLE = "people"
    PLACE = "place"
    TIME = "time"
    RESULT = "result"
    NOTE = "note"


# Checked in order: "Đơn vị phối hợp thực hiện" is a partner column, not a lead one.
_ROLES: tuple[tuple[Role, re.Pattern[str]], ...] = (
    (Role.NUMBER, re.compile(r"^(?:s\s?tt|tt|so tt|so thu tu|thu tu)$")),
    (Role.PARTNER, re.compile(r"phoi hop")),
    (Role.PEOPLE, re.compile(r"^(?:nguoi|can bo|thanh vien|ca nhan) (?:thuc hien|phu trach)")),
    (Role.LEAD, re.compile(
        r"chu tri|^(?:don vi|co quan|bo phan|to chuc)(?:,? (?:don vi|ca nhan))?"
        r"(?: (?:thuc hien|trien khai|chiu trach nhiem|phu trach|dau moi))"
        r"|^trach nhiem thuc hien|^phan cong")),
    (Role.PLACE, re.compile(r"^dia diem")),
    # a weekly schedule: the day and the hour are two columns of one time
    (Role.TIME, re.compile(r"^(?:ngay|thu|thu(?:/| |, )ngay|ngay(?:,|/| )thang(?: nam)?|buoi)$")),
    (Role.PARTNER, re.compile(r"^thanh phan(?: tham du| du)?$")),
    (Role.TIME, re.compile(
        r"^(?:thoi gian|thoi han|thoi diem|moc thoi gian|tien do|ngay cham nhat|han hoan thanh"
        r"|ngay thuc hien|ngay to chuc|thoi gian/dia diem)")),
    (Role.RESULT, re.compile(r"ket qua|san pham")),
    (Role.NOTE, re.compile(r"^ghi chu")),
    (Role.TITLE, re.compile(
        r"^(?:noi dung|nhiem vu|ten (?:nhiem vu|hoat dong|cong viec|de an|chuong trinh|du an)"
        r"|hoat dong|cong viec|chuong trinh|cac hoat dong|danh muc)")),
)
_DAY_COLUMN = re.compile(r"^(?:ngay|thu|thu(?:/| |, )ngay|ngay(?:,|/| )thang(?: nam)?)$")
# A time column that sets a limit rather than a moment: its cells are deadlines.
_DEADLINE_HEADER = re.compile(r"thoi han|hoan thanh|cham nhat|han ")


def role_of(text: str) -> Role | None:
    folded = fold(text).strip(" :*")
    if not folded or len(folded) > 60:
        return None
    for role, pattern in _ROLES:
        if pattern.search(folded):
            return role
    return None


@dataclass(frozen=True, slots=True)
class Header:
    """Where each role sits; a role may span several columns (two-level headers)."""

    columns: dict[Role, tuple[int, ...]]
    labels: dict[int, str]  # sub-header label per column ("Cấp quận")
    texts: tuple[str, ...]  # the header row as read, to spot its repeats
    rows: int  # how many rows the header takes (1, 2, or 3 with a column-number row)
    deadline: bool = False
    sub_texts: tuple[str, ...] = field(default=())

    def first(self, role: Role) -> int | None:
        found = self.columns.get(role)
        return found[0] if found else None


def find_header(rows: tuple[Row, ...], start: int = 0) -> tuple[int, Header] | None:
    """The first row from `start` that reads as an activity-table header, and the header."""
    for index in range(start, len(rows)):
        header = _header_at(rows, index)
        if header is not None:
            return index, header
    return None


def _header_at(rows: tuple[Row, ...], index: int) -> Header | None:
    row = rows[index]
    roles: dict[Role, list[int]] = {}
    for column, text in enumerate(row.cells):
        if row.is_continued(column):
            continue
        role = role_of(text)
        if role is not None and role not in roles:
            roles[role] = [column]
        elif role is Role.TIME and _DAY_COLUMN.match(fold(_cell(row, roles[role][-1]))):
            roles[role].append(column)  # "Ngày | Thời gian": the day, then the hour
    if Role.TITLE not in roles or len(roles) < 2:
        return None
    span = 1
    labels: dict[int, str] = {}
    sub_texts: tuple[str, ...] = ()
    if index + 1 < len(rows) and _is_sub_header(row, rows[index + 1]):
        sub = rows[index + 1]  # "Dự kiến kết quả" over "Cấp quận | Cấp phường"
        sub_texts = sub.cells
        span += 1
        for column, text in enumerate(sub.cells):
            if not text or sub.is_continued(column) or text == _cell(row, column):
                continue
            labels[column] = text
            owner = _owning_role(row, roles, column)
            if owner is not None and column not in roles[owner]:
                roles[owner].append(column)
    if index + span < len(rows) and _is_column_numbers(rows[index + span]):
        span += 1
    time_columns = roles.get(Role.TIME, [])
    deadline = any(_DEADLINE_HEADER.search(fold(_cell(row, c)) + " ") for c in time_columns)
    return Header(
        columns={r: tuple(c) for r, c in roles.items()},
        labels=labels,
        texts=tuple(fold(c) for c in row.cells),
        rows=span,
        deadline=deadline,
        sub_texts=sub_texts,
    )


def _cell(row: Row, column: int) -> str:
    return row.cells[column] if column < len(row.cells) else ""


def _owning_role(row: Row, roles: dict[Role, list[int]], column: int) -> Role | None:
    """The role of the header cell above `column`, or of the spanning cell to its left."""
    for candidate in range(column, -1, -1):
        text = _cell(row, candidate)
        if text and not row.is_continued(candidate):
            role = role_of(text)
            return role if role in roles else None
    return None


def _is_sub_header(header: Row, row: Row) -> bool:
    """A second header row: short labels only, none under the number or title column."""
    texts = [(c, t) for c, t in enumerate(row.cells) if t and not row.is_continued(c)]
    texts = [(c, t) for c, t in texts if t != _cell(header, c)]
    if not texts or any(len(t) > 40 or re.search(r"\d", t) for _, t in texts):
        return False
    return all(role_of(_cell(header, c)) not in (Role.NUMBER, Role.TITLE) or not _cell(header, c)
               for c, _ in texts) and (not _cell(row, 0).strip() or row.is_continued(0))


_COLUMN_NUMBER = re.compile(r"^\(?\d{1,2}\)?$")


def _is_column_numbers(row: Row) -> bool:
    """The "(1) (2) (3)" row some tables put under the header."""
    texts = [t for t in row.cells if t]
    return len(texts) >= 2 and all(_COLUMN_NUMBER.match(t) for t in texts) and (
        [int(t.strip("()")) for t in texts] == list(range(1, len(texts) + 1))
    )


def is_repeat(header: Header, rows: tuple[Row, ...], index: int) -> int:
    """How many rows at `index` repeat the header (after a page break), 0 if none."""
    row = rows[index]
    folded = tuple(fold(c) for c in row.cells)
    if _strip_empty(folded) != _strip_empty(header.texts):
        return 0
    span = 1
    following = rows[index + 1].cells if index + 1 < len(rows) else ()
    if header.sub_texts and _strip_empty(following) == _strip_empty(header.sub_texts):
        span += 1
    if index + span < len(rows) and _is_column_numbers(rows[index + span]):
        span += 1
    return span


def _strip_empty(cells: tuple[str, ...]) -> tuple[str, ...]:
    values = list(cells)
    while values and not values[-1]:
        values.pop()
    return tuple(values)
