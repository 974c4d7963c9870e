"""What every reader gives the extractor: a document as paragraphs and tables, in order.

Readers (text, docx, sheet) differ in what they meet; after them the extractor sees one
shape. Text is plain (NFC, no HTML markup, entities decoded); a table keeps one string
per grid column; `where` names the place for messages and the contract's "file:line".
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass


@dataclass(frozen=True, slots=True, kw_only=True)
class Paragraph:
    """One paragraph of body text (a line in the text seeds)."""

    text: str
    where: str  # "KH.docx:57", "000.txt:131"


@dataclass(frozen=True, slots=True, kw_only=True)
class Row:
    """One table row, one string per grid column.

    A horizontally merged cell's text sits in its first grid column and the columns it
    covers are "" (so a section row "A | Cấp quận" spanning the table reads as two
    cells). A vertically merged cell's text is repeated in every row it spans, and
    `continued` is True in the rows below its first, so the extractor can tell a merge
    from a repeated value.
    """

    cells: tuple[str, ...]
    where: str
    continued: tuple[bool, ...] = ()

    def is_continued(self, column: int) -> bool:
        return column < len(self.continued) and self.continued[column]


@dataclass(frozen=True, slots=True, kw_only=True)
class Table:
    rows: tuple[Row, ...]
    where: str  # the table's first row
    borderless: bool = False  # Word layout tables (letterheads, signature blocks) draw no borders

    @property
    def width(self) -> int:
        return max((len(r.cells) for r in self.rows), default=0)


Block = Paragraph | Table


@dataclass(frozen=True, slots=True, kw_only=True)
class Document:
    """One input file, read."""

    name: str  # the file name as the user gave it (messages quote it)
    blocks: tuple[Block, ...]
    ocr: frozenset[str] = frozenset()  # `where` of the blocks and rows read by OCR

    def paragraphs(self) -> Iterator[Paragraph]:
        """Body paragraphs, and the lines of every table cell as paragraphs, in order.

        Metadata often sits in layout tables (the letterhead with "Số:" and the date
        line), so readers of the whole text must see cells too.
        """
        for block in self.blocks:
            if isinstance(block, Paragraph):
                yield block
                continue
            for row in block.rows:
                for column, cell in enumerate(row.cells):
                    if row.is_continued(column):
                        continue
                    for line in cell.split("\n"):
                        if line.strip():
                            yield Paragraph(text=line.strip(), where=row.where)
