"""Positions → words, lines, paragraphs and columns (ingest/layout.py), on made-up pages."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from reminders.ingest.layout import (
    Glyph,
    build_lines,
    page_blocks,
    running_texts,
    words_from_chars,
)

SIZE = 13.0
ADVANCE = 6.5  # a letter's width at 13 pt


def _letters(text: str, x: float, top: float, spacing: float = 0.0,
             word_gap: float = 3.3) -> list[Glyph]:
    """One line of text as characters, each `spacing` apart, words `word_gap` further."""
    glyphs = []
    for word in text.split(" "):
        for char in word:
            glyphs.append(Glyph(char, x, x + ADVANCE, top, top + SIZE, SIZE))
            x += ADVANCE + spacing
        x += word_gap
    return glyphs


def _words(glyphs: list[Glyph]) -> list[str]:
    return [w.text for w in words_from_chars(glyphs)]


def test_words_from_characters() -> None:
    assert _words(_letters("Sở Tài chính tỉnh Lào Cai", 70, 100)) == [
        "Sở", "Tài", "chính", "tỉnh", "Lào", "Cai"]


@settings(max_examples=200, deadline=None)
@given(spacing=st.floats(0.0, 4.0),
       text=st.lists(st.sampled_from(["Hội", "đồng", "nhân", "dân", "huyện", "Sở", "Tài",
                                      "chính", "ngày", "15/11/2024", "UBND", "và"]),
                     min_size=3, max_size=10))
def test_letter_spacing_never_splits_words(spacing: float, text: list[str]) -> None:
    line = " ".join(text)
    assert _words(_letters(line, 70, 100, spacing=spacing)) == text


def _line(text: str, x: float, top: float, width: float | None = None) -> list[Glyph]:
    """A line of words; with `width`, justified out to it as Word does."""
    words = text.split()
    natural = sum(len(w) * ADVANCE for w in words)
    gap = 3.3 if width is None or len(words) < 2 else (width - natural) / (len(words) - 1)
    glyphs = []
    for word in words:
        glyphs.append(Glyph(word, x, x + len(word) * ADVANCE, top, top + SIZE, SIZE))
        x += len(word) * ADVANCE + gap
    return glyphs


def _blocks(lines: list[list[Glyph]], height: float = 842.0) -> list[tuple[str, ...]]:
    built = build_lines([g for line in lines for g in line])
    return [b.columns for b in page_blocks(built, height, set(), 70.0, 525.0)]


def test_wrapped_lines_make_one_paragraph_and_an_indent_opens_the_next() -> None:
    blocks = _blocks([
        _line("Căn cứ Kế hoạch số 88/KH-UBND ngày 23/3/2024 của Ủy ban nhân", 100, 100, 425),
        _line("dân thành phố về tổ chức các hoạt động kỷ niệm;", 70, 116),
        _line("Căn cứ Quyết định số 12/QĐ-UBND ngày 02/01/2024 của Chủ tịch", 100, 140, 425),
        _line("UBND thành phố về việc giao nhiệm vụ năm 2024;", 70, 156),
        _line("- Báo cáo kết quả trước ngày 30/11/2024.", 100, 180),
    ])
    assert blocks == [
        ("Căn cứ Kế hoạch số 88/KH-UBND ngày 23/3/2024 của Ủy ban nhân dân thành phố về tổ "
         "chức các hoạt động kỷ niệm;",),
        ("Căn cứ Quyết định số 12/QĐ-UBND ngày 02/01/2024 của Chủ tịch UBND thành phố về việc "
         "giao nhiệm vụ năm 2024;",),
        ("- Báo cáo kết quả trước ngày 30/11/2024.",),
    ]


def test_letterhead_is_two_columns_and_a_blank_for_the_number_is_no_column() -> None:
    blocks = _blocks([
        _line("UBND HUYỆN BẮC SƠN", 70, 60) + _line("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", 280, 60),
        _line("PHÒNG VĂN HÓA", 85, 76) + _line("Độc lập - Tự do - Hạnh phúc", 320, 76),
        _line("Số:", 80, 100) + _line("/KH-VHTT", 130, 100) + _line("Bắc Sơn, ngày", 300, 100)
        + _line("tháng 10 năm 2024", 420, 100),
        _line("KẾ HOẠCH", 260, 150),
    ])
    assert blocks[0] == ("UBND HUYỆN BẮC SƠN\nPHÒNG VĂN HÓA\nSố: /KH-VHTT",
                         "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nĐộc lập - Tự do - Hạnh phúc\n"
                         "Bắc Sơn, ngày tháng 10 năm 2024")
    assert blocks[1] == ("KẾ HOẠCH",)


def test_a_justified_paragraph_is_never_columns() -> None:
    lines = [_line("Đảm bảo kỳ huấn luyện được tổ chức nghiêm túc khách quan", 70, 100 + 16 * i,
                   455) for i in range(3)]
    assert all(len(b) == 1 for b in _blocks(lines))


def test_aligned_columns_of_three_or_more_are_a_table_with_numbered_rows() -> None:
    built = build_lines([g for line in [
        _line("TT", 70, 100) + _line("Nội dung", 120, 100) + _line("Chủ trì", 350, 100)
        + _line("Thời gian", 460, 100),
        _line("1.", 70, 120) + _line("Hội nghị sơ kết", 120, 120) + _line("Phòng VH&TT", 350, 120)
        + _line("Tháng 6/2024", 460, 120),
        _line("công tác gia đình", 120, 136),
        _line("2.", 70, 156) + _line("Tổ chức Ngày hội", 120, 156) + _line("Hội LHPN", 350, 156)
        + _line("Quý III/2024", 460, 156),
    ] for g in line])
    block = page_blocks(built, 842.0, set(), 70.0, 525.0)[0]
    assert block.rows == (
        ("TT", "Nội dung", "Chủ trì", "Thời gian"),
        ("1.", "Hội nghị sơ kết công tác gia đình", "Phòng VH&TT", "Tháng 6/2024"),
        ("2.", "Tổ chức Ngày hội", "Hội LHPN", "Quý III/2024"),
    )


def test_page_numbers_and_running_headers_are_left_out() -> None:
    pages = []
    for number in range(1, 5):
        glyphs = (_line("Kế hoạch số 45/KH-UBND ngày 10/01/2025", 200, 30)
                  + _line(f"Nội dung trang {number} của kế hoạch.", 70, 400)
                  + _line(str(number), 290, 800))
        pages.append(build_lines(glyphs))
    running = running_texts(pages, 842.0)
    texts = [b.columns[0] for b in page_blocks(pages[1], 842.0, running, 70.0, 525.0)]
    assert texts == ["Nội dung trang 2 của kế hoạch."]
