"""The Excel and CSV readers: values as people read them, merges, trimming, encodings, bad bytes."""

from __future__ import annotations

import contextlib
import io
import time
import unicodedata
from datetime import date, datetime
from datetime import time as clock_time
from pathlib import Path

import openpyxl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reminders.errors import InputError
from reminders.ingest.document import Document, Table
from reminders.ingest.sheet import read_csv, read_xlsx
from tests.builders import TableSpec, xlsx_bytes

REAL_DOCX = (
    Path(__file__).resolve().parent / "data" / "real_plans"
    / "KH-3024_27.5.2026_Ky-rieng-Sin-Quyen.docx"
)


def save(book: openpyxl.Workbook) -> bytes:
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def only_table(doc: Document) -> Table:
    (table,) = doc.blocks
    assert isinstance(table, Table)
    return table


def cells(table: Table) -> list[tuple[str, ...]]:
    return [row.cells for row in table.rows]


def sheet_with(rows: dict[str, object]) -> openpyxl.Workbook:
    book = openpyxl.Workbook()
    for ref, value in rows.items():
        book.active[ref] = value
    return book


# --- xlsx values ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "number_format", "expected"),
    [
        (3, "General", "3"),
        (3.0, "General", "3"),
        (2.5, "General", "2.5"),
        (0.1 + 0.2, "General", "0.3"),
        (0.5, "0%", "50%"),
        (True, "General", "TRUE"),
        (date(2024, 10, 10), "dd/mm/yyyy", "10/10/2024"),
        (datetime(2024, 10, 10, 0, 0), "dd/mm/yyyy", "10/10/2024"),
        (datetime(2026, 6, 2, 13, 30), "dd/mm/yyyy hh:mm", "13:30 02/06/2026"),
        (clock_time(8, 30), "hh:mm", "08:30"),
        ("  Trong năm 2024 \r\n", "General", "Trong năm 2024"),
        (unicodedata.normalize("NFD", "Phòng Văn hóa"), "General",
         unicodedata.normalize("NFC", "Phòng Văn hóa")),
    ],
    ids=["int", "int-like-float", "float", "float-noise", "percent", "bool", "date",
         "midnight-datetime", "datetime", "time", "string-stripped", "string-nfc"],
)
def test_cells_read_as_people_read_them(value: object, number_format: str, expected: str) -> None:
    book = sheet_with({"A1": "TT", "B1": value})
    book.active["B1"].number_format = number_format
    table = only_table(read_xlsx(save(book), "kh.xlsx"))
    assert cells(table) == [("TT", expected)]


def test_formulas_read_their_cached_values_not_their_text() -> None:
    book = sheet_with({"A1": 1, "A2": "=A1+1"})
    # openpyxl writes no cached value: a formula never calculated reads as empty.
    assert cells(only_table(read_xlsx(save(book), "kh.xlsx"))) == [("1",)]


# --- xlsx layout ------------------------------------------------------------------------------


def test_merged_ranges_resolve_like_word_merges() -> None:
    book = sheet_with({
        "A1": "TT", "B1": "Nội dung", "C1": "Dự kiến kết quả",
        "C2": "Cấp quận", "D2": "Cấp phường",
        "A3": 1, "B3": "Thi đua", "C3": "Hoàn thành", "D3": "Thực hiện",
        "A4": 2, "B4": "Tuyên truyền",
        "A5": "Thời gian", "C5": "x", "C6": "y",
    })
    sheet = book.active
    for ref in ("A1:A2", "B1:B2", "C1:D1", "B4:D4", "A5:B6"):
        sheet.merge_cells(ref)
    table = only_table(read_xlsx(save(book), "kh.xlsx"))
    assert cells(table) == [
        ("TT", "Nội dung", "Dự kiến kết quả", ""),
        ("TT", "Nội dung", "Cấp quận", "Cấp phường"),
        ("1", "Thi đua", "Hoàn thành", "Thực hiện"),
        ("2", "Tuyên truyền", "", ""),
        ("Thời gian", "", "x", ""),
        ("Thời gian", "", "y", ""),
    ]
    assert [row.continued for row in table.rows] == [
        (False,) * 4, (True, True, False, False), (False,) * 4, (False,) * 4,
        (False,) * 4, (True, True, False, False),
    ]


def test_empty_rows_and_edge_columns_are_dropped_rows_keep_their_excel_numbers() -> None:
    book = sheet_with({"B2": "TT", "C2": "Việc", "B4": 1, "C4": "Họp", "B7": 2, "C7": "Báo cáo"})
    sheet = book.active
    sheet["F20"].number_format = "0.00"  # formatted but empty: not content
    sheet["H30"] = "   "
    table = only_table(read_xlsx(save(book), "kh.xlsx"))
    assert cells(table) == [("TT", "Việc"), ("1", "Họp"), ("2", "Báo cáo")]
    assert [row.where for row in table.rows] == ["kh.xlsx:2", "kh.xlsx:4", "kh.xlsx:7"]
    assert table.where == "kh.xlsx:2" and not table.borderless


def test_sheets_hidden_or_empty_are_skipped_and_later_sheets_are_named() -> None:
    book = sheet_with({"A1": "Kế hoạch", "A2": "Tháng 1"})
    book.active.title = "Chung"
    book.create_sheet("Trống")
    hidden = book.create_sheet("Ẩn")
    hidden["A1"] = "không đọc"
    hidden.sheet_state = "hidden"
    annex = book.create_sheet("Phụ lục")
    annex["A3"] = "Biểu 01"
    doc = read_xlsx(save(book), "kh.xlsx")
    assert [(t.where, cells(t)) for t in doc.blocks if isinstance(t, Table)] == [
        ("kh.xlsx:1", [("Kế hoạch",), ("Tháng 1",)]),
        ("kh.xlsx:Phụ lục!3", [("Biểu 01",)]),
    ]


def test_a_sheet_used_down_to_the_last_row_is_read_quickly() -> None:
    book = sheet_with({"A1": "TT", "A2": 1})
    book.active["A1048576"].number_format = "@"  # a cell stored at the last row, no value
    data = save(book)
    started = time.perf_counter()
    table = only_table(read_xlsx(data, "kh.xlsx"))
    assert time.perf_counter() - started < 2
    assert cells(table) == [("TT",), ("1",)]


@pytest.mark.parametrize("data", [b"", save(openpyxl.Workbook())], ids=["empty-file", "no-cells"])
def test_nothing_to_read_gives_no_blocks(data: bytes) -> None:
    assert read_xlsx(data, "kh.xlsx") == Document(name="kh.xlsx", blocks=())


# --- xlsx bad bytes -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ("TT;Nội dung\n".encode(), "không đọc được tệp Excel"),
        (save(sheet_with({"A1": "x"}))[:500], "không đọc được tệp Excel"),
        (REAL_DOCX.read_bytes(), "không đọc được tệp Excel"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600, "tệp .xls (Excel 97-2003)"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + "EncryptedPackage".encode("utf-16-le"),
         "mật khẩu"),
    ],
    ids=["text", "truncated", "a-docx", "xls-97", "encrypted"],
)
def test_unreadable_workbooks_raise_input_error_naming_the_file(data: bytes, message: str) -> None:
    with pytest.raises(InputError) as info:
        read_xlsx(data, "kehoach.xlsx")
    assert info.value.file == "kehoach.xlsx" and message in str(info.value)


XLSX_BYTES = save(sheet_with({"A1": "TT", "B1": "Nội dung", "A2": 1, "B2": "Họp"}))


@settings(max_examples=40, deadline=None)
@given(st.one_of(
    st.binary(max_size=1000),
    st.integers(0, len(XLSX_BYTES)).map(lambda n: XLSX_BYTES[:n]),
))
def test_random_or_truncated_workbooks_only_ever_raise_input_error(data: bytes) -> None:
    with contextlib.suppress(InputError):
        read_xlsx(data, "x.xlsx")


# --- csv ------------------------------------------------------------------------------------


def cp1258(text: str) -> bytes:
    """Vietnamese as Windows-1258 writes it: base letters with their hats, tones combining."""
    out = b""
    for char in unicodedata.normalize("NFC", text):
        base, *marks = unicodedata.normalize("NFD", char)
        # the letter whole if the code page has it, else the letter with one mark split off
        candidates = [char] + [
            unicodedata.normalize("NFC", base + "".join(marks[:i] + marks[i + 1:])) + marks[i]
            for i in range(len(marks))
        ]
        for candidate in candidates:
            try:
                out += candidate.encode("cp1258")
                break
            except UnicodeEncodeError:
                continue
        else:
            raise ValueError(f"not in cp1258: {char!r}")
    return out


ROWS = [("TT", "Nội dung", "Thời gian"), ("1", "Phòng Văn hóa", "Trước ngày 18 hằng tháng")]


@pytest.mark.parametrize(
    "data",
    [
        "TT,Nội dung,Thời gian\n1,Phòng Văn hóa,Trước ngày 18 hằng tháng\n".encode(),
        "TT;Nội dung;Thời gian\r\n1;Phòng Văn hóa;Trước ngày 18 hằng tháng\r\n".encode(
            "utf-8-sig"),
        "TT\tNội dung\tThời gian\n1\tPhòng Văn hóa\tTrước ngày 18 hằng tháng\n".encode(
            "utf-16"),
        cp1258("TT;Nội dung;Thời gian\r\n1;Phòng Văn hóa;Trước ngày 18 hằng tháng\r\n"),
    ],
    ids=["utf8-comma", "utf8-bom-semicolon", "utf16-tab", "cp1258-semicolon"],
)
def test_csv_encodings_and_delimiters(data: bytes) -> None:
    table = only_table(read_csv(data, "kh.csv"))
    assert cells(table) == ROWS
    assert all(unicodedata.is_normalized("NFC", c) for row in table.rows for c in row.cells)
    assert [row.where for row in table.rows] == ["kh.csv:1", "kh.csv:2"]


def test_csv_rows_keep_their_first_line_across_quoted_line_breaks() -> None:
    data = (
        'TT,Nội dung,Người thực hiện,\n'
        '\n'
        '1,Rà soát,"Đỗ Mạnh Cường\nVũ Việt Linh",\n'
        '2,  Tổ chức kiểm tra  ,Vũ Việt Linh\n'
    ).encode()
    table = only_table(read_csv(data, "kh.csv"))
    assert cells(table) == [
        ("TT", "Nội dung", "Người thực hiện"),
        ("1", "Rà soát", "Đỗ Mạnh Cường\nVũ Việt Linh"),
        ("2", "Tổ chức kiểm tra", "Vũ Việt Linh"),
    ]
    assert [row.where for row in table.rows] == ["kh.csv:1", "kh.csv:3", "kh.csv:5"]


def test_csv_with_one_column_falls_back_to_commas() -> None:
    table = only_table(read_csv("Kế hoạch\nTháng 1\n".encode(), "kh.csv"))
    assert cells(table) == [("Kế hoạch",), ("Tháng 1",)]


@pytest.mark.parametrize(
    "data",
    [b"", b"\n\n  \n", b"\xef\xbb\xbf", b",,\n,,\n"],
    ids=["empty", "blank", "bom", "commas"],
)
def test_empty_csv_gives_no_blocks(data: bytes) -> None:
    assert read_csv(data, "kh.csv").blocks == ()


def test_csv_runaway_field_is_an_input_error_with_its_line() -> None:
    data = b'TT,Noi dung\n1,"' + b"x" * 200_000 + b"\n"
    with pytest.raises(InputError) as info:
        read_csv(data, "kh.csv")
    assert info.value.file == "kh.csv" and info.value.line == 2


@settings(max_examples=60, deadline=None)
@given(st.binary(max_size=2000))
def test_any_bytes_as_csv_never_raise_anything_but_input_error(data: bytes) -> None:
    try:
        doc = read_csv(data, "x.csv")
    except InputError:
        return
    for block in doc.blocks:
        assert isinstance(block, Table)
        assert all(unicodedata.is_normalized("NFC", c) for row in block.rows for c in row.cells)


# --- the builder ----------------------------------------------------------------------------


def test_xlsx_builder_round_trip_with_title_rows_and_merges() -> None:
    spec = TableSpec(
        rows=[
            ["TT", "Nội dung", "Dự kiến kết quả", ""],
            ["", "", "Cấp quận", "Cấp phường"],
            ["1", "Thi đua", "Hoàn thành", "Thực hiện"],
            ["2.1", "Tuyên truyền", "", ""],
            ["12", "Khác", "10/10/2024", ""],
        ],
        merges=[(0, 0, 1, 0), (0, 1, 1, 1), (0, 2, 0, 3), (3, 1, 3, 3)],
        header_rows=2,
        page_breaks_before=[3],
    )
    data = xlsx_bytes(["BIỂU TỔNG HỢP", "(Kèm theo Kế hoạch số /KH-UBND)"], spec)
    table = only_table(read_xlsx(data, "bieu.xlsx"))
    assert cells(table) == [
        ("BIỂU TỔNG HỢP", "", "", ""),
        ("(Kèm theo Kế hoạch số /KH-UBND)", "", "", ""),
        ("TT", "Nội dung", "Dự kiến kết quả", ""),
        ("TT", "Nội dung", "Cấp quận", "Cấp phường"),
        ("1", "Thi đua", "Hoàn thành", "Thực hiện"),
        ("2.1", "Tuyên truyền", "", ""),
        ("12", "Khác", "10/10/2024", ""),
    ]
    assert table.rows[3].continued == (True, True, False, False)
    assert [row.where for row in table.rows][2:4] == ["bieu.xlsx:3", "bieu.xlsx:4"]
    sheet = openpyxl.load_workbook(io.BytesIO(data)).active
    assert sheet["A5"].value == 1 and sheet["A6"].value == "2.1"  # numbers as numbers
    assert sheet.print_title_rows == "$3:$4"
    assert [b.id for b in sheet.row_breaks.brk] == [5]
    assert {str(r) for r in sheet.merged_cells.ranges} >= {"A1:D1", "A2:D2", "A3:A4", "B6:D6"}
