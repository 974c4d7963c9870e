"""Unit cells and unit phrases → UnitRefs resolved against the registry, with warnings.

"(1) A; (2) B (3) Đề nghị C" gives A, B, C; "Đề nghị X phối hợp với Y" gives X and the
partner Y; a list joined by commas is split only where its parts are units; a cell
written as a sentence ("Căn cứ chức năng..., các phòng, ban liên quan chủ động...")
gives the first unit it names. A name the registry does not know stays as written.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from reminders.ingest.model import UnitRef, Warning
from reminders.units.names import clean
from reminders.units.resolve import Resolution, Resolver

_ITEM_BREAK = re.compile(r"\s*(?:;|\n|\(\s*\d{1,2}\s*\)|(?<=\s)\d{1,2}\)\s)\s*")
_BULLET = re.compile(r"^[-–+•]\s*")
_WITH = re.compile(r"\s+phối\s+hợp\s+(?:với|cùng)\s+", re.I)
_NOT_A_NAME = re.compile(r"^(?:\.{2,}|…|[\d\W]*)$")
# Words a unit name may start with; a sentence is scanned for names from these only.
_NAME_START = re.compile(
    r"^(?:các|ubnd|ub|ủy|uỷ|phòng|sở|ban|hội|đoàn|trung|công|văn|chi|đài|bảo|trường|liên"
    r"|quận|huyện|thành|tỉnh|đảng|mặt|mttq|lđlđ|bch|bchqs|tt|ttvh|p\.)",
    re.I,
)
_MAX_WINDOW = 9
_LEVEL_WORD = re.compile(r"\b(?:phường|xã|quận|huyện|tỉnh|thị trấn|thành phố|cấp)\b", re.I)
# Ways a list of units is joined, tried in order; "Đảng ủy - UBND" names two bodies.
# Where a list of units may be cut: commas, "và", and " - " ("Đảng ủy - UBND").
_PIECES = re.compile(r"(\s*,\s*|\s+và\s+|\s+cùng\s+|\s+[-–]\s+)", re.I)


@dataclass(slots=True)
class UnitReading:
    units: list[UnitRef] = field(default_factory=list)
    partners: list[UnitRef] = field(default_factory=list)  # "X phối hợp với Y" in a lead cell
    warnings: list[Warning] = field(default_factory=list)


class UnitReader:
    """Reads unit names for one plan: the issuer and place are the outer context."""

    def __init__(self, resolver: Resolver, context: tuple[str, ...]) -> None:
        self._resolver = resolver
        self._context = context

    def resolve(self, name: str, sections: tuple[str, ...] = ()) -> Resolution:
        return self._resolver.resolve(name, (*reversed(sections), *self._context))

    def read_cell(self, cell: str, *, sections: tuple[str, ...] = (), where: str = "",
                  scan: bool = True) -> UnitReading:
        """Every unit a lead/partner cell names."""
        reading = UnitReading()
        for item in self.items(cell):
            lead, _, partner = _split_with(item)
            for part, target in ((lead, reading.units), (partner, reading.partners)):
                if part:
                    target.extend(self._names(part, sections, where, reading.warnings, scan))
        return reading

    def ref(self, name: str, sections: tuple[str, ...] = ()) -> UnitRef:
        """One name as one UnitRef (no splitting), resolved or not."""
        text = clean(name)
        found = self.resolve(text, sections)
        return _ref(text, found)

    @staticmethod
    def items(cell: str) -> list[str]:
        parts = [_BULLET.sub("", p).strip() for p in _ITEM_BREAK.split(cell)]
        return [p for p in parts if p and not _NOT_A_NAME.match(p)]

    def _names(self, text: str, sections: tuple[str, ...], where: str,
               warnings: list[Warning], scan: bool) -> list[UnitRef]:
        name = clean(text)
        if not name or _NOT_A_NAME.match(name):
            return []
        whole = self.resolve(name, sections)
        if whole.resolved:
            return [_ref(name, whole)]
        split = self._split(name, sections)
        if split:
            return split
        names = _name_list(name)
        if names:
            # "Phòng A, Phòng B" naming units the registry lacks: one warning each.
            refs = [_ref(p, self.resolve(p, sections)) for p in names]
            warnings.extend(unresolved_warning(r.name, self.resolve(r.name, sections), where)
                            for r in refs if r.unit_id is None)
            return refs
        if scan and len(name.split()) > 5:
            mention = self._first_mention(name, sections)
            if mention is not None:
                return [mention]
        warnings.append(unresolved_warning(name, whole, where))
        return [_ref(name, whole)]

    def _split(self, name: str, sections: tuple[str, ...]) -> list[UnitRef] | None:
        """Split a list where its parts are units; group names keep their own commas.

        "các phòng, ban, đơn vị, UBND các phường" is one group and one group: the parts
        are chosen so that every part resolves, with as few parts as possible.
        """
        pieces = [p for p in _PIECES.split(name) if p.strip()]
        texts = pieces[0::2]
        if len(texts) < 2 or len(texts) > 16:
            return None
        scope = _scope_of(texts[-1])
        best: list[list[UnitRef] | None] = [[]] + [None] * len(texts)
        for end in range(1, len(texts) + 1):
            for start in range(end - 1, -1, -1):
                before = best[start]
                if before is None:
                    continue
                segment = "".join(pieces[2 * start: 2 * end - 1])
                joined_by = pieces[2 * start - 1].strip().lower() if start else ","
                if joined_by in ("và", "-", "–") and not (
                        looks_like_unit(segment) or _ABBREVIATED.match(clean(segment))):
                    # "Sở Văn hóa - Thể thao và Du lịch": a field of work, not a unit
                    continue
                ref = self._segment(segment, sections, scope)
                if ref is None:
                    continue
                current = best[end]
                if current is None or len(before) + 1 < len(current):
                    best[end] = [*before, ref]
        result = best[len(texts)]
        return result if result and len(result) > 1 else None

    def _segment(self, text: str, sections: tuple[str, ...], scope: str | None) -> UnitRef | None:
        name = clean(text)
        if not name or _NOT_A_NAME.match(name):
            return None
        if scope and not name.endswith(scope) and not _LEVEL_WORD.search(name):
            # "UBND, Hội CCB, Đoàn TNCS HCM các phường": the last part's scope is shared.
            scoped = self.resolve(f"{name} {scope}", sections)
            if scoped.resolved:
                return _ref(f"{name} {scope}", scoped)
        found = self.resolve(name, sections)
        if not found.resolved:
            return None
        # A part that is only a level word ("… các huyện, thành phố") belongs to the name
        # before it.
        if _LEVELS_ONLY.match(name):
            return None
        return _ref(name, found)

    def subject(self, sentence: str, sections: tuple[str, ...] = ()) -> list[UnitRef]:
        """The units a sentence starts with: "Phòng VH&TT quận chủ trì, …", "UBND các phường …"."""
        clause = re.split(r"\s+chủ\s+trì\b|[,;:]\s", sentence, maxsplit=1)[0]
        words = clause.split()
        for size in range(min(_MAX_WINDOW, len(words)), 0, -1):
            candidate = clean(" ".join(words[:size]))
            found = self.resolve(candidate, sections)
            if found.resolved and found.score >= 0.85:
                return [_ref(candidate, found)]
        return []

    def _first_mention(self, text: str, sections: tuple[str, ...]) -> UnitRef | None:
        words = text.split()
        for start, word in enumerate(words):
            if not _NAME_START.match(word.strip("(“\"")):
                continue
            for size in range(min(_MAX_WINDOW, len(words) - start), 1, -1):
                candidate = clean(" ".join(words[start:start + size])).rstrip(" -–")
                found = self.resolve(candidate, sections)
                if found.resolved and found.score >= 0.85:
                    return _ref(candidate, found)
        return None


_SCOPE = re.compile(
    r"\s((?:các|\d+)\s+(?:phường|xã|huyện|quận|xã,\s*thị\s*trấn)|(?:phường|xã|quận|huyện)"
    r"(?:\s+[A-ZĐ]\w*)*)$"
)


def _scope_of(text: str) -> str | None:
    match = _SCOPE.search(text)
    return match.group(1) if match else None


_HEAD_WORD = re.compile(
    r"^(?:Phòng|Sở|Ban|Trung tâm|Văn phòng|Chi cục|Cục|Hội|Đoàn|Công an|UBND|Ủy ban|Uỷ ban|"
    r"Đài|Bảo tàng|Trường|Công ty|Liên đoàn|Viện|Bệnh viện|Tổng cục|Bộ)\b"
)


def looks_like_unit(name: str) -> bool:
    """Whether `name` reads as a body's name even when the registry does not hold it."""
    return bool(_HEAD_WORD.match(clean(name)))


def _name_list(name: str) -> list[str]:
    """The parts of "Phòng A, Phòng B" when each part starts like a unit name."""
    parts = [clean(p) for p in re.split(r"\s*[,;]\s*", name) if p.strip()]
    if any(_LEVELS_ONLY.match(p) for p in parts[1:]):
        return []  # "Ủy ban nhân dân các huyện, thành phố": the bodies of those levels
    if len(parts) > 1 and all(_HEAD_WORD.match(p) for p in parts):
        return parts
    return []


_ABBREVIATED = re.compile(r"^(?:[A-ZĐ]{2,}|[A-ZĐ][a-zđ]*\.)")  # "UBND", "MTTQ", "P. TNMT"
_LEVELS_ONLY = re.compile(
    r"^(?:(?:các\s+)?(?:thành phố|thị xã|thị trấn|quận|huyện|phường|xã|tỉnh|đặc khu)\s*)+$",
    re.IGNORECASE)


def _split_with(item: str) -> tuple[str, str, str]:
    match = _WITH.search(item)
    if match is None:
        return item, "", ""
    return item[: match.start()], "phối hợp", item[match.end():]


def _ref(name: str, found: Resolution) -> UnitRef:
    if found.group_id is not None:
        return UnitRef(name=name, unit_id=found.group_id, is_group=True)
    if found.unit_id is not None:
        return UnitRef(name=name, unit_id=found.unit_id)
    return UnitRef(name=name, suggestions=tuple(s.name for s in found.suggestions))


def unresolved_warning(name: str, found: Resolution, where: str) -> Warning:
    hint = ""
    if found.suggestions:
        hint = "; có phải: " + ", ".join(f"“{s.name}”" for s in found.suggestions) + "?"
    return Warning(
        code="unit_unresolved",
        message=f"Không tìm thấy đơn vị “{name}” trong danh mục đơn vị{hint}",
        where=where,
    )
