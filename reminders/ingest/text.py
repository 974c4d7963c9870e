"""Read a plan converted to text (.txt/.md, as in shared/seeds/) into a Document.

Tables are tab-separated rows (also Markdown pipe tables); HTML tags and entities and
Markdown emphasis are read as text; page numbers on their own lines are dropped; a
paragraph broken by a page or by PDF hard wrapping is joined again.
"""

from __future__ import annotations

import html
import re
import unicodedata

from reminders.errors import InputError
from reminders.ingest.document import Block, Document, Paragraph, Row, Table

_TAG = re.compile(r"</?(?:i|b|u|em|strong|span|p|font|sup|sub)\b[^>]*>|<br\s*/?>", re.I)
_BOLD = re.compile(r"\*\*|__")
# A single * or _ that opens or closes emphasis, not one inside a word or standing alone.
_EMPHASIS = re.compile(r"(?<![\w*])\*(?=[^\s*])|(?<=[^\s*])\*(?![\w*])")
_PAGE_NUMBER = re.compile(r"^(?:-\s*)?(?:trang\s+)?\d{1,3}(?:\s*-)?$", re.I)
_PIPE_RULE = re.compile(r"^\|?\s*:?-{3,}:?\s*(?:\|\s*:?-{3,}:?\s*)*\|?$")
# A line that starts a new item must not be glued to the line above.
_ITEM_START = re.compile(
    r"^(?:[-+•–*]\s|\d+(?:\.\d+)*[.)]\s|[IVXLC]+[.)]\s|[a-zđ][)]\s|Bước\s+\d|Nơi nhận)", re.I
)
_SENTENCE_END = re.compile(r"[.!?:;…]$|\./\.$")


def read_text(data: bytes, name: str) -> Document:
    """Decode and split `data`; raises InputError when it is not text."""
    try:
        raw = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(
            "không đọc được tệp văn bản: không phải mã UTF-8", file=name, line=_line_of(data, exc)
        ) from None
    if "\x00" in raw:
        raise InputError("không đọc được tệp văn bản: tệp nhị phân, không phải văn bản", file=name)
    lines = raw.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    return Document(name=name, blocks=tuple(_blocks(_uncrawled(lines), name)))


_CRUMB = re.compile(r"^(?P<crumb>(?:[^.\n]{3,90}?\.\s)+)")
_DOC_NUMBER = re.compile(r"\d+/\d{0,4}/?[A-ZĐ]")
_BARE_NUMBER = re.compile(r"^\s*(?:\d{1,2}\.){1,3}\s*$")
_TRAILING_NUMBER = re.compile(r"\s((?:\d{1,2}\.){2,3})\s*$")


def _is_crumb(prefix: str, count: int, numbered: bool) -> bool:
    if numbered:
        return count >= 3 and len(prefix) >= 12 and bool(_DOC_NUMBER.search(prefix))
    return count >= 2 and not _DOC_NUMBER.search(prefix)


def _uncrawled(lines: list[str]) -> list[str]:
    """Undo what crawlers of legal-document sites do to a text.

    The site's breadcrumb before each section ("Quyết định 435/QĐ-UBND năm 2020. Điều 1.",
    "… CHƯƠNG TRÌNH HÀNH ĐỘNG. II. NỘI DUNG") goes (a crumb without a document number stays
    where it first stands: it is the title there); an item number left alone on its line, or
    run onto the end of the line before ("… lao động 2.1."), goes back before its item.
    """
    out = list(lines)
    crumbed: set[int] = set()  # lines that had the document's crumb
    # First the crumb naming the document (by its number) everywhere, then the section
    # crumbs under it on those lines, each kept where it first stands.
    for numbered in (True, False):
        starts: dict[str, int] = {}
        for number, line in enumerate(out):
            if not numbered and number not in crumbed:
                continue
            match = _CRUMB.match(line)
            if match:
                pieces = match.group("crumb").split(". ")
                for size in range(1, len(pieces)):
                    prefix = ". ".join(pieces[:size]) + ". "
                    starts[prefix] = starts.get(prefix, 0) + 1
        crumbs = sorted((p for p, n in starts.items() if _is_crumb(p, n, numbered)),
                        key=len, reverse=not numbered)
        seen: set[str] = set()
        for index, line in enumerate(out):
            if not numbered and index not in crumbed:
                continue
            crumb = next((c for c in crumbs if line.startswith(c)), None)
            if crumb is None:
                continue
            if numbered:
                crumbed.add(index)
            if numbered or crumb in seen:
                out[index] = line[len(crumb):]
            seen.add(crumb)
    fixed: list[str] = []
    carried = ""
    for line in out:
        if _BARE_NUMBER.match(line):
            carried = line.strip() + " "
            continue
        trailing = _TRAILING_NUMBER.search(line)
        text = carried + line
        carried = ""
        if trailing and len(line) - len(trailing.group(0)) >= 5:
            text = text[: len(text) - len(trailing.group(0))]
            carried = trailing.group(1) + " "
        fixed.append(text)
    if carried:
        fixed.append(carried.strip())
    return fixed


def clean_inline(text: str) -> str:
    """Text as a reader sees it: no tags, entities decoded, NFC, spaces squeezed."""
    text = _TAG.sub("", text)
    text = html.unescape(text)
    text = _BOLD.sub("", text)
    text = _EMPHASIS.sub("", text)
    text = unicodedata.normalize("NFC", text).replace("\u00a0", " ")
    return re.sub(r"[ \t\u200b]+", " ", text).strip()


def _line_of(data: bytes, exc: UnicodeDecodeError) -> int:
    return data[: exc.start].count(b"\n") + 1


def _is_table_line(line: str) -> bool:
    stripped = line.strip()
    return ("\t" in line and bool(stripped)) or (
        stripped.startswith("|") and stripped.endswith("|") and stripped.count("|") >= 3
    )


def _cells(line: str) -> list[str]:
    stripped = line.strip()
    if "\t" not in line and stripped.startswith("|"):
        return [clean_inline(c) for c in stripped[1:-1].split("|")]
    return [clean_inline(c) for c in line.rstrip("\n").split("\t")]


def _blocks(lines: list[str], name: str) -> list[Block]:
    # A crawl of a legal-document site writes each paragraph on one long line with no blank
    # line between them; there, lines are paragraphs unless a sentence is cut in two.
    filled = [ln for ln in lines if ln.strip()]
    # (Text wrapped at a width has most lines going on in lower case; here few do.)
    opening = sum(bool(ln.strip()[:1].isupper() or ln.strip()[:1].isdigit()
                       or _ITEM_START.match(ln.strip())) for ln in filled)
    one_per_line = (len(filled) >= 8 and len(filled) >= 0.9 * len(lines)
                    and opening >= 0.8 * len(filled))
    blocks: list[Block] = []
    rows: list[Row] = []
    pending: list[tuple[int, str]] = []  # the lines of the paragraph being read
    gap = False  # a blank line (or a dropped page number) since the pending text

    def flush_paragraph() -> None:
        if pending:
            number, _ = pending[0]
            text = " ".join(t for _, t in pending)
            blocks.append(Paragraph(text=text, where=f"{name}:{number}"))
            pending.clear()

    def flush_table() -> None:
        if rows:
            blocks.append(Table(rows=tuple(rows), where=rows[0].where))
            rows.clear()

    skip_to = 0
    for number, line in enumerate(lines, start=1):
        if number < skip_to:
            continue
        if line.strip() == "|":
            # a site's converter writes a table one cell per line between "|" lines
            table_rows, skip_to = _cell_per_line(lines, number, name)
            flush_paragraph()
            flush_table()
            if table_rows:
                blocks.append(Table(rows=tuple(table_rows), where=table_rows[0].where))
            gap = False
            continue
        if _is_table_line(line):
            if _PIPE_RULE.match(line.strip()):
                continue
            flush_paragraph()
            rows.append(Row(cells=tuple(_cells(line)), where=f"{name}:{number}"))
            continue
        text = clean_inline(line)
        if not text or _PAGE_NUMBER.match(text):
            gap = gap or bool(pending)
            continue
        if rows:
            # Prose between tab rows ends the table, but a page-break gap does not.
            flush_table()
        if pending and _continues(pending[-1][1], text, gap or one_per_line):
            pending.append((number, text))
        else:
            flush_paragraph()
            pending.append((number, text))
        gap = False
    flush_paragraph()
    flush_table()
    return blocks


def _cell_per_line(lines: list[str], first: int, name: str) -> tuple[list[Row], int]:
    """A table written "|", cell, "|", cell, … with "|" twice between rows, from line
    `first` (1-based) to the blank line after its last "|". Returns the rows and the line
    number to go on from."""
    rows: list[Row] = []
    cells: list[str] = []
    cell: list[str] = []
    row_start = first
    number = first
    last_bar = False
    while number <= len(lines):
        raw = lines[number - 1].strip()
        if raw == "|":
            if last_bar and not cell:
                if cells:
                    rows.append(Row(cells=tuple(cells), where=f"{name}:{row_start}"))
                cells = []
                row_start = number + 1
            elif cell or cells:
                cells.append(clean_inline(" ".join(cell)))
                cell = []
            last_bar = True
        elif not raw:
            if last_bar:
                break  # the blank line after the last "|" ends the table
            cell.append("")
        else:
            cell.append(raw)
            last_bar = False
        number += 1
    if cell:
        cells.append(clean_inline(" ".join(cell)))
    if cells:
        rows.append(Row(cells=tuple(cells), where=f"{name}:{row_start}"))
    width = max((len(r.cells) for r in rows), default=0)
    padded = [Row(cells=r.cells + ("",) * (width - len(r.cells)), where=r.where) for r in rows]
    return padded, number


def _continues(previous: str, text: str, gap: bool) -> bool:
    """Whether `text` carries on the paragraph ending in `previous`.

    Lines with no blank between them belong together unless the new one starts an
    item; across a blank line (a page break, PDF wrapping) only a sentence cut in the
    middle continues, and the new line then starts in lower case.
    """
    if _ITEM_START.match(text):
        return False
    if not gap:
        return not previous.endswith(":") or not text[:1].isupper()
    return not _SENTENCE_END.search(previous) and text[:1].islower()
