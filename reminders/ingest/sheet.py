"""Read an Excel (.xlsx) or CSV plan into a Document: one table per sheet, cells as read.

Merged ranges are resolved as Word's are (text in the first column, repeated down the rows a
vertical merge covers, with `continued` set), so the extractor treats both formats alike.
"""

from __future__ import annotations

import codecs
import csv
import io
import math
import unicodedata
import warnings
from datetime import date, datetime, time, timedelta
from typing import Any

import openpyxl

from reminders.errors import InputError
from reminders.ingest.document import Block, Document, Row, Table

_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_CORRUPT = "không đọc được tệp Excel: tệp hỏng hoặc không phải định dạng .xlsx"
_OLD_XLS = "tệp .xls (Excel 97-2003) chưa được hỗ trợ; hãy lưu lại thành .xlsx"
_ENCRYPTED = "tệp Excel có đặt mật khẩu; hãy bỏ mật khẩu rồi lưu lại thành .xlsx"
_BAD_CSV = "không đọc được tệp CSV: ô quá dài hoặc dấu ngoặc kép không khớp"
_SNIFF_SAMPLE = 16384

# One sheet or CSV file before trimming: (line or row number, cells, continued) per row.
_Grid = list[tuple[int, list[str], list[bool]]]


def read_xlsx(data: bytes, name: str) -> Document:
    """One Table per visible, non-empty worksheet; no blocks for an empty file or workbook.

    Raises InputError (naming `name`) for an old .xls, a password-protected workbook, or
    bytes that are not a readable .xlsx.
    """
    if not data:
        return Document(name=name, blocks=())
    if data.startswith(_OLE):
        encrypted = "EncryptedPackage".encode("utf-16-le") in data
        raise InputError(_ENCRYPTED if encrypted else _OLD_XLS, file=name)
    try:
        with warnings.catch_warnings():
            # openpyxl warns about parts it drops (validation, styles); cells are unaffected.
            warnings.simplefilter("ignore")
            # Not read_only: merged ranges are only known to a fully loaded worksheet.
            book = openpyxl.load_workbook(io.BytesIO(data), read_only=False, data_only=True)
    except Exception as exc:  # zipfile, lxml and openpyxl each raise their own types
        raise InputError(_CORRUPT, file=name) from exc
    blocks: list[Block] = []
    visible = [ws for ws in book.worksheets if ws.sheet_state == "visible"]
    for index, sheet in enumerate(visible):
        prefix = f"{name}:" if index == 0 else f"{name}:{sheet.title}!"
        table = _table(_sheet_grid(sheet), prefix)
        if table is not None:
            blocks.append(table)
    return Document(name=name, blocks=tuple(blocks))


def read_csv(data: bytes, name: str) -> Document:
    """One Table; the delimiter (",", ";" or tab) is sniffed, the encoding guessed.

    UTF-8 (with or without BOM), UTF-16 with a BOM, else Windows-1258 (Excel's "CSV" on a
    Vietnamese Windows). Raises InputError for a runaway quoted field.
    """
    text = _decode(data).replace("\x00", "")
    if not text.strip():
        return Document(name=name, blocks=())
    try:
        delimiter = csv.Sniffer().sniff(text[:_SNIFF_SAMPLE], delimiters=",;\t").delimiter
    except csv.Error:
        delimiter = ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    grid: _Grid = []
    line = 1
    try:
        for record in reader:
            cells = [_clean(field) for field in record]
            grid.append((line, cells, [False] * len(cells)))
            line = reader.line_num + 1  # a quoted field may span lines
    except csv.Error as exc:
        raise InputError(_BAD_CSV, file=name, line=line) from exc
    table = _table(grid, f"{name}:")
    return Document(name=name, blocks=() if table is None else (table,))


def _decode(data: bytes) -> str:
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return data.decode("utf-16", errors="replace")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1258", errors="replace")


def _sheet_grid(sheet: Any) -> _Grid:
    # The stored cells only: iter_rows() would create every cell up to max_row, and a sheet
    # formatted down to row 1048576 would take minutes.
    values = {
        key: text for key, cell in sheet._cells.items()
        if (text := _text(cell.value, cell.number_format))
    }
    if not values:
        return []
    last_row = max(r for r, _ in values)
    last_col = max(c for _, c in values)
    continued: set[tuple[int, int]] = set()
    for merged in sheet.merged_cells.ranges:
        top, left = merged.min_row, merged.min_col
        text = values.get((top, left), "")
        for r in range(top, min(merged.max_row, last_row) + 1):
            for c in range(left, min(merged.max_col, last_col) + 1):
                if (r, c) == (top, left):
                    continue
                values.pop((r, c), None)
                if r > top:
                    continued.add((r, c))
                    if c == left and text:
                        values[(r, c)] = text
    columns = range(1, last_col + 1)
    return [
        (r, [values.get((r, c), "") for c in columns], [(r, c) in continued for c in columns])
        for r in range(1, last_row + 1)
    ]


def _table(grid: _Grid, prefix: str) -> Table | None:
    """Drop empty rows and the empty columns on either side; None if nothing is left."""
    kept = [(n, cells, cont) for n, cells, cont in grid if any(cells)]
    if not kept:
        return None
    width = max(len(cells) for _, cells, _ in kept)
    used = [i for i in range(width) if any(i < len(c) and c[i] for _, c, _ in kept)]
    first, last = used[0], used[-1] + 1
    rows = tuple(
        Row(
            cells=tuple((cells + [""] * width)[first:last]),
            continued=tuple((cont + [False] * width)[first:last]),
            where=f"{prefix}{n}",
        )
        for n, cells, cont in kept
    )
    return Table(rows=rows, where=rows[0].where)


def _text(value: object, number_format: str) -> str:
    """A cell's value as it reads on screen: "3" not "3.0", dates as dd/mm/yyyy."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, datetime):
        return value.strftime("%d/%m/%Y" if value.time() == time() else "%H:%M %d/%m/%Y")
    if isinstance(value, date):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, time):
        return value.strftime("%H:%M")
    if isinstance(value, timedelta):
        minutes = int(value.total_seconds()) // 60
        return f"{minutes // 60}:{minutes % 60:02d}"
    if isinstance(value, int | float):
        if "%" in str(number_format):
            return _number(value * 100) + "%"
        return _number(value)
    return _clean(str(value))


def _number(value: float) -> str:
    if isinstance(value, float) and math.isfinite(value) and value.is_integer():
        return str(int(value)) if abs(value) < 1e15 else f"{value:.15g}"
    # 15 significant digits, as Excel shows them: 0.1 + 0.2 reads 0.3.
    return f"{value:.15g}" if isinstance(value, float) else str(value)


def _clean(text: str) -> str:
    text = unicodedata.normalize("NFC", text).replace("\r\n", "\n").replace("\r", "\n")
    return text.strip()
