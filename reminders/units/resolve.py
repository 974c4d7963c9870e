"""Resolve a unit name as written in a plan to one registry unit or group, or to nothing.

Rules (contracts/units.md): names compare by their slots (see forms.py), so tone
placement, Unicode form, case, spacing, punctuation and standard abbreviations do
not matter; level words and place names may be left out, and then the context
(the issuer, the heading a row stands under) must single out one unit. Anything
less than one clear unit gives no unit and a few suggestions: a wrong unit is
worse than none. rapidfuzz only ranks those suggestions.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from rapidfuzz import fuzz, process
from rapidfuzz.distance import Levenshtein

from reminders.units import lexicon
from reminders.units.forms import (
    Locality,
    NameForm,
    Slot,
    bare_locality_query,
    level_list,
    query_slots,
    split_trailing_place,
)
from reminders.units.names import bare, clean, fold, tokenize, without_parentheses
from reminders.units.registry import Registry
from reminders.units.split_letters import rejoin

_EXACT, _RULES, _CONTEXT, _LOOSE = 1.0, 0.9, 0.85, 0.75
_MAX_SUGGESTIONS = 3
_SUGGESTION_CUTOFF = 45.0


@dataclass(frozen=True, slots=True)
class Suggestion:
    id: str
    name: str
    score: float
    is_group: bool = False

    def as_json(self) -> dict[str, object]:
        return {
            "unit_id": None if self.is_group else self.id,
            "group_id": self.id if self.is_group else None,
            "name": self.name,
            "score": round(self.score, 3),
        }


@dataclass(frozen=True, slots=True)
class Resolution:
    text: str
    unit_id: str | None
    group_id: str | None
    score: float
    suggestions: tuple[Suggestion, ...] = ()

    @property
    def resolved(self) -> bool:
        return self.unit_id is not None or self.group_id is not None

    def as_json(self) -> dict[str, object]:
        return {
            "text": self.text,
            "unit_id": self.unit_id,
            "group_id": self.group_id,
            "score": round(self.score, 3),
            "suggestions": [s.as_json() for s in self.suggestions],
        }


@dataclass(frozen=True, slots=True)
class _Entry:
    id: str
    name: str
    is_group: bool
    chain: tuple[Locality, ...]  # own place first, then the places above it
    placed: bool = False  # its own name says its place ("… tỉnh Quảng Ninh")


@dataclass(frozen=True, slots=True)
class _Match:
    entry: _Entry
    exact: bool
    place_omitted: bool


class Resolver:
    """Resolution over one registry; build once, call many times (results are cached)."""

    def __init__(self, registry: Registry) -> None:
        self._registry = registry
        self._entries: dict[str, _Entry] = {}
        self._variants: dict[int, list[tuple[_Entry, tuple[Slot, ...], bool, bool]]] = (
            defaultdict(list)
        )
        self._authorities: dict[Locality, list[_Entry]] = defaultdict(list)
        self._slot_cache: dict[tuple[str, bool], tuple[Slot, ...]] = {}
        # numbers in official names are codes of bodies ("Ban Chỉ đạo 389"), never counts
        self._codes = frozenset(
            t.key for u in registry.units for t in tokenize(clean(u.name), None) if t.number)
        written_names = [n for u in registry.units for n in (u.name, *u.aliases)]
        written_names += [n for g in registry.groups for n in (g.name, *g.aliases)]
        self._vocabulary = frozenset(
            t.key for written in written_names for t in tokenize(clean(written), None)
            if not t.abbreviation)
        forms = self._parse_forms()
        # "UBND các xã, thị trấn": groups that name every body of some levels, by level set
        self._level_groups: dict[frozenset[tuple[str, ...]], list[tuple[_Entry, tuple[Slot, ...]]]]
        self._level_groups = defaultdict(list)
        for group in self._registry.groups:
            for written in (group.name, *group.aliases):
                listed = level_list(self._slots(clean(written)))
                if listed is not None:
                    self._level_groups[listed[1]].append((self._entries[group.id], listed[0]))
        for entry_id, entry_forms in forms.items():
            entry = self._entries[entry_id]
            for form, official in entry_forms:
                for variant in form.variants():
                    exact = official and variant.skipped == 0
                    self._variants[len(variant.slots)].append(
                        (entry, variant.slots, variant.place_omitted, exact)
                    )
        self._fold_choices = {key: fold(e.name) for key, e in self._entries.items()}
        self.resolve = lru_cache(maxsize=8192)(self._resolve)

    def _slots(self, text: str) -> tuple[Slot, ...]:
        return self._query(text, False)

    def _query(self, text: str, lost: bool) -> tuple[Slot, ...]:
        """A name's slots, read once however many passes look at it."""
        key = (text, lost)
        found = self._slot_cache.get(key)
        if found is None:
            if len(self._slot_cache) > 20_000:
                self._slot_cache.clear()
            found = self._slot_cache[key] = query_slots(text, self._codes, lost,
                                                        self._vocabulary)
        return found

    # -- building -------------------------------------------------------------------------

    def _parse_forms(self) -> dict[str, list[tuple[NameForm, bool]]]:
        forms: dict[str, list[tuple[NameForm, bool]]] = {}
        own: dict[str, Locality | None] = {}
        named = [(u.id, u.name, u.aliases, u.parent) for u in self._registry.units] + [
            (g.id, g.name, g.aliases, None) for g in self._registry.groups
        ]
        parents: dict[str, tuple[Slot, ...]] = {}
        for entry_id, name, aliases, parent_id in named:
            parent = self._registry.unit(parent_id) if parent_id else None
            if parent is not None and parent.id not in parents:
                parents[parent.id] = self._slots(clean(parent.name))
            parent_slots = parents[parent.id] if parent is not None else ()
            official = NameForm.parse(clean(name), self._codes, parent_slots)
            forms[entry_id] = [(official, True)] + [
                (NameForm.parse(clean(a), self._codes, parent_slots), False) for a in aliases
            ]
            own[entry_id] = official.locality
        for unit in self._registry.units:
            entry = _Entry(unit.id, unit.name, False, self._chain(unit.id, own),
                           placed=own[unit.id] is not None)
            self._entries[unit.id] = entry
            place = own[unit.id]
            if place is not None and _governs(unit.name):
                self._authorities[place].append(entry)
        for group in self._registry.groups:
            parent_chain = self._chain(group.parent, own) if group.parent else ()
            mine = own[group.id]
            chain = ((mine,) if mine else ()) + tuple(c for c in parent_chain if c != mine)
            self._entries[group.id] = _Entry(group.id, group.name, True, chain)
        return forms

    def _chain(self, unit_id: str | None, own: dict[str, Locality | None]) -> tuple[Locality, ...]:
        chain: list[Locality] = []
        seen: set[str] = set()
        current = self._registry.unit(unit_id) if unit_id else None
        while current is not None and current.id not in seen:
            seen.add(current.id)
            place = own.get(current.id)
            if place is not None and place not in chain:
                chain.append(place)
            current = self._registry.unit(current.parent) if current.parent else None
        return tuple(chain)

    # -- resolving ------------------------------------------------------------------------

    def _resolve(self, text: str, context: tuple[str, ...] = ()) -> Resolution:
        name = clean(rejoin(text, self._vocabulary))
        if not name:
            return Resolution(text, None, None, 0.0)
        chains = tuple(c for c in (self._context_chain(c) for c in context) if c)
        attempts = _attempts(name)
        listed = self._level_group(self._slots(name))
        if listed is not None:
            return Resolution(text, None, listed.id, _RULES)
        ambiguous: list[_Entry] = []
        # strict, then letters alone, then (after the issuer's own names) one letter off,
        # then words that lost their marked vowels in a bad conversion ("Văn phng")
        for loose, typos, lost in ((False, 0, False), (True, 0, False), (True, 1, False),
                                   (True, 0, True)):
            if typos:
                relative = self._relative_to_issuer(self._slots(name), context)
                if relative is not None:
                    return Resolution(text, relative.id, None, _CONTEXT)
            for attempt in attempts:
                slots = self._query(attempt, lost)
                if lost and not any(s.lost for s in slots):
                    continue
                found, tied = self._attempt(text, slots, chains, loose, typos)
                if found is not None:
                    return found
                ambiguous = ambiguous or tied
        return Resolution(text, None, None, 0.0, self._suggest(name, ambiguous))

    def _level_group(self, slots: tuple[Slot, ...]) -> _Entry | None:
        listed = level_list(slots)
        if listed is None:
            return None
        head, levels = listed
        found = {entry.id: entry for entry, group_head in self._level_groups.get(levels, ())
                 if len(group_head) == len(head) and _same(head, group_head, False)}
        return next(iter(found.values())) if len(found) == 1 else None

    def _relative_to_issuer(self, slots: tuple[Slot, ...], context: tuple[str, ...]
                            ) -> _Entry | None:
        """"Thanh tra Sở", "VP UBND" in a plan of that Sở or UBND: the issuer's own body.

        The name ends with the head of the issuer's name ("Sở", "UBND"); the rest of the
        issuer's name completes it, and the completed name must match one unit exactly.
        """
        if not context or not slots:
            return None
        issuer = self.resolve(context[0])
        if issuer.unit_id is None:
            return None
        own = self._slots(clean(self._entries[issuer.unit_id].name))
        # The whole name is how the issuer's own name begins ("UBND", "Ban Thường trực").
        if len(slots) < len(own) and _same(slots, own[: len(slots)], True):
            return self._entries[issuer.unit_id]
        for size in range(min(len(slots) - 1, len(own) - 1), 0, -1):
            if not _same(slots[-size:], own[:size], False):
                continue
            matches = [m for m in self._matches(slots + own[size:], False)
                       if not m.place_omitted and not m.entry.is_group]
            if len(matches) == 1:
                return matches[0].entry
        return None

    def _attempt(self, text: str, slots: tuple[Slot, ...],
                 chains: tuple[tuple[Locality, ...], ...], loose: bool, typos: int
                 ) -> tuple[Resolution | None, list[_Entry]]:
        matches = self._matches(slots, loose, typos)
        if not matches and not loose:
            matches = self._locality_matches(slots)
        scope = chains
        if not matches:
            matches, scope = self._qualified_matches(slots, chains, loose, typos)
        if not matches:
            return None, []
        chosen, tied, by_context = _choose(matches, scope)
        if chosen is None:
            return None, tied
        score = _EXACT if chosen.exact else (_CONTEXT if by_context else _RULES)
        if loose:
            score = min(score, _LOOSE)
        return Resolution(
            text,
            None if chosen.entry.is_group else chosen.entry.id,
            chosen.entry.id if chosen.entry.is_group else None,
            score,
        ), []

    def _matches(self, slots: tuple[Slot, ...], loose: bool, typos: int = 0) -> list[_Match]:
        best: dict[str, _Match] = {}
        if not slots:
            return []
        for entry, variant, place_omitted, exact in self._variants.get(len(slots), ()):
            if not _same(slots, variant, loose, typos):
                continue
            current = best.get(entry.id)
            candidate = _Match(entry, exact, place_omitted)
            if current is None or _better(candidate, current):
                best[entry.id] = candidate
        return list(best.values())

    def _qualified_matches(
        self, slots: tuple[Slot, ...], chains: tuple[tuple[Locality, ...], ...], loose: bool,
        typos: int = 0,
    ) -> tuple[list[_Match], tuple[tuple[Locality, ...], ...]]:
        """A name with a trailing place ("... của Thành phố"): match the name, scope the place.

        A bare level word takes its place from the context ("Thành phố" in a district's plan
        is the city above the district).
        """
        split = split_trailing_place(slots)
        if split is None:
            return [], chains
        head, level, place = split
        scope: tuple[Locality, ...] = ()
        if place:
            authorities = self._authorities.get((level, place), [])
            scope = authorities[0].chain if len(authorities) == 1 else ((level, place),)
        else:
            for chain in chains:
                for index, locality in enumerate(chain):
                    if locality[0] == level:
                        scope = chain[index:]
                        break
                if scope:
                    break
        if not scope:
            return [], chains
        # The qualifier names the body's own place: nothing above or below it will do.
        here = [m for m in self._matches(head, loose, typos)
                if m.entry.chain[:1] == scope[:1]]
        return here, (scope,)

    def _locality_matches(self, slots: tuple[Slot, ...]) -> list[_Match]:
        place = bare_locality_query(_spelled_level(slots))
        if place is None:
            return []
        return [_Match(e, False, False) for e in self._authorities.get(place, [])]

    def _place_named(self, text: str) -> list[_Entry]:
        """The authorities of a place written alone, as a heading ("Thuận Hà", "Đắk Mol"):
        compared by letters without marks or spaces, so "N'Jang" and "N Jang" agree."""
        letters = _letters(text)
        if not letters:
            return []
        return [entries[0] for (_level, place), entries in self._authorities.items()
                if len(entries) == 1 and _letters(" ".join(place)) == letters]

    def _context_chain(self, text: str) -> tuple[Locality, ...]:
        """The places a context names: resolve it as a unit, else read "Phường X" from it."""
        found = self.resolve(text)
        if found.resolved:
            entry = self._entries[found.unit_id or found.group_id or ""]
            return entry.chain
        place = NameForm.parse(clean(text)).locality
        if place is None:
            named = self._place_named(text)
            return named[0].chain if len(named) == 1 else ()
        authorities = self._authorities.get(place, [])
        return authorities[0].chain if len(authorities) == 1 else (place,)

    def _suggest(self, name: str, ambiguous: Sequence[_Entry]) -> tuple[Suggestion, ...]:
        query = fold(name)
        if ambiguous:
            ranked = sorted(
                ambiguous,
                key=lambda e: (-fuzz.WRatio(query, self._fold_choices[e.id]), e.name),
            )[:_MAX_SUGGESTIONS]
            return tuple(
                Suggestion(e.id, e.name, fuzz.WRatio(query, self._fold_choices[e.id]) / 100,
                           e.is_group)
                for e in ranked
            )
        found = process.extract(
            query, self._fold_choices, scorer=fuzz.WRatio, limit=_MAX_SUGGESTIONS,
            score_cutoff=_SUGGESTION_CUTOFF,
        )
        return tuple(
            Suggestion(key, self._entries[key].name, score / 100, self._entries[key].is_group)
            for _choice, score, key in found
        )


# "TT Đức An", "TP Lào Cai", "TX Sa Pa": a level spelled with two capitals before a place
_SPELLED_LEVELS = {("t", "t"): lexicon.keys("thị trấn"), ("t", "p"): lexicon.keys("thành phố"),
                   ("t", "x"): lexicon.keys("thị xã")}


def _spelled_level(slots: tuple[Slot, ...]) -> tuple[Slot, ...]:
    if len(slots) < 3 or slots[0].key is not None or slots[1].key is not None:
        return slots
    level = _SPELLED_LEVELS.get((slots[0].first, slots[1].first))
    if level is None or not all(s.key is not None and s.capital for s in slots[2:]):
        return slots
    return tuple(Slot(k[:1], k) for k in level) + slots[2:]


def _letters(text: str) -> str:
    return "".join(c for c in bare(text) if c.isalpha()).replace("đ", "d")


def _attempts(name: str) -> list[str]:
    """The name, then without brackets, then what brackets hold ("… tỉnh (Ban Chỉ đạo 389)"),
    then without a leading "Cơ quan" ("Cơ quan UBMTTQ xã")."""
    attempts = [name]
    bare_name = without_parentheses(name)
    if bare_name != name:
        attempts.append(bare_name)
        attempts.extend(inner for inner in _INNER.findall(name) if len(inner.split()) >= 2)
    for attempt in list(attempts):
        rest = _AGENCY.sub("", attempt)
        if rest != attempt and len(rest.split()) >= 2:
            attempts.append(rest)
    return attempts


_INNER = re.compile(r"\(([^()]+)\)")
_AGENCY = re.compile(r"^cơ\s+quan\s+", re.IGNORECASE)


def _same(query: tuple[Slot, ...], name: tuple[Slot, ...], loose: bool,
          typos: int = 0) -> bool:
    """Slot by slot: syllables by key (`loose`: by letters alone), abbreviations by initial.

    `typos` is how many syllables outside place names may be one letter off ("huyệ").
    """
    for q, n in zip(query, name, strict=True):
        if q.lost:
            if n.key is None or not _lost_from(q.plain, n.plain):
                return False
            continue
        if q.key is not None and n.key is not None:
            if q.key == n.key or (loose and q.plain == n.plain):
                continue
            if typos and _one_letter_off(q, n):
                typos -= 1
                continue
            return False
        if q.first != n.first and {q.first, n.first} != {"d", "đ"}:
            return False
    return True


_VOWEL_LETTERS = frozenset("aeiouy")


def _lost_from(damaged: str, word: str) -> bool:
    """Whether `damaged` is `word` (letters without marks) with some vowels left out."""
    if not damaged or damaged[0] != word[:1] or len(damaged) >= len(word):
        return False
    rest = iter(word)
    for char in damaged:
        for candidate in rest:
            if candidate == char:
                break
            if candidate not in _VOWEL_LETTERS:
                return False
        else:
            return False
    return all(c in _VOWEL_LETTERS for c in rest)


def _one_letter_off(q: Slot, n: Slot) -> bool:
    if n.place or q.plain.isdigit() or n.plain.isdigit() or min(len(q.plain), len(n.plain)) < 3:
        return False
    return Levenshtein.distance(q.plain, n.plain, score_cutoff=1) <= 1


def _better(a: _Match, b: _Match) -> bool:
    return (a.exact, not a.place_omitted) > (b.exact, not b.place_omitted)


def _governs(name: str) -> bool:
    """Whether a unit is the authority of its place (its UBND), for "Phường X" alone."""
    head = fold(name).split()[:4]
    return head[:4] == ["uy", "ban", "nhan", "dan"] or head[:1] == ["ubnd"]


def _relation(chain: tuple[Locality, ...], context: tuple[Locality, ...]) -> int:
    """3: same place; 2: the candidate is above the context; 1: inside it; 0: unrelated."""
    if not chain or not context:
        return 0
    if chain[0] == context[0]:
        return 3
    if chain[0] in context[1:]:
        return 2
    if context[0] in chain[1:]:
        return 1
    return 0


def _choose(
    matches: list[_Match], contexts: tuple[tuple[Locality, ...], ...]
) -> tuple[_Match | None, list[_Entry], bool]:
    """Pick the one match that the text and the context single out; else the tied entries.

    Returns (chosen, tied entries, whether the context decided).
    """
    specified = [m for m in matches if not m.place_omitted]
    pool = specified or matches
    exact = [m for m in pool if m.exact]
    if len(exact) == 1:
        return exact[0], [], False
    if len(specified) == 1 and specified[0].entry.placed:
        return specified[0], [], False  # the place is written out: no context can overrule
    if not contexts:
        if len(pool) == 1:
            return pool[0], [], False
        return None, [m.entry for m in pool], False
    ranked: list[tuple[tuple[int, int], _Match]] = []
    for match in pool:
        if not match.entry.chain:
            ranked.append(((1, 0), match))  # a body with no place (a museum, a ministry)
            continue
        best = (0, 0)
        for context in contexts:
            relation = _relation(match.entry.chain, context)
            if relation:
                best = max(best, (relation, len(context)))
        ranked.append((best, match))
    top = max(rank for rank, _ in ranked)
    winners = [m for rank, m in ranked if rank == top]
    if top[0] == 0 or len(winners) > 1:
        return None, [m.entry for m in (winners if top[0] else pool)], True
    if top[0] == 3:
        return winners[0], [], True
    # Above or inside the context: accept unless a peer elsewhere at the context's depth
    # shows the name exists per place (then the one for this place is simply missing).
    peers_elsewhere = any(
        rank[0] == 0 and len(m.entry.chain) >= top[1] for rank, m in ranked
    )
    if peers_elsewhere:
        return None, [m.entry for _, m in ranked], True
    return winners[0], [], True
