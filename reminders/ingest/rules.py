"""Ruled tables on a scanned page: find the rules, take them out before OCR, keep the grid.

Tesseract reads table rules as stray letters and runs cells together. The rules are long
straight runs of dark pixels; they are found with running sums (numpy), whitened out of
the image, and the boxes they draw are kept so words can be put back in their cells.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

_DARK = 140  # grey level under which a pixel is ink


@dataclass(frozen=True, slots=True)
class Grid:
    """One ruled table: the y of its row rules and the x of its column rules, in pixels."""

    rows: tuple[int, ...]
    columns: tuple[int, ...]

    @property
    def box(self) -> tuple[int, int, int, int]:
        return self.columns[0], self.rows[0], self.columns[-1], self.rows[-1]


def find_and_remove(image: Any) -> tuple[Any, list[Grid]]:
    """(the image without its rules, the ruled tables found). `image` is a PIL image."""
    from PIL import Image

    ink = np.asarray(image.convert("L")) < _DARK
    height, width = ink.shape
    horizontal = _runs(ink, max(width // 12, 40), axis=1)
    vertical = _runs(ink, max(height // 40, 40), axis=0)
    cleaned = np.asarray(image.convert("L")).copy()
    cleaned[_grow(horizontal | vertical, 2)] = 255  # the rule's grey edges go too
    grids = _grids(horizontal, vertical)
    return Image.fromarray(cleaned), grids


def _grow(mask: Any, by: int) -> Any:
    grown = mask.copy()
    for shift in range(1, by + 1):
        grown[shift:, :] |= mask[:-shift, :]
        grown[:-shift, :] |= mask[shift:, :]
        grown[:, shift:] |= mask[:, :-shift]
        grown[:, :-shift] |= mask[:, shift:]
    return grown


def _runs(ink: Any, length: int, axis: int) -> Any:
    """Pixels that lie on a straight run of ink at least `length` long along `axis`."""
    moved = ink if axis == 1 else ink.T
    padded = np.pad(moved.astype(np.int32), ((0, 0), (1, 0)))
    sums = np.cumsum(padded, axis=1)
    full = (sums[:, length:] - sums[:, :-length]) == length  # window [i, i+length) all ink
    # every pixel of a full window is on the run: spread each window start over its length
    starts = np.pad(full.astype(np.int32), ((0, 0), (0, length - 1)))
    spread = np.cumsum(starts, axis=1)
    spread[:, length:] -= spread[:, :-length].copy()
    marked = spread > 0
    return marked if axis == 1 else marked.T


def _lines(mask_1d: Any) -> list[int]:
    """Centres of the bands where a profile is set (a rule is a few pixels thick)."""
    centres: list[int] = []
    start = None
    for index, on in enumerate(mask_1d):
        if on and start is None:
            start = index
        elif not on and start is not None:
            centres.append((start + index - 1) // 2)
            start = None
    if start is not None:
        centres.append((start + len(mask_1d) - 1) // 2)
    return centres


def _grids(horizontal: Any, vertical: Any) -> list[Grid]:
    """The ruled table: the column rules that run down most of it, and the row rules
    between its top and bottom (an underline under the motto is not one of them)."""
    bands = _lines(vertical.any(axis=0))
    extents = []
    for x in bands:
        ys = np.flatnonzero(vertical[:, max(0, x - 2):x + 3].any(axis=1))
        extents.append((x, int(ys.min()), int(ys.max())))
    if len(extents) < 2:
        return []
    longest = max(extents, key=lambda e: e[2] - e[1])
    top, bottom = longest[1], longest[2]
    columns = [x for x, y0, y1 in extents
               if min(y1, bottom) - max(y0, top) > 0.5 * (bottom - top)]
    rows = [y for y in _lines(horizontal.any(axis=1)) if top - 4 <= y <= bottom + 4]
    if len(rows) < 3 or len(columns) < 2:
        return []
    return [Grid(rows=tuple(rows), columns=tuple(columns))]
