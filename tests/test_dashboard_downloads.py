"""The dashboard's downloads: workbook, CSV, printable list, follow-up letter (SQLite)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import docx
import openpyxl
import pytest
from sqlalchemy import Engine

from reminders.store import make_engine, upgrade
from tests.dashboard_support import PLAN_249, occurrence_ids, seed, site

AFTER_DUE = datetime(2022, 12, 28, 2, 0, tzinfo=UTC)  # Wednesday 09:00, two days overdue


@pytest.fixture
def seeded(tmp_path: Path) -> Iterator[Engine]:
    engine = make_engine(f"sqlite:///{tmp_path / 'reminders.db'}")
    upgrade(engine)
    seed(engine)
    yield engine
    engine.dispose()


def test_downloads_open_and_hold_the_units(seeded: Engine) -> None:
    (occurrence,) = occurrence_ids(seeded, PLAN_249, AFTER_DUE)
    with site(seeded, at=AFTER_DUE) as s:
        # Before login: every download sends to the login page, nothing leaks.
        assert s.client.get(f"/quan-ly/ke-hoach/{PLAN_249}/xuat.xlsx").status_code == 303
        s.login("lanhdao")  # a leader reads: downloads are reading
        book = s.client.get(f"/quan-ly/ke-hoach/{PLAN_249}/xuat.xlsx")
        assert book.status_code == 200
        assert "attachment" in book.headers["content-disposition"]
        workbook = openpyxl.load_workbook(io.BytesIO(book.content))
        cells = {str(c.value) for ws in workbook for row in ws.iter_rows() for c in row}
        assert "Phòng Giáo dục và Đào tạo quận Thanh Xuân" in cells

        sheet = s.client.get(f"/quan-ly/ke-hoach/{PLAN_249}/xuat.csv")
        rows = list(csv.DictReader(io.StringIO(sheet.content.decode("utf-8-sig"))))
        assert len(rows) == 25 and {r["state"] for r in rows} == {"overdue"}

        printable = s.client.get(f"/quan-ly/ke-hoach/{PLAN_249}/in")
        assert printable.status_code == 200
        assert "Danh sách đơn vị chưa báo cáo" in printable.text
        assert "Ủy ban nhân dân phường Phương Liệt" in printable.text

        letter = s.client.get(f"/quan-ly/han/{occurrence}/cong-van.docx")
        assert letter.status_code == 200
        document = docx.Document(io.BytesIO(letter.content))
        text = "\n".join([p.text for p in document.paragraphs]
                         + [c.text for t in document.tables for r in t.rows for c in r.cells])
        assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in text
        assert "249/KH-UBND" in text and "Phòng Kinh tế quận Thanh Xuân" in text

        assert s.client.get("/quan-ly/ke-hoach/999/xuat.xlsx").status_code == 404
        assert s.client.get("/quan-ly/han/999/cong-van.docx").status_code == 404
