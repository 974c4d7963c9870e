"""Reporting sentences: every limit the time reader reads is a deadline, nothing is dropped
silently, and a rhythm with no day is asked about, not ignored."""

from __future__ import annotations

from typing import Any

import pytest

from tests.ingest_support import import_bytes

HEAD = """UBND HUYỆN TÂN YÊN
Số: 88/KH-UBND
Tân Yên, ngày 05 tháng 3 năm 2025
KẾ HOẠCH
Triển khai công tác gia đình năm 2025
I. NỘI DUNG
1. Tổ chức Ngày hội gia đình (Thời gian thực hiện: tháng 6/2025).
II. TỔ CHỨC THỰC HIỆN
"""


def _plan(sentence: str) -> dict[str, Any]:
    text = HEAD + f"1. Phòng Văn hóa và Thông tin: {sentence}\n"
    return import_bytes(("kh.txt", text.encode())).as_json()


@pytest.mark.parametrize(("sentence", "end"), [
    ("Tổng hợp, báo cáo kết quả về UBND huyện trước 17h00 ngày 20/10/2025.", "2025-10-20"),
    ("Gửi báo cáo về UBND huyện trước ngày 30.11.2025.", "2025-11-29"),
    ("Báo cáo sơ kết về UBND huyện trước cuối tháng 6/2025.", "2025-06-20"),
    ("Báo cáo kết quả về UBND huyện trong tháng 12/2025.", "2025-12-31"),
    ("Báo cáo kết quả về UBND huyện chậm nhất là ngày 05-12-2025.", "2025-12-05"),
])
def test_every_limit_the_reader_reads_is_a_deadline(sentence: str, end: str) -> None:
    [deadline] = _plan(sentence)["deadlines"]
    assert deadline["time"]["end"] == end
    assert deadline["time"]["deadline"] is True


def test_a_report_rhythm_with_no_day_is_a_repeating_deadline_to_be_dated() -> None:
    plan = _plan("Định kỳ hằng quý báo cáo kết quả về UBND huyện.")
    [deadline] = plan["deadlines"]
    assert deadline["time"]["rrule"] == "FREQ=MONTHLY;INTERVAL=3"
    assert "deadline_check" in {w["code"] for w in plan["warnings"]}


def test_a_sentence_that_looks_like_a_limit_but_cannot_be_read_is_a_warning() -> None:
    plan = _plan("Báo cáo kết quả về UBND huyện trước ngày 3l/12/2025.")
    assert plan["deadlines"] == []
    assert "deadline_unreadable" in {w["code"] for w in plan["warnings"]}


def test_speakers_meeting_monthly_is_no_report() -> None:
    plan = _plan("Tuyên truyền qua các hội nghị báo cáo viên hàng tháng của huyện.")
    assert plan["deadlines"] == []


LETTER = "tests/data/letters/cv_215_vhtt_tan_yen.txt"


def test_a_letter_asks_its_addressees_for_a_report_by_a_date() -> None:
    from tests.ingest_support import ROOT, import_files

    plan = import_files(ROOT / LETTER, registry="tests/data/registry_tan_yen.toml").as_json()
    assert plan["plan"]["number"] == "215/VHTT"
    report = next(d for d in plan["deadlines"] if "đề nghị các đơn vị" in d["text"])
    assert report["time"]["end"] == "2025-12-04"
    assert [u["unit_id"] for u in report["from_units"]] == [
        "ubnd-xa-tt-tan-yen", "hlhpn-tan-yen", "doan-tan-yen"]


def test_a_task_given_in_a_letter_is_an_activity_with_its_due_date() -> None:
    from tests.ingest_support import ROOT, import_files

    plan = import_files(ROOT / LETTER, registry="tests/data/registry_tan_yen.toml").as_json()
    [task] = plan["activities"]
    assert task["title"].startswith("Tổng hợp danh sách gia đình văn hóa tiêu biểu")
    assert [u["unit_id"] for u in task["lead"]] == ["hlhpn-tan-yen"]
    assert (task["time"]["start"], task["time"]["end"]) == (None, "2025-11-24")


def test_a_task_assigned_with_its_own_due_date_is_that_units_activity() -> None:
    plan = _plan("Xây dựng kế hoạch tuyên truyền, hoàn thành trong tháng 9/2025.")
    tasks = [a for a in plan["activities"] if a["code"].startswith("PC")]
    assert [(t["title"], t["time"]["end"], t["time"]["deadline"]) for t in tasks] == [
        ("Xây dựng kế hoạch tuyên truyền", "2025-09-30", True)]
    assert [u["name"] for u in tasks[0]["lead"]] == ["Phòng Văn hóa và Thông tin"]
