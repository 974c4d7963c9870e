"""Plain text for calendar properties: NFC, no control characters, short summaries."""

from __future__ import annotations

import re
import unicodedata

SUMMARY_LIMIT = 90  # characters; the full title is in DESCRIPTION
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
_SPACES = re.compile(r"[ \t\u00a0]+")


def clean(text: str) -> str:
    """NFC text without control characters (iCalendar TEXT forbids them), lines kept."""
    text = unicodedata.normalize("NFC", text).replace("\r\n", "\n").replace("\r", "\n")
    text = _CONTROL.sub(" ", text.replace("\t", " "))
    return "\n".join(_SPACES.sub(" ", line).strip() for line in text.split("\n")).strip()


def one_line(text: str) -> str:
    return " ".join(clean(text).split())


def shorten(text: str, limit: int = SUMMARY_LIMIT) -> str:
    """At most `limit` characters, cut at a word and marked with '…'."""
    flat = one_line(text)
    if len(flat) <= limit:
        return flat
    cut = flat[: limit - 1]
    if " " in cut[limit // 2:]:
        cut = cut[: cut.rindex(" ")]
    return cut.rstrip(" ,;:-–") + "…"


def names(links: tuple[str, ...]) -> str:
    return "; ".join(one_line(n) for n in links if n.strip())
