"""The same plan as text, Word and Excel gives the same activities; the held-out corpus scores."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from typing import Any

from tests.builders import TableSpec, docx_bytes, xlsx_bytes
from tests.ingest_support import ROOT, import_bytes, import_files, seed

HEADER = ["TT", "Nội dung", "Đơn vị chủ trì", "Đơn vị phối hợp thực hiện", "Thời gian",
          "Dự kiến kết quả", ""]
SUB_HEADER = ["", "", "", "", "", "Cấp quận", "Cấp phường"]
PREAMBLE = [
    "BIỂU TỔNG HỢP",
    "CÁC HOẠT ĐỘNG KỶ NIỆM 70 NĂM NGÀY GIẢI PHÓNG THỦ ĐÔ (10/10/1954-10/10/2024)",
    "(Kèm theo Kế hoạch số: /KH-UBND ngày /4/2024 của UBND quận Thanh Xuân)",
]
# The first rows of seed 002's table as Word holds them: one row per activity, the long
# rows whole (the text conversion split them at page breaks).
ROWS = [
    ["1", "Tổ chức đợt phong trào thi đua “cao điểm”", "Phòng Nội vụ",
     "Các phòng, ban, đơn vị liên quan; UBND các phường", "Trong năm 2024",
     "Thực hiện hoàn thành các nhiệm vụ", ""],
    ["2", "Các hoạt động thông tin, tuyên truyền", "", "", "", "", ""],
    ["2.1", "Tổ chức thông tin, tuyên truyền các hoạt động kỷ niệm",
     "Phòng Văn hóa và Thông tin quận", "Các phòng, ban, đơn vị liên quan; UBND các phường",
     "Trong năm 2024; cao điểm trong tháng 09/2024 đến tháng 10/2024", "Biên soạn tin, bài", ""],
    ["2.2", "Tổ chức tuyên truyền cổ động trực quan",
     "(1) Trung tâm Văn hóa - Thông tin và Thể thao quận; (2) P. QLĐT (3) Đề nghị Hội LHPN quận",
     "Các phòng, ban, đơn vị liên quan; UBND các phường", "Quý III-IV/2024",
     "Thực hiện trực quan", "Tuyên truyền tại 11 tuyến phố"],
    ["3", "Các hoạt động văn hóa, văn nghệ, TDTT", "", "", "", "", ""],
    ["3.1", "Giao lưu văn nghệ chào mừng kỷ niệm 70 năm ngày Giải phóng Thủ đô",
     "Đề nghị Hội CCB quận phối hợp với Đoàn TNCS HCM quận",
     "Các phòng, ban, đơn vị liên quan", "Từ tháng 4-10/2024", "Phối hợp tổ chức", ""],
    ["3.2", "Gặp mặt quân nhân, cựu chiến binh", "Ban CHQS quận",
     "Các phòng, ban, đơn vị liên quan", "Tuần đầu tháng 10/2024", "Tổ chức gặp mặt", ""],
]


def _text_version() -> bytes:
    lines = [*PREAMBLE, ""]
    lines += ["\t".join(HEADER), "\t".join(SUB_HEADER)]
    lines += ["\t".join(row) for row in ROWS[:4]]
    lines += ["", "3", "", "\t".join(HEADER), "\t".join(SUB_HEADER)]  # page break, page number
    lines += ["\t".join(row) for row in ROWS[4:]]
    return "\n".join(lines).encode()


def _spec(*, auto_number: bool) -> TableSpec:
    rows = [HEADER, SUB_HEADER, *ROWS]
    return TableSpec(
        rows=[list(r) for r in rows],
        # "TT" and "Nội dung" … span both header rows; "Dự kiến kết quả" spans two columns;
        # each section row's title spans the table.
        merges=[(0, c, 1, c) for c in range(5)] + [(0, 5, 0, 6), (3, 1, 3, 6), (6, 1, 6, 6)],
        header_rows=2,
        auto_number_column=0 if auto_number else None,
        page_breaks_before=[6],
    )


def _essence(plan: dict[str, Any]) -> list[tuple[Any, ...]]:
    return [
        (a["code"], a["section"], a["title"], tuple(u["unit_id"] for u in a["lead"]),
         tuple(u["unit_id"] for u in a["partners"]), a["time"]["start"], a["time"]["end"])
        for a in plan["activities"]
    ]


def test_docx_and_xlsx_read_as_the_text_does() -> None:
    text = _essence(import_bytes(("bieu.txt", _text_version())).as_json())
    assert [row[0] for row in text] == ["1", "2.1", "2.2", "3.1", "3.2"]
    assert text[2][3] == ("ttvh-thanh-xuan", "qldt-thanh-xuan", "hoi-lhpn-thanh-xuan")
    word = docx_bytes([*PREAMBLE, _spec(auto_number=False)])
    assert _essence(import_bytes(("bieu.docx", word)).as_json()) == text
    excel = xlsx_bytes(PREAMBLE, _spec(auto_number=False))
    assert _essence(import_bytes(("bieu.xlsx", excel)).as_json()) == text


def test_vertically_merged_cells_belong_to_every_row() -> None:
    rows = [["TT", "Nội dung", "Đơn vị chủ trì", "Thời gian"],
            ["1", "Tổ chức hội nghị", "Phòng Nội vụ", "Tháng 3/2024"],
            ["2", "Tổng kết phong trào", "", ""],
            ["3", "Khen thưởng", "", ""]]
    spec = TableSpec(rows=rows, merges=[(1, 2, 3, 2), (1, 3, 3, 3)], header_rows=1)
    for name, data in (("kh.docx", docx_bytes(["KẾ HOẠCH", "Năm 2024", spec])),
                       ("kh.xlsx", xlsx_bytes(["KẾ HOẠCH"], spec))):
        plan = import_bytes((name, data)).as_json()
        assert [(a["code"], [u["unit_id"] for u in a["lead"]], a["time"]["end"])
                for a in plan["activities"]] == [
            ("1", ["noi-vu-thanh-xuan"], "2024-03-31"),
            ("2", ["noi-vu-thanh-xuan"], "2024-03-31"),
            ("3", ["noi-vu-thanh-xuan"], "2024-03-31"),
        ], name


def test_auto_numbered_tt_cells_are_numbered_by_order() -> None:
    word = docx_bytes([*PREAMBLE, _spec(auto_number=True)])
    codes = [a["code"] for a in import_bytes(("bieu.docx", word)).as_json()["activities"]]
    assert codes == ["1", "2.1", "2.2", "3.1", "3.2"]


def test_csv_activity_table() -> None:
    data = ("STT;Nhiệm vụ;Chủ trì;Phối hợp;Thời hạn\n"
            "1;Rà soát hồ sơ;Phòng Nội vụ quận Thanh Xuân;"
            "Phòng Tài chính - Kế hoạch quận Thanh Xuân;Tháng 5/2024\n"
            "2;Báo cáo tổng hợp;Phòng Văn hóa và Thông tin;;Trước ngày 15/6/2024\n")
    plan = import_bytes(("bieu.csv", data.encode())).as_json()
    first, second = plan["activities"]
    assert [u["unit_id"] for u in first["partners"]] == ["tckh-thanh-xuan"]
    # Under "Thời hạn" a month is the month to finish by.
    assert (first["time"]["deadline"], first["time"]["end"]) == (True, "2024-05-31")
    assert (second["time"]["deadline"], second["time"]["end"]) == (True, "2024-06-14")


def test_text_and_markdown_seed_read_alike(tmp_path: Path) -> None:
    source = seed("000").read_text(encoding="utf-8")
    copy = tmp_path / "kehoach.md"
    copy.write_text(source, encoding="utf-8")
    assert _essence(import_files(copy).as_json()) == _essence(import_files(seed("000")).as_json())


def _generalise() -> Any:
    spec = importlib.util.spec_from_file_location("generalise", ROOT / "bench" / "generalise.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while being built
    spec.loader.exec_module(module)
    return module


def test_held_out_plans_generalise() -> None:
    scorer = _generalise()
    score = scorer.score_all()
    assert score.activities >= 70
    assert score.right / score.activities >= 0.9, score.misses
    assert score.deadlines_right / score.deadlines >= 0.85, score.misses
