"""Build real .docx and .xlsx files from table specs (seed tables as Word or Excel made them).

`docx_bytes` writes what Word writes for the features the text seeds flatten: merged cells,
header rows marked to repeat, an auto-numbered TT column, a table split by page breaks.
"""

from __future__ import annotations

import io
import itertools
import re
from dataclasses import dataclass, field

import docx
import openpyxl
from docx.enum.text import WD_BREAK
from docx.oxml import OxmlElement, parse_xml
from docx.oxml.ns import nsdecls, qn
from openpyxl.worksheet.pagebreak import Break

_BARE_NUMBER = re.compile(r"^\s*(\d+)(\.?)\s*$")


@dataclass
class TableSpec:
    """A table as rows of cell texts, with what Word or Excel adds around them."""

    rows: list[list[str]]
    # (row1, col1, row2, col2), inclusive: one cell keeping the top-left text
    merges: list[tuple[int, int, int, int]] = field(default_factory=list)
    header_rows: int = 0  # the first rows, marked to repeat on each page (w:tblHeader)
    # Cells of this column in body rows reading "1" or "1." are written EMPTY and numbered
    # by Word (numPr) instead, as the TT column of the real plans is.
    auto_number_column: int | None = None
    # Row indexes where the table is split: the table ends, a page-break paragraph follows,
    # and a new table starts by repeating the header rows (as the text seeds show it).
    page_breaks_before: list[int] = field(default_factory=list)


def docx_bytes(blocks: list[str | TableSpec]) -> bytes:
    """A .docx whose body is `blocks`: a str is a paragraph, a TableSpec a bordered table."""
    document = docx.Document()
    numbers = _AutoNumbers(document)
    for block in blocks:
        if isinstance(block, str):
            document.add_paragraph(block)
            continue
        for index, piece in enumerate(_pieces(block)):
            if index:
                document.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
            _add_table(document, block, piece, numbers)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def xlsx_bytes(title_lines: list[str], spec: TableSpec) -> bytes:
    """An .xlsx: each title line in a row merged across the table, then the table from the
    next row (so spec row i is Excel row len(title_lines) + 1 + i). Bare integers are
    written as numbers; header rows become the sheet's print titles; page breaks are real
    row breaks (Excel repeats no cells)."""
    book = openpyxl.Workbook()
    sheet = book.active
    width = max((len(row) for row in spec.rows), default=1)
    for number, line in enumerate(title_lines, start=1):
        sheet.cell(row=number, column=1, value=line)
        if width > 1:
            sheet.merge_cells(start_row=number, start_column=1, end_row=number, end_column=width)
    top = len(title_lines) + 1
    covered = _covered(spec.merges)
    for r, row in enumerate(spec.rows):
        for c, text in enumerate(row):
            if text and (r, c) not in covered:
                number = _BARE_NUMBER.match(text)
                plain = number is not None and not number.group(2)
                value = int(number.group(1)) if number and plain else text
                sheet.cell(row=top + r, column=c + 1, value=value)
    for r1, c1, r2, c2 in spec.merges:
        sheet.merge_cells(
            start_row=top + r1, start_column=c1 + 1, end_row=top + r2, end_column=c2 + 1
        )
    if spec.header_rows:
        sheet.print_title_rows = f"{top}:{top + spec.header_rows - 1}"
    for row_index in spec.page_breaks_before:
        sheet.row_breaks.append(Break(id=top + row_index - 1))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _pieces(spec: TableSpec) -> list[list[int]]:
    """The spec rows of each Word table the page breaks cut it into, headers repeated."""
    cuts = sorted(set(spec.page_breaks_before))
    if any(not spec.header_rows < cut < len(spec.rows) for cut in cuts):
        raise ValueError(f"page breaks must fall between body rows: {cuts}")
    bounds = [0, *cuts, len(spec.rows)]
    header = list(range(spec.header_rows))
    return [
        (header if index else []) + list(range(lo, hi))
        for index, (lo, hi) in enumerate(itertools.pairwise(bounds))
    ]


def _covered(merges: list[tuple[int, int, int, int]]) -> set[tuple[int, int]]:
    """Cells inside a merge other than its top-left one (their text is dropped)."""
    return {
        (r, c)
        for r1, c1, r2, c2 in merges
        for r in range(r1, r2 + 1)
        for c in range(c1, c2 + 1)
        if (r, c) != (r1, c1)
    }


def _add_table(
    document: docx.document.Document, spec: TableSpec, piece: list[int], numbers: _AutoNumbers
) -> None:
    width = max(len(row) for row in spec.rows)
    table = document.add_table(rows=len(piece), cols=width)
    table.style = "Table Grid"
    covered = _covered(spec.merges)
    for position, source in enumerate(piece):
        if source < spec.header_rows:
            table.rows[position]._tr.get_or_add_trPr().append(OxmlElement("w:tblHeader"))
        for c, text in enumerate(spec.rows[source]):
            if (source, c) in covered or not text:
                continue
            cell = table.cell(position, c)
            number = _BARE_NUMBER.match(text)
            if c == spec.auto_number_column and source >= spec.header_rows and number:
                num_id = numbers.num_id(int(number.group(1)), dotted=bool(number.group(2)))
                num_pr = cell.paragraphs[0]._p.get_or_add_pPr().get_or_add_numPr()
                num_pr.get_or_add_ilvl().val = 0
                num_pr.get_or_add_numId().val = num_id
            else:
                cell.text = text
    for r1, c1, r2, c2 in spec.merges:
        rows = [position for position, source in enumerate(piece) if r1 <= source <= r2]
        if rows and (rows[0] != rows[-1] or c1 != c2):
            table.cell(rows[0], c1).merge(table.cell(rows[-1], c2))


class _AutoNumbers:
    """Word lists that number the TT cells with exactly the values the spec gives.

    Consecutive values continue one list; any jump starts a new list instance whose start
    is overridden, as Word does when someone types "Restart at 5".
    """

    def __init__(self, document: docx.document.Document) -> None:
        self._numbering = document.part.numbering_part.element
        self._abstract: dict[bool, int] = {}
        self._next: dict[bool, tuple[int, int]] = {}  # dotted → (numId, next value)

    def num_id(self, value: int, *, dotted: bool) -> int:
        current = self._next.get(dotted)
        if current is not None and current[1] == value:
            num_id = current[0]
        else:
            num = self._numbering.add_num(self._abstract_id(dotted))
            num.append(parse_xml(
                f'<w:lvlOverride {nsdecls("w")} w:ilvl="0">'
                f'<w:startOverride w:val="{value}"/></w:lvlOverride>'
            ))
            num_id = int(num.get(qn("w:numId")))
        self._next[dotted] = (num_id, value + 1)
        return num_id

    def _abstract_id(self, dotted: bool) -> int:
        if dotted not in self._abstract:
            ids = [int(a.get(qn("w:abstractNumId"))) for a in self._numbering.findall(
                qn("w:abstractNum"))]
            new_id = max(ids, default=0) + 1
            abstract = parse_xml(
                f'<w:abstractNum {nsdecls("w")} w:abstractNumId="{new_id}">'
                '<w:multiLevelType w:val="singleLevel"/>'
                '<w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="decimal"/>'
                f'<w:lvlText w:val="%1{"." if dotted else ""}"/><w:lvlJc w:val="left"/>'
                "</w:lvl></w:abstractNum>"
            )
            # The schema wants every abstractNum before the first num.
            first_num = self._numbering.find(qn("w:num"))
            if first_num is None:
                self._numbering.append(abstract)
            else:
                first_num.addprevious(abstract)
            self._abstract[dotted] = new_id
        return self._abstract[dotted]
