"""Names whose letters PDF extraction set apart ("S ở T à i c h í nh") joined back.

A run of three or more one-letter pieces (two-letter pieces such as "nh" may sit among
them) is read again as syllables of the registry's own vocabulary, so that only words the
registry knows can come out: "S ở T à i c h í nh" → "Sở Tài chính".
"""

from __future__ import annotations

from functools import cache

from reminders.units.names import syllable_key

_MAX_SYLLABLE = 7  # letters in the longest Vietnamese syllable ("nghiêng")


def rejoin(text: str, vocabulary: frozenset[str]) -> str:
    """`text` with each run of split letters rebuilt from `vocabulary` (syllable keys).

    A run that the vocabulary cannot cover whole is left as written.
    """
    words = text.split()
    out: list[str] = []
    index = 0
    while index < len(words):
        end = index
        while end < len(words) and len(words[end]) <= 2 and words[end].isalpha():
            end += 1
        run = words[index:end]
        if sum(len(w) == 1 for w in run) >= 3:
            rebuilt = _segment("".join(run), vocabulary)
            out.extend(rebuilt if rebuilt is not None else run)
            index = end
            continue
        out.append(words[index])
        index += 1
    return " ".join(out)


def _segment(letters: str, vocabulary: frozenset[str]) -> list[str] | None:
    """The split of `letters` into the fewest known syllables, or None."""

    @cache
    def best(start: int) -> tuple[str, ...] | None:
        if start == len(letters):
            return ()
        found: tuple[str, ...] | None = None
        for stop in range(min(len(letters), start + _MAX_SYLLABLE), start, -1):
            piece = letters[start:stop]
            if syllable_key(piece) not in vocabulary:
                continue
            rest = best(stop)
            if rest is not None and (found is None or len(rest) + 1 < len(found)):
                found = (piece, *rest)
        return found

    result = best(0)
    return list(result) if result else None
