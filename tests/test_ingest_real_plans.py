"""The real Word plans (tests/data/real_plans): layout-table metadata, tasks, events, deadlines."""

from __future__ import annotations

from typing import Any

import pytest

from tests.ingest_support import REAL_PLANS, by_code, ids, import_files

REGISTRY = "tests/data/registry_lao_cai.toml"


def _plan(name: str) -> dict[str, Any]:
    return import_files(next(REAL_PLANS.glob(f"{name}*.docx")), registry=REGISTRY).as_json()


@pytest.fixture(scope="module")
def inspection() -> dict[str, Any]:
    return _plan("KH-3024")


def test_letterhead_in_a_layout_table(inspection: dict[str, Any]) -> None:
    info = inspection["plan"]
    assert info["number"] is None  # "Số:           /KH-SCT": a draft
    assert info["issued"] is None  # "ngày       tháng 5 năm 2026"
    assert info["place"] == "Lào Cai"
    assert info["year"] == 2026
    assert info["issuer"] == "Sở Công Thương"
    assert info["title"] == ("Kiểm tra, cấp Giấy chứng nhận huấn luyện kỹ thuật an toàn vật liệu "
                             "nổ công nghiệp, tiền chất thuốc nổ trên địa bàn tỉnh Lào Cai")


def test_two_batches_are_two_events(inspection: dict[str, Any]) -> None:
    activities = by_code(inspection)
    first, second = activities["II.1.1"], activities["II.1.2"]
    assert (first["time"]["start"], first["time"]["time"]) == ("2026-06-02", "13:30")
    assert (second["time"]["start"], second["time"]["time"]) == ("2026-06-03", "13:30")
    assert first["title"].endswith("– Đợt 1")
    assert first["location"].startswith("Sở Công Thương tỉnh Lào Cai, địa chỉ: Số 165")
    assert ids(first["lead"]) == ["sct-lao-cai"]
    assert first["time"]["warnings"] == []  # 02/6/2026 is a Tuesday, as written


def test_task_table_with_auto_numbers_and_people(inspection: dict[str, Any]) -> None:
    tasks = [a for a in inspection["activities"] if not a["code"].startswith("II.")]
    assert [a["code"] for a in tasks] == [str(n) for n in range(1, 10)]
    assert tasks[0]["title"] == "Rà soát việc đáp ứng các điều kiện của học viên"
    assert tasks[0]["people"] == ["Đỗ Mạnh Cường", "Vũ Việt Linh", "Nguyễn Thị thúy Nhung"]
    assert tasks[8]["people"] == ["Đỗ Mạnh Cường"]
    assert all(t["time"]["undetermined"] for t in tasks)
    # One warning for the table, not one per row.
    assert sum(w["code"] == "time_undetermined" for w in inspection["warnings"]) == 1


def test_assignment_given_in_a_sentence(inspection: dict[str, Any]) -> None:
    [assignment] = inspection["assignments"]
    assert assignment["unit"]["unit_id"] == "sct-qlcn"
    assert len(assignment["tasks"]) == 3


@pytest.mark.parametrize(("name", "start", "clock"), [
    ("KH-3898", "2026-07-06", "13:30"),
    ("KH-3957", "2026-07-07", "13:30"),
])
def test_single_event_plans(name: str, start: str, clock: str) -> None:
    plan = _plan(name)
    [event] = [a for a in plan["activities"] if a["code"].startswith("II.")]
    assert (event["time"]["start"], event["time"]["time"]) == (start, clock)
    assert event["title"] == plan["plan"]["title"]
    assert len(plan["activities"]) == 10


def test_programme_plan_blocks_and_monthly_report() -> None:
    plan = _plan("ke-hoach-thuc-hien-de-an-08")
    activities = plan["activities"]
    assert [a["code"] for a in activities] == ["1", "2", "3", "4", "5"]
    assert [ids(a["lead"]) for a in activities] == [
        ["sct-qlcn"], ["sct-qlcn"], ["sct-qlnl"], ["sct-qlcn"], ["sct-van-phong"]]
    assert ids(activities[0]["partners"]) == ["sct-qlnl", "sct-qltm"]
    assert activities[0]["section"] == "NHIỆM VỤ TRỌNG TÂM"
    # The report forms of the annexes are empty tables, not activities.
    [deadline] = plan["deadlines"]
    assert deadline["time"]["rrule"] == "FREQ=MONTHLY;BYMONTHDAY=17"
    assert deadline["to_unit"]["unit_id"] == "sct-khth"
    assert ids(deadline["from_units"]) == ["sct-phong-don-vi"]
    assert [a["unit"]["unit_id"] for a in plan["assignments"]] == [
        "sct-qlcn", "sct-qlnl", "sct-qltm", "sct-khth", "sct-van-phong", "qltt-lao-cai"]
