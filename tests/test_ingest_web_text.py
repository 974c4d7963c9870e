"""Text copies from legal-document sites: crawls, one-cell-a-line tables, site HTML in .md."""

from __future__ import annotations

from reminders.ingest.document import Paragraph, Table
from reminders.ingest.read import InputFile, read_document
from reminders.ingest.text import read_text


def _texts(data: str, name: str = "crawl.txt") -> list[str]:
    return [b.text for b in read_text(data.encode(), name).blocks if isinstance(b, Paragraph)]


CRAWL = "\n".join([
    "Quyết định 12/QĐ-UBND năm 2025. ỦY BAN NHÂN DÂN HUYỆN BẮC SƠN -------",
    "Số: 12/QĐ-UBND Bắc Sơn, ngày 06 tháng 01 năm 2025 QUYẾT ĐỊNH BAN HÀNH KẾ HOẠCH NĂM 2025",
    "Quyết định 12/QĐ-UBND năm 2025. Điều 1.",
    "Ban hành kèm theo Quyết định này Kế hoạch tổ chức các hoạt động văn hóa năm 2025 của huyện.",
    "Quyết định 12/QĐ-UBND năm 2025. KẾ HOẠCH. I. MỤC ĐÍCH, YÊU CẦU",
    "Tổ chức các hoạt động văn hóa, thể thao chào mừng các ngày lễ lớn trong năm 2025 của huyện.",
    "Quyết định 12/QĐ-UBND năm 2025. KẾ HOẠCH. II. NỘI DUNG 1.1.",
    "Tổ chức Hội thi văn nghệ quần chúng cấp huyện chào mừng kỷ niệm ngày thành lập Đảng.",
    "- Cơ quan thực hiện: Phòng Văn hóa và Thông tin huyện.",
    "- Thời gian thực hiện: Tháng 02/2025.",
    "1.2.",
    "Giải bóng chuyền hơi các xã, thị trấn chào mừng ngày Giải phóng miền Nam, thống nhất.",
    "- Cơ quan thực hiện: Trung tâm Văn hóa, Thể thao và Truyền thông huyện.",
    "- Thời gian thực hiện: Quý II/2025.",
])


def test_a_crawls_breadcrumbs_go_and_each_line_is_a_paragraph() -> None:
    texts = _texts(CRAWL)
    assert texts[0] == "ỦY BAN NHÂN DÂN HUYỆN BẮC SƠN -------"
    assert "Điều 1." in texts
    assert "KẾ HOẠCH. I. MỤC ĐÍCH, YÊU CẦU" in texts  # the first crumb of a section stays
    assert "II. NỘI DUNG" in texts
    assert ("1.1. Tổ chức Hội thi văn nghệ quần chúng cấp huyện chào mừng kỷ niệm ngày thành "
            "lập Đảng.") in texts
    assert texts[-3].startswith("1.2. Giải bóng chuyền hơi")
    assert not any(t.startswith("Quyết định 12/QĐ-UBND năm 2025.") for t in texts)


def test_a_crawled_decision_gives_the_plan_it_issues() -> None:
    from tests.ingest_support import import_bytes

    plan = import_bytes(("qd.txt", CRAWL.encode()), registry="tests/data/unit_spellings/"
                        "registry_bac_son.toml").as_json()
    assert plan["plan"]["number"] == "12/QĐ-UBND"
    assert plan["plan"]["issued"] == "2025-01-06"
    found = [(a["title"][:20], a["time"]["start"], a["time"]["end"]) for a in plan["activities"]]
    assert found == [("Tổ chức Hội thi văn ", "2025-02-01", "2025-02-28"),
                     ("Giải bóng chuyền hơi", "2025-04-01", "2025-06-30")]


ONE_CELL_A_LINE = """**KẾ HOẠCH**

|
**TT**
|
**Nhiệm vụ**
|
**Cơ quan chủ trì**
|
**Thời gian hoàn thành**
|
|
1
|
Rà soát, cập nhật cơ sở dữ liệu
về quy hoạch của thành phố.
|
Sở Tài chính
|
Quý IV/2026
|
|
2
|
Tập huấn cho cán bộ các phường
|
Sở Nội vụ
|
Năm 2027
|

Trên đây là Kế hoạch.
"""


def test_a_table_written_one_cell_a_line_is_a_table() -> None:
    blocks = read_text(ONE_CELL_A_LINE.encode(), "kh.md").blocks
    table = next(b for b in blocks if isinstance(b, Table))
    assert [r.cells for r in table.rows] == [
        ("TT", "Nhiệm vụ", "Cơ quan chủ trì", "Thời gian hoàn thành"),
        ("1", "Rà soát, cập nhật cơ sở dữ liệu về quy hoạch của thành phố.", "Sở Tài chính",
         "Quý IV/2026"),
        ("2", "Tập huấn cho cán bộ các phường", "Sở Nội vụ", "Năm 2027"),
    ]
    assert isinstance(blocks[-1], Paragraph) and blocks[-1].text == "Trên đây là Kế hoạch."


def test_markdown_that_holds_a_sites_html_is_read_as_html() -> None:
    page = ("---json\n{\"title\": \"Lịch công tác\", \"date\": \"2024-03-04\"}\n---\n"
            "<table><tr><th>Ngày</th><th>Thời gian</th><th>Nội dung</th><th>Chủ trì</th>"
            "<th>Địa điểm</th></tr><tr><td rowspan=\"2\">Thứ 2 (04/3/2024)</td><td>08h00</td>"
            "<td>Giao ban UBND</td><td>Chủ tịch UBND</td><td>Phòng họp số 1</td></tr>"
            "<tr><td>14h00</td><td>Họp Ban Chỉ đạo</td><td>PCT UBND</td><td>Hội trường</td></tr>"
            "</table>")
    document = read_document(InputFile("lich.md", page.encode()))
    table = next(b for b in document.blocks if isinstance(b, Table))
    assert table.rows[2].cells == ("Thứ 2 (04/3/2024)", "14h00", "Họp Ban Chỉ đạo", "PCT UBND",
                                   "Hội trường")
    assert "2024-03-04" not in " ".join(p.text for p in document.paragraphs())


def test_a_period_in_brackets_makes_an_activity_but_an_anniversary_does_not() -> None:
    from tests.ingest_support import import_bytes

    text = "\n\n".join([
        "ỦY BAN NHÂN DÂN HUYỆN BẮC SƠN", "Số: 20/KH-UBND", "Bắc Sơn, ngày 10 tháng 3 năm 2025",
        "KẾ HOẠCH", "I. NHIỆM VỤ TRỌNG TÂM",
        "1. Số hóa hồ sơ quy hoạch của huyện (2025 - 2026).",
        "2. Kết nối dữ liệu với hệ thống của tỉnh (2026 trở đi).",
        "3. Tuyên truyền kỷ niệm 70 năm Ngày Giải phóng Thủ đô (10/10/1954 - 10/10/2024).",
        "4. Tọa đàm kỷ niệm 130 năm ngày sinh (1895 - 2025).",
    ])
    plan = import_bytes(("kh.txt", text.encode())).as_json()
    assert [(a["title"][:22], a["time"]["start"], a["time"]["end"]) for a in plan["activities"]
            ] == [("Số hóa hồ sơ quy hoạch", "2025-01-01", "2026-12-31"),
                  ("Kết nối dữ liệu với hệ", "2026-01-01", None)]
