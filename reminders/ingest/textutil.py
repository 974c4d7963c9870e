"""Small text helpers the extractors share: folding for comparison, list numbering."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from enum import IntEnum


def fold(text: str) -> str:
    """Lower case, no diacritics, "đ" as "d", single spaces: for matching words only."""
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(bare.lower().split())


def squeeze(text: str) -> str:
    return " ".join(text.split())


def shorten(text: str, limit: int = 120) -> str:
    """A title-length form of `text`, cut at a word boundary."""
    text = squeeze(text).rstrip(" .;,:")
    if len(text) <= limit:
        return text
    cut = text[:limit].rsplit(" ", 1)[0]
    return cut.rstrip(" .;,:") + "…"


class Numbering(IntEnum):
    """Kinds of list numbers; plans nest them A > I > 1 > 1.1 > a."""

    LETTER = 1
    ROMAN = 2
    ARABIC = 3
    NONE = 9


_ROMAN = re.compile(r"^(?=[IVXLC])M{0,3}(C[MD]|D?C{0,3})(X[CL]|L?X{0,3})(I[XV]|V?I{0,3})$")
_ARABIC = re.compile(r"^\d{1,4}(?:\.\d{1,3})*$")
_LETTER = re.compile(r"^[A-HJ-KM-UW-Z]$|^[a-hj-z]$")


@dataclass(frozen=True, slots=True)
class Number:
    """A list number as written ("II.", "1.2", "B") and its kind."""

    code: str  # without the trailing dot or bracket
    kind: Numbering

    @property
    def depth(self) -> int:
        return self.code.count(".") if self.kind is Numbering.ARABIC else 0

    def extends(self, other: Number) -> bool:
        """Whether this is a sub-number of `other` ("2.1" of "2")."""
        return (
            self.kind is Numbering.ARABIC
            and other.kind is Numbering.ARABIC
            and self.code.startswith(other.code + ".")
        )


def read_number(text: str) -> Number | None:
    """The list number a TT cell holds, or None when it holds none."""
    code = text.strip().rstrip(".)/").strip()
    if not code:
        return None
    if _ARABIC.match(code):
        return Number(code, Numbering.ARABIC)
    if _ROMAN.match(code):
        return Number(code, Numbering.ROMAN)
    if _LETTER.match(code):
        return Number(code.upper(), Numbering.LETTER)
    return None
