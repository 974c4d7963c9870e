"""A name as a sequence of comparable slots, with the parts that may be left out.

A slot is one syllable ("văn") or one letter of an abbreviation ("VH" gives two
slots that match any syllables starting with v and h). Registry names also carry
optional segments (level word, place name, department head, "Cộng sản Hồ Chí Minh"
...); each way of leaving some out is a variant of the name, compared slot by slot.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from itertools import combinations

from reminders.units import lexicon
from reminders.units.names import Token, bare, initial, tokenize

_MAX_SEGMENTS = 7


@dataclass(frozen=True, slots=True)
class Slot:
    first: str  # initial letter ("đ" kept apart from "d")
    key: str | None  # syllable key; None for a letter of an abbreviation
    capital: bool = False
    plain: str = ""  # letters without any marks, for the diacritic-blind fallback
    place: bool = False  # part of a place name: never matched with a typo
    lost: bool = False  # a word with letters lost ("phng"): matches a word it is part of


@dataclass(frozen=True, slots=True)
class Segment:
    start: int
    end: int
    kind: str  # "level", "place", "head", "optional"


@dataclass(frozen=True, slots=True)
class Variant:
    slots: tuple[Slot, ...]
    place_omitted: bool
    skipped: int


Locality = tuple[tuple[str, ...], tuple[str, ...]]  # (level keys, place keys)


def rewrite(tokens: list[Token], codes: frozenset[str] = frozenset()) -> list[Token]:
    """Apply the lexicon's rewrites: connectors, fillers, counts, "Quận đoàn".

    `codes` are numbers that name a body in the registry ("Ban Chỉ đạo 389"): never counts.
    """
    out: list[Token] = []
    index = 0
    while index < len(tokens):
        token = tokens[index]
        nxt = tokens[index + 1] if index + 1 < len(tokens) else None
        if not token.abbreviation and bare(token.text) in lexicon.CONNECTORS:
            index += 1
            continue
        filler = _match_words(tokens, index, lexicon.FILLERS)
        if filler:
            index += filler
            continue
        synonym = _synonym_at(tokens, index)
        if synonym is not None:
            length, replacement = synonym
            out.extend(Token(k, k, False) for k in replacement)
            index += length
            continue
        if token.number and nxt is not None and not nxt.number and (
            not out or out[-1].key != lexicon.NUMBER_WORD
        ) and token.key not in codes and not _names_one_place(tokens, index + 1):
            # "UBND 11 phường", "07 khu dân cư": a count stands for "các".
            out.append(Token("các", lexicon.PLURAL, False))
            index += 1
            continue
        level = lexicon.LEVEL_PREFIXES.get(token.key)
        body = lexicon.LEVEL_BODIES.get(nxt.key) if nxt is not None and level else None
        if level and body and not token.abbreviation and nxt is not None and not nxt.abbreviation:
            out.extend(Token(k, k, False) for k in body + level)
            index += 2
            continue
        out.append(token)
        index += 1
    return out


def _names_one_place(tokens: list[Token], index: int) -> bool:
    """"Ban Chỉ đạo 389 tỉnh Bắc Giang": a level word and a place after a number make the
    number a code of the body; a count ("UBND 11 phường") is followed by a plural."""
    level = next((len(lv) for lv in lexicon.LEVELS
                  if tuple(t.key for t in tokens[index:index + len(lv)]) == lv), 0)
    after = tokens[index + level] if level and index + level < len(tokens) else None
    if after is None or after.abbreviation or not after.text[:1].isupper():
        return False
    if all(t.text.isupper() or t.number for t in tokens):
        return False  # capitals say nothing in a name written all in capitals
    return not any(tuple(t.key for t in tokens[index + level:index + level + len(lv)]) == lv
                   for lv in lexicon.LEVELS)


def _match_words(tokens: list[Token], index: int, phrases: tuple[tuple[str, ...], ...]) -> int:
    for phrase in phrases:
        end = index + len(phrase)
        window = tokens[index:end]
        if len(window) == len(phrase) and all(
            not t.abbreviation and t.key == k for t, k in zip(window, phrase, strict=True)
        ):
            return len(phrase)
    return 0


def _synonym_at(tokens: list[Token], index: int) -> tuple[int, tuple[str, ...]] | None:
    for written, read in lexicon.SYNONYMS:
        if _match_words(tokens, index, (written,)):
            return len(written), read
    return None


def slots_of(tokens: list[Token], lost_letters: bool = False,
             words: frozenset[str] = frozenset()) -> list[Slot]:
    """One slot per syllable or per letter of an abbreviation.

    `lost_letters`: read a lower-case "abbreviation" ("phng", "Cc", "x") as a word whose
    marked vowels a bad conversion dropped ("phòng", "Các", "xã"): one slot, see `lost`.
    """
    slots: list[Slot] = []
    for token in tokens:
        word = token.text
        damaged = token.abbreviation or (words and token.key not in words and not token.number)
        if lost_letters and damaged and (word.islower() or word[1:].islower()):
            slots.append(Slot(initial(word), None, word[:1].isupper(), bare(word), lost=True))
        elif token.abbreviation:
            slots.extend(Slot(letter, None) for letter in token.key if letter.isalpha())
        elif token.number:
            slots.append(Slot(token.key, token.key, plain=token.key))
        else:
            slots.append(
                Slot(initial(token.text), token.key, token.text[:1].isupper(), bare(token.text))
            )
    return slots


def query_slots(text: str, codes: frozenset[str] = frozenset(),
                lost_letters: bool = False, words: frozenset[str] = frozenset()
                ) -> tuple[Slot, ...]:
    """Slots of a cleaned name as written in a plan; `words`: the registry's vocabulary."""
    tokens = rewrite(tokenize(text, words), codes)
    return tuple(slots_of(tokens, lost_letters, words))


@dataclass(frozen=True, slots=True)
class NameForm:
    """An official name or alias, ready to be compared against queries."""

    slots: tuple[Slot, ...]
    segments: tuple[Segment, ...]
    locality: Locality | None

    @classmethod
    def parse(cls, text: str, codes: frozenset[str] = frozenset(),
              parent: tuple[Slot, ...] = ()) -> NameForm:
        """`parent`: the slots of the parent's name, which may end this one and be left out
        ("Ban Xây dựng Đảng Đảng ủy xã X" is written "Ban Xây dựng Đảng" inside the xã)."""
        slots = tuple(slots_of(rewrite(tokenize(text, None), codes)))
        segments, locality = _segments(slots)
        if parent and len(slots) > len(parent) and _keys(slots[-len(parent):]) == _keys(parent):
            segments.append(Segment(len(slots) - len(parent), len(slots), "place"))
        places = {i for seg in segments if seg.kind == "place" for i in range(seg.start, seg.end)}
        slots = tuple(replace(s, place=True) if i in places else s for i, s in enumerate(slots))
        return cls(slots=slots, segments=tuple(segments), locality=locality)

    def variants(self) -> list[Variant]:
        """Every way of leaving out optional segments (place and level independently)."""
        segments = self.segments[:_MAX_SEGMENTS]
        found: list[Variant] = []
        for count in range(len(segments) + 1):
            for chosen in combinations(segments, count):
                dropped: set[int] = set()
                for seg in chosen:
                    dropped.update(range(seg.start, seg.end))
                kept = tuple(s for i, s in enumerate(self.slots) if i not in dropped)
                if not kept:
                    continue
                found.append(
                    Variant(
                        slots=kept,
                        place_omitted=any(seg.kind == "place" for seg in chosen),
                        skipped=count,
                    )
                )
        return found


def _keys(slots: tuple[Slot, ...]) -> tuple[str | None, ...]:
    return tuple(s.key for s in slots)


def _segments(slots: tuple[Slot, ...]) -> tuple[list[Segment], Locality | None]:
    keys = [s.key for s in slots]
    segments: list[Segment] = []
    locality: Locality | None = None
    index = 0
    while index < len(slots):
        level_len = _level_at(keys, index)
        committee = (
            keys[index] in lexicon.COMMITTEE_LEVELS
            and index + 1 < len(keys)
            and keys[index + 1] == lexicon.COMMITTEE
        )
        if level_len and not committee:
            place_end = _place_end(slots, index + level_len)
            followed_by_level = place_end == index + level_len and _level_at(keys, place_end) > 0
            at_end = index + level_len == len(slots)
            if place_end > index + level_len or at_end or followed_by_level:
                segments.append(Segment(index, index + level_len, "level"))
                if place_end > index + level_len:
                    segments.append(Segment(index + level_len, place_end, "place"))
                    if locality is None:
                        locality = (
                            tuple(k or "" for k in keys[index : index + level_len]),
                            tuple(k or "" for k in keys[index + level_len : place_end]),
                        )
                index = place_end
                continue
        if committee:
            place_end = _place_end(slots, index + 2)
            if place_end > index + 2:
                segments.append(Segment(index + 2, place_end, "place"))
            index = max(place_end, index + 2)
            continue
        index += 1
    for head in lexicon.OPTIONAL_HEADS:
        if len(slots) >= len(head) + 2 and tuple(keys[: len(head)]) == head:
            segments.append(Segment(0, len(head), "head"))
            break
    for index, key in enumerate(keys):
        if key == lexicon.OF and 0 < index < len(keys) - 1:
            segments.append(Segment(index, index + 1, "optional"))  # "… của Ủy ban MTTQ …"
    for before, optional in lexicon.OPTIONAL_AFTER:
        start = _find(keys, before + optional)
        if start is not None:
            segments.append(Segment(start + len(before), start + len(before) + len(optional),
                                    "optional"))
    for optional, after in lexicon.OPTIONAL_BEFORE:
        start = _find(keys, optional + after)
        if start is not None:
            segments.append(Segment(start, start + len(optional), "optional"))
    return segments, locality


def _level_at(keys: list[str | None], index: int) -> int:
    for level in lexicon.LEVELS:
        end = index + len(level)
        if tuple(keys[index:end]) == level:
            blocked = lexicon.NOT_LEVEL_AFTER.get(level, frozenset())
            if end < len(keys) and keys[end] in blocked:
                return 0
            return len(level)
    return 0


def _place_end(slots: tuple[Slot, ...], start: int) -> int:
    """A place name is the run of capitalised words (or numbers) after a level word."""
    end = start
    while end < len(slots):
        slot = slots[end]
        if slot.key is None or not (slot.capital or slot.key.isdigit()):
            break
        if _level_at([s.key for s in slots], end):
            break
        end += 1
    return end


def _find(keys: list[str | None], phrase: tuple[str, ...]) -> int | None:
    for start in range(len(keys) - len(phrase) + 1):
        if tuple(keys[start : start + len(phrase)]) == phrase:
            return start
    return None


def locality_of_text(text: str) -> Locality | None:
    """The (level, place) a heading names: "Phường Kim Giang" → (phường, kim giang)."""
    return NameForm.parse(text).locality


def bare_locality_query(slots: tuple[Slot, ...]) -> Locality | None:
    """A query that is only a level word and a place ("Phường Kim Giang"), else None."""
    keys = [s.key for s in slots]
    level_len = _level_at(keys, 0)
    if not level_len or len(slots) == level_len or any(k is None for k in keys):
        return None
    return (tuple(k or "" for k in keys[:level_len]), tuple(k or "" for k in keys[level_len:]))


def split_trailing_place(
    slots: tuple[Slot, ...],
) -> tuple[tuple[Slot, ...], tuple[str, ...], tuple[str, ...]] | None:
    """"Các đơn vị liên quan của Thành phố" → (the name, level keys, place keys).

    The qualifier is a level word, optionally after "của", with only words after it.
    """
    keys = [s.key for s in slots]
    for index in range(len(slots) - 1, 0, -1):
        level_len = _level_at(keys, index)
        if not level_len or any(k is None for k in keys[index + level_len :]):
            continue
        head_end = index - 1 if keys[index - 1] == lexicon.OF else index
        if head_end <= 0:
            return None
        level = tuple(k or "" for k in keys[index : index + level_len])
        place = tuple(k or "" for k in keys[index + level_len :])
        return slots[:head_end], level, place
    return None


_LIST_MARKERS = frozenset({lexicon.PLURAL, lexicon.LEVEL_WORD})


LevelList = tuple[tuple[Slot, ...], frozenset[tuple[str, ...]]]


def level_list(slots: tuple[Slot, ...]) -> LevelList | None:
    """"UBND cấp huyện, xã", "Ủy ban nhân dân các xã, phường, đặc khu": (head, levels).

    A name ending in level words with no place after them names every body of those levels;
    one level alone needs "các" or "cấp" before it ("UBND xã" is one commune's UBND).
    """
    keys = [s.key for s in slots]
    levels: list[tuple[str, ...]] = []
    end = len(slots)
    while end > 0:
        found = next((lv for lv in lexicon.LEVELS
                      if end - len(lv) >= 0 and tuple(keys[end - len(lv):end]) == lv), None)
        if found is None:
            break
        levels.append(found)
        end -= len(found)
    if not levels:
        return None
    marked = end > 0 and keys[end - 1] in _LIST_MARKERS
    if marked:
        end -= 1
    if end == 0 or not (marked or len(levels) >= 2):
        return None
    return slots[:end], frozenset(levels)
