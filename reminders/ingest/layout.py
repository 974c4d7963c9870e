"""Positioned characters or words of a page → lines → paragraphs and layout tables (pure).

PDF text layers and OCR both give text with positions but no structure. This module
rebuilds what a reader sees: words from characters (letters that extraction sets apart,
"S ở T à i c h í nh", are one word again), lines from words, columns from wide gaps (the
letterhead and the signature block become a borderless table, as Word draws them),
paragraphs from wrapped lines, and drops page numbers and running headers and footers.
"""

from __future__ import annotations

import re
import statistics
import unicodedata
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from itertools import pairwise


@dataclass(frozen=True, slots=True)
class Glyph:
    """One character (or, from OCR, one word) with its box in points, top-down."""

    text: str
    x0: float
    x1: float
    top: float
    bottom: float
    size: float


@dataclass(slots=True)
class Line:
    words: list[Glyph]
    segments: list[list[Glyph]] = field(default_factory=list)

    @property
    def top(self) -> float:
        return min(w.top for w in self.words)

    @property
    def bottom(self) -> float:
        return max(w.bottom for w in self.words)

    @property
    def x0(self) -> float:
        return min(w.x0 for w in self.words)

    @property
    def x1(self) -> float:
        return max(w.x1 for w in self.words)

    @property
    def size(self) -> float:
        return statistics.median(w.size for w in self.words)

    def text(self) -> str:
        return "   ".join(_join(s) for s in self.segments)


@dataclass(frozen=True, slots=True)
class TextBlock:
    """A paragraph (one column), a run of layout columns (the letterhead: cells per column),
    or a table rebuilt from aligned columns (`rows`, one tuple of cells per row)."""

    top: float
    columns: tuple[str, ...]  # one entry: a paragraph
    rows: tuple[tuple[str, ...], ...] = ()

    @property
    def is_paragraph(self) -> bool:
        return len(self.columns) == 1 and not self.rows


_BULLET = re.compile(r"^(?:[-–+•*]\s|\d{1,2}(?:\.\d{1,2})*[.)]\s|[a-zđ]\)\s|[IVXLC]{1,5}[.)]\s"
                     r"|[A-ZĐ][.)]\s|Bước\s+\d|Điều\s+\d|Phần\s|Mục\s)")
_ENDS_SENTENCE = re.compile(r"[.:;!?…]\s*$")
# A line ending in one of these words cannot end a paragraph.
_OPEN_END = re.compile(r"\b(?:của|và|về|các|theo|tại|với|cho|trong|từ|đến|ngày|số|năm|tháng"
                       r"|những|đã|được|là|có|thuộc|gồm|như|trên|dưới|sau|trước|hoặc)$")
_PAGE_NUMBER = re.compile(r"^(?:-\s*)?(?:trang\s+)?\d{1,3}(?:\s*/\s*\d{1,3})?(?:\s*-)?$",
                          re.IGNORECASE)


def words_from_chars(chars: Iterable[Glyph]) -> list[Glyph]:
    """Characters → words. A gap wider than the line's usual letter gap is a space.

    The threshold follows the line's own letter spacing, so text set with expanded
    spacing (or extracted letter by letter) gives whole words, not single letters.
    """
    words: list[Glyph] = []
    for line in _rows(c for c in chars if c.text.strip()):
        line.sort(key=lambda c: c.x0)
        gaps = [b.x0 - a.x1 for a, b in pairwise(line)]
        size = statistics.median(c.size for c in line)
        letter_gap = statistics.median(gaps) if gaps else 0.0
        # A letter gap above a third of the size is spacing within words, not between them.
        letter_gap = max(0.0, min(letter_gap, size / 3))
        threshold = letter_gap + max(0.16 * size, 1.2)
        current = [line[0]]
        for gap, char in zip(gaps, line[1:], strict=True):
            if gap > threshold:
                words.append(_merge(current))
                current = []
            current.append(char)
        words.append(_merge(current))
    return words


def build_lines(words: Iterable[Glyph]) -> list[Line]:
    """Words → lines in reading order, each split into columns at wide gaps."""
    lines = [Line(sorted(row, key=lambda w: w.x0)) for row in _rows(words)]
    for line in lines:
        segments: list[list[Glyph]] = [[line.words[0]]]
        gaps = [b.x0 - a.x1 for a, b in pairwise(line.words)]
        # Justified lines stretch every gap alike; a column gap stands out from the rest.
        small = sorted(gaps)[: max(1, len(gaps) // 2)] if len(gaps) >= 3 else []
        usual = statistics.median(small) if small else 0.3 * line.size
        wide = max(2.5 * usual, 0.8 * line.size, 8.0)
        for before, word in pairwise(line.words):
            if word.x0 - before.x1 > wide:
                segments.append([])
            segments[-1].append(word)
        line.segments = segments
    return lines


def running_texts(pages: Sequence[Sequence[Line]], height: float) -> set[str]:
    """Lines repeated near the top or bottom of most pages: running headers and footers."""
    if len(pages) < 3:
        return set()
    seen: Counter[str] = Counter()
    for lines in pages:
        edge = {_shape(line.text()) for line in lines
                if line.top < 0.08 * height or line.bottom > 0.92 * height}
        seen.update(edge)
    return {text for text, count in seen.items() if count >= max(3, len(pages) // 2)}


def page_blocks(lines: Sequence[Line], height: float, running: set[str],
                left_margin: float, right_margin: float) -> list[TextBlock]:
    """Lines of one page → paragraphs and multi-column runs, page furniture left out."""
    items = _runs([line for line in lines if not _furniture(line, height, running)])
    blocks: list[TextBlock] = []
    last: Line | None = None
    for item in items:
        if isinstance(item, TextBlock):
            blocks.append(item)
            last = None
            continue
        text = item.text()
        previous = blocks[-1] if blocks and blocks[-1].is_paragraph else None
        if previous is not None and last is not None and _continues(
                last, item, left_margin, right_margin):
            blocks[-1] = TextBlock(top=previous.top, columns=(_glue(previous.columns[0], text),))
        else:
            blocks.append(TextBlock(top=item.top, columns=(text,)))
        last = item
    return blocks


def _runs(lines: list[Line]) -> list[Line | TextBlock]:
    """Runs of two or more lines split by a common gutter become column blocks; any other
    line with wide gaps (blanks left for a number or a date) is read as one text."""
    out: list[Line | TextBlock] = []
    index = 0
    while index < len(lines):
        end = index
        while end < len(lines) and len(lines[end].segments) >= 2:
            end += 1
        run = lines[index:end]
        gutters = _gutters(run) if len(run) >= 2 else []
        if gutters:
            # A line of one column alone ("THƯƠNG" under "SỞ CÔNG") still belongs to the run.
            while end < len(lines) and _within_a_column(lines[end], run, gutters):
                run.append(lines[end])
                end += 1
            out.append(_columns(run, gutters))
            index = end
            continue
        line = lines[index]
        out.append(Line(line.words, [line.words]) if len(line.segments) >= 2 else line)
        index += 1
    return out


def body_left(pages: Sequence[Sequence[Line]]) -> float:
    """The body's left margin: the most common left edge of single-column lines."""
    edges = Counter(round(line.x0) for lines in pages for line in lines
                    if len(line.segments) == 1)
    return float(edges.most_common(1)[0][0]) if edges else 0.0


def body_right(pages: Sequence[Sequence[Line]]) -> float:
    """The body's right margin: where the longest single-column lines end."""
    ends = sorted(line.x1 for lines in pages for line in lines if len(line.segments) == 1)
    return ends[int(0.9 * (len(ends) - 1))] if ends else 0.0


def ends_sentence(text: str) -> bool:
    return bool(_ENDS_SENTENCE.search(text))


def glue_lines(first: str, second: str) -> str:
    """Two pieces of one sentence; "NĐ-" + "CP" joins without a space."""
    return _glue(first, second)


# -- helpers ------------------------------------------------------------------------------

def _rows(items: Iterable[Glyph]) -> list[list[Glyph]]:
    """Group boxes into rows: a box joins the row its vertical middle falls in."""
    rows: list[list[Glyph]] = []
    bounds: list[tuple[float, float]] = []
    for item in sorted(items, key=lambda g: (g.top, g.x0)):
        middle = (item.top + item.bottom) / 2
        for index in range(len(rows) - 1, max(-1, len(rows) - 4), -1):
            top, bottom = bounds[index]
            if top <= middle <= bottom:
                rows[index].append(item)
                bounds[index] = (min(top, item.top), max(bottom, item.bottom))
                break
        else:
            rows.append([item])
            bounds.append((item.top, item.bottom))
    order = sorted(range(len(rows)), key=lambda i: bounds[i][0])
    return [rows[i] for i in order]


def _merge(chars: list[Glyph]) -> Glyph:
    text = unicodedata.normalize("NFC", "".join(c.text for c in chars))
    return Glyph(text=text, x0=min(c.x0 for c in chars), x1=max(c.x1 for c in chars),
                 top=min(c.top for c in chars), bottom=max(c.bottom for c in chars),
                 size=statistics.median(c.size for c in chars))


def _join(words: list[Glyph]) -> str:
    return unicodedata.normalize("NFC", " ".join(w.text for w in words)).strip()


def _shape(text: str) -> str:
    return re.sub(r"\d+", "#", text.strip().lower())


def _furniture(line: Line, height: float, running: set[str]) -> bool:
    near_edge = line.top < 0.08 * height or line.bottom > 0.92 * height
    text = line.text().strip()
    if _PAGE_NUMBER.match(text) and (near_edge or len(text) <= 3):
        return True
    return near_edge and _shape(text) in running


def _gutters(run: list[Line]) -> list[float]:
    """x positions that no line of the run writes across: the borders between columns.

    A blank left for a number ("Số:      /KH-SCT") is no gutter, since the lines above
    and below write across it.
    """
    spans = sorted((w.x0, w.x1) for line in run for w in line.words)
    gutters: list[float] = []
    reach = spans[0][1]
    for x0, x1 in spans[1:]:
        if x0 - reach > 12.0:
            gutters.append((x0 + reach) / 2)
        reach = max(reach, x1)
    return gutters


def _within_a_column(line: Line, run: list[Line], gutters: list[float]) -> bool:
    """Whether `line` goes on with the run: near it, and writing across none of its gutters
    (a line of several columns, or one alone under its column)."""
    gap = line.top - run[-1].bottom
    if any(w.x0 < g < w.x1 for w in line.words for g in gutters):
        return False
    if len(line.segments) > 1:
        return gap <= 2.5 * line.size
    edges = [-1e9, *gutters, 1e9]
    inside = any(low < line.x0 and line.x1 < high for low, high in pairwise(edges))
    return inside and gap <= 0.5 * line.size


_ROW_NUMBER = re.compile(r"^(?:\d{1,3}(?:\.\d{1,2})*\.?|[IVXLC]{1,5}\.?|[A-ZĐ][.)]?)$")


def _columns(run: list[Line], gutters: list[float]) -> TextBlock:
    """Multi-column lines → one cell per column between the gutters, lines in order.

    Three columns or more are a table (a scanned one, or one drawn without rules): a new
    row starts where the first column holds a number ("1", "2.1", "II", "A").
    """
    if len(gutters) >= 2:
        return _table(run, gutters)
    cells: list[list[str]] = [[] for _ in range(len(gutters) + 1)]
    for line in run:
        for where, seg in sorted(_split(line, gutters).items()):
            text = _join(seg)
            if cells[where] and _wraps(cells[where][-1], text):
                cells[where][-1] = _glue(cells[where][-1], text)
            else:
                cells[where].append(text)
    return TextBlock(top=run[0].top, columns=tuple("\n".join(c) for c in cells))


def _split(line: Line, gutters: list[float]) -> dict[int, list[Glyph]]:
    parts: dict[int, list[Glyph]] = {}
    for word in line.words:
        parts.setdefault(sum(word.x0 > g for g in gutters), []).append(word)
    return parts


def _table(run: list[Line], gutters: list[float]) -> TextBlock:
    width = len(gutters) + 1
    rows: list[list[list[str]]] = []
    numbered = False
    for line in run:
        parts = _split(line, gutters)
        first = _join(parts[0]) if 0 in parts else ""
        starts = bool(first) and bool(_ROW_NUMBER.match(first.split()[0]))
        if not rows or (starts and (numbered or len(rows) == 1)) or (starts and not numbered):
            rows.append([[] for _ in range(width)])
            numbered = numbered or starts
        for where, seg in parts.items():
            cell = rows[-1][where]
            text = _join(seg)
            if (cell and _wraps(cell[-1], text)) or cell:
                cell[-1] = _glue(cell[-1], text)
            else:
                cell.append(text)
    table = tuple(tuple("\n".join(c) for c in row) for row in rows)
    return TextBlock(top=run[0].top, columns=table[0], rows=table)


def _wraps(previous: str, text: str) -> bool:
    return previous.endswith("-") or (text[:1].islower() and not _ENDS_SENTENCE.search(previous))


def _continues(last: Line, line: Line, left_margin: float, right_margin: float) -> bool:
    """Whether `line` goes on with the paragraph `last` ended.

    A line wraps when the one before it ran to the right margin and it starts at the left
    one; a list marker, paragraph spacing or an indent opens a new paragraph.
    """
    text = line.text()
    previous = last.text()
    if _BULLET.match(text):
        return False
    if line.top - last.bottom > 0.6 * line.size:
        return False  # paragraph spacing
    if text[:1].islower() or (previous.endswith("-") and not previous.endswith(" -")):
        return True
    if _ENDS_SENTENCE.search(previous):
        return False
    if previous.count("(") > previous.count(")") or _OPEN_END.search(previous):
        return True  # "(Ban hành kèm theo … của" / "Tỉnh ủy Lào Cai)"
    full = last.x1 >= right_margin - 2.5 * line.size
    return full and line.x0 <= left_margin + 6


def _glue(first: str, second: str) -> str:
    if first.endswith("-") and len(first) >= 2 and not first[-2].isspace():
        return first + second
    return f"{first} {second}"
