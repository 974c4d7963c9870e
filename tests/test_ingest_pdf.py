"""Signed PDFs (a text layer): the real plans as PDF read as their Word files do.

tests/data/formats/ holds the four real plans of tests/data/real_plans exported to PDF as
an office's e-document system does (LibreOffice, Liberation fonts: Word's metrics), and
one exported with letters spaced 3 pt apart, which extraction breaks into single letters.
"""

from __future__ import annotations

import pytest

from reminders.errors import InputError
from reminders.ingest.document import Paragraph, Table
from reminders.ingest.pdf import read_pdf
from tests.ingest_support import FORMATS, REAL_PLANS, import_files, reading

PLANS = sorted(p.stem for p in REAL_PLANS.glob("*.docx"))


@pytest.mark.parametrize("stem", PLANS)
def test_pdf_reads_as_its_word_file(stem: str) -> None:
    word = reading(import_files(REAL_PLANS / f"{stem}.docx"))
    pdf = reading(import_files(FORMATS / f"{stem}.pdf"))
    assert pdf == word
    assert word["activities"], "the comparison must cover activities"


def test_letters_set_apart_are_words_again() -> None:
    word = reading(import_files(REAL_PLANS / "KH-3898_30.6.2026_Huan-luyen-nguoi-quan-ly.docx"))
    spaced = reading(import_files(FORMATS / "KH-3898_gian-chu.pdf"))
    assert spaced["activities"] == word["activities"]
    assert spaced["plan"]["title"] == word["plan"]["title"]


def _document(name: str) -> list[Paragraph | Table]:
    return list(read_pdf((FORMATS / name).read_bytes(), name).blocks)


def test_letterhead_and_signature_are_layout_tables_and_page_numbers_are_gone() -> None:
    blocks = _document("ke-hoach-thuc-hien-de-an-08.pdf")
    head = blocks[0]
    assert isinstance(head, Table) and head.borderless
    left, right = head.rows[0].cells
    assert left.splitlines()[:2] == ["UBND TỈNH LÀO CAI", "SỞ CÔNG THƯƠNG"]
    assert right.startswith("CỘNG HOÀ XÃ HỘI CHỦ NGHĨA VIỆT NAM\nĐộc lập - Tự do - Hạnh phúc")
    texts = [b.text for b in blocks if isinstance(b, Paragraph)]
    assert not any(t.strip().isdigit() for t in texts)  # page numbers
    assert any(isinstance(b, Table) and "Nơi nhận" in b.rows[0].cells[0] for b in blocks)


def test_paragraphs_wrapped_over_lines_and_pages_are_whole() -> None:
    texts = [b.text for b in _document("KH-3957_3.7.2026_Kiem-tra-cap-GCN-19-don-vi.pdf")
             if isinstance(b, Paragraph)]
    assert ("Căn cứ Luật Quản lý, sử dụng vũ khí, vật liệu nổ và công cụ hỗ trợ ngày 26 tháng "
            "8 năm 2024;") in texts
    assert "1. Thời gian kiểm tra: 13h30’ ngày 07/7/2026 (Thứ Ba)." in texts
    # the list of 19 companies runs over a page break and stays one paragraph per item
    assert any(t.startswith("Xét đề nghị của 19 đơn vị gồm:") and "Công ty" in t for t in texts)


def test_ruled_table_keeps_its_rows_and_cells() -> None:
    tables = [b for b in _document("KH-3957_3.7.2026_Kiem-tra-cap-GCN-19-don-vi.pdf")
              if isinstance(b, Table) and not b.borderless]
    assert len(tables) == 1
    rows = tables[0].rows
    assert rows[0].cells == ("TT", "Nhiệm vụ thực hiện", "Người thực hiện", "Ghi chú")
    assert rows[1].cells[:3] == ("1.", "Rà soát việc đáp ứng các điều kiện của học viên",
                                 "Đỗ Mạnh Cường\nVũ Việt Linh\nNguyễn Thị Loan")
    assert [r.cells[0] for r in rows[1:]] == [f"{n}." for n in range(1, 10)]


def test_a_scanned_page_without_ocr_names_the_page_and_the_package() -> None:
    data = (FORMATS / "KH-3957_ban-quet.pdf").read_bytes()
    with pytest.raises(InputError) as caught:
        read_pdf(data, "quet.pdf", ocr=None)
    message = str(caught.value)
    assert "quet.pdf" in message and "trang 1" in message and "tesseract-ocr-vie" in message


@pytest.mark.parametrize("data", [b"%PDF-1.4\n", b"%PDF-1.7\n1 0 obj <<>> endobj trailer",
                                  b"not a pdf at all"])
def test_broken_pdf_is_a_clear_error(data: bytes) -> None:
    with pytest.raises(InputError, match="không đọc được tệp PDF"):
        read_pdf(data, "hong.pdf")


def test_progress_is_told_page_by_page() -> None:
    seen: list[tuple[int, int]] = []
    name = "KH-3957_3.7.2026_Kiem-tra-cap-GCN-19-don-vi.pdf"
    read_pdf((FORMATS / name).read_bytes(), name, progress=lambda done, total: seen.append(
        (done, total)))
    assert seen == [(1, 4), (2, 4), (3, 4), (4, 4)]
