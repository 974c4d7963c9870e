"""Web copies (.html saved from a legal-document site): the body only, read as the text."""

from __future__ import annotations

from pathlib import Path

import pytest

from reminders.errors import InputError
from reminders.ingest.document import Paragraph, Table
from reminders.ingest.html import read_html
from tests.ingest_support import import_bytes, import_files, reading, seed
from tests.web_copies import web_copy


@pytest.mark.parametrize(("prefix", "number", "issued"), [
    ("000", "249/KH-UBND", "20/09/2022"),
    ("003", "123/KH-UBND", "08/10/2024"),
    ("004", "324/KH-UBND", "08/11/2024"),
])
def test_web_copy_reads_as_the_text_of_the_plan(prefix: str, number: str, issued: str,
                                                tmp_path: Path) -> None:
    text = seed(prefix)
    page = web_copy(text, number=number, issued=issued)
    from_text = reading(import_files(text))
    from_page = reading(import_bytes((f"{prefix}.html", page)))
    assert from_page == from_text
    assert from_text["activities"] or from_text["assignments"]


def test_the_sites_menus_metadata_related_documents_and_footer_are_left_out() -> None:
    page = web_copy(seed("000"), number="249/KH-UBND", issued="20/09/2022")
    document = read_html(page, "kh.html")
    text = "\n".join(p.text for p in document.paragraphs())
    for chrome in ("Trang chủ", "Tìm kiếm", "Số hiệu", "Tình trạng", "Văn bản liên quan",
                   "20/01/2023", "Bình luận", "Giấy phép", "dangNhap", "text-align"):
        assert chrome not in text, chrome
    assert text.startswith("UBND QUẬN THANH XUÂN")


def test_tables_keep_rowspan_and_colspan_on_the_grid() -> None:
    page = """<html><body><div class="content"><p><b>KẾ HOẠCH</b></p>
    <table border="1">
    <tr><th>TT</th><th>Nội dung</th><th>Chủ trì</th><th>Thời gian</th></tr>
    <tr><td>I</td><td colspan="3">Cấp huyện</td></tr>
    <tr><td>1</td><td>Hội thi <i>tuyên truyền</i> &amp; triển lãm</td>
        <td rowspan="2">Phòng VH&amp;TT</td><td>Tháng 3/2025</td></tr>
    <tr><td>2</td><td>Hội nghị<br>sơ kết</td><td>Quý II/2025</td></tr>
    </table></div></body></html>""".encode()
    tables = [b for b in read_html(page, "t.html").blocks if isinstance(b, Table)]
    rows = tables[0].rows
    assert [r.cells for r in rows] == [
        ("TT", "Nội dung", "Chủ trì", "Thời gian"),
        ("I", "Cấp huyện", "", ""),
        ("1", "Hội thi tuyên truyền & triển lãm", "Phòng VH&TT", "Tháng 3/2025"),
        ("2", "Hội nghị sơ kết", "Phòng VH&TT", "Quý II/2025"),
    ]
    assert rows[3].continued == (False, False, True, False)


def test_a_line_break_in_mid_sentence_is_a_space_and_one_after_a_sentence_is_not() -> None:
    page = ("<html><body><div><p>KẾ HOẠCH</p><p>Báo cáo kết quả về UBND huyện<br>trước ngày "
            "15/12/2025.<br>Phòng Nội vụ tổng hợp.</p></div></body></html>").encode()
    texts = [b.text for b in read_html(page, "p.html").blocks if isinstance(b, Paragraph)]
    assert texts == ["KẾ HOẠCH", "Báo cáo kết quả về UBND huyện trước ngày 15/12/2025.",
                     "Phòng Nội vụ tổng hợp."]


@pytest.mark.parametrize("data", [b"", b"   ", "<html><body><nav class='menu'>Trang chủ</nav>"
                                  "</body></html>".encode()])
def test_a_page_without_a_document_is_a_clear_error(data: bytes) -> None:
    with pytest.raises(InputError) as caught:
        read_html(data, "trang.html")
    assert "trang.html" in str(caught.value)
