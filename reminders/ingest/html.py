"""Read a web copy of a document (.html saved from a legal-document site or a portal).

Only the document's body is read: the site's menus, search boxes, metadata tables ("Số hiệu
… Ngày ban hành …"), "văn bản liên quan" lists, comments and footers are left out. The body
is the smallest element holding the document's own header (the national motto, "KẾ HOẠCH",
"QUYẾT ĐỊNH", "Kính gửi") with most of the text around it. Tables keep rowspan and colspan
as the Document model says; bold, italic and line breaks inside a sentence are read as text.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from reminders.errors import InputError
from reminders.ingest.document import Block, Document, Paragraph, Row, Table

_DROPPED_TAGS = ("script", "style", "noscript", "nav", "header", "footer", "aside", "form",
                 "iframe", "button", "select", "input", "textarea", "svg", "template")
_SITE_PARTS = re.compile(
    r"menu|nav|footer|sidebar|breadcrumb|related|lien-?quan|share|social|comment|banner|"
    r"advert|\bads?\b|search|login|header-top|top-bar|pagination|tag-list|rating|toolbar",
    re.I)
# A document's own header: written in capitals (and "Kính gửi" for a letter), so the same
# words in a site's menu or in a sentence ("theo kế hoạch") do not count.
_MARKERS = re.compile(
    r"CỘNG\s+H[ÒO]À?\s+XÃ\s+HỘI|KẾ\s+HOẠCH|QUYẾT\s+ĐỊNH|Kính\s+gửi|CÔNG\s+VĂN|"
    r"LỊCH\s+CÔNG\s+TÁC|LỊCH\s+LÀM\s+VIỆC|THÔNG\s+BÁO|CHƯƠNG\s+TRÌNH")
_CONTAINERS = frozenset({"div", "section", "article", "main", "body", "center", "td", "font"})
_BLOCK_TAGS = frozenset({"p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "li", "ul", "ol",
                         "section", "article", "main", "blockquote", "pre", "dd", "dt", "dl",
                         "center", "body", "tr", "hr"})
_SENTENCE_END = re.compile(r"[.:;!?…]\s*$")
_MAX_SPAN = 64


def read_html(data: bytes, name: str) -> Document:
    """Read the body of a saved web page; raises InputError naming `name`."""
    import lxml.html
    from lxml import etree

    try:
        root = lxml.html.document_fromstring(_decode(data))
    except (etree.ParserError, ValueError) as exc:
        raise InputError("không đọc được trang web: tệp rỗng hoặc không phải HTML",
                         file=name) from exc
    for element in list(root.iter(*_DROPPED_TAGS)):
        _drop(element)
    for element in list(root.iter()):
        marks = f"{element.get('class', '')} {element.get('id', '')}"
        if (isinstance(element.tag, str) and element.tag not in ("html", "body")
                and _SITE_PARTS.search(marks) and not _MARKERS.search(_text(element)[:400])):
            _drop(element)
    body = _body(root)
    walker = _Walker(name)
    walker.walk(body)
    walker.flush()
    if not walker.blocks:
        raise InputError("trang web không có nội dung văn bản", file=name)
    return Document(name=name, blocks=tuple(walker.blocks))


_CHARSET = re.compile(rb"""charset\s*=\s*["']?([\w-]+)""", re.I)
_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>")


def _decode(data: bytes) -> str:
    """The page's text: its declared charset, else UTF-8, else the Vietnamese Windows one."""
    declared = _CHARSET.search(data[:4096])
    for encoding in ([declared.group(1).decode("ascii")] if declared else []) + [
            "utf-8-sig", "cp1258"]:
        try:
            text = data.decode(encoding)
        except (LookupError, UnicodeDecodeError):
            continue
        return _XML_DECLARATION.sub("", text)
    return data.decode("utf-8", "replace")


def _drop(element: Any) -> None:
    parent = element.getparent()
    if parent is not None:
        element.drop_tree()


def _text(element: Any) -> str:
    return " ".join(element.text_content().split())


def _body(root: Any) -> Any:
    """The deepest element that holds the document's header and most of the page's text."""
    body = root.find("body")
    best = body if body is not None else root
    total = len(_text(best))
    for element in best.iter():
        if not isinstance(element.tag, str) or element.tag not in _CONTAINERS:
            continue
        # Document order visits an element before what it holds: the last one that still
        # qualifies lies deepest inside the ones before it.
        if best not in element.iterancestors():
            continue
        text = _text(element)
        if len(text) >= 0.5 * total and _MARKERS.search(text[:3000]):
            best = element
    return best


class _Walker:
    """Walks the body in document order: paragraphs from blocks, tables as grids."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.blocks: list[Block] = []
        self.parts: list[str] = []
        self.ordinal = 0

    def walk(self, element: Any) -> None:
        tag = element.tag if isinstance(element.tag, str) else ""
        if tag == "table":
            self.flush()
            self.table(element)
            self.add(element.tail)
            return
        if tag == "br":
            self.parts.append("\n")
            self.add(element.tail)
            return
        block = tag in _BLOCK_TAGS
        if block:
            self.flush()
        self.add(element.text)
        for child in element:
            self.walk(child)
        if block:
            self.flush()
        self.add(element.tail)

    def add(self, text: str | None) -> None:
        if text:
            self.parts.append(text)

    def flush(self) -> None:
        raw = "".join(self.parts)
        self.parts = []
        for text in _paragraphs(raw):
            previous = self.blocks[-1] if self.blocks else None
            # A sentence a converter cut into two paragraphs goes on in lower case.
            if (isinstance(previous, Paragraph) and text[:1].islower()
                    and not _SENTENCE_END.search(previous.text)):
                self.blocks[-1] = Paragraph(text=f"{previous.text} {text}", where=previous.where)
                continue
            self.ordinal += 1
            self.blocks.append(Paragraph(text=text, where=f"{self.name}:{self.ordinal}"))

    def table(self, element: Any) -> None:
        rows = _grid(element)
        if not rows:
            return
        self.ordinal += 1
        first = self.ordinal
        built = []
        for index, (cells, continued) in enumerate(rows):
            built.append(Row(cells=tuple(cells), where=f"{self.name}:{first}.{index + 1}",
                             continued=tuple(continued)))
        self.blocks.append(Table(rows=tuple(built), where=built[0].where,
                                 borderless=element.get("border", "") in ("", "0")))


def _paragraphs(raw: str) -> list[str]:
    """A block's text → paragraphs: a line break inside a sentence is only a space."""
    pieces = [_clean(p) for p in raw.split("\n")]
    out: list[str] = []
    for piece in pieces:
        if not piece:
            continue
        if out and not _SENTENCE_END.search(out[-1]) and piece[:1].islower():
            out[-1] = f"{out[-1]} {piece}"
        else:
            out.append(piece)
    return out


def _clean(text: str) -> str:
    text = unicodedata.normalize("NFC", text).replace("\u00a0", " ").replace("\u200b", "")
    return re.sub(r"\s+", " ", text).strip()


def _cell_text(cell: Any) -> str:
    walker = _Walker("")
    walker.walk(cell)
    walker.flush()
    lines = [b.text for b in walker.blocks if isinstance(b, Paragraph)]
    for block in walker.blocks:
        if isinstance(block, Table):  # a table inside a cell: its text, row by row
            lines.extend(" ".join(c for c in r.cells if c) for r in block.rows)
    return "\n".join(lines)


def _grid(table: Any) -> list[tuple[list[str], list[bool]]]:
    """Rows of a table with rowspan/colspan laid out on a grid (see document.Row)."""
    own_rows = [tr for tr in table.iter("tr") if _owner(tr) is table]
    grid: dict[tuple[int, int], tuple[str, bool]] = {}
    width = 0
    for r, tr in enumerate(own_rows):
        c = 0
        for cell in tr:
            if not isinstance(cell.tag, str) or cell.tag not in ("td", "th"):
                continue
            while (r, c) in grid:
                c += 1
            text = _cell_text(cell)
            rows = min(_span(cell.get("rowspan")), len(own_rows) - r)
            cols = _span(cell.get("colspan"))
            for dr in range(rows):
                for dc in range(cols):
                    grid[(r + dr, c + dc)] = (text if dc == 0 else "", dr > 0)
            c += cols
            width = max(width, c)
    out: list[tuple[list[str], list[bool]]] = []
    for r in range(len(own_rows)):
        cells = [grid.get((r, c), ("", False)) for c in range(width)]
        if any(text for text, _ in cells):
            out.append(([t for t, _ in cells], [f for _, f in cells]))
    return out


def _owner(tr: Any) -> Any:
    parent = tr.getparent()
    while parent is not None and parent.tag != "table":
        parent = parent.getparent()
    return parent


def _span(value: str | None) -> int:
    try:
        return max(1, min(int(value or 1), _MAX_SPAN))
    except ValueError:
        return 1
