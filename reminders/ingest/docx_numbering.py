"""Word list numbering: the labels ("1.", "a)", "I.", "-") Word draws before list paragraphs.

The labels are not in the text; they come from numbering.xml (abstract definitions, their
instances and overrides) and from paragraph styles, and their values from counters that
advance as the document is read. A missing or odd definition gives no label, never an error.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Protocol

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_LEVELS = 9  # Word lists have levels 0..8
_PLACEHOLDER = re.compile(r"%([1-9])")
_ROMAN = ((1000, "M"), (900, "CM"), (500, "D"), (400, "CD"), (100, "C"), (90, "XC"),
          (50, "L"), (40, "XL"), (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I"))


class Element(Protocol):
    """The part of an lxml element the docx reader uses (lxml ships no type information)."""

    tag: object  # a str, or a function for comments and processing instructions
    text: str | None

    def get(self, key: str) -> str | None: ...
    def find(self, path: str) -> Element | None: ...
    def findall(self, path: str) -> list[Element]: ...
    def __iter__(self) -> Iterator[Element]: ...


def child_val(parent: Element | None, tag: str) -> str | None:
    """The w:val of `parent`'s first w:`tag` child, if both exist."""
    child = None if parent is None else parent.find(W + tag)
    return None if child is None else child.get(W + "val")


def to_int(text: str | None, default: int) -> int:
    """An attribute as an int; files in the wild hold junk, which reads as `default`.

    Long digit strings are junk too: counters built on them could outgrow str().
    """
    if text is None or len(text) > 9:
        return default
    try:
        return int(text)
    except ValueError:
        return default


@dataclass(frozen=True, slots=True)
class _Level:
    fmt: str  # numFmt: decimal, upperRoman, lowerLetter, bullet, ...
    text: str  # lvlText: "%1.", "%1.%2.", "-"
    start: int
    restart: int | None  # lvlRestart: levels up to this one (1-based) restart it; 0 never
    legal: bool  # isLgl: every placeholder in decimal


@dataclass(frozen=True, slots=True)
class _Num:
    abstract: str
    starts: dict[int, int] = field(default_factory=dict)  # lvlOverride/startOverride
    levels: dict[int, _Level] = field(default_factory=dict)  # lvlOverride/lvl


class Numbering:
    """Labels for list paragraphs, in document order (call `label` for every paragraph)."""

    def __init__(self, numbering: Element | None, styles: Element | None) -> None:
        self._abstracts: dict[str, dict[int, _Level]] = {}
        self._style_links: dict[str, str] = {}  # abstractNum → numbering style holding its list
        self._style_levels: dict[str, int] = {}  # paragraph style → level that names it
        self._nums: dict[str, _Num] = {}
        self._styles: dict[str, Element] = {}
        # Word keeps one set of counters per abstract list, shared by its instances.
        self._counters: dict[str, list[int | None]] = {}
        self._used: set[str] = set()
        for style in [] if styles is None else styles.findall(W + "style"):
            self._styles[style.get(W + "styleId") or ""] = style
        for abstract in [] if numbering is None else numbering.findall(W + "abstractNum"):
            self._read_abstract(abstract)
        for num in [] if numbering is None else numbering.findall(W + "num"):
            self._read_num(num)

    def label(self, p: Element) -> str:
        """The label Word shows before paragraph `p` ("" if none); advances the counters."""
        num_id, ilvl, style_id = self._num_pr(p)
        num = self._nums.get(num_id or "")
        if num is None or num_id == "0":
            return ""
        abstract = self._abstract_of(num)
        levels = {**self._abstracts.get(abstract, {}), **num.levels}
        if ilvl is None:
            ilvl = self._style_levels.get(style_id or "", 0)
        level = levels.get(ilvl)
        if level is None:
            return ""
        counters = self._counters.setdefault(abstract, [None] * _LEVELS)
        if num_id not in self._used:  # an instance with start overrides restarts its list
            self._used.add(num_id or "")
            for overridden in num.starts:
                counters[overridden] = None
        for deeper in range(ilvl + 1, _LEVELS):
            restart = levels[deeper].restart if deeper in levels else None
            limit = deeper if restart is None or restart > deeper else restart
            if ilvl < limit:
                counters[deeper] = None
        current = counters[ilvl]
        counters[ilvl] = num.starts.get(ilvl, level.start) if current is None else current + 1
        if level.fmt == "bullet":
            return "-"

        def value(match: re.Match[str]) -> str:
            k = int(match.group(1)) - 1
            ref = levels.get(k)
            count = counters[k]
            if count is None:
                count = num.starts.get(k, ref.start if ref else 1)
            return _format(count, "decimal" if level.legal or ref is None else ref.fmt)

        return _PLACEHOLDER.sub(value, level.text).strip()

    def _read_abstract(self, abstract: Element) -> None:
        abstract_id = abstract.get(W + "abstractNumId")
        if abstract_id is None:
            return
        levels: dict[int, _Level] = {}
        for lvl in abstract.findall(W + "lvl"):
            ilvl = to_int(lvl.get(W + "ilvl"), -1)
            if 0 <= ilvl < _LEVELS:
                levels[ilvl] = _level(lvl)
                style = child_val(lvl, "pStyle")
                if style:
                    self._style_levels[style] = ilvl
        self._abstracts[abstract_id] = levels
        link = child_val(abstract, "numStyleLink")
        if link:
            self._style_links[abstract_id] = link

    def _read_num(self, num: Element) -> None:
        num_id, abstract = num.get(W + "numId"), child_val(num, "abstractNumId")
        if num_id is None or abstract is None:
            return
        entry = _Num(abstract)
        for override in num.findall(W + "lvlOverride"):
            ilvl = to_int(override.get(W + "ilvl"), -1)
            if not 0 <= ilvl < _LEVELS:
                continue
            start = child_val(override, "startOverride")
            if start is not None:
                entry.starts[ilvl] = to_int(start, 0)
            lvl = override.find(W + "lvl")
            if lvl is not None:
                entry.levels[ilvl] = _level(lvl)
        self._nums[num_id] = entry

    def _num_pr(self, p: Element) -> tuple[str | None, int | None, str | None]:
        """(numId, level, paragraph style): direct numPr first, then the style's chain."""
        props = p.find(W + "pPr")
        style_id = child_val(props, "pStyle")
        direct = None if props is None else props.find(W + "numPr")
        num_id, ilvl = child_val(direct, "numId"), child_val(direct, "ilvl")
        if direct is None or num_id is None or ilvl is None:
            style_num, style_ilvl = self._style_num_pr(style_id)
            num_id = num_id if num_id is not None else style_num
            ilvl = ilvl if ilvl is not None else style_ilvl
        level = None if ilvl is None else min(max(to_int(ilvl, 0), 0), _LEVELS - 1)
        return num_id, level, style_id

    def _style_num_pr(self, style_id: str | None) -> tuple[str | None, str | None]:
        num_id = ilvl = None
        seen: set[str] = set()
        while style_id and style_id not in seen and style_id in self._styles:
            seen.add(style_id)
            style = self._styles[style_id]
            num_pr = style.find(f"{W}pPr/{W}numPr")
            num_id = num_id if num_id is not None else child_val(num_pr, "numId")
            ilvl = ilvl if ilvl is not None else child_val(num_pr, "ilvl")
            style_id = child_val(style, "basedOn")
        return num_id, ilvl

    def _abstract_of(self, num: _Num) -> str:
        """The abstract list whose levels and counters `num` uses (through a numbering style)."""
        link = self._style_links.get(num.abstract)
        if link is not None:
            linked = self._nums.get(self._style_num_pr(link)[0] or "")
            if linked is not None:
                return linked.abstract
        return num.abstract


def _level(lvl: Element) -> _Level:
    restart = child_val(lvl, "lvlRestart")
    legal = lvl.find(W + "isLgl")
    return _Level(
        fmt=child_val(lvl, "numFmt") or "decimal",
        text=child_val(lvl, "lvlText") or "",
        start=to_int(child_val(lvl, "start"), 0),  # the schema's default is 0, not 1
        restart=None if restart is None else to_int(restart, 0),
        legal=legal is not None and legal.get(W + "val") not in ("0", "false", "off"),
    )


def _format(n: int, fmt: str) -> str:
    if fmt == "none":
        return ""
    if fmt in ("upperRoman", "lowerRoman") and 0 < n < 4000:
        out = ""
        for amount, letters in _ROMAN:
            count, n = divmod(n, amount)
            out += letters * count
        return out if fmt == "upperRoman" else out.lower()
    if fmt in ("upperLetter", "lowerLetter") and 0 < n <= 780:
        # Word goes a..z, then aa..zz: the letter repeated, not base 26.
        letter = chr(ord("A") + (n - 1) % 26) * ((n - 1) // 26 + 1)
        return letter if fmt == "upperLetter" else letter.lower()
    if fmt == "decimalZero" and 0 <= n < 10:
        return f"0{n}"
    return str(n)
