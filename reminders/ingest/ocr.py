"""Scanned pages and photos → words with positions and ruled tables, through Tesseract.

The one place that runs the `tesseract` program (Debian tesseract-ocr, tesseract-ocr-vie).
The page's rules are found and whitened first (rules.py). Text outside the tables is read
in one pass with Tesseract's page layout; each table cell is cut out and read as a block
of its own (page layout analysis runs cells of a table together), all cells of a page in
one further run. Boxes are turned into points on an A4 width, so layout.py's thresholds
hold for any scan resolution.
"""

from __future__ import annotations

import csv
import io
import re
import shutil
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from reminders.errors import InputError
from reminders.ingest import rules
from reminders.ingest.layout import Glyph

A4_WIDTH_POINTS = 595.0
_RULE = re.compile(r"^[|¦!\[\]{}_—–-]{1,3}$")
_TIMEOUT_SECONDS = 300
_INSET = 6  # pixels cut from each side of a cell, so no trace of its rules is read
MISSING = ("cần Tesseract để đọc ảnh quét: hãy cài gói Debian 'tesseract-ocr' và "
           "'tesseract-ocr-vie'")


@dataclass(frozen=True, slots=True)
class OcrTable:
    """A ruled table read cell by cell: its top and bottom in points, the cells' text."""

    top: float
    bottom: float
    rows: list[list[str]]


@dataclass(frozen=True, slots=True)
class OcrPage:
    """The words of a page outside its tables, in points, and the tables."""

    words: list[Glyph]
    tables: list[OcrTable] = field(default_factory=list)


class TesseractOcr:
    """Reads one image at a time; raises InputError when Tesseract fails."""

    def __init__(self, program: str, language: str = "vie") -> None:
        self.program = program
        self.language = language

    @classmethod
    def find(cls) -> TesseractOcr | None:
        """The installed Tesseract with Vietnamese data, or None."""
        program = shutil.which("tesseract")
        if program is None:
            return None
        try:
            listed = subprocess.run([program, "--list-langs"], capture_output=True, text=True,
                                    timeout=30, check=False)
        except (OSError, subprocess.SubprocessError):
            return None
        languages = set(listed.stdout.split()) | set(listed.stderr.split())
        return cls(program) if "vie" in languages else None

    def __call__(self, image: Any) -> OcrPage:
        from PIL import ImageDraw

        cleaned, grids = rules.find_and_remove(image)
        scale = A4_WIDTH_POINTS / max(image.width, 1)
        outside = cleaned.copy()
        draw = ImageDraw.Draw(outside)
        for grid in grids:
            draw.rectangle(grid.box, fill=255)
        with tempfile.TemporaryDirectory(prefix="reminders-ocr-") as folder:
            page_png = Path(folder) / "page.png"
            outside.save(page_png)
            words = words_from_tsv(self._run(page_png, "3"), image.width)
            tables = [self._table(cleaned, grid, Path(folder), index, scale)
                      for index, grid in enumerate(grids)]
        return OcrPage(words=words, tables=[t for t in tables if t.rows])

    def _table(self, image: Any, grid: rules.Grid, folder: Path, index: int,
               scale: float) -> OcrTable:
        cuts: list[tuple[int, int]] = []
        paths: list[str] = []
        for r, (top, bottom) in enumerate(zip(grid.rows, grid.rows[1:], strict=False)):
            for c, (left, right) in enumerate(zip(grid.columns, grid.columns[1:],
                                                  strict=False)):
                box = (left + _INSET, top + _INSET, right - _INSET, bottom - _INSET)
                if box[2] <= box[0] or box[3] <= box[1]:
                    continue
                cell = image.crop(box)
                if cell.getextrema()[0] > 140:
                    continue  # no ink: an empty cell
                path = folder / f"t{index}r{r}c{c}.png"
                _framed(cell).save(path)
                cuts.append((r, c))
                paths.append(str(path))
        rows = [["" for _ in grid.columns[1:]] for _ in grid.rows[1:]]
        if paths:
            listing = folder / f"t{index}.txt"
            listing.write_text("\n".join(paths) + "\n", encoding="utf-8")
            for page, text in _texts_by_page(self._run(listing, "6")).items():
                if 0 < page <= len(cuts):
                    r, c = cuts[page - 1]
                    rows[r][c] = text
        kept = [row for row in rows if any(row)]
        return OcrTable(top=grid.rows[0] * scale, bottom=grid.rows[-1] * scale, rows=kept)

    def _run(self, source: Path, layout: str) -> str:
        try:
            done = subprocess.run(
                [self.program, str(source), "stdout", "-l", self.language, "--psm", layout,
                 "tsv"], capture_output=True, timeout=_TIMEOUT_SECONDS, check=False)
        except subprocess.TimeoutExpired:
            raise InputError("nhận dạng chữ (OCR) quá lâu, đã dừng") from None
        except OSError as exc:
            raise InputError(f"không chạy được Tesseract ({exc.strerror})") from None
        if done.returncode != 0:
            detail = done.stderr.decode("utf-8", "replace").strip().splitlines()[-1:]
            raise InputError(f"Tesseract báo lỗi: {' '.join(detail) or done.returncode}")
        return done.stdout.decode("utf-8", "replace")


def _framed(cell: Any) -> Any:
    """A cell on a white margin, small ones enlarged: Tesseract misreads text at the edge
    of an image, and a lone "2." in a narrow cell."""
    from PIL import Image

    factor = 2 if cell.height < 120 or cell.width < 120 else 1
    if factor > 1:
        cell = cell.resize((cell.width * factor, cell.height * factor), Image.Resampling.LANCZOS)
    framed = Image.new("L", (cell.width + 60, cell.height + 60), 255)
    # light grey left by the rules or by JPEG compression reads as strokes: paper it over
    framed.paste(cell.convert("L").point(lambda p: 255 if p > 190 else p), (30, 30))
    return framed


def _texts_by_page(tsv: str) -> dict[int, str]:
    """Tesseract TSV of several images → each image's text, one line per text line."""
    lines: dict[tuple[int, str, str, str], list[str]] = {}
    for row in csv.DictReader(io.StringIO(tsv), delimiter="\t", quoting=csv.QUOTE_NONE):
        text = (row.get("text") or "").strip()
        if row.get("level") != "5" or not text or _RULE.match(text):
            continue
        key = (int(row["page_num"]), row["block_num"], row["par_num"], row["line_num"])
        lines.setdefault(key, []).append(text)
    pages: dict[int, list[str]] = {}
    for (page, *_rest), words in sorted(lines.items(), key=lambda kv: _order(kv[0])):
        pages.setdefault(page, []).append(" ".join(words))
    return {page: "\n".join(texts) for page, texts in pages.items()}


def _order(key: tuple[int, str, str, str]) -> tuple[int, int, int, int]:
    return key[0], int(key[1]), int(key[2]), int(key[3])


def words_from_tsv(tsv: str, image_width: int) -> list[Glyph]:
    """Tesseract's TSV → words in points; the size is the height of the word's line."""
    scale = A4_WIDTH_POINTS / max(image_width, 1)
    rows = list(csv.DictReader(io.StringIO(tsv), delimiter="\t", quoting=csv.QUOTE_NONE))
    line_height: dict[tuple[str, str, str, str], float] = {}
    for row in rows:
        if row.get("level") == "4":
            line_height[_line_key(row)] = float(row["height"]) * scale
    words: list[Glyph] = []
    for row in rows:
        text = (row.get("text") or "").strip()
        if row.get("level") != "5" or not text or float(row.get("conf") or -1) < 0:
            continue
        if _RULE.match(text):
            continue  # a rule read as a letter
        left, top = float(row["left"]) * scale, float(row["top"]) * scale
        width, height = float(row["width"]) * scale, float(row["height"]) * scale
        size = line_height.get(_line_key(row), height) / 1.15
        words.append(Glyph(text=text, x0=left, x1=left + width, top=top, bottom=top + height,
                           size=max(size, 4.0)))
    return words


def _line_key(row: dict[str, str]) -> tuple[str, str, str, str]:
    return row["page_num"], row["block_num"], row["par_num"], row["line_num"]
