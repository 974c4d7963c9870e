"""The office's documents from report states built by hand: edge cases, escaping, names."""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping
from datetime import UTC, date, datetime

import docx
import openpyxl
import pytest

from reminders.documents.csv_export import COLUMNS, status_csv, status_csv_bytes
from reminders.documents.letter import follow_up_letter
from reminders.documents.printable import missing_list_html
from reminders.documents.wording import shorten
from reminders.documents.xlsx import STATE_FILLS, sheet_titles, status_workbook
from reminders.domain import PlanStatus
from reminders.reports import PlanView
from reminders.status import (
    NEXT_WORKING_DAY,
    Expectation,
    Occurrence,
    ReportState,
    Rules,
    Submission,
    SubmissionKind,
    Via,
    plan_reports,
)
from reminders.store.reports import ReportPlan
from reminders.workdays import WorkCalendar
from tests.documents_support import cells, letter_text

NOW = datetime(2024, 11, 19, 3, tzinfo=UTC)  # Tuesday; the deadline of Sunday 17 moved to 18
DUE = date(2024, 11, 17)
HOSTILE = "<script>alert('x')</script> Hội \"CCB\" & Đoàn"


def hand_view(names: Mapping[str, str], *, reported: tuple[str, ...] = (),
              exempt: tuple[str, ...] = (), plan_id: int = 7, number: str | None = "12/KH-UBND",
              title: str = "Tổ chức Ngày hội", occurrences: int = 1) -> PlanView:
    """A plan with one deadline due on DUE (a Sunday), the units `names` expected."""
    plan = ReportPlan(id=plan_id, number=number, issuer="UBND quận Thanh Xuân",
                      issued=date(2024, 11, 1), title=title, place="Thanh Xuân",
                      status=PlanStatus.PUBLISHED,
                      standing_unit_id=None, standing_name=None)
    occs = [Occurrence(id=100 + n, plan_id=plan_id, deadline_id=10, deadline_uid="d-10",
                       title="Báo cáo kết quả", time_text="trước ngày 18/11/2024",
                       due_date=DUE, receiver=None) for n in range(occurrences)]
    expectations = [Expectation(occurrence_id=o.id, unit_id=u, unit_name=name,
                                exempt=u in exempt, exempt_reason="Lý do" if u in exempt else None)
                    for o in occs for u, name in names.items()]
    submissions = [Submission(id=n, occurrence_id=occs[0].id, unit_id=u,
                              kind=SubmissionKind.SUBMITTED, via=Via.DASHBOARD,
                              at=datetime(2024, 11, 15, 2, tzinfo=UTC))
                   for n, u in enumerate(reported, start=1) if occs]
    reports = plan_reports(plan_id, occs, expectations, submissions, now=NOW,
                           rules=Rules(WorkCalendar(), NEXT_WORKING_DAY))
    return PlanView(plan=plan, reports=reports)


# --- printable list ---------------------------------------------------------------------------


def test_printable_list_escapes_names() -> None:
    view = hand_view({"a": HOSTILE, "b": "Phòng Nội vụ"}, title="<script>x</script>",
                     number="<b>1</b>/KH")
    page = missing_list_html(view, now=NOW)
    assert "<script" not in page and "<b>" not in page
    assert "&lt;script&gt;alert(" in page
    assert sorted(cells(page)["unit"]) == sorted([HOSTILE, "Phòng Nội vụ"])
    assert cells(page)["state"] == ["Quá hạn 1 ngày làm việc"] * 2


@pytest.mark.parametrize("occurrences", [1, 0], ids=["all-reported", "no-deadline"])
def test_printable_list_when_everyone_reported(occurrences: int) -> None:
    view = hand_view({"a": "Phòng A", "b": "Phòng B"}, reported=("a",), exempt=("b",),
                     occurrences=occurrences)
    page = missing_list_html(view, now=NOW)
    assert "Tất cả đơn vị đã báo cáo." in page
    assert "<table" not in page


# --- letter -----------------------------------------------------------------------------------


def _letter(view: PlanView) -> bytes:
    return follow_up_letter(view, view.reports.occurrences[0], issuer_parent="UBND quận X",
                            issuer_name="Phòng Văn hóa và Thông tin", place="X", now=NOW)


def test_letter_refuses_when_nobody_is_missing() -> None:
    view = hand_view({"a": "Phòng A", "b": "Phòng B"}, reported=("a",), exempt=("b",))
    with pytest.raises(ValueError, match="Tất cả đơn vị đã báo cáo"):
        _letter(view)


def test_letter_keeps_unit_names_exactly_as_stored() -> None:
    view = hand_view({"a": HOSTILE, "b": "Phòng B", "c": "Phòng C"}, reported=("c",))
    _, text = letter_text(_letter(view))
    assert f"- {HOSTILE};" in text and "- Phòng B." in text
    assert "Phòng C" not in text
    assert "(quá hạn 1 ngày làm việc)" in text
    assert "lùi sang ngày 18/11/2024" in text


def test_control_characters_do_not_break_the_files() -> None:
    view = hand_view({"a": "Phòng\x0bA"}, title="Tổ chức\x0bNgày hội", number="5/KH\x07")
    _, text = letter_text(_letter(view))
    assert "Phòng A" in text and "tổ chức Ngày hội" in text
    book = openpyxl.load_workbook(io.BytesIO(status_workbook([view], now=NOW)))
    assert book.worksheets[1]["A2"].value == "Tổ chức Ngày hội"


# --- workbook and CSV -------------------------------------------------------------------------


def test_sheet_titles_are_legal_and_unique() -> None:
    views = [hand_view({}, plan_id=i, number=n) for i, n in enumerate(
        ["12/KH-UBND", "12/KH-UBND", "12-kh-ubnd", "[a]:b*c?d\\e", "x" * 40, None,
         "tổng hợp", "'quoted'"], start=1)]
    titles = sheet_titles(views)
    assert titles == ["12-KH-UBND", "12-KH-UBND (2)", "12-kh-ubnd (3)", "-a--b-c-d-e",
                      "x" * 31, "Kế hoạch 6", "tổng hợp (2)", "quoted"]
    book = openpyxl.load_workbook(io.BytesIO(status_workbook(views, now=NOW)))
    assert book.sheetnames == ["Tổng hợp", *titles]


def test_workbook_cells_and_text_that_looks_like_a_formula() -> None:
    view = hand_view({"a": "=1+1", "b": "Phòng B", "c": "Phòng C"}, reported=("b",),
                     exempt=("c",))
    sheet = openpyxl.load_workbook(io.BytesIO(status_workbook([view], now=NOW)))["12-KH-UBND"]
    rows = {sheet.cell(r, 2).value: sheet.cell(r, 3) for r in range(7, 10)}
    assert sheet.cell(7, 2).data_type == "s"
    assert {name: (c.value, c.fill.fgColor.rgb) for name, c in rows.items()} == {
        "=1+1": ("Quá hạn (1 ngày)", STATE_FILLS[ReportState.OVERDUE]),
        "Phòng B": ("Đúng hạn", STATE_FILLS[ReportState.ON_TIME]),
        "Phòng C": ("Miễn", STATE_FILLS[ReportState.EXEMPT]),
    }
    assert sheet["C6"].value == "Báo cáo kết quả\nHạn: 17/11/2024\n* lùi sang 18/11/2024"


def test_no_plans_still_give_valid_files() -> None:
    book = openpyxl.load_workbook(io.BytesIO(status_workbook([], now=NOW)))
    assert book.sheetnames == ["Tổng hợp"]
    assert book["Tổng hợp"]["A2"].value == "Số liệu tính đến 10:00 ngày 19/11/2024"
    assert list(csv.reader(io.StringIO(status_csv([])))) == [list(COLUMNS)]
    assert status_csv_bytes([]) == ("\ufeff" + ",".join(COLUMNS) + "\r\n").encode()


def test_letter_layout_is_two_borderless_tables() -> None:
    document = docx.Document(io.BytesIO(_letter(hand_view({"a": "Phòng A"}))))
    assert len(document.tables) == 2
    for table in document.tables:
        borders = table._tbl.tblPr.find(docx.oxml.ns.qn("w:tblBorders"))
        assert borders is not None
        assert {b.get(docx.oxml.ns.qn("w:val")) for b in borders} == {"nil"}
    issuer, motto = (c.paragraphs for c in document.tables[0].rows[0].cells)
    assert [p.text for p in issuer] == ["UBND QUẬN X", "PHÒNG VĂN HÓA VÀ THÔNG TIN", "",
                                        "Số:        /…",
                                        "V/v đôn đốc báo cáo kết quả theo Kế hoạch số 12/KH-UBND"]
    assert [p.text for p in motto] == ["CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
                                       "Độc lập - Tự do - Hạnh phúc", "",
                                       "X, ngày      tháng      năm 2024"]
    lines = [p for p in (issuer[2], motto[2])
             if p._p.pPr.find(docx.oxml.ns.qn("w:pBdr")) is not None]
    assert len(lines) == 2  # the short rules under the issuer's name and the motto
    assert motto[3].runs[0].italic and motto[1].runs[0].bold
    left, right = (c.paragraphs for c in document.tables[1].rows[0].cells)
    assert left[0].text == "Nơi nhận:" and left[0].runs[0].bold and left[0].runs[0].italic
    assert [p.text for p in left[1:]] == ["- Như trên;", "- UBND quận X (để b/c);",
                                          "- Lưu: VT."]
    assert right[0].text == "TRƯỞNG PHÒNG" and right[0].runs[0].bold


@pytest.mark.parametrize(("text", "limit", "expected"), [
    ("Báo cáo kết quả", 60, "Báo cáo kết quả"),
    ("Hoàn thành: Chủ trì, phối hợp với Sở Văn hóa và Thể thao tham mưu", 30,
     "Hoàn thành: Chủ trì, phối hợp…"),
    ("a" * 40, 10, "a" * 9 + "…"),
], ids=["short", "at-a-word", "one-long-word"])
def test_shorten(text: str, limit: int, expected: str) -> None:
    assert shorten(text, limit) == expected
    assert len(shorten(text, limit)) <= limit
