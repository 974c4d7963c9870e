"""Vietnamese name text → tokens: cleaning, tone-placement-free keys, abbreviation detection.

Every comparison in resolution goes through these keys, so "hoá"/"hóa", "thuỷ"/"thủy",
NFC/NFD and case all read alike. A syllable's key is its letters without the tone
mark plus the tone as a digit ("hóa" and "hoá" → "hoa1"); where the mark sits in the
syllable then no longer matters.
"""

from __future__ import annotations

import html
import re
import unicodedata
from dataclasses import dataclass

# Combining tone marks: acute, grave, hook above, tilde, dot below.
_TONES = {"\u0301": "1", "\u0300": "2", "\u0309": "3", "\u0303": "4", "\u0323": "5"}
_OTHER_MARKS = re.compile(r"[\u0302\u0306\u031b]")  # circumflex, breve, horn
_TAG = re.compile(r"<[^>]{0,200}>")
_TOKEN = re.compile(r"(?P<word>[^\W\d_]+(?:['’][^\W\d_]+)*)(?P<dot>\.)?|(?P<num>\d+)")
_VOWELS = set("aăâeêioôơuưy")

# A rough shape of a Vietnamese syllable (toneless, marks kept): initial, vowels, final.
# Place names of the Central Highlands and the north-west add clusters and a final "k"
# ("Krông", "Đắk", "Glong", "Drung"): words, not abbreviations.
_SYLLABLE = re.compile(
    r"^(?:ngh|ng|gh|gi|kh|nh|ph|qu|th|tr|ch|kr|dr|gl|bl|pl|kl|br|[bcdđghklmnprstvxjfwz])?"
    r"[aăâeêioôơuưy]{1,3}"
    r"(?:ch|ng|nh|[cmnptk])?$"
)

_PREFIX = re.compile(
    r"""^\s*(?:
        [-–—+•*·]+\s*                                  # bullets
      | \(\s*\d{1,2}\s*\)\s*                            # (1)
      | \d{1,2}(?:\.\d{1,2})*\s*[.)]\s*                 # 1.  1)  2.1.
      | [a-zđ]\)\s*                                     # a)
      | đề\s+nghị\s+                                    # Đề nghị
      | lãnh\s+đạo\s+(?=\S+\s)                          # Lãnh đạo UBND quận: the body
      | (?:các\s+)?(?:đơn\s+vị|cơ\s+quan)\s*:\s*        # Các đơn vị:
      | (?:(?:đơn\s+vị|cơ\s+quan)\s+)?(?:chủ\s+trì|phối\s+hợp(?:\s+thực\s+hiện)?)\s*:\s*
    )""",
    re.IGNORECASE | re.VERBOSE,
)
_SUFFIX = re.compile(
    r"(?:\s*\(\s*b\s*/\s*c\s*\)|\s+(?:phối\s+hợp|chủ\s+trì)|[\s,;:.…]+)$", re.IGNORECASE
)
_PARENS = re.compile(r"\([^()]*\)")
_GLUED = re.compile(r"(?<=[^\W\d_]{2})(?=[^\W\d_]{2})")


def _unglue(text: str) -> str:
    """"phòngTN&MT" → "phòng TN&MT": a lower-case word glued to the capitals after it."""
    return _GLUED.sub(
        lambda m: " " if _glued_at(text, m.start()) else "", text)


def _glued_at(text: str, at: int) -> bool:
    return (text[at - 2:at].islower() and text[at:at + 2].isupper())


def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def clean(text: str) -> str:
    """Drop markup, list numbering and the words that are not part of a name.

    "(3) Đề nghị Hội LHPN quận phối hợp;" → "Hội LHPN quận".
    """
    value = nfc(html.unescape(_TAG.sub(" ", text))).replace("…", "...")
    value = _unglue(value)
    value = " ".join(value.split())
    for _ in range(6):  # prefixes stack: "- (1) Đề nghị ..."
        stripped = _PREFIX.sub("", value, count=1)
        if stripped == value:
            break
        value = stripped
    for _ in range(6):
        stripped = _SUFFIX.sub("", value)
        if stripped == value:
            break
        value = stripped
    return value.strip()


def without_parentheses(text: str) -> str:
    """"Sở Nội vụ (Ban Thi đua - Khen thưởng)" → "Sở Nội vụ"."""
    return " ".join(_PARENS.sub(" ", text).split())


def syllable_key(word: str) -> str:
    """Lower-case letters without the tone mark, then the tone digit (0 for level tone)."""
    decomposed = unicodedata.normalize("NFD", word.lower())
    tone = "0"
    letters = []
    for char in decomposed:
        if char in _TONES:
            tone = _TONES[char]
        else:
            letters.append(char)
    return unicodedata.normalize("NFC", "".join(letters)) + tone


def bare(word: str) -> str:
    """Lower-case ASCII-ish letters: no tone, no other marks; "đ" stays "đ"."""
    decomposed = unicodedata.normalize("NFD", word.lower())
    kept = "".join(c for c in decomposed if c not in _TONES)
    return _OTHER_MARKS.sub("", kept)


def initial(word: str) -> str:
    return bare(word)[:1]


def looks_like_syllable(word: str) -> bool:
    """Whether a token could be one Vietnamese syllable (else it is an abbreviation)."""
    toneless = syllable_key(word)[:-1]
    return bool(_SYLLABLE.match(toneless))


@dataclass(frozen=True, slots=True)
class Token:
    """One word or abbreviation of a name, as written and as compared."""

    text: str
    key: str  # syllable key; for abbreviations the bare letters
    abbreviation: bool
    number: bool = False


def tokenize(text: str, words: frozenset[str] | None = None) -> list[Token]:
    """Split a cleaned name into tokens, deciding which are abbreviations.

    An abbreviation is a token followed by a dot ("P.", "TT."), one with no vowel
    ("VH", "tt"), one written in capitals inside mixed-case text ("UBND", "UB"),
    or one that cannot be a Vietnamese syllable ("ubnd", "tncs").

    `words`: keys known to be words (an official name's own); a capitalised token with a
    vowel that is one of them stays a word ("Môl", "N'Jang" of the Central Highlands).
    None: the text is an official name, so every such token is a word.
    """
    letters = [c for c in text if c.isalpha()]
    shouting = bool(letters) and all(c.isupper() for c in letters)
    tokens: list[Token] = []
    for match in _TOKEN.finditer(text):
        if match.group("num"):
            tokens.append(Token(match.group("num"), match.group("num"), False, number=True))
            continue
        word = match.group("word")
        plain = bare(word)
        has_vowel = any(c in _VOWELS for c in plain)
        capitals = len(word) >= 2 and word.isupper() and not shouting
        place_word = (has_vowel and len(word) >= 2 and word[:1].isupper()
                      and (word[1:].islower() or "'" in word or "’" in word)
                      and (words is None or syllable_key(word) in words))
        abbreviation = (
            (match.group("dot") is not None and len(word) <= 4)
            or not has_vowel
            or capitals
            or (not looks_like_syllable(word) and not place_word)
        )
        if abbreviation:
            tokens.append(Token(word, plain, True))
        else:
            tokens.append(Token(word, syllable_key(word), False))
    return tokens


def fold(text: str) -> str:
    """A loose comparable form for fuzzy ranking: bare letters, single spaces."""
    return " ".join(bare(t.text) for t in tokenize(clean(text), frozenset()))
