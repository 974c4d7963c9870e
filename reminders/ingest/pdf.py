"""Read a PDF plan (a signed copy from the e-document system, or a scan) into a Document.

pdfplumber (MIT, on pdfminer.six; pages rendered by pypdfium2, Apache-2.0/BSD) gives the
characters with their positions and finds ruled tables; layout.py rebuilds words, lines,
paragraphs and the letterhead. Pages with no text layer are scans: they are rendered and
read by OCR (ocr.py), one page at a time, so a long scan never sits in memory whole.
"""

from __future__ import annotations

import io
import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from reminders.errors import InputError
from reminders.ingest import layout
from reminders.ingest.document import Block, Document, Paragraph, Row, Table
from reminders.ingest.layout import Glyph, Line, TextBlock
from reminders.ingest.ocr import OcrPage

Progress = Callable[[int, int], None]  # (pages done, pages in all)
PageReader = Callable[[Any], "OcrPage"]  # a rendered page image → its words and tables

_SCANNED_BELOW = 20  # a page with fewer characters than this has no usable text layer
_CORRUPT = "không đọc được tệp PDF: tệp hỏng hoặc không phải PDF"
_LOCKED = "tệp PDF có đặt mật khẩu; hãy bỏ mật khẩu rồi xuất lại"


@dataclass(slots=True)
class _Page:
    number: int
    height: float
    lines: list[Line]
    tables: list[tuple[float, float, list[Row]]]  # (top, bottom, rows)
    ocr: bool


def read_pdf(data: bytes, name: str, *, ocr: PageReader | None = None,
             progress: Progress | None = None) -> Document:
    """Read every page of a PDF. Scanned pages go through `ocr` (None: refuse them).

    Raises InputError naming `name` (and the page) for a broken, locked or unreadable PDF.
    """
    import pdfplumber
    from pdfminer.pdfdocument import PDFPasswordIncorrect

    logging.getLogger("pdfminer").setLevel(logging.ERROR)
    try:
        pdf = pdfplumber.open(io.BytesIO(data))
        total = len(pdf.pages)
    except PDFPasswordIncorrect:
        raise InputError(_LOCKED, file=name) from None
    except Exception as exc:  # pdfminer raises many types for broken files
        raise InputError(_CORRUPT, file=name) from exc
    pages: list[_Page] = []
    try:
        for number, page in enumerate(pdf.pages, start=1):
            pages.append(_read_page(page, number, name, ocr))
            page.close()  # drop the page's parsed objects before the next one
            if progress is not None:
                progress(number, total)
    except InputError:
        raise
    except Exception as exc:
        raise InputError(f"không đọc được trang {len(pages) + 1} của tệp PDF", file=name
                         ) from exc
    finally:
        pdf.close()
    if not pages:
        raise InputError("tệp PDF không có trang nào", file=name)
    return _document(name, pages)


def _read_page(page: Any, number: int, name: str, ocr: PageReader | None) -> _Page:
    chars = [c for c in page.chars if c.get("upright", True)]
    if len(chars) < _SCANNED_BELOW:
        if ocr is None:
            from reminders.ingest.ocr import MISSING

            raise InputError(f"trang {number} là ảnh quét; {MISSING}", file=name)
        image = page.to_image(resolution=300).original
        try:
            found = ocr(image)
        except InputError as exc:
            raise InputError(f"trang {number}: {exc.message}", file=name) from None
        return scanned_page(number, float(page.height), found)
    found = page.find_tables()
    boxes = [t.bbox for t in found]
    tables = [(t.bbox[1], t.bbox[3], _rows(page, t)) for t in found]
    outside = [c for c in chars if not any(_inside(c, box) for box in boxes)]
    words = layout.words_from_chars(_glyph(c) for c in outside)
    return _Page(number, float(page.height), layout.build_lines(words), tables, False)


def scanned_page(number: int, height: float, found: OcrPage) -> _Page:
    """A page read by OCR: its ruled tables cell by cell, the rest as text."""
    tables = [(t.top, t.bottom, [Row(cells=tuple(_joined(c) for c in row), where="")
                                 for row in t.rows]) for t in found.tables]
    return _Page(number, height, layout.build_lines(found.words), tables, True)


def _joined(cell: str) -> str:
    """A cell's OCR lines: wrapped lines of one text joined, separate names kept apart."""
    out: list[str] = []
    for line in (part.strip() for part in cell.split("\n")):
        if not line:
            continue
        if out and (line[:1].islower() or out[-1].endswith("-")):
            out[-1] = layout.glue_lines(out[-1], line)
        else:
            out.append(line)
    return "\n".join(out)


def _glyph(char: dict[str, Any]) -> Glyph:
    return Glyph(text=char["text"], x0=float(char["x0"]), x1=float(char["x1"]),
                 top=float(char["top"]), bottom=float(char["bottom"]),
                 size=float(char.get("size") or 12.0))


def _inside(char: dict[str, Any], box: tuple[float, float, float, float]) -> bool:
    x = (float(char["x0"]) + float(char["x1"])) / 2
    y = (float(char["top"]) + float(char["bottom"])) / 2
    return box[0] <= x <= box[2] and box[1] <= y <= box[3]


def _rows(page: Any, table: Any) -> list[Row]:
    """A ruled table as a grid: merged cells as the Document model says (see Row)."""
    cells = [c for c in table.cells if c is not None]
    xs = _edges([c[0] for c in cells] + [c[2] for c in cells])
    ys = _edges([c[1] for c in cells] + [c[3] for c in cells])
    width, height = len(xs) - 1, len(ys) - 1
    grid: list[list[str]] = [[""] * width for _ in range(height)]
    continued: list[list[bool]] = [[False] * width for _ in range(height)]
    for cell in cells:
        c0, c1 = _index(xs, cell[0]), _index(xs, cell[2])
        r0, r1 = _index(ys, cell[1]), _index(ys, cell[3])
        if c1 <= c0 or r1 <= r0:
            continue
        text = _cell_text(page, cell)
        for r in range(r0, r1):
            grid[r][c0] = text
            continued[r][c0] = r > r0
    return [Row(cells=tuple(row), where="", continued=tuple(flags))
            for row, flags in zip(grid, continued, strict=True) if any(row)]


def _cell_text(page: Any, box: tuple[float, float, float, float]) -> str:
    chars = [c for c in page.chars if _inside(c, box) and c["text"].strip()]
    if not chars:
        return ""
    lines = layout.build_lines(layout.words_from_chars(_glyph(c) for c in chars))
    blocks = [" ".join(b.columns) for b in
              layout.page_blocks(lines, float(page.height), set(), box[0], box[2])]
    if len(blocks) > 1 and all(len(b) <= 2 for b in blocks):
        return "".join(blocks)  # a short word broken letter by letter in a narrow cell ("T", "T")
    return "\n".join(blocks)


def _edges(values: list[float]) -> list[float]:
    edges: list[float] = []
    for value in sorted(values):
        if not edges or value - edges[-1] > 2.0:
            edges.append(value)
    return edges


def _index(edges: list[float], value: float) -> int:
    return min(range(len(edges)), key=lambda i: abs(edges[i] - value))


def _document(name: str, pages: list[_Page]) -> Document:
    height = max(p.height for p in pages)
    line_pages = [p.lines for p in pages]
    running = layout.running_texts(line_pages, height)
    left = layout.body_left(line_pages)
    right = layout.body_right(line_pages)
    blocks: list[Block] = []
    ocr_where: set[str] = set()
    ordinal = 0
    for page in pages:
        for item in _page_items(page, height, running, left, right):
            ordinal += 1
            where = f"{name}:{ordinal}"
            if page.ocr:
                ocr_where.add(where)
            if isinstance(item, TextBlock):
                added = _text_block(item, where, blocks)
                if page.ocr:
                    ocr_where.update(r.where for b in added if isinstance(b, Table)
                                     for r in b.rows)
                blocks.extend(added)
            else:
                rows = [Row(cells=r.cells, where=f"{where}.{i}", continued=r.continued)
                        for i, r in enumerate(item, start=1)]
                if page.ocr:
                    ocr_where.update(r.where for r in rows)
                _add_table(blocks, rows, where)
    return Document(name=name, blocks=tuple(blocks), ocr=frozenset(ocr_where))


def _page_items(page: _Page, height: float, running: set[str], left: float, right: float
                ) -> Iterator[TextBlock | list[Row]]:
    items: list[tuple[float, TextBlock | list[Row]]] = [
        (b.top, b) for b in layout.page_blocks(page.lines, height, running, left, right)]
    items.extend((top, rows) for top, _bottom, rows in page.tables)
    for _top, item in sorted(items, key=lambda pair: pair[0]):
        yield item


def _text_block(block: TextBlock, where: str, blocks: list[Block]) -> list[Block]:
    if block.is_paragraph:
        text = block.columns[0]
        previous = blocks[-1] if blocks else None
        # A sentence cut by the page break goes on in lower case on the next page.
        if (isinstance(previous, Paragraph) and text[:1].islower()
                and not layout.ends_sentence(previous.text)):
            blocks[-1] = Paragraph(text=layout.glue_lines(previous.text, text),
                                   where=previous.where)
            return []
        return [Paragraph(text=text, where=where)]
    if block.rows:
        rows = tuple(Row(cells=cells, where=f"{where}.{i}")
                     for i, cells in enumerate(block.rows, start=1))
        return [Table(rows=rows, where=rows[0].where)]
    row = Row(cells=block.columns, where=where)
    return [Table(rows=(row,), where=where, borderless=True)]


def _add_table(blocks: list[Block], rows: list[Row], where: str) -> None:
    """A table that goes on from the previous page joins it; a row cut by the break too."""
    previous = blocks[-1] if blocks else None
    if (isinstance(previous, Table) and not previous.borderless and rows
            and len(rows[0].cells) == previous.width):
        first = rows[0]
        kept = list(previous.rows)
        if not first.cells[0].strip() and _numbered(kept) and kept:
            last = kept[-1]
            glued = tuple(layout.glue_lines(a, b) if a and b else a or b
                          for a, b in zip(last.cells, first.cells, strict=True))
            kept[-1] = Row(cells=glued, where=last.where, continued=last.continued)
            rows = rows[1:]
        blocks[-1] = Table(rows=(*kept, *rows), where=previous.where)
        return
    if rows:
        blocks.append(Table(rows=tuple(rows), where=where))


def _numbered(rows: list[Row]) -> bool:
    firsts = [r.cells[0].strip() for r in rows[1:] if r.cells]
    return bool(firsts) and sum(f[:1].isdigit() for f in firsts) >= len(firsts) / 2
