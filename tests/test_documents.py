"""The office's documents built from report states read out of a real store."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path

import openpyxl
import pytest
from sqlalchemy import Engine

from reminders.config import Settings
from reminders.config.schema import WorkdaySettings
from reminders.documents.csv_export import COLUMNS, status_csv, status_csv_bytes
from reminders.documents.letter import follow_up_letter
from reminders.documents.printable import missing_list_html
from reminders.documents.xlsx import STATE_FILLS, status_workbook
from reminders.replan import replan
from reminders.reports import PlanView, ReportsView, reports_view
from reminders.status import ReportState, SubmissionKind, Via
from reminders.store import make_engine, upgrade
from reminders.store.reports import add_expected, record_submission, set_exempt
from tests.documents_support import cells, letter_text
from tests.feed_support import store_seeds

T0 = datetime(2022, 11, 1, 2, tzinfo=UTC)
NOW = datetime(2022, 12, 30, 3, tzinfo=UTC)  # Friday 10:00 in Hà Nội, 4 working days late
SETTINGS = Settings(workdays=WorkdaySettings(deadline_on_day_off="next_working_day"))

ON_TIME = "gddt-thanh-xuan"  # Phòng Giáo dục và Đào tạo quận Thanh Xuân
LATE = "kinh-te-thanh-xuan"  # Phòng Kinh tế quận Thanh Xuân
EXEMPT = "ban-qlda-thanh-xuan"  # Ban Quản lý dự án đầu tư xây dựng quận Thanh Xuân
SEEN = "ubnd-phuong-ha-dinh"  # Ủy ban nhân dân phường Hạ Đình
REPORTED_NAMES = ("Phòng Giáo dục và Đào tạo quận Thanh Xuân", "Phòng Kinh tế quận Thanh Xuân",
                  "Ban Quản lý dự án đầu tư xây dựng quận Thanh Xuân")
ADDED = "so-noi-vu-ha-noi"  # added by the office to the first month of the monthly plan


def build(engine: Engine) -> ReportsView:
    """The seeds published, one report on time, one late, one unit exempt, one only seen."""
    store_seeds(engine, at=T0)
    with engine.begin() as conn:
        replan(conn, Settings(), now=T0)
        first = reports_view(conn, SETTINGS, now=NOW)
        occ = _plan(first, "249/KH-UBND").reports.occurrences[0].occurrence.id
        record_submission(conn, occurrence_id=occ, unit_id=ON_TIME, kind=SubmissionKind.SUBMITTED,
                          via=Via.LINK, at=datetime(2022, 12, 20, 2, tzinfo=UTC),
                          document_number="15/BC-GDĐT", document_date=date(2022, 12, 19))
        record_submission(conn, occurrence_id=occ, unit_id=LATE, kind=SubmissionKind.SUBMITTED,
                          via=Via.DASHBOARD, at=datetime(2022, 12, 28, 3, tzinfo=UTC),
                          by_user="vanthu")
        set_exempt(conn, occ, EXEMPT, exempt=True, reason="Đang sáp nhập")
        record_submission(conn, occurrence_id=occ, unit_id=SEEN, kind=SubmissionKind.SEEN,
                          via=Via.LINK, at=datetime(2022, 12, 22, 2, tzinfo=UTC))
        monthly = next(v for v in first.plans if len(v.reports.occurrences) == 12)
        add_expected(conn, monthly.reports.occurrences[0].occurrence.id, ADDED)
        return reports_view(conn, SETTINGS, now=NOW)


def _plan(view: ReportsView, number: str) -> PlanView:
    return next(v for v in view.plans if v.plan.number == number)


@pytest.fixture(scope="module")
def states(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ReportsView]:
    """Built once on SQLite; every test here only reads it (the functions are pure)."""
    path: Path = tmp_path_factory.mktemp("documents") / "reminders.db"
    engine = make_engine(f"sqlite:///{path}")
    try:
        upgrade(engine)
        yield build(engine)
    finally:
        engine.dispose()


@pytest.fixture(scope="module")
def book(states: ReportsView) -> openpyxl.Workbook:
    return openpyxl.load_workbook(io.BytesIO(status_workbook(states.plans, now=NOW)))


def _rows(sheet: object) -> list[tuple[object, ...]]:
    return list(sheet.iter_rows(values_only=True))  # type: ignore[attr-defined]


def _figures(sheet: object) -> dict[str, tuple[object, ...]]:
    """The figures block under the matrix: label → values per occurrence, then the plan's."""
    rows = _rows(sheet)
    start = next(i for i, r in enumerate(rows) if r[1] == "Số liệu")
    return {str(r[1]): r[2:] for r in rows[start + 1:start + 11]}


# --- workbook ---------------------------------------------------------------------------------


def test_workbook_has_a_summary_then_a_sheet_per_plan(states: ReportsView,
                                                      book: openpyxl.Workbook) -> None:
    expected = ["Tổng hợp"] + [(v.plan.number or f"Kế hoạch {v.plan.id}").replace("/", "-")
                               for v in states.plans]
    assert book.sheetnames == expected
    assert "249-KH-UBND" in expected and "324-KH-UBND" in expected


def test_plan_sheet_shows_each_unit_state_with_its_colour(states: ReportsView,
                                                          book: openpyxl.Workbook) -> None:
    sheet = book["249-KH-UBND"]
    assert sheet["A1"].value == "Kế hoạch số 249/KH-UBND ngày 20/09/2022 của UBND quận Thanh Xuân"
    assert sheet["A3"].value == "Số liệu tính đến 10:00 ngày 30/12/2022"
    assert sheet["C6"].value == "Báo cáo kết quả\nHạn: 26/12/2022"
    assert sheet.freeze_panes == "C7"
    units = _plan(states, "249/KH-UBND").reports.units()
    assert len(units) == 25
    names = [sheet.cell(7 + i, 2).value for i in range(len(units))]
    assert names == [name for _, name in units]
    assert sheet.cell(7 + len(units), 2).value is None  # the matrix ends there
    row_of = {unit_id: 7 + i for i, (unit_id, _) in enumerate(units)}
    expected = {
        ON_TIME: ("Đúng hạn\nSố VB: 15/BC-GDĐT", ReportState.ON_TIME),
        LATE: ("Trễ hạn (2 ngày)", ReportState.LATE),
        EXEMPT: ("Miễn", ReportState.EXEMPT),
        SEEN: ("Quá hạn (4 ngày)\nĐã nhận tin nhắc", ReportState.OVERDUE),
        "noi-vu-thanh-xuan": ("Quá hạn (4 ngày)", ReportState.OVERDUE),
    }
    for unit_id, (text, state) in expected.items():
        cell = sheet.cell(row_of[unit_id], 3)
        assert (cell.value, cell.fill.fgColor.rgb) == (text, STATE_FILLS[state]), unit_id
    overdue = [r for r in range(7, 32) if sheet.cell(r, 3).fill.fgColor.rgb
               == STATE_FILLS[ReportState.OVERDUE]]
    assert len(overdue) == 22


def test_plan_sheet_figures_per_occurrence_and_for_the_plan(book: openpyxl.Workbook) -> None:
    figures = _figures(book["249-KH-UBND"])
    counts = {label: values for label, values in figures.items() if "Tỷ lệ" not in label}
    assert counts == {"Phải báo cáo": (24, 24), "Đã báo cáo": (2, 2), "Đúng hạn": (1, 1),
                      "Trễ hạn": (1, 1), "Chưa đến hạn": (0, 0), "Quá hạn": (22, 22),
                      "Đã nhận tin, chưa báo cáo": (1, 1), "Miễn": (1, 1)}
    assert figures["Tỷ lệ báo cáo"] == pytest.approx((2 / 24, 2 / 24))
    assert figures["Tỷ lệ đúng hạn"] == pytest.approx((1 / 24, 1 / 24))
    sheet = book["249-KH-UBND"]
    rate = next(c for row in sheet.iter_rows() for c in row if c.value == "Tỷ lệ báo cáo")
    assert sheet.cell(rate.row, 3).number_format == "0.0%"
    legend = next(c for row in sheet.iter_rows() for c in row if c.value == "Chú giải")
    swatches = [sheet.cell(legend.row + i, 2) for i in range(1, 6)]
    assert {c.value: c.fill.fgColor.rgb for c in swatches} == {
        state.label: STATE_FILLS[state] for state in ReportState}


def test_moved_deadlines_and_units_not_expected(states: ReportsView,
                                                book: openpyxl.Workbook) -> None:
    sheet = book["324-KH-UBND"]
    assert sheet["C6"].value.endswith("Hạn: 14/11/2024")
    assert sheet["D6"].value.endswith("Hạn: 17/11/2024\n* lùi sang 18/11/2024")  # a Sunday
    monthly = next(v for v in states.plans if len(v.reports.occurrences) == 12)
    sheet = book[f"Kế hoạch {monthly.plan.id}"]
    headers = [sheet.cell(6, c).value for c in range(3, 15)]
    assert [h for h in headers if "lùi sang" in h] == [
        "Báo cáo kết quả\nHạn: 19/05/2024\n* lùi sang 20/05/2024",
        "Báo cáo kết quả\nHạn: 19/10/2024\n* lùi sang 21/10/2024"]
    row = next(r for r in range(7, 40) if sheet.cell(r, 2).value == "Sở Nội vụ thành phố Hà Nội")
    first = sheet.cell(row, 3)
    assert (first.value, first.fill.fgColor.rgb) == ("Chưa đến hạn",
                                                     STATE_FILLS[ReportState.OPEN])
    later = [sheet.cell(row, c) for c in range(4, 15)]
    assert [c.value for c in later] == [None] * 11
    assert {c.fill.fill_type for c in later} == {None}
    figures = _figures(sheet)
    assert figures["Phải báo cáo"] == (26, *(25,) * 11, 301)
    assert figures["Tỷ lệ báo cáo"] == ("—",) * 13  # nothing due yet


def test_summary_sheet_one_row_per_plan(states: ReportsView, book: openpyxl.Workbook) -> None:
    sheet = book["Tổng hợp"]
    rows = _rows(sheet)
    assert rows[3][:6] == ("STT", "Kế hoạch", "Trích yếu", "Số lần báo cáo", "Phải báo cáo",
                           "Đã báo cáo")
    body = rows[4:4 + len(states.plans)]
    assert [r[1] for r in body] == [v.plan.label for v in states.plans]
    mine = next(r for r in body if r[1].startswith("Kế hoạch số 249/KH-UBND"))
    assert mine[3:12] == (1, 24, 2, 1, 1, 0, 22, 1, 1)
    assert mine[12:14] == pytest.approx((2 / 24, 1 / 24))
    assert mine[14] == "249-KH-UBND"
    assert rows[4 + len(states.plans)][1] == "Cộng"
    assert rows[4 + len(states.plans)][4] == 24 + 301 + 2  # the 249, monthly and 324 plans
    link = next(c for c in sheet["O"] if c.value == "249-KH-UBND").hyperlink
    assert link.location == "'249-KH-UBND'!A1"


# --- CSV --------------------------------------------------------------------------------------


def test_csv_one_row_per_plan_occurrence_and_unit(states: ReportsView) -> None:
    rows = list(csv.DictReader(io.StringIO(status_csv(states.plans))))
    assert tuple(rows[0]) == COLUMNS
    assert len(rows) == 25 + 12 * 25 + 1 + 2
    mine = {r["unit_id"]: r for r in rows if r["plan_label"].startswith("Kế hoạch số 249")}
    assert len(mine) == 25
    plan = _plan(states, "249/KH-UBND")
    assert mine[ON_TIME] == {
        "plan_id": str(plan.plan.id), "plan_label": plan.plan.label,
        "occurrence_id": str(plan.reports.occurrences[0].occurrence.id),
        "deadline_title": "Báo cáo kết quả", "due_date": "2022-12-26",
        "effective_due": "2022-12-26", "unit_id": ON_TIME,
        "unit_name": "Phòng Giáo dục và Đào tạo quận Thanh Xuân", "state": "on_time",
        "state_label": "Đúng hạn", "working_days": "0",
        "submitted_at": "2022-12-20T09:00:00+07:00", "via": "link",
        "document_number": "15/BC-GDĐT", "document_date": "2022-12-19", "seen_at": "",
        "exempt_reason": ""}
    picked = {u: (mine[u]["state"], mine[u]["working_days"], mine[u]["submitted_at"],
                  mine[u]["via"], mine[u]["seen_at"], mine[u]["exempt_reason"])
              for u in (LATE, EXEMPT, SEEN)}
    assert picked == {
        LATE: ("late", "2", "2022-12-28T10:00:00+07:00", "dashboard", "", ""),
        EXEMPT: ("exempt", "0", "", "", "", "Đang sáp nhập"),
        SEEN: ("overdue", "4", "", "", "2022-12-22T09:00:00+07:00", ""),
    }
    assert sum(r["state"] == "overdue" for r in mine.values()) == 22
    moved = [r for r in rows if r["due_date"] != r["effective_due"]]
    assert {(r["due_date"], r["effective_due"]) for r in moved} == {
        ("2024-11-17", "2024-11-18"), ("2024-05-19", "2024-05-20"),
        ("2024-10-19", "2024-10-21")}


def test_csv_bytes_carry_a_bom_for_excel(states: ReportsView) -> None:
    data = status_csv_bytes(states.plans)
    assert data.startswith(b"\xef\xbb\xbf")
    assert data.decode("utf-8-sig") == status_csv(states.plans)


# --- printable list ---------------------------------------------------------------------------


def test_printable_list_names_exactly_the_missing_units(states: ReportsView) -> None:
    view = _plan(states, "249/KH-UBND")
    page = missing_list_html(view, now=NOW)
    found = cells(page)
    missing = [c.unit_name for c in view.reports.occurrences[0].missing()]
    assert len(missing) == 22
    assert found["unit"] == missing
    assert not set(REPORTED_NAMES) & set(found["unit"])
    assert found["n"] == [str(n) for n in range(1, 23)]
    assert set(found["state"]) == {"Quá hạn 4 ngày làm việc"}
    seen = dict(zip(found["unit"], found["seen"], strict=True))
    assert seen["Ủy ban nhân dân phường Hạ Đình"] == "Đã nhận lúc 09:00 ngày 22/12/2022"
    assert seen["Phòng Nội vụ quận Thanh Xuân"] == "Chưa xác nhận"
    assert "Danh sách đơn vị chưa báo cáo" in page and "@page" in page
    assert "Số liệu tính đến 10:00 ngày 30/12/2022" in page
    assert "Phải báo cáo: 24 · Đã báo cáo: 2 (đúng hạn 1, trễ hạn 1)" in page
    assert "<script" not in page and "src=" not in page and "<link" not in page


def test_printable_list_one_occurrence_or_up_to_a_day(states: ReportsView) -> None:
    view = _plan(states, "324/KH-UBND")
    second = view.reports.occurrences[1]
    page = missing_list_html(view, now=NOW, occurrence_id=second.occurrence.id)
    assert page.count("<section") == 1
    assert "17/11/2024 (lùi sang 18/11/2024 do trùng ngày nghỉ)" in page
    assert cells(page)["state"] == ["Chưa đến hạn"]
    with pytest.raises(ValueError, match="không có hạn báo cáo số 999999"):
        missing_list_html(view, now=NOW, occurrence_id=999999)
    monthly = next(v for v in states.plans if len(v.reports.occurrences) == 12)
    page = missing_list_html(monthly, now=NOW, due_until=date(2024, 2, 29))
    assert page.count("<section") == 2
    assert len(cells(page)["unit"]) == 26 + 25


# --- letter -----------------------------------------------------------------------------------


def test_letter_asks_exactly_the_missing_units(states: ReportsView) -> None:
    view = _plan(states, "249/KH-UBND")
    occurrence = view.reports.occurrences[0]
    data = follow_up_letter(view, occurrence, issuer_parent="UBND quận Thanh Xuân",
                            issuer_name="Phòng Văn hóa và Thông tin", place="Thanh Xuân",
                            now=NOW)
    document, text = letter_text(data)
    for needed in ("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc",
                   "Kính gửi:", "Nơi nhận:", "249/KH-UBND", "UBND QUẬN THANH XUÂN",
                   "PHÒNG VĂN HÓA VÀ THÔNG TIN", "Thanh Xuân, ngày      tháng      năm 2022",
                   "V/v đôn đốc báo cáo kết quả theo Kế hoạch số 249/KH-UBND",
                   "tính đến ngày 30/12/2022", "quá hạn 4 ngày làm việc",
                   "trước ngày …/…/…", "- UBND quận Thanh Xuân (để b/c);", "TRƯỞNG PHÒNG"):
        assert needed in text, needed
    listed = [p.text for p in document.paragraphs if p.text.startswith("- ")]
    assert listed == [f"- {c.unit_name}{';' if i < 21 else '.'}"
                      for i, c in enumerate(occurrence.missing())]
    for name in REPORTED_NAMES:
        assert name not in text
    header = document.tables[0].rows[0].cells[0].paragraphs
    assert header[1].runs[0].bold
    section = document.sections[0]
    assert round(section.left_margin.mm) == 30 and round(section.right_margin.mm) == 15
    assert round(section.page_width.mm) == 210 and round(section.page_height.mm) == 297
    assert document.styles["Normal"].font.name == "Times New Roman"


def test_letter_to_one_unit_with_a_moved_deadline(states: ReportsView) -> None:
    view = _plan(states, "324/KH-UBND")
    data = follow_up_letter(view, view.reports.occurrences[1],
                            issuer_parent="UBND thành phố Hà Nội",
                            issuer_name="Sở Văn hóa và Thể thao", place="Hà Nội", now=NOW,
                            signer_title="Giám đốc")
    _, text = letter_text(data)
    assert "Kính gửi: Sở Nội vụ thành phố Hà Nội." in text
    assert "do trùng ngày nghỉ nên lùi sang ngày 18/11/2024" in text
    assert "GIÁM ĐỐC" in text and "V/v đôn đốc báo cáo theo Kế hoạch số 324/KH-UBND" in text
    monthly = next(v for v in states.plans if len(v.reports.occurrences) == 12)
    _, text = letter_text(follow_up_letter(
        monthly, monthly.reports.occurrences[1], issuer_parent="UBND quận Thanh Xuân",
        issuer_name="Phòng Văn hóa và Thông tin", place="Thanh Xuân", now=NOW))
    assert "V/v đôn đốc báo cáo kết quả theo Kế hoạch (kỳ hạn 19/02/2024)" in text
    assert "(chưa đến hạn)" in text


# --- the same documents from both databases --------------------------------------------------


def test_documents_from_either_database(engine: Engine) -> None:
    states = build(engine)
    rows = [r for r in csv.DictReader(io.StringIO(status_csv(states.plans)))
            if r["plan_label"].startswith("Kế hoạch số 249")]
    got = {r["unit_id"]: (r["state"], r["working_days"], r["submitted_at"], r["seen_at"])
           for r in rows if r["unit_id"] in (ON_TIME, LATE, EXEMPT, SEEN)}
    assert got == {ON_TIME: ("on_time", "0", "2022-12-20T09:00:00+07:00", ""),
                   LATE: ("late", "2", "2022-12-28T10:00:00+07:00", ""),
                   EXEMPT: ("exempt", "0", "", ""),
                   SEEN: ("overdue", "4", "", "2022-12-22T09:00:00+07:00")}
    sheet = openpyxl.load_workbook(io.BytesIO(status_workbook(states.plans, now=NOW)))[
        "249-KH-UBND"]
    assert _figures(sheet)["Quá hạn"] == (22, 22)
