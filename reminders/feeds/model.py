"""The values feeds are made of: what the store gives (plans, items, units) and feed keys."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum

from reminders.units.names import fold

# Vietnamese names in URLs: Thunderbird names a subscribed calendar after the file name.
_SLUG_JUNK = re.compile(r"[^a-z0-9]+")


def slugify(text: str, limit: int = 60) -> str:
    """'Kế hoạch 249/KH-UBND' → 'ke-hoach-249-kh-ubnd' (ASCII, at most `limit` characters)."""
    plain = _SLUG_JUNK.sub("-", fold(text).replace("đ", "d")).strip("-")
    return plain[:limit].rstrip("-")


class ItemKind(StrEnum):
    ACTIVITY = "activity"
    DEADLINE = "deadline"


class Variant(StrEnum):
    """How one event is shown: to its lead, to a partner, in a plan-wide feed, as a deadline."""

    LEAD = "lead"
    PARTNER = "partner"
    PLAIN = "plain"
    DEADLINE = "deadline"


class FeedKind(StrEnum):
    """The feeds there are; the value is the slug's suffix."""

    ACTIVITIES = "hoat-dong"
    DEADLINES = "han-bao-cao"
    ALL = "tat-ca"
    FOLLOWED = "theo-doi"  # the standing office: everything of the plans it follows
    PLAN = "ke-hoach"


UNIT_KINDS = (FeedKind.ALL, FeedKind.ACTIVITIES, FeedKind.DEADLINES, FeedKind.FOLLOWED)


@dataclass(frozen=True, slots=True, order=True)
class FeedKey:
    """One feed: a unit's (owner = unit id) or a plan's (owner = str(plan id))."""

    kind: FeedKind
    owner: str

    def __str__(self) -> str:
        return f"{self.kind.value}:{self.owner}"


@dataclass(frozen=True, slots=True, kw_only=True)
class UnitLink:
    """A unit as a plan names it: the written name, and the unit or group it resolved to."""

    name: str
    unit_id: str | None = None
    group_id: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class DaySpan:
    """A part of an item's time on known days (either end may be open); times are local."""

    start: date | None
    end: date | None
    time: str | None = None  # "HH:MM"


def plan_label(number: str | None, issued: date | None, issuer: str) -> str:
    """'Kế hoạch số 249/KH-UBND ngày 20/09/2022 của UBND quận Thanh Xuân'."""
    parts = ["Kế hoạch"]
    parts.append(f"số {number}" if number else "(chưa có số)")
    if issued:
        parts.append(f"ngày {issued:%d/%m/%Y}")
    if issuer:
        parts.append(f"của {issuer}")
    return " ".join(parts)


@dataclass(frozen=True, slots=True, kw_only=True)
class FeedPlan:
    """A published plan as feeds show it."""

    id: int
    number: str | None
    issuer: str
    issued: date | None
    title: str
    standing_unit_id: str | None
    feed_token: str
    revision: int
    updated_at: datetime

    @property
    def label(self) -> str:
        """'Kế hoạch số 249/KH-UBND ngày 20/09/2022 của UBND quận Thanh Xuân'."""
        return plan_label(self.number, self.issued, self.issuer)

    @property
    def slug(self) -> str:
        name = self.number or self.title
        return f"ke-hoach-{self.id}-{slugify(name, 40)}".rstrip("-")


@dataclass(frozen=True, slots=True, kw_only=True)
class FeedItem:
    """An activity or a deadline of a published plan, with what every feed needs of it."""

    uid: str
    kind: ItemKind
    plan_id: int
    code: str | None
    title: str
    location: str | None
    time_text: str
    spans: tuple[DaySpan, ...]
    end_time: str | None = None  # "HH:MM", when the text gives one
    tentative: bool = False
    rrule: str | None = None
    occurrences: tuple[date, ...] = ()  # deadlines: the days it falls due
    lead: tuple[UnitLink, ...] = ()
    partners: tuple[UnitLink, ...] = ()
    reporters: tuple[UnitLink, ...] = ()  # deadlines: who must report
    receiver: str | None = None  # deadlines: where the report goes, as written
    expected_result: str | None = None
    revision: int = 1
    updated_at: datetime
    removed_at: datetime | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class FeedUnit:
    """A unit as feeds need it."""

    id: str
    name: str
    token: str
    groups: frozenset[str] = field(default_factory=frozenset)
    active: bool = True
