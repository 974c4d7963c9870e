"""Read a Word .docx plan into a Document: body paragraphs and tables, in order, as Word shows them.

python-docx only opens the package; the body is walked as WordprocessingML because python-docx's
`.text` drops list numbers (the TT column of many plans is auto-numbered) and `row.cells`
repeats merged cells, and the extractor needs both as a reader sees them.
"""

from __future__ import annotations

import io
import unicodedata
from collections.abc import Iterator

import docx

from reminders.errors import InputError
from reminders.ingest.document import Block, Document, Paragraph, Row, Table
from reminders.ingest.docx_numbering import Element as _El
from reminders.ingest.docx_numbering import Numbering, W, child_val, to_int

_MC = "{http://schemas.openxmlformats.org/markup-compatibility/2006}"
_RELS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/"
_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_CORRUPT = "không đọc được tệp Word: tệp hỏng hoặc không phải định dạng .docx"
_OLD_DOC = "tệp .doc (Word 97-2003) chưa được hỗ trợ; hãy lưu lại thành .docx"
_ENCRYPTED = "tệp Word có đặt mật khẩu; hãy bỏ mật khẩu rồi lưu lại thành .docx"
# Run content a reader does not see as text: deleted revisions, field codes, drawings and
# text boxes (their paragraphs would otherwise be glued into the anchoring paragraph).
_SKIP = frozenset(
    W + tag
    for tag in ("del", "moveFrom", "delText", "instrText", "drawing", "pict", "object", "rPr",
                "pPr", "sdtPr", "sdtEndPr")
) | {_MC + "AlternateContent"}
_NO_BORDER = frozenset({"none", "nil"})
_MAX_SPAN = 64  # Word allows 63 grid columns; a bigger span is a broken file, not a table


def read_docx(data: bytes, name: str) -> Document:
    """Read a .docx file's body; headers and footers are ignored.

    Raises InputError (naming `name`) when `data` is not a readable .docx: an old binary
    .doc, a password-protected file, a broken or truncated zip, or any other bytes.
    """
    if data.startswith(_OLE):
        encrypted = "EncryptedPackage".encode("utf-16-le") in data
        raise InputError(_ENCRYPTED if encrypted else _OLD_DOC, file=name)
    try:
        # Every part is read and parsed here, so broken bytes fail here and nowhere later.
        package = docx.Document(io.BytesIO(data))
        root: _El = package.element
        parts: dict[str, _El | None] = {"numbering": None, "styles": None}
        for rel in package.part.rels.values():
            kind = str(rel.reltype).removeprefix(_RELS)
            if kind in parts and not rel.is_external:
                parts[kind] = getattr(rel.target_part, "element", None)
    except Exception as exc:  # zipfile, lxml and python-docx each raise their own types
        raise InputError(_CORRUPT, file=name) from exc
    reader = _Reader(name, Numbering(parts["numbering"], parts["styles"]), parts["styles"])
    body = root.find(W + "body")
    if body is not None:
        reader.read_body(body)
    return Document(name=name, blocks=tuple(reader.blocks))


class _Reader:
    """Walks the body once; list counters and the paragraph/row ordinal advance as Word's do."""

    def __init__(self, name: str, numbering: Numbering, styles: _El | None) -> None:
        self.name = name
        self.numbering = numbering
        self.styles = styles
        self.blocks: list[Block] = []
        self.ordinal = 0  # body paragraphs (empty ones too) and table rows, in order

    def read_body(self, body: _El) -> None:
        for child in _children(body, "p", "tbl"):
            if child.tag == W + "p":
                self.ordinal += 1
                where = f"{self.name}:{self.ordinal}"
                self.blocks.extend(Paragraph(text=t, where=where) for t in self.lines(child))
                continue
            grid = self.table(child)
            if not grid:
                continue
            first = self.ordinal + 1
            self.ordinal += len(grid)
            rows = tuple(
                Row(cells=tuple(c for c, _ in row), continued=tuple(k for _, k in row),
                    where=f"{self.name}:{first + i}")
                for i, row in enumerate(grid)
            )
            borderless = _borderless(child, self.styles)
            self.blocks.append(Table(rows=rows, where=rows[0].where, borderless=borderless))

    def lines(self, p: _El) -> list[str]:
        """The paragraph's lines (split at line breaks) with its list label; no empty lines."""
        label = self.numbering.label(p)
        segments = _segments(p)
        if label:
            segments[0] = f"{label} {segments[0]}"
        return [s.strip() for s in segments if s.strip()]

    def table(self, tbl: _El) -> list[list[tuple[str, bool]]]:
        """One (text, continued) per grid column for each row."""
        grid_cols = tbl.find(W + "tblGrid")
        width = 0 if grid_cols is None else len(grid_cols.findall(W + "gridCol"))
        rows: list[list[tuple[str, bool]]] = []
        for tr in _children(tbl, "tr"):
            rows.append(self.row(tr, rows[-1] if rows else []))
        width = max([width, *(len(r) for r in rows)])
        return [r + [("", False)] * (width - len(r)) for r in rows]

    def row(self, tr: _El, above: list[tuple[str, bool]]) -> list[tuple[str, bool]]:
        tr_pr = tr.find(W + "trPr")
        cells: list[tuple[str, bool]] = [("", False)] * _span(tr_pr, "gridBefore", 0)
        for tc in _children(tr, "tc"):
            tc_pr = tc.find(W + "tcPr")
            span = _span(tc_pr, "gridSpan", 1)
            if _continues(tc_pr, "vMerge"):
                # The merged cell's content lives in its first row; Word shows it across all.
                col = len(cells)
                text, known = (above[col][0], True) if col < len(above) else ("", False)
                cells += [(text, known)] + [("", known)] * (span - 1)
            elif _continues(tc_pr, "hMerge"):
                cells += [("", False)] * span
            else:
                cells += [(self.cell_text(tc), False)] + [("", False)] * (span - 1)
        return cells + [("", False)] * _span(tr_pr, "gridAfter", 0)

    def cell_text(self, tc: _El) -> str:
        lines: list[str] = []
        for child in _children(tc, "p", "tbl"):
            if child.tag == W + "p":
                lines += self.lines(child)
                continue
            for row in self.table(child):  # a nested table: its cells become further lines
                lines += [ln for text, cont in row if not cont for ln in text.split("\n") if ln]
        return "\n".join(lines).strip()


def _children(parent: _El, *tags: str) -> Iterator[_El]:
    """Children with the given w: tags, looking through content controls and custom XML."""
    wanted = {W + t for t in tags}
    for child in parent:
        if child.tag == W + "sdt":
            content = child.find(W + "sdtContent")
            if content is not None:
                yield from _children(content, *tags)
        elif child.tag == W + "customXml":
            yield from _children(child, *tags)
        elif child.tag in wanted:
            yield child


def _segments(p: _El) -> list[str]:
    """The paragraph's visible text, NFC, split at line breaks; tabs read as spaces."""
    segments: list[list[str]] = [[]]

    def walk(parent: _El) -> None:
        for el in parent:
            tag = el.tag
            if tag in _SKIP or not isinstance(tag, str):
                continue
            if tag == W + "r" and _hidden(el):
                continue
            if tag == W + "t":
                segments[-1].append(el.text or "")
            elif tag in (W + "tab", W + "ptab"):
                segments[-1].append(" ")
            elif tag in (W + "br", W + "cr"):
                segments.append([])
            elif tag == W + "noBreakHyphen":
                segments[-1].append("-")
            else:
                walk(el)

    walk(p)
    return [
        unicodedata.normalize("NFC", "".join(s)).replace("\t", " ").replace("\u00a0", " ")
        for s in segments
    ]


def _hidden(run: _El) -> bool:
    vanish = run.find(f"{W}rPr/{W}vanish")
    return vanish is not None and vanish.get(W + "val") not in ("0", "false", "off")


def _span(props: _El | None, tag: str, default: int) -> int:
    value = to_int(child_val(props, tag), default)
    return min(max(value, 0 if default == 0 else 1), _MAX_SPAN)


def _continues(props: _El | None, tag: str) -> bool:
    """A vMerge/hMerge that continues a merge started above/left ("continue" or no value)."""
    merge = None if props is None else props.find(W + tag)
    return merge is not None and merge.get(W + "val") != "restart"


def _borderless(tbl: _El, styles: _El | None) -> bool:
    """True for layout tables: no visible table borders, directly or from the table style.

    Cell borders count only when most cells carry them: LibreOffice writes a grid's borders
    on every cell, while a letterhead may underline a single cell.
    """
    edges: dict[str, str] = {}
    for source in [*_style_chain(tbl, styles), tbl.find(W + "tblPr")]:
        borders = None if source is None else source.find(W + "tblBorders")
        for edge in [] if borders is None else borders:
            edges[str(edge.tag)] = edge.get(W + "val") or "none"
    if any(val not in _NO_BORDER for val in edges.values()):
        return False
    cells = [tc for tr in _children(tbl, "tr") for tc in _children(tr, "tc")]
    bordered = 0
    for tc in cells:
        borders = tc.find(f"{W}tcPr/{W}tcBorders")
        edge_vals = [] if borders is None else [e.get(W + "val") or "none" for e in borders]
        bordered += any(val not in _NO_BORDER for val in edge_vals)
    return bordered * 2 < len(cells) or not cells


def _style_chain(tbl: _El, styles: _El | None) -> list[_El]:
    """The table style's tblPr elements, base style first (the default table style if none)."""
    if styles is None:
        return []
    by_id = {s.get(W + "styleId"): s for s in styles.findall(W + "style")}
    style_id = child_val(tbl.find(W + "tblPr"), "tblStyle")
    if style_id is None:
        default = [s for s in by_id.values() if s.get(W + "type") == "table"
                   and s.get(W + "default") in ("1", "true", "on")]
        style_id = default[0].get(W + "styleId") if default else None
    chain: list[_El] = []
    seen: set[str] = set()
    while style_id is not None and style_id not in seen and style_id in by_id:
        seen.add(style_id)
        style = by_id[style_id]
        props = style.find(W + "tblPr")
        if props is not None:
            chain.insert(0, props)
        style_id = child_val(style, "basedOn")
    return chain
