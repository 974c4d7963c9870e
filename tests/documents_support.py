"""Readers for the office's documents in tests: table cells of a page, text of a letter."""

from __future__ import annotations

import io
from html.parser import HTMLParser

import docx
from docx.document import Document


class _Cells(HTMLParser):
    """The text of the table cells of a page, by class."""

    def __init__(self) -> None:
        super().__init__()
        self.found: dict[str, list[str]] = {}
        self._open: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "td":
            self._open = dict(attrs).get("class") or ""
            self.found.setdefault(self._open, []).append("")

    def handle_endtag(self, tag: str) -> None:
        if tag == "td":
            self._open = None

    def handle_data(self, data: str) -> None:
        if self._open is not None:
            self.found[self._open][-1] += data


def cells(page: str) -> dict[str, list[str]]:
    parser = _Cells()
    parser.feed(page)
    return parser.found


def letter_text(data: bytes) -> tuple[Document, str]:
    document = docx.Document(io.BytesIO(data))
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        for cell in table.rows[0].cells:
            parts.extend(p.text for p in cell.paragraphs)
    return document, "\n".join(parts)
