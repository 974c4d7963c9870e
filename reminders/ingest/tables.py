"""Activity tables: header, sections, codes, page-break continuations, merged cells.

Gives raw rows (cell texts by role); units and times are read later, with context.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from reminders.ingest.document import Row, Table
from reminders.ingest.headers import Header, Role, find_header, is_repeat
from reminders.ingest.textutil import Number, Numbering, read_number, squeeze

# Roles whose cells describe a row; a row with none of them filled is a heading (or a
# row whose merged cells a text conversion left empty).
_DETAIL_ROLES = (Role.LEAD, Role.PARTNER, Role.PEOPLE, Role.PLACE, Role.TIME, Role.RESULT)
_FILLABLE = (Role.LEAD, Role.PARTNER, Role.PLACE, Role.TIME, Role.RESULT, Role.PEOPLE)


@dataclass(slots=True, kw_only=True)
class TableRow:
    """One activity row as written, before units and times are read."""

    code: str
    sections: tuple[str, ...]  # outermost first
    title: str
    cells: dict[Role, str]
    where: str
    deadline_column: bool
    has_time_column: bool = True
    filled_down: bool = False

    @property
    def section(self) -> str | None:
        return self.sections[-1] if self.sections else None

    def get(self, role: Role) -> str:
        return self.cells.get(role, "")


@dataclass(slots=True)
class _Section:
    number: Number | None
    title: str


@dataclass(slots=True)
class _Reader:
    header: Header
    rows: tuple[Row, ...]
    out: list[TableRow] = field(default_factory=list)
    stack: list[_Section] = field(default_factory=list)
    auto: int = 0

    def read(self, start: int) -> list[TableRow]:
        data = self._data_rows(start)
        for position, (index, after_break) in enumerate(data):
            row = self.rows[index]
            cells = self._cells(row)
            number = read_number(cells.get(Role.NUMBER, ""))
            title = cells.get(Role.TITLE, "")
            if not any(cells.values()):
                continue
            if number is None and after_break and self.out and not row.continued:
                self._continue(cells)
                continue
            detail = any(cells.get(r) for r in _DETAIL_ROLES)
            next_number = self._next_number(data, position)
            if not detail and title and self._is_section(number, next_number):
                self._push(number, title)
                continue
            if not title:
                continue
            self._add(number, title, cells, row, detail)
        return self.out

    def _data_rows(self, start: int) -> list[tuple[int, bool]]:
        """Indexes of body rows, each with whether a repeated header came just before."""
        result: list[tuple[int, bool]] = []
        index = start
        after_break = False
        while index < len(self.rows):
            repeat = is_repeat(self.header, self.rows, index)
            if repeat:
                index += repeat
                after_break = True
                continue
            result.append((index, after_break))
            after_break = False
            index += 1
        return result

    def _cells(self, row: Row) -> dict[Role, str]:
        cells: dict[Role, str] = {}
        for role, columns in self.header.columns.items():
            parts = []
            for column in columns:
                text = row.cells[column].strip() if column < len(row.cells) else ""
                if not text:
                    continue
                label = self.header.labels.get(column)
                parts.append(f"{label}: {text}" if label and len(columns) > 1 else text)
            cells[role] = "\n".join(parts)
        return cells

    def _next_number(self, data: list[tuple[int, bool]], position: int) -> Number | None:
        for index, _ in data[position + 1:]:
            cells = self._cells(self.rows[index])
            if any(cells.values()):
                return read_number(cells.get(Role.NUMBER, ""))
        return None

    def _is_section(self, number: Number | None, following: Number | None) -> bool:
        if number is None:
            return following is not None
        if number.kind is not Numbering.ARABIC:
            return True
        if following is None:
            return False
        return (
            following.extends(number)
            or following.kind > number.kind
            or (following.code == "1" and following.depth == number.depth)
        )

    def _pop_for(self, number: Number | None) -> None:
        kind = number.kind if number else Numbering.NONE
        while self.stack:
            top = self.stack[-1].number
            top_kind = top.kind if top else Numbering.NONE
            if number is not None and top is not None and number.extends(top):
                break
            if top_kind < kind:
                break
            self.stack.pop()

    def _push(self, number: Number | None, title: str) -> None:
        self._pop_for(number)
        self.stack.append(_Section(number, squeeze(title)))
        self.auto = 0

    def _prefix(self) -> list[str]:
        codes: list[str] = []
        numbers = [s.number for s in self.stack if s.number is not None]
        for i, number in enumerate(numbers):
            later = numbers[i + 1] if i + 1 < len(numbers) else None
            if later is not None and later.extends(number):
                continue
            codes.append(number.code)
        return codes

    def _add(self, number: Number | None, title: str, cells: dict[Role, str], row: Row,
             detail: bool) -> None:
        if number is not None:
            self._pop_for(number)
            prefix = self._prefix()
            if number.kind is Numbering.ARABIC and number.code.isdigit():
                self.auto = int(number.code)
        else:
            # Auto-numbered TT cells read as empty: number them by order.
            prefix = self._prefix()
            self.auto += 1
            number = Number(str(self.auto), Numbering.ARABIC)
        if prefix and number.extends(Number(prefix[-1], Numbering.ARABIC)):
            prefix = prefix[:-1]
        filled = False
        if not detail and self.out and not row.continued:
            # A text conversion leaves a vertically merged Word cell empty in all but its
            # first row: the value belongs to every row it spans.
            previous = self.out[-1]
            for role in _FILLABLE:
                if previous.get(role):
                    cells[role] = previous.get(role)
                    filled = True
        self.out.append(TableRow(
            code=".".join([*prefix, number.code]),
            sections=tuple(s.title for s in self.stack),
            title=squeeze(title),
            cells=cells,
            where=row.where,
            deadline_column=self.header.deadline,
            has_time_column=Role.TIME in self.header.columns,
            filled_down=filled,
        ))

    def _continue(self, cells: dict[Role, str]) -> None:
        """Glue a row split by a page break onto the row above, cell by cell."""
        previous = self.out[-1]
        if cells.get(Role.TITLE):
            previous.title = squeeze(f"{previous.title} {cells[Role.TITLE]}")
        for role, text in cells.items():
            if role in (Role.TITLE, Role.NUMBER) or not text:
                continue
            before = previous.cells.get(role, "")
            previous.cells[role] = f"{before} {text}".strip() if before else text


def read_table(table: Table) -> list[TableRow] | None:
    """The activity rows of `table`, or None when it is not an activity table."""
    found = find_header(table.rows)
    if found is None:
        return None
    index, header = found
    return _Reader(header, table.rows).read(index + header.rows)
