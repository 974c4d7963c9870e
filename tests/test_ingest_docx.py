"""The Word reader: body order, `where`, merged cells, list numbers, layout tables, bad bytes."""

from __future__ import annotations

import contextlib
import io
import re
import unicodedata
import zipfile
from collections.abc import Callable
from pathlib import Path

import docx
import pytest
from docx.document import Document as WordDocument
from docx.oxml import OxmlElement, parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.table import Table as WordTable
from hypothesis import given, settings
from hypothesis import strategies as st

from reminders.errors import InputError
from reminders.ingest.document import Document, Paragraph, Table
from reminders.ingest.docx import read_docx
from tests.builders import TableSpec, docx_bytes

REAL_PLANS = Path(__file__).resolve().parent / "data" / "real_plans"
KH_3024 = "KH-3024_27.5.2026_Ky-rieng-Sin-Quyen.docx"
KH_3898 = "KH-3898_30.6.2026_Huan-luyen-nguoi-quan-ly.docx"
KH_3957 = "KH-3957_3.7.2026_Kiem-tra-cap-GCN-19-don-vi.docx"
DE_AN_08 = "ke-hoach-thuc-hien-de-an-08.docx"
REAL_BYTES = (REAL_PLANS / KH_3024).read_bytes()


# --- helpers ------------------------------------------------------------------------------


def save(document: WordDocument) -> bytes:
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def read(document: WordDocument, name: str = "kh.docx") -> Document:
    return read_docx(save(document), name)


def tables(doc: Document) -> list[Table]:
    return [b for b in doc.blocks if isinstance(b, Table)]


def paragraphs(doc: Document) -> list[tuple[str, str]]:
    return [(b.text, b.where) for b in doc.blocks if isinstance(b, Paragraph)]


def cells(table: Table) -> list[tuple[str, ...]]:
    return [row.cells for row in table.rows]


def squeeze(text: str) -> str:
    return " ".join(text.split())


def set_num(paragraph_element: object, num_id: int, ilvl: int | None = 0) -> None:
    num_pr = paragraph_element.get_or_add_pPr().get_or_add_numPr()  # type: ignore[attr-defined]
    if ilvl is not None:
        num_pr.get_or_add_ilvl().val = ilvl
    num_pr.get_or_add_numId().val = num_id


def add_list(document: WordDocument, levels: list[tuple[str, str, int]], abstract_id: int,
             overrides: dict[int, int] | None = None) -> int:
    """An abstract list with (numFmt, lvlText, start) per level, and a num using it."""
    numbering = document.part.numbering_part.element
    lvls = "".join(
        f'<w:lvl w:ilvl="{i}"><w:start w:val="{start}"/><w:numFmt w:val="{fmt}"/>'
        f'<w:lvlText w:val="{text}"/></w:lvl>'
        for i, (fmt, text, start) in enumerate(levels)
    )
    if abstract_id not in [int(a.get(qn("w:abstractNumId")))
                           for a in numbering.findall(qn("w:abstractNum"))]:
        numbering.find(qn("w:num")).addprevious(parse_xml(
            f'<w:abstractNum {nsdecls("w")} w:abstractNumId="{abstract_id}">{lvls}</w:abstractNum>'
        ))
    num = numbering.add_num(abstract_id)
    for ilvl, start in (overrides or {}).items():
        num.append(parse_xml(f'<w:lvlOverride {nsdecls("w")} w:ilvl="{ilvl}">'
                             f'<w:startOverride w:val="{start}"/></w:lvlOverride>'))
    return int(num.get(qn("w:numId")))


def rewrite_zip(data: bytes, edit: Callable[[str, bytes], bytes | None]) -> bytes:
    """The package with each member passed through `edit` (None drops the member)."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w") as dst:
        for item in src.infolist():
            content = edit(item.filename, src.read(item))
            if content is not None:
                dst.writestr(item, content)
    return out.getvalue()


def grid_table(document: WordDocument, rows: list[list[str]]) -> WordTable:
    table = document.add_table(rows=len(rows), cols=len(rows[0]))
    table.style = "Table Grid"
    for r, row in enumerate(rows):
        for c, text in enumerate(row):
            table.cell(r, c).text = text
    return table


# --- body order, text and `where` ---------------------------------------------------------


def test_body_paragraphs_and_tables_in_order_with_ordinals() -> None:
    document = docx.Document()
    document.add_paragraph("KẾ HOẠCH")
    document.add_paragraph("")  # empty: no Paragraph, but it counts for `where`
    document.add_paragraph("Tổ chức thực hiện")
    grid_table(document, [["TT", "Nội dung"], ["1", "Họp giao ban"]])
    document.add_paragraph("Nơi nhận")
    doc = read(document)
    kinds = [type(b).__name__ for b in doc.blocks]
    assert kinds == ["Paragraph", "Paragraph", "Table", "Paragraph"]
    assert paragraphs(doc) == [
        ("KẾ HOẠCH", "kh.docx:1"), ("Tổ chức thực hiện", "kh.docx:3"), ("Nơi nhận", "kh.docx:6")
    ]
    (table,) = tables(doc)
    assert table.where == "kh.docx:4"
    assert [row.where for row in table.rows] == ["kh.docx:4", "kh.docx:5"]
    assert cells(table) == [("TT", "Nội dung"), ("1", "Họp giao ban")]
    assert table.borderless is False


def test_line_breaks_split_a_paragraph_keeping_its_where_tabs_read_as_spaces() -> None:
    document = docx.Document()
    paragraph = document.add_paragraph()
    run = paragraph.add_run("Thời gian:\tngày 02/6/2026")
    run.add_break()
    paragraph.add_run("Địa điểm: Sở Công Thương")
    doc = read(document)
    assert paragraphs(doc) == [
        ("Thời gian: ngày 02/6/2026", "kh.docx:1"), ("Địa điểm: Sở Công Thương", "kh.docx:1")
    ]


def test_text_is_nfc_even_when_the_file_holds_nfd() -> None:
    document = docx.Document()
    document.add_paragraph(unicodedata.normalize("NFD", "Phòng Văn hóa và Thông tin"))
    (text, _), = paragraphs(read(document))
    assert text == unicodedata.normalize("NFC", "Phòng Văn hóa và Thông tin")
    assert unicodedata.is_normalized("NFC", text)


def test_content_control_blocks_are_read_in_place() -> None:
    document = docx.Document()
    document.add_paragraph("trước")
    inner = document.add_paragraph("trong khối")._p
    sdt = parse_xml(f'<w:sdt {nsdecls("w")}><w:sdtPr/><w:sdtContent/></w:sdt>')
    inner.addprevious(sdt)
    sdt.find(qn("w:sdtContent")).append(inner)
    document.add_paragraph("sau")
    assert paragraphs(read(document)) == [
        ("trước", "kh.docx:1"), ("trong khối", "kh.docx:2"), ("sau", "kh.docx:3")
    ]


def test_deleted_revisions_and_field_codes_are_not_text() -> None:
    document = docx.Document()
    p = document.add_paragraph("Báo cáo ")._p
    p.append(parse_xml(f'<w:del {nsdecls("w")} w:id="1" w:author="x">'
                       '<w:r><w:delText>cũ </w:delText></w:r></w:del>'))
    p.append(parse_xml(f'<w:r {nsdecls("w")}><w:instrText> PAGE </w:instrText></w:r>'))
    p.append(parse_xml(f'<w:r {nsdecls("w")}><w:t>trước ngày 18</w:t></w:r>'))
    assert paragraphs(read(document)) == [("Báo cáo trước ngày 18", "kh.docx:1")]


# --- tables: merges, grid, nesting, borders -------------------------------------------------


def test_horizontal_merge_puts_text_in_the_first_grid_column() -> None:
    document = docx.Document()
    table = grid_table(document, [["TT", "Nội dung", "Thời gian"], ["A", "", ""]])
    table.cell(1, 1).merge(table.cell(1, 2)).text = "Cấp quận"
    (read_table,) = tables(read(document))
    assert cells(read_table) == [("TT", "Nội dung", "Thời gian"), ("A", "Cấp quận", "")]
    assert read_table.rows[1].continued == (False, False, False)


def test_vertical_merge_repeats_text_and_marks_the_rows_below() -> None:
    document = docx.Document()
    table = grid_table(document, [["1", "Họp", "Phòng Nội vụ"], ["2", "Thi đua", ""],
                                  ["3", "Khen thưởng", ""]])
    table.cell(0, 2).merge(table.cell(2, 2))
    (read_table,) = tables(read(document))
    assert cells(read_table) == [
        ("1", "Họp", "Phòng Nội vụ"), ("2", "Thi đua", "Phòng Nội vụ"),
        ("3", "Khen thưởng", "Phòng Nội vụ"),
    ]
    assert [row.continued for row in read_table.rows] == [
        (False, False, False), (False, False, True), (False, False, True)
    ]
    # Document.paragraphs() sees the merged text once
    assert [p.text for p in read(document).paragraphs()].count("Phòng Nội vụ") == 1


def test_a_merge_both_ways_keeps_the_text_in_its_first_column() -> None:
    document = docx.Document()
    table = grid_table(document, [["Thời gian", "", "x"], ["", "", "y"]])
    table.cell(0, 0).merge(table.cell(1, 1))
    (read_table,) = tables(read(document))
    assert cells(read_table) == [("Thời gian", "", "x"), ("Thời gian", "", "y")]
    assert read_table.rows[1].continued == (True, True, False)


def test_legacy_hmerge_cells_are_covered() -> None:
    document = docx.Document()
    table = grid_table(document, [["Dự kiến kết quả", "bỏ", "Ghi chú"]])
    table.cell(0, 0)._tc.get_or_add_tcPr().append(
        parse_xml(f'<w:hMerge {nsdecls("w")} w:val="restart"/>'))
    table.cell(0, 1)._tc.get_or_add_tcPr().append(OxmlElement("w:hMerge"))
    (read_table,) = tables(read(document))
    assert cells(read_table) == [("Dự kiến kết quả", "", "Ghi chú")]


def test_rows_with_grid_before_and_after_line_up_with_the_grid() -> None:
    document = docx.Document()
    table = grid_table(document, [["a", "b", "c"], ["x", "d", "e"], ["f", "g", "x"]])
    before, after = table.rows[1]._tr, table.rows[2]._tr
    before.remove(before.tc_lst[0])
    before.get_or_add_trPr().get_or_add_gridBefore().val = 1
    after.remove(after.tc_lst[-1])
    after.get_or_add_trPr().get_or_add_gridAfter().val = 1
    (read_table,) = tables(read(document))
    assert cells(read_table) == [("a", "b", "c"), ("", "d", "e"), ("f", "g", "")]


def test_odd_table_markup_reads_without_crashing() -> None:
    document = docx.Document()
    table = grid_table(document, [["a", "b", "c"], ["d", "e", "f"]])
    tbl = table._tbl
    tbl.remove(tbl.tblGrid)  # no grid: the widest row decides
    first, second = table.rows[0]._tr.tc_lst, table.rows[1]._tr.tc_lst
    first[0].get_or_add_tcPr().append(OxmlElement("w:vMerge"))  # continues nothing above
    first[1].get_or_add_tcPr().append(parse_xml(f'<w:gridSpan {nsdecls("w")} w:val="junk"/>'))
    second[2].get_or_add_tcPr().append(parse_xml(f'<w:gridSpan {nsdecls("w")} w:val="99999"/>'))
    (read_table,) = tables(read(document))
    # a span is capped at 64 columns, so the second row is 66 wide and sets the width
    assert cells(read_table) == [("", "b", "c") + ("",) * 63, ("d", "e", "f") + ("",) * 63]
    assert read_table.rows[0].continued == (False,) * 66


def test_cell_paragraphs_and_nested_tables_become_lines() -> None:
    document = docx.Document()
    table = grid_table(document, [["Người thực hiện", "Ghi chú"]])
    cell = table.cell(0, 0)
    cell.add_paragraph("Đỗ Mạnh Cường")
    cell.add_paragraph("")
    cell.add_paragraph("  Vũ Việt Linh  ")
    inner = cell.add_table(rows=2, cols=2)
    inner.cell(0, 0).text, inner.cell(0, 1).text, inner.cell(1, 0).text = "x", "y", "z"
    cell.add_paragraph("Nguyễn Thị Loan")
    doc = read(document)
    (read_table,) = tables(doc)
    assert cells(read_table) == [
        ("Người thực hiện\nĐỗ Mạnh Cường\nVũ Việt Linh\nx\ny\nz\nNguyễn Thị Loan", "Ghi chú")
    ]
    assert len(read_table.rows) == 1 and read_table.where == "kh.docx:1"  # nested rows don't count


def test_layout_tables_without_borders_are_borderless() -> None:
    document = docx.Document()
    plain = document.add_table(rows=1, cols=2)  # no style: Word's "Normal Table", no borders
    plain.cell(0, 0).text = "UBND TỈNH LÀO CAI"
    document.add_paragraph("")
    grid = grid_table(document, [["TT", "Nội dung"]])
    document.add_paragraph("")
    erased = grid_table(document, [["KT. GIÁM ĐỐC", ""]])
    erased._tbl.tblPr.append(parse_xml(
        f'<w:tblBorders {nsdecls("w")}>'
        + "".join(f'<w:{e} w:val="nil"/>' for e in ("top", "left", "bottom", "right",
                                                    "insideH", "insideV"))
        + "</w:tblBorders>"))
    document.add_paragraph("")
    per_cell = document.add_table(rows=1, cols=2)  # borders on every cell (LibreOffice style)
    for c in per_cell.rows[0].cells:
        c._tc.get_or_add_tcPr().append(parse_xml(
            f'<w:tcBorders {nsdecls("w")}><w:top w:val="single" w:sz="4"/></w:tcBorders>'))
    document.add_paragraph("")
    underline = document.add_table(rows=2, cols=2)  # one underlined cell in a letterhead
    underline.cell(0, 0)._tc.get_or_add_tcPr().append(parse_xml(
        f'<w:tcBorders {nsdecls("w")}><w:bottom w:val="single" w:sz="4"/></w:tcBorders>'))
    assert grid is not None
    assert [t.borderless for t in tables(read(document))] == [True, False, True, False, True]


# --- list numbering -----------------------------------------------------------------------


def test_list_number_style_paragraphs_get_their_numbers() -> None:
    document = docx.Document()
    for text in ("Phòng Văn hóa", "Phòng Nội vụ", "UBND các phường"):
        document.add_paragraph(text, style="List Number")
    document.add_paragraph("Gạch đầu dòng", style="List Bullet")
    assert [t for t, _ in paragraphs(read(document))] == [
        "1. Phòng Văn hóa", "2. Phòng Nội vụ", "3. UBND các phường", "- Gạch đầu dòng"
    ]


def test_multilevel_lists_restart_deeper_levels_and_honour_overrides() -> None:
    document = docx.Document()
    levels = [("upperRoman", "%1.", 1), ("decimal", "%1.%2.", 1), ("lowerLetter", "%3)", 1)]
    main = add_list(document, levels, abstract_id=50)
    script = [
        (main, 0, "MỤC TIÊU"), (main, 1, "Chỉ tiêu"), (main, 2, "tăng trưởng"),
        (main, 2, "lấp đầy"), (main, 1, "Nhiệm vụ"), (main, 2, "rà soát"),
        (main, 0, "GIẢI PHÁP"), (main, 1, "Cơ chế"), (main, 0, ""),
    ]
    restarted = add_list(document, levels, abstract_id=50, overrides={0: 1})
    continued = add_list(document, levels, abstract_id=50)
    script += [(restarted, 0, "Phụ lục"), (continued, 0, "Tiếp theo")]
    for num_id, ilvl, text in script:
        set_num(document.add_paragraph(text)._p, num_id, ilvl)
    assert [t for t, _ in paragraphs(read(document))] == [
        "I. MỤC TIÊU", "I.1. Chỉ tiêu", "a) tăng trưởng", "b) lấp đầy", "I.2. Nhiệm vụ",
        "a) rà soát", "II. GIẢI PHÁP", "II.1. Cơ chế", "III.",  # an empty item shows its number
        "I. Phụ lục", "II. Tiếp theo",
    ]


@pytest.mark.parametrize(
    ("fmt", "text", "start", "expected"),
    [
        ("decimal", "%1.", 3, ["3.", "4."]),
        ("lowerLetter", "%1)", 26, ["z)", "aa)"]),
        ("upperLetter", "%1.", 1, ["A.", "B."]),
        ("lowerRoman", "(%1)", 4, ["(iv)", "(v)"]),
        ("decimalZero", "%1", 9, ["09", "10"]),
        ("bullet", "\uf0b7", 1, ["-", "-"]),
        ("chineseCounting", "%1.", 1, ["1.", "2."]),  # unknown formats read as decimal
    ],
    ids=["decimal", "letters-wrap", "upper-letter", "roman", "decimal-zero", "bullet", "other"],
)
def test_number_formats(fmt: str, text: str, start: int, expected: list[str]) -> None:
    document = docx.Document()
    num_id = add_list(document, [(fmt, text, start)], abstract_id=60)
    for item in ("một", "hai"):
        set_num(document.add_paragraph(item)._p, num_id)
    assert [t for t, _ in paragraphs(read(document))] == [f"{e} {i}" for e, i in
                                                          zip(expected, ("một", "hai"),
                                                              strict=True)]


def test_odd_or_missing_numbering_gives_no_label() -> None:
    document = docx.Document()
    set_num(document.add_paragraph("không có định nghĩa")._p, 999)
    set_num(document.add_paragraph("numId 0 tắt đánh số")._p, 0)
    set_num(document.add_paragraph("không có ilvl")._p, 5, ilvl=None)  # List Number's list
    odd = document.add_paragraph("mức lạ")._p
    set_num(odd, 5)
    odd.pPr.numPr.ilvl.set(qn("w:val"), "x")
    assert [t for t, _ in paragraphs(read(document))] == [
        "không có định nghĩa", "numId 0 tắt đánh số", "1. không có ilvl", "2. mức lạ"
    ]


def test_a_package_without_numbering_part_reads_without_labels() -> None:
    document = docx.Document()
    document.add_paragraph("Phòng Văn hóa", style="List Number")

    def drop_numbering(member: str, content: bytes) -> bytes | None:
        if member == "word/numbering.xml":
            return None
        if member == "word/_rels/document.xml.rels":
            return re.sub(rb"<Relationship [^>]*numbering[^>]*/>", b"", content)
        return content

    data = rewrite_zip(save(document), drop_numbering)
    assert paragraphs(read_docx(data, "kh.docx")) == [("Phòng Văn hóa", "kh.docx:1")]


def test_auto_numbered_cells_read_their_numbers() -> None:
    document = docx.Document()
    table = grid_table(document, [["TT", "Nhiệm vụ"], ["", "Rà soát"], ["", "Tổ chức"]])
    for r in (1, 2):
        set_num(table.cell(r, 0).paragraphs[0]._p, 5)  # "List Number": decimal "%1."
    (read_table,) = tables(read(document))
    assert cells(read_table) == [("TT", "Nhiệm vụ"), ("1.", "Rà soát"), ("2.", "Tổ chức")]


# --- the real plans -------------------------------------------------------------------------


def real(name: str) -> Document:
    return read_docx((REAL_PLANS / name).read_bytes(), name)


@pytest.mark.parametrize(("name", "month"), [(KH_3024, 5), (KH_3898, 6), (KH_3957, 7)])
def test_real_letterhead_is_a_borderless_three_column_table(name: str, month: int) -> None:
    letterhead = tables(real(name))[0]
    assert letterhead.borderless and letterhead.where == f"{name}:1"
    assert [tuple(squeeze(c) for c in row) for row in cells(letterhead)] == [
        ("UBND TỈNH LÀO CAI", "", "CỘNG HOÀ XÃ HỘI CHỦ NGHĨA VIỆT NAM"),
        ("SỞ CÔNG THƯƠNG", "", "Độc lập - Tự do - Hạnh phúc"),
        ("Số: /KH-SCT", "", f"Lào Cai, ngày tháng {month} năm 2026"),
    ]


def test_real_kh_3024_task_table_has_auto_numbered_tt() -> None:
    doc = real(KH_3024)
    _, signature, tasks = tables(doc)
    assert signature.borderless and signature.where == f"{KH_3024}:44"
    assert cells(signature) == [(
        "Nơi nhận:\n- Ban Giám đốc Sở;\n- Lưu: VT, CN(M.Cường).", "",
        "KT. GIÁM ĐỐC\nPHÓ GIÁM ĐỐC\nHoàng Văn Thuân",
    )]
    assert not tasks.borderless and tasks.where == f"{KH_3024}:51"
    assert cells(tasks) == [
        ("TT", "Nhiệm vụ thực hiện", "Người thực hiện", "Ghi chú"),
        ("1.", "Rà soát việc đáp ứng các điều kiện của học viên",
         "Đỗ Mạnh Cường\nVũ Việt Linh\nNguyễn Thị thúy Nhung", ""),
        ("2.", "Xây dựng bài kiểm tra, đáp án", "Đỗ Mạnh Cường\nVũ Việt Linh", ""),
        ("3.", "Tổ chức kiểm tra", "Đỗ Mạnh Cường\nVũ Việt Linh\nNguyễn Thị Thúy Nhung", ""),
        ("4.", "Tổ chức chấm bài", "Vũ Việt Linh", ""),
        ("5.", "Rà soát vào điểm", "Đỗ Mạnh Cường\nVũ Việt Linh", ""),
        ("6.", "Xây dựng quyết định công nhận kết quả kiểm tra", "Vũ Việt Linh", ""),
        ("7.", "In ấn chứng chỉ", "Vũ Việt Linh", ""),
        ("8.", "Rà soát chứng chỉ trước khi trình", "Vũ Việt Linh\nNguyễn Thị Loan", ""),
        ("9.", "Trình ký chứng chỉ", "Đỗ Mạnh Cường", ""),
    ]
    assert [row.where for row in tasks.rows][-1] == f"{KH_3024}:60"
    # python-docx alone sees the TT cells as empty: the numbers are Word's list numbering.
    word_tasks = docx.Document(io.BytesIO(REAL_BYTES)).tables[2]
    assert [row.cells[0].text.strip() for row in word_tasks.rows[1:]] == [""] * 9


def test_real_kh_3024_prose_keeps_typed_numbers_dates_and_place() -> None:
    texts = dict((where, text) for text, where in paragraphs(real(KH_3024)))
    assert texts[f"{KH_3024}:4"] == "KẾ HOẠCH"
    assert texts[f"{KH_3024}:23"] == "1.1. Đợt 1: Từ 13h30’ ngày 02/6/2026 (Thứ Ba)."
    assert texts[f"{KH_3024}:29"] == "1.2. Đợt 2: Từ 13h30’ ngày 03/6/2026 (Thứ Tư)."
    assert texts[f"{KH_3024}:35"].startswith("2. Địa điểm: Sở Công Thương tỉnh Lào Cai")
    assert texts[f"{KH_3024}:11"].startswith("Căn cứ Quyết định số 05/2025/QĐ-UBND")  # tab lead


@pytest.mark.parametrize("name", [KH_3898, KH_3957])
def test_real_task_tables_number_one_to_nine(name: str) -> None:
    tasks = tables(real(name))[-1]
    assert [row.cells[0] for row in tasks.rows] == ["TT"] + [f"{n}." for n in range(1, 10)]
    assert tasks.rows[-1].cells[1].startswith("Trình ký")


def test_real_de_an_08_layout_tables_deadline_and_empty_forms() -> None:
    doc = real(DE_AN_08)
    letterhead, signature, form1, form2 = tables(doc)
    assert letterhead.borderless and signature.borderless
    assert [squeeze(c) for c in letterhead.rows[0].cells] == [
        "UBND TỈNH LÀO CAI SỞ CÔNG THƯƠNG Số: /KH-SCT",
        "CỘNG HOÀ XÃ HỘI CHỦ NGHĨA VIỆT NAM Độc lập - Tự do - Hạnh phúc "
        "Lào Cai, ngày tháng 4 năm 2026",
    ]
    assert signature.rows[0].cells[1] == "KT. GIÁM ĐỐC\nPHÓ GIÁM ĐỐC\nTrịnh Văn Thành"
    deadline = [t for t, _ in paragraphs(doc) if "trước ngày 18 hằng tháng" in t]
    assert deadline and deadline[0].startswith("Các phòng, đơn vị báo cáo tình hình thực hiện")
    for form in (form1, form2):
        assert not form.borderless and form.width == 8
        assert form.rows[0].cells[0] == "TT"
        assert all(row.cells == ("",) * 8 for row in form.rows[1:])
    assert form1.where == f"{DE_AN_08}:168" and len(form1.rows) == 8


# --- bad bytes ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "không đọc được tệp Word"),
        (b"not a word file at all", "không đọc được tệp Word"),
        (REAL_BYTES[: len(REAL_BYTES) // 2], "không đọc được tệp Word"),
        (REAL_BYTES[:-30], "không đọc được tệp Word"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600, "tệp .doc (Word 97-2003)"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + "EncryptedPackage".encode("utf-16-le"),
         "mật khẩu"),
    ],
    ids=["empty", "text", "half", "truncated-tail", "doc-97", "encrypted"],
)
def test_bad_bytes_raise_input_error_naming_the_file(data: bytes, message: str) -> None:
    with pytest.raises(InputError) as info:
        read_docx(data, "kehoach.docx")
    assert info.value.file == "kehoach.docx"
    assert message in str(info.value) and str(info.value).startswith("kehoach.docx: ")


def test_other_zip_packages_are_not_word_files() -> None:
    no_document = rewrite_zip(REAL_BYTES, lambda m, c: None if m == "word/document.xml" else c)
    workbook = io.BytesIO()
    with zipfile.ZipFile(workbook, "w") as z:
        z.writestr("xl/workbook.xml", "<workbook/>")
    for data in (no_document, workbook.getvalue()):
        with pytest.raises(InputError, match="không đọc được tệp Word"):
            read_docx(data, "kehoach.docx")


def read_or_input_error(data: bytes) -> None:
    with contextlib.suppress(InputError):
        read_docx(data, "x.docx")


@settings(max_examples=60, deadline=None)
@given(st.binary(max_size=2000))
def test_random_bytes_only_ever_raise_input_error(data: bytes) -> None:
    read_or_input_error(data)


@settings(max_examples=40, deadline=None)
@given(st.integers(0, len(REAL_BYTES)))
def test_truncations_only_ever_raise_input_error(length: int) -> None:
    read_or_input_error(REAL_BYTES[:length])


@settings(max_examples=40, deadline=None)
@given(st.integers(0, len(REAL_BYTES) - 1), st.integers(0, 255))
def test_one_changed_byte_only_ever_raises_input_error(index: int, byte: int) -> None:
    read_or_input_error(REAL_BYTES[:index] + bytes([byte]) + REAL_BYTES[index + 1:])


# --- the builders ---------------------------------------------------------------------------

SEED_LIKE = TableSpec(
    rows=[
        ["TT", "Nội dung", "Đơn vị chủ trì", "Dự kiến kết quả", ""],
        ["", "", "", "Cấp quận", "Cấp phường"],
        ["1", "Thi đua cao điểm", "Phòng Nội vụ", "Hoàn thành chỉ tiêu", ""],
        ["2", "Các hoạt động thông tin, tuyên truyền", "", "", ""],
        ["2.1", "Trang trí, chiếu sáng", "TTVH quận", "Cụm pano", "Tuyến phố"],
        ["5", "Các hoạt động khác", "Các đơn vị liên quan", "", ""],
    ],
    merges=[(0, 0, 1, 0), (0, 1, 1, 1), (0, 2, 1, 2), (0, 3, 0, 4), (3, 1, 3, 4)],
    header_rows=2,
    auto_number_column=0,
    page_breaks_before=[4],
)
HEADER = [
    ("TT", "Nội dung", "Đơn vị chủ trì", "Dự kiến kết quả", ""),
    ("TT", "Nội dung", "Đơn vị chủ trì", "Cấp quận", "Cấp phường"),
]


def test_builder_round_trip_splits_at_page_breaks_repeating_headers() -> None:
    doc = read_docx(docx_bytes(["BIỂU TỔNG HỢP", SEED_LIKE, "Nơi nhận"]), "seed.docx")
    first, second = tables(doc)
    assert cells(first) == [
        *HEADER,
        ("1", "Thi đua cao điểm", "Phòng Nội vụ", "Hoàn thành chỉ tiêu", ""),
        ("2", "Các hoạt động thông tin, tuyên truyền", "", "", ""),
    ]
    assert cells(second) == [
        *HEADER,
        ("2.1", "Trang trí, chiếu sáng", "TTVH quận", "Cụm pano", "Tuyến phố"),
        ("5", "Các hoạt động khác", "Các đơn vị liên quan", "", ""),
    ]
    assert [row.continued for row in first.rows[:2]] == [
        (False,) * 5, (True, True, True, False, False)
    ]
    # paragraph 1, rows 2-5, the page-break paragraph 6, rows 7-10, paragraph 11
    assert (first.where, second.where) == ("seed.docx:2", "seed.docx:7")
    assert paragraphs(doc) == [("BIỂU TỔNG HỢP", "seed.docx:1"), ("Nơi nhận", "seed.docx:11")]


def test_builder_writes_repeating_headers_and_word_numbered_tt_cells() -> None:
    word = docx.Document(io.BytesIO(docx_bytes([SEED_LIKE])))
    for table in word.tables:
        marks = [row._tr.trPr is not None and row._tr.trPr.find(qn("w:tblHeader")) is not None
                 for row in table.rows]
        assert marks == [True, True, False, False]
    tt_cells = [row.cells[0] for table in word.tables for row in table.rows[2:]]
    assert [c.text for c in tt_cells] == ["", "", "2.1", ""]  # the numbers are Word's
    assert [c.paragraphs[0]._p.pPr is not None and c.paragraphs[0]._p.pPr.numPr is not None
            for c in tt_cells] == [True, True, False, True]


def test_builder_numbers_keep_the_spec_text_with_or_without_a_dot() -> None:
    spec = TableSpec(rows=[["TT", "Việc"], ["1.", "a"], ["2.", "b"], ["7", "c"], ["8", "d"]],
                     header_rows=1, auto_number_column=0)
    (table,) = tables(read_docx(docx_bytes([spec]), "x.docx"))
    assert [row.cells[0] for row in table.rows] == ["TT", "1.", "2.", "7", "8"]


def test_builder_rejects_page_breaks_inside_the_header() -> None:
    with pytest.raises(ValueError, match="page breaks"):
        docx_bytes([TableSpec(rows=[["TT"], ["1"]], header_rows=1, page_breaks_before=[1, 0])])
