"""Scans through Tesseract and old Word files through LibreOffice, the real programs.

The scan is the real plan KH-3957 printed and scanned at 200 dpi in black and white (its
annex table ruled); the photo is its annex page taken as a JPEG. The .doc, .odt and .rtf
are real plans saved in those formats. Each must read as the Word file does; every item
read through OCR says so. Without the program, the message names the Debian package.
"""

from __future__ import annotations

import pytest

from reminders.errors import InputError
from reminders.ingest.read import InputFile, Tools, read_document
from tests.ingest_support import FORMATS, REAL_PLANS, import_files, reading

SYSTEM = Tools.system()
needs_tesseract = pytest.mark.skipif(SYSTEM.ocr is None and not __import__("os").environ.get(
    "CI"), reason="Tesseract with Vietnamese (tesseract-ocr-vie) is not installed")
needs_libreoffice = pytest.mark.skipif(SYSTEM.convert is None and not __import__("os").environ.get(
    "CI"), reason="LibreOffice (libreoffice-writer-nogui) is not installed")
KH_3957 = "KH-3957_3.7.2026_Kiem-tra-cap-GCN-19-don-vi"


@pytest.mark.slow
@needs_tesseract
def test_a_scanned_plan_reads_as_its_word_file_and_every_item_is_flagged() -> None:
    word = reading(import_files(REAL_PLANS / f"{KH_3957}.docx"))
    scanned = import_files(FORMATS / "KH-3957_ban-quet.pdf")
    read = reading(scanned)
    assert len(read["activities"]) == len(word["activities"])
    titles = {a[0] for a in word["activities"]}
    same = sum(a[0] in titles for a in read["activities"])
    assert same >= len(titles) - 2, read["activities"]  # OCR may miss a tone here and there
    assert read["plan"]["number"] == word["plan"]["number"]
    flagged = {w.where for w in scanned.warnings if w.code == "ocr"}
    assert {a.source for a in scanned.activities} <= flagged


@pytest.mark.slow
@needs_tesseract
def test_a_photo_of_a_ruled_table_keeps_its_rows() -> None:
    data = (FORMATS / "KH-3957_phu-luc_anh.jpg").read_bytes()
    document = read_document(InputFile("phu-luc.jpg", data), SYSTEM)
    tables = [b for b in document.blocks if hasattr(b, "rows") and len(b.rows) > 5]
    assert tables, "the annex table"
    rows = tables[0].rows
    assert rows[0].cells[1:3] == ("Nhiệm vụ thực hiện", "Người thực hiện")
    assert "Rà soát việc đáp ứng các điều kiện của học viên" in rows[1].cells[1]
    assert len(rows) == 10
    assert {r.where for r in rows} <= document.ocr


def test_without_tesseract_a_scan_names_the_package() -> None:
    data = (FORMATS / "KH-3957_phu-luc_anh.jpg").read_bytes()
    with pytest.raises(InputError, match="tesseract-ocr-vie") as caught:
        read_document(InputFile("anh.jpg", data), Tools())
    assert "anh.jpg" in str(caught.value)


@pytest.mark.slow
@needs_libreoffice
@pytest.mark.parametrize(("stem", "suffix"), [
    (KH_3957, ".doc"),
    ("KH-3024_27.5.2026_Ky-rieng-Sin-Quyen", ".odt"),
    ("KH-3898_30.6.2026_Huan-luyen-nguoi-quan-ly", ".rtf"),
])
def test_old_word_odt_and_rtf_read_as_the_word_file(stem: str, suffix: str) -> None:
    assert reading(import_files(FORMATS / f"{stem}{suffix}")) == reading(
        import_files(REAL_PLANS / f"{stem}.docx"))


def test_without_libreoffice_an_old_word_file_names_the_package() -> None:
    data = (FORMATS / f"{KH_3957}.doc").read_bytes()
    with pytest.raises(InputError, match="libreoffice-writer-nogui"):
        read_document(InputFile("cu.doc", data), Tools())
