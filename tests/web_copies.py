"""Make a web copy of a plan the way legal-document sites publish one (for tests).

The page wraps the plan's text in what such sites add around it: a menu and a search
box, a metadata table ("Số hiệu", "Ngày ban hành", "Tình trạng"), a list of related
documents with their own dates and deadlines, comments and a footer. The body itself is
marked up as their converters do: paragraphs in <p> with <b>/<i>/<span> runs, a line
break in the middle of a long sentence, entities and non-breaking spaces, the letterhead in
a borderless table, and the plan's activity table with its section rows spanning every
column (colspan) and a lead cell shared by the rows under it (rowspan).
"""

from __future__ import annotations

import html
import re
from pathlib import Path

# What the site puts around the document: nothing of it belongs to the plan.
_CHROME_TOP = """<!DOCTYPE html>
<html lang="vi"><head><meta charset="utf-8"><title>{title} - Văn bản pháp luật</title>
<script>var ngay = "01/02/2023"; function dangNhap() {{ return "trước ngày 05/02/2023"; }}</script>
<style>.noidung p {{ text-align: justify; }}</style></head>
<body>
<header class="site-header"><div class="top-bar">Hotline 1900 0000 · Đăng nhập</div>
<nav class="main-menu"><ul><li><a href="/">Trang chủ</a></li><li><a href="/moi">Văn bản mới</a>
</li><li><a href="/kh">Kế hoạch</a></li></ul></nav></header>
<div class="search-box"><form><input name="q" value="Kế hoạch"><button>Tìm kiếm</button></form>
</div>
<div class="breadcrumb">Trang chủ › Văn hóa - Xã hội › Kế hoạch</div>
<div id="doc-properties"><table class="metadata" border="1">
<tr><td>Số hiệu:</td><td>{number}</td><td>Loại văn bản:</td><td>Kế hoạch</td></tr>
<tr><td>Nơi ban hành:</td><td>Quận Thanh Xuân</td><td>Ngày ban hành:</td><td>{issued}</td></tr>
<tr><td>Ngày hiệu lực:</td><td>Đã biết</td><td>Tình trạng:</td><td>Còn hiệu lực</td></tr>
</table></div>
<div class="noidung content1">
"""
_CHROME_BOTTOM = """</div>
<div class="related-documents"><h3>Văn bản liên quan</h3><ul>
<li>Kế hoạch 12/KH-UBND ngày 05/01/2023 tổ chức Tết Nguyên đán: báo cáo kết quả về UBND quận
trước ngày 20/01/2023</li>
<li>Quyết định 88/QĐ-UBND ngày 15/3/2023 (Thời gian thực hiện: Quý II/2023)</li></ul></div>
<div class="comments"><h3>Bình luận</h3><p>Đề nghị cập nhật trước ngày 30/6/2023.</p></div>
<footer class="site-footer">© Cơ sở dữ liệu văn bản · Giấy phép số 27/GP-TTĐT ngày 11/3/2021
</footer></body></html>
"""


def web_copy(source: Path, *, number: str, issued: str) -> bytes:
    """The plan in `source` (text in the form of shared/seeds/) as a saved web page."""
    lines = source.read_text(encoding="utf-8").splitlines()
    body: list[str] = []
    table: list[list[str]] = []
    for line in [*lines, ""]:
        if "\t" in line:
            table.append(line.split("\t"))
            continue
        if table:
            body.append(_table(table))
            table = []
        if line.strip():
            body.append(_paragraph(line.strip()))
    top = _CHROME_TOP.format(title=html.escape(lines[6] if len(lines) > 6 else "Kế hoạch"),
                             number=number, issued=issued)
    page = top + _letterhead() + "\n".join(body) + _CHROME_BOTTOM
    return page.encode("utf-8")


def _letterhead() -> str:
    return ('<table border="0" width="100%"><tr><td width="40%"><p align="center"><b>UBND QUẬN '
            'THANH XUÂN</b></p></td><td><p align="center"><b>CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM'
            '<br>Độc lập - Tự do - Hạnh phúc<br>---------------</b></p></td></tr></table>\n')


def _paragraph(text: str) -> str:
    # The seeds' text already carries HTML (<i>, &amp;), as a site's converter leaves it.
    escaped = _ITALIC.sub(r"<i>\1</i>", _BOLD.sub(r"<b>\1</b>", text)).replace(" và ", "&nbsp;và ")
    words = escaped.split(" ")
    # A long sentence gets the hard line break converters leave where the source wrapped.
    for index in range(len(words) // 2, len(words)):
        if len(words) > 16 and words[index][:1].islower():
            words[index] = "<br>\n" + words[index]
            break
    inner = " ".join(words)
    if text.isupper() or text[:3] in ("I. ", "II.", "III", "IV.", "V. "):
        inner = f"<b>{inner}</b>"
    elif text.startswith("Căn cứ"):
        inner = f'<span style="font-style:italic"><i>{inner}</i></span>'
    return f'<p style="margin-top:6pt">{inner}</p>'


def _table(rows: list[list[str]]) -> str:
    width = max(len(r) for r in rows)
    out = ['<table border="1" cellspacing="0" cellpadding="2">']
    index = 0
    while index < len(rows):
        cells = rows[index] + [""] * (width - len(rows[index]))
        filled = [c for c in cells if c.strip()]
        if len(filled) <= 2 and not any(cells[2:]):
            # a section row ("A | Cấp quận"): the title spans the rest of the row
            out.append(f"<tr><td>{_cell(cells[0])}</td><td colspan=\"{width - 1}\">"
                       f"{_cell(cells[1])}</td></tr>")
            index += 1
            continue
        # rows under one another with the same lead share one cell, as Word merges them
        span = 1
        while (index + span < len(rows) and len(rows[index + span]) > 2
               and rows[index + span][2] == cells[2] and len([
                   c for c in rows[index + span] if c.strip()]) > 2):
            span += 1
        row = [f"<td>{_cell(c)}</td>" for c in cells]
        if span > 1:
            row[2] = f'<td rowspan="{span}">{_cell(cells[2])}</td>'
        out.append("<tr>" + "".join(row) + "</tr>")
        for below in rows[index + 1:index + span]:
            below = below + [""] * (width - len(below))
            out.append("<tr>" + "".join(f"<td>{_cell(c)}</td>" for i, c in enumerate(below)
                                        if i != 2) + "</tr>")
        index += span
    out.append("</table>")
    return "\n".join(out)


def _cell(text: str) -> str:
    return _ITALIC.sub(r"<i>\1</i>", _BOLD.sub(r"<b>\1</b>", text))


_BOLD = re.compile(r"\*\*(.+?)\*\*")  # the seeds' Markdown bold is <b> on a site
_ITALIC = re.compile(r"(?<![\w*])\*([^*\s][^*]*?)\*(?![\w*])")
