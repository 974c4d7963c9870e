"""The five seed plans import with every activity, time, lead, assignment and deadline right."""

from __future__ import annotations

from typing import Any

import pytest

from tests.ingest_support import by_code, ids, import_files, seed


@pytest.fixture(scope="module")
def plan_000() -> dict[str, Any]:
    return import_files(seed("000")).as_json()


@pytest.fixture(scope="module")
def plan_001() -> dict[str, Any]:
    return import_files(seed("001"), seed("002")).as_json()


@pytest.fixture(scope="module")
def plan_003() -> dict[str, Any]:
    return import_files(seed("003")).as_json()


@pytest.fixture(scope="module")
def plan_004() -> dict[str, Any]:
    return import_files(seed("004")).as_json()


def test_000_metadata(plan_000: dict[str, Any]) -> None:
    info = plan_000["plan"]
    assert info["number"] == "249/KH-UBND"
    assert info["issued"] == "2022-09-20"
    assert info["place"] == "Thanh Xuân"
    assert info["issuer"] == "UBND quận Thanh Xuân"
    assert info["title"].startswith("Tổ chức các hoạt động kỷ niệm 50 năm Chiến thắng")
    assert info["implements"] == ["239/KH-UBND"]
    assert info["year"] == 2022
    assert info["standing_unit"]["unit_id"] == "vhtt-thanh-xuan"


# code, section, lead ids, partner ids, start, end, time of day, location
ACTIVITIES_000 = [
    ("A.1", "Cấp quận", ["hoi-ccb-thanh-xuan"], ["hoi-ccb-phuong-thanh-xuan", "htct-thanh-xuan"],
     "2022-12-05", "2022-12-11", None, "Phòng họp tầng 5 UBND quận"),
    ("A.2", "Cấp quận", ["hoi-ccb-thanh-xuan"], ["quan-doan-thanh-xuan"],
     "2022-12-01", "2022-12-04", None, "Hội trường lớn UBND quận"),
    ("A.3", "Cấp quận", ["quan-doan-thanh-xuan"], ["don-vi-lien-quan-thanh-xuan"],
     "2022-12-01", "2022-12-31", None, "Đài tưởng niệm Khâm Thiên"),
    ("A.4", "Cấp quận", ["ttvh-thanh-xuan"], ["don-vi-lien-quan-thanh-xuan",
                                              "ubnd-phuong-thanh-xuan"],
     "2022-12-01", "2022-12-31", None, "Theo tình hình thực tế"),
    ("B.I.1", "Phường Phương Liệt", ["hoi-ccb-phuong-phuong-liet"], ["truong-thcs-phuong-liet"],
     "2022-12-12", "2022-12-12", "07:00", "Ngõ 377 Giải Phóng"),
    ("B.II.2", "Phường Nhân Chính", ["hoi-ccb-phuong-nhan-chinh"],
     ["doan-phuong-nhan-chinh", "bchqs-phuong-nhan-chinh"],
     "2022-12-01", "2022-12-31", None, "Hội trường tầng 3 UBND phường"),
    ("B.II.3", "Phường Nhân Chính", ["bll-cuu-dan-quan-phuong-nhan-chinh"],
     ["bchqs-phuong-nhan-chinh"], "2022-12-01", "2022-12-31", None,
     "Hội trường tầng 3 UBND phường"),
    ("B.III.4", "Phường Kim Giang", ["ubnd-phuong-kim-giang"], ["khu-dan-cu-phuong-kim-giang"],
     "2022-11-01", "2022-11-30", None, "Theo tình hình thực tế"),
    ("B.III.5", "Phường Kim Giang", ["ubnd-phuong-kim-giang"], ["khu-dan-cu-phuong-kim-giang"],
     "2022-11-01", "2022-11-30", None, "Theo tình hình thực tế"),
    ("B.IV.6", "Phường Thanh Xuân Nam", ["ubnd-phuong-thanh-xuan-nam"],
     ["clb-phuong-thanh-xuan-nam"], "2022-11-01", "2022-11-30", None, "Theo tình hình thực tế"),
    ("B.IV.7", "Phường Thanh Xuân Nam", ["hoi-ccb-phuong-thanh-xuan-nam"],
     ["clb-cuu-quan-nhan-phuong-thanh-xuan-nam", "doan-phuong-thanh-xuan-nam"],
     "2022-11-01", "2022-11-30", None, "Theo tình hình thực tế"),
    ("B.IV.8", "Phường Thanh Xuân Nam", ["cong-doan-phuong-thanh-xuan-nam"],
     ["cong-doan-phuong-thanh-xuan-nam"], "2022-10-01", "2022-10-31", None,
     "Đài tưởng niệm phố Khâm Thiên"),
    ("B.V.9", "Phường Khương Trung", ["hoi-ccb-phuong-khuong-trung"], ["truong-thcs-nguyen-trai"],
     "2022-10-01", "2022-10-31", None, "Trường THCS Nguyễn Trãi"),
    ("B.V.10", "Phường Khương Trung", ["dang-uy-phuong-khuong-trung", "ubnd-phuong-khuong-trung",
                                       "hoi-ccb-phuong-khuong-trung"],
     ["ban-nganh-phuong-khuong-trung"], "2022-12-01", "2022-12-31", None,
     "Trường Tiểu học Nguyễn Trãi"),
    ("B.VI.11", "Phường Thượng Đình", ["hoi-ccb-phuong-thuong-dinh"],
     ["hoi-ccb-phuong-thuong-dinh"], "2022-12-01", "2022-12-31", None,
     "Hội trường tầng 4 UBND phường"),
    ("B.VII.12", "Phường Hạ Đình", ["hoi-ccb-phuong-ha-dinh"], ["ban-nganh-phuong-ha-dinh"],
     "2022-12-01", "2022-12-31", None, "Hội trường tầng 3 UBND phường"),
]


def test_000_every_activity_in_order(plan_000: dict[str, Any]) -> None:
    assert [a["code"] for a in plan_000["activities"]] == [row[0] for row in ACTIVITIES_000]


@pytest.mark.parametrize("row", ACTIVITIES_000, ids=[r[0] for r in ACTIVITIES_000])
def test_000_activity(plan_000: dict[str, Any], row: tuple[Any, ...]) -> None:
    code, section, lead, partners, start, end, clock, location = row
    activity = by_code(plan_000)[code]
    assert activity["section"] == section
    assert ids(activity["lead"]) == lead
    assert ids(activity["partners"]) == partners
    assert (activity["time"]["start"], activity["time"]["end"]) == (start, end)
    assert activity["time"]["time"] == clock
    assert activity["location"] == location
    assert activity["source"].startswith("000_")


def test_000_tentative_and_weekday(plan_000: dict[str, Any]) -> None:
    activities = by_code(plan_000)
    assert activities["B.II.2"]["time"]["tentative"] is True
    assert activities["A.4"]["time"]["tentative"] is False
    assert activities["B.I.1"]["title"].startswith("Nói chuyện chuyên đề về Chiến thắng")
    assert activities["B.I.1"]["time"]["warnings"] == []  # 12/12/2022 was a Monday
    assert plan_000["warnings"] == []


def test_000_assignments(plan_000: dict[str, Any]) -> None:
    units = [a["unit"]["unit_id"] for a in plan_000["assignments"]]
    assert units == [
        "vhtt-thanh-xuan", "ttvh-thanh-xuan", "gddt-thanh-xuan", "tnmt-thanh-xuan",
        "qldt-thanh-xuan", "ban-qlda-thanh-xuan", "tckh-thanh-xuan", "bchqs-thanh-xuan",
        "cong-an-thanh-xuan", "ban-tuyen-giao-quan-uy-thanh-xuan", "mttq-doan-the-thanh-xuan",
        "bao-tang-pkkq", "ubnd-phuong-thanh-xuan",
    ]
    first = plan_000["assignments"][0]
    assert first["tasks"][0].startswith("Là đơn vị thường trực")
    assert len(first["tasks"]) == 4
    wards = plan_000["assignments"][-1]
    assert wards["unit"]["group_id"] == "ubnd-phuong-thanh-xuan"
    assert len(wards["tasks"]) == 3  # the closing "UBND quận yêu cầu ..." is not a task


def test_000_reporting_deadline(plan_000: dict[str, Any]) -> None:
    [deadline] = plan_000["deadlines"]
    assert deadline["time"]["end"] == "2022-12-26"
    assert deadline["time"]["start"] is None
    assert deadline["time"]["deadline"] is True
    assert deadline["to_unit"]["unit_id"] == "vhtt-thanh-xuan"
    assert ids(deadline["from_units"]) == ["phong-ban-thanh-xuan", "ubnd-phuong-thanh-xuan"]
    assert "trước ngày 27/12/2022" in deadline["text"]
    assert deadline["source"] == f"{seed('000').name}:131"


def test_001_002_metadata(plan_001: dict[str, Any]) -> None:
    info = plan_001["plan"]
    assert info["number"] is None and info["issued"] is None
    assert info["place"] == "Thanh Xuân"
    assert info["issuer"] == "UBND quận Thanh Xuân"
    assert info["year"] == 2024
    assert info["standing_unit"]["unit_id"] == "vhtt-thanh-xuan"
    assert set(info["implements"]) == {"88/KH-UBND", "03/UBND-ĐA"}
    codes = {w["code"] for w in plan_001["warnings"]}
    assert {"draft", "no_date"} <= codes


def test_001_002_annex_activities(plan_001: dict[str, Any]) -> None:
    codes = [a["code"] for a in plan_001["activities"]]
    assert codes == [
        "1", "2.1", "2.2", "3.1", "3.2", "3.3", "3.4", "3.5", "3.6", "4.1", "4.2", "4.3", "4.4",
        "5.1", "5.2", "5.3", "5.5",
        "T2.1", "T2.2", "T2.3", "T2.4", "T2.5", "T2.6", "T2.7", "T2.8", "T2.9",
    ]
    activities = by_code(plan_001)
    assert activities["2.1"]["section"] == "Các hoạt động thông tin, tuyên truyền"
    # A row split by a page break is glued back, cell by cell.
    assert activities["2.1"]["title"].endswith("các ngày lễ lớn của Thủ đô, đất nước;...")
    assert activities["3.6"]["title"].endswith("gắn với các ngày lễ lớn của đất nước, của ngành")
    assert ids(activities["3.6"]["lead"]) == ["hoi-ccb-thanh-xuan"]
    assert "quan-doan-thanh-xuan" in ids(activities["3.6"]["partners"])
    assert ids(activities["2.2"]["lead"]) == ["ttvh-thanh-xuan", "qldt-thanh-xuan",
                                              "hoi-lhpn-thanh-xuan"]
    assert [u["name"] for u in activities["2.2"]["lead"]][2] == "Hội LHPN quận"
    assert ids(activities["3.5"]["lead"]) == ["gddt-thanh-xuan", "vhtt-thanh-xuan",
                                              "ttvh-thanh-xuan"]
    assert activities["1"]["expected_result"].startswith("Cấp quận: Thực hiện hoàn thành")


@pytest.mark.parametrize(("code", "start", "end", "deadline"), [
    ("1", "2024-01-01", "2024-12-31", False),
    ("3.4", "2024-10-01", "2024-12-31", False),
    ("3.6", "2024-07-01", "2024-12-31", False),
    ("4.1", "2024-04-01", "2024-10-31", False),
    ("4.3", "2024-10-01", "2024-10-06", False),
    ("4.4", None, "2024-11-29", True),
    ("5.1", "2024-08-01", "2024-12-31", False),
    ("5.2", None, None, False),
])
def test_001_002_times(plan_001: dict[str, Any], code: str, start: str | None,
                       end: str | None, deadline: bool) -> None:
    time = by_code(plan_001)[code]["time"]
    assert (time["start"], time["end"], time["deadline"]) == (start, end, deadline)


def test_001_002_merged_cells_of_the_second_table(plan_001: dict[str, Any]) -> None:
    activities = by_code(plan_001)
    for code in ("T2.2", "T2.9"):
        assert ids(activities[code]["lead"]) == ["don-vi-lien-quan-thanh-xuan"]
        assert ids(activities[code]["partners"]) == ["don-vi-lien-quan-thanh-xuan",
                                                    "ubnd-phuong-thanh-xuan"]
        assert activities[code]["time"]["text"] == "Trong năm 2024"
    assert activities["T2.7"]["title"].startswith("Tham gia Lễ kỷ niệm cấp quốc gia")


def test_001_002_monthly_deadline(plan_001: dict[str, Any]) -> None:
    [deadline] = plan_001["deadlines"]
    assert deadline["time"]["rrule"] == "FREQ=MONTHLY;BYMONTHDAY=19"
    assert deadline["time"]["deadline"] is True
    assert deadline["time"]["text"] == "định kỳ hàng tháng (trước ngày 20)"
    assert deadline["to_unit"]["unit_id"] == "vhtt-thanh-xuan"
    assert ids(deadline["from_units"]) == ["phong-ban-thanh-xuan", "ubnd-phuong-thanh-xuan"]


def test_001_assignments(plan_001: dict[str, Any]) -> None:
    units = [a["unit"]["unit_id"] for a in plan_001["assignments"]]
    assert units[:3] == ["vhtt-thanh-xuan", "ttvh-thanh-xuan", "gddt-thanh-xuan"]
    assert "cong-an-thanh-xuan" in units and "bchqs-thanh-xuan" in units  # "11. A, B"
    assert "ban-dan-van-quan-uy-thanh-xuan" in units
    assert units[-1] == "ubnd-phuong-thanh-xuan"
    assert len(units) == 16


def test_003_prose_activities(plan_003: dict[str, Any]) -> None:
    got = [(a["code"], a["time"]["start"], a["time"]["end"], a["time"]["undetermined"])
           for a in plan_003["activities"]]
    assert got == [
        ("II.1.1", "2024-01-01", "2024-06-30", False),
        ("II.1.2", None, None, True),
        ("II.1.3", "2024-03-01", "2024-05-31", False),
        ("II.2.1", "2024-01-01", "2024-06-30", False),
        ("II.2.2", "2024-01-01", "2024-06-30", False),
        ("II.3", "2024-04-01", "2024-05-31", False),
        ("II.4.1", "2024-03-01", "2024-05-05", False),
        ("II.4.3", "2024-05-01", "2024-05-31", False),
    ]
    first = plan_003["activities"][0]
    assert first["section"] == "Công tác tuyên truyền, giáo dục"
    assert first["title"].endswith("các thiết chế văn hoá khác của huyện")
    assert plan_003["activities"][1]["time"]["text"] == "Khi cấp trên phát động"


def test_003_metadata_and_assignments(plan_003: dict[str, Any]) -> None:
    info = plan_003["plan"]
    assert (info["number"], info["issued"], info["year"]) == (None, None, 2024)
    assert info["place"] == "Bắc Sơn"
    assert info["issuer"] == "UBND huyện Bắc Sơn"
    assert info["implements"] == ["22/KH-UBND"]
    units = [a["unit"]["unit_id"] for a in plan_003["assignments"]]
    assert units[:3] == ["bchqs-bac-son", "vhtt-bac-son", "ttvh-bac-son"]
    assert "huyen-doan-bac-son" in units and "ubnd-xa-bac-son" in units
    assert len(plan_003["assignments"][0]["tasks"]) == 3
    assert plan_003["deadlines"] == []


def test_004_single_event(plan_004: dict[str, Any]) -> None:
    event, *tasks = plan_004["activities"]
    # the two tasks PHÂN CÔNG gives Sở Nội vụ with their own due dates are its activities
    assert [(t["code"], t["time"]["end"], ids(t["lead"])) for t in tasks] == [
        ("PC.1", "2024-11-14", ["so-noi-vu-ha-noi"]), ("PC.2", "2024-11-17", ["so-noi-vu-ha-noi"])]
    assert event["title"].startswith("Tổ chức Hội nghị tổng kết các hoạt động kỷ niệm 70 năm")
    time = event["time"]
    assert (time["start"], time["end"]) == ("2024-11-18", "2024-11-25")
    assert (time["time"], time["end_time"], time["part_of_day"]) == ("08:30", "10:30", "morning")
    assert event["location"].startswith("Hội trường UBND Thành phố số 12, Lê Lai")
    assert ids(event["lead"]) == ["so-vhtt-ha-noi"]


def test_004_completion_deadlines_for_one_unit(plan_004: dict[str, Any]) -> None:
    info = plan_004["plan"]
    assert (info["number"], info["issued"]) == ("324/KH-UBND", "2024-11-08")
    assert info["standing_unit"]["unit_id"] == "so-vhtt-ha-noi"
    ends = [(d["time"]["end"], ids(d["from_units"]), d["to_unit"]["unit_id"])
            for d in plan_004["deadlines"]]
    assert ends == [("2024-11-14", ["so-noi-vu-ha-noi"], "so-vhtt-ha-noi"),
                    ("2024-11-17", ["so-noi-vu-ha-noi"], "so-vhtt-ha-noi")]
    assert len(plan_004["assignments"]) == 14
