"""`reminders reports …` through `main([...])` on a SQLite file with seed 000 and seed 004."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select

from reminders.cli import main
from reminders.config import Settings
from reminders.replan import replan
from reminders.store import make_engine, upgrade
from reminders.store.tables import submissions
from tests.feed_support import seed_plan, store_plans
from tests.ingest_support import ROOT

STORED_AT = datetime(2022, 11, 1, 2, 0, tzinfo=UTC)
AFTER = "2022-12-28T09:00"  # Wednesday, two working days after the 249/KH-UBND deadline


@pytest.fixture
def store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[Engine, int, int]]:
    monkeypatch.chdir(tmp_path)
    for name in [n for n in os.environ if n.startswith("REMINDERS_")]:
        monkeypatch.delenv(name)
    monkeypatch.setenv("REMINDERS_DATABASE_URL", f"sqlite:///{tmp_path / 'db.sqlite3'}")
    monkeypatch.setenv("REMINDERS_SERVICE_REGISTRY", str(ROOT / "config" / "units.toml"))
    engine = make_engine(f"sqlite:///{tmp_path / 'db.sqlite3'}")
    try:
        upgrade(engine)
        first, second = store_plans(engine, (seed_plan("000"), seed_plan("004")), at=STORED_AT)
        with engine.begin() as conn:
            replan(conn, Settings(), now=STORED_AT)
        yield engine, first, second
    finally:
        engine.dispose()


def _run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_status_submit_and_json(store: tuple[Engine, int, int],
                                capsys: pytest.CaptureFixture[str]) -> None:
    engine, plan_id, _ = store
    code, out, _ = _run(capsys, "reports", "status", str(plan_id), "--now", AFTER)
    assert code == 0
    assert "Kế hoạch số 249/KH-UBND" in out
    assert "25 phải báo cáo: 0 đúng hạn, 0 trễ hạn, 0 chưa đến hạn, 25 quá hạn" in out
    assert "Phòng Giáo dục và Đào tạo quận Thanh Xuân [gddt-thanh-xuan]: Quá hạn 2 ngày" in out

    code, out, _ = _run(capsys, "reports", "submit", "gddt-thanh-xuan", "2022-12-26",
                        "--date", "2022-12-27", "--so-van-ban", "12/BC-GDĐT", "--now", AFTER)
    assert code == 0, out
    assert "Trễ hạn" in out
    code, out, err = _run(capsys, "reports", "submit", "gddt-thanh-xuan", "2022-12-26",
                          "--now", AFTER)
    assert code != 0 and "đã được ghi nhận" in err  # the same report twice: refused

    code, out, _ = _run(capsys, "reports", "status", str(plan_id), "--json", "--now", AFTER)
    data = json.loads(out)
    (occ,) = data["plans"][0]["occurrences"]
    assert occ["figures"]["late"] == 1 and occ["figures"]["overdue"] == 24
    cell = next(c for c in occ["cells"] if c["unit_id"] == "gddt-thanh-xuan")
    assert (cell["state"], cell["document_number"], cell["working_days_late"]) == (
        "late", "12/BC-GDĐT", 1)
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(submissions)).scalar() == 1


def test_bad_references_are_clear_errors(store: tuple[Engine, int, int],
                                         capsys: pytest.CaptureFixture[str]) -> None:
    del store  # only the stored plans matter here
    code, _, err = _run(capsys, "reports", "submit", "gddt-thanh-xuan", "2030-01-01")
    assert code != 0 and "không tìm thấy hạn báo cáo '2030-01-01'" in err
    code, _, err = _run(capsys, "reports", "submit", "so-noi-vu-ha-noi", "2022-12-26")
    assert code != 0 and "không thuộc danh sách phải báo cáo" in err
    code, _, err = _run(capsys, "reports", "status", "999")
    assert code != 0 and "#999" in err
    code, _, err = _run(capsys, "reports", "submit", "gddt-thanh-xuan", "2022-12-26",
                        "--date", "26/12/2022")
    assert code != 0 and "YYYY-MM-DD" in err


def test_exempt_and_withdraw(store: tuple[Engine, int, int],
                             capsys: pytest.CaptureFixture[str]) -> None:
    _, plan_id, _ = store
    assert _run(capsys, "reports", "exempt", "ban-qlda-thanh-xuan", "2022-12-26")[0] != 0
    code, out, _ = _run(capsys, "reports", "exempt", "ban-qlda-thanh-xuan", "2022-12-26",
                        "--reason", "Không tham gia")
    assert code == 0 and "Đã miễn" in out
    _run(capsys, "reports", "submit", "gddt-thanh-xuan", "2022-12-26", "--now", AFTER)
    code, out, _ = _run(capsys, "reports", "withdraw", "1", "--reason", "Nhầm kỳ")
    assert code == 0 and "Nhầm kỳ" in out
    # Withdrawn today (the real clock): as of today the report no longer stands.
    code, out, _ = _run(capsys, "reports", "status", str(plan_id), "--json")
    figures = json.loads(out)["plans"][0]["figures"]
    assert (figures["expected"], figures["exempt"], figures["overdue"]) == (24, 1, 24)


def test_export_and_letter_write_files_that_open(store: tuple[Engine, int, int],
                                                 capsys: pytest.CaptureFixture[str],
                                                 tmp_path: Path) -> None:
    openpyxl = pytest.importorskip("openpyxl")
    docx = pytest.importorskip("docx")
    _, plan_id, sunday_plan = store
    _run(capsys, "reports", "submit", "vhtt-thanh-xuan", "2022-12-26", "--date", "2022-12-20",
         "--now", AFTER)
    book, sheet_csv = tmp_path / "out" / "bao-cao.xlsx", tmp_path / "out" / "bao-cao.csv"
    code, out, err = _run(capsys, "reports", "export", str(plan_id), "--xlsx", str(book),
                          "--csv", str(sheet_csv), "--now", AFTER)
    assert code == 0, err
    workbook = openpyxl.load_workbook(book)
    text = "\n".join(str(c.value) for ws in workbook for row in ws.iter_rows() for c in row
                     if c.value is not None)
    assert "Phòng Văn hóa và Thông tin quận Thanh Xuân" in text
    assert sheet_csv.read_bytes().startswith(b"\xef\xbb\xbf")
    assert len(sheet_csv.read_text("utf-8-sig").strip().splitlines()) == 1 + 25

    letter = tmp_path / "cong-van.docx"
    code, out, err = _run(capsys, "reports", "letter", str(plan_id), "2022-12-26", "--docx",
                          str(letter), "--now", AFTER)
    assert code == 0, err
    assert "24 đơn vị chưa báo cáo" in out
    body = "\n".join(p.text for p in docx.Document(str(letter)).paragraphs)
    tables = "\n".join(c.text for t in docx.Document(str(letter)).tables for r in t.rows
                       for c in r.cells)
    whole = body + tables
    assert "249/KH-UBND" in whole
    assert "Phòng Giáo dục và Đào tạo quận Thanh Xuân" in whole
    assert "PHÒNG VĂN HÓA VÀ THÔNG TIN" in whole and "UBND QUẬN THANH XUÂN" in whole.upper()

    # A deadline everyone met needs no letter, and says so; nothing is written.
    _run(capsys, "reports", "submit", "so-noi-vu-ha-noi", "2024-11-14", "--date",
         "2024-11-13", "--now", "2024-11-20")
    none = tmp_path / "khong.docx"
    code, _, err = _run(capsys, "reports", "letter", str(sunday_plan), "2024-11-14", "--docx",
                        str(none), "--now", "2024-11-20")
    assert code != 0 and "mọi đơn vị đã báo cáo" in err
    assert not none.exists()
