"""Domain values: small, frozen, apart from storage.

Vietnamese words of the domain, once, next to their English names:
- Unit = "đơn vị" (phòng, ban, trung tâm, hội, đoàn thể, UBND phường/xã, trường...)
- Group = "nhóm đơn vị" ("UBND các phường", "các phòng, ban, đơn vị thuộc quận")
- standing unit = "đơn vị thường trực" / "cơ quan thường trực"
- Plan = "kế hoạch"; Activity = "hoạt động"; Deadline = "hạn báo cáo / thời hạn hoàn thành"
- Submission = "báo cáo đã gửi"; seen = "đã nhận"; exempt = "miễn"
- Delivery = a message in the outbox ("tin nhắc")
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from enum import StrEnum

_SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


class UnitKind(StrEnum):
    """What sort of body a unit is; used for display and for default policies."""

    AUTHORITY = "authority"  # UBND, HĐND: the body that governs a place
    DEPARTMENT = "department"  # phòng, sở, ban chuyên môn, văn phòng
    CENTRE = "centre"  # trung tâm, bảo tàng, đài, ban quản lý
    PARTY = "party"  # đảng ủy, quận ủy, ban của cấp ủy
    FRONT = "front"  # Mặt trận Tổ quốc
    MASS_ORGANISATION = "mass_organisation"  # Đoàn, Hội LHPN, Hội CCB, Công đoàn, LĐLĐ
    ASSOCIATION = "association"  # other hội, câu lạc bộ, ban liên lạc
    POLICE = "police"  # công an
    MILITARY = "military"  # ban chỉ huy quân sự
    SCHOOL = "school"  # trường
    OTHER = "other"


class PlanStatus(StrEnum):
    DRAFT = "draft"
    PUBLISHED = "published"
    ARCHIVED = "archived"


class DeliveryStatus(StrEnum):
    PENDING = "pending"  # due now or later, not claimed
    CLAIMED = "claimed"  # a worker holds the lease
    SENT = "sent"
    FAILED = "failed"  # permanent failure, shown to the office
    CANCELLED = "cancelled"  # its item left the plan before it was sent


class Channel(StrEnum):
    EMAIL = "email"
    ZALO = "zalo"
    WEBHOOK = "webhook"


def check_slug(value: str) -> bool:
    """Ids are lower-case ASCII slugs ("vhtt-thanh-xuan"): stable in URLs and keys."""
    return bool(_SLUG.match(value))


@dataclass(frozen=True, slots=True, kw_only=True)
class Contacts:
    """How a unit is reached; empty tuples mean the channel is not used."""

    emails: tuple[str, ...] = ()
    zalo_user_ids: tuple[str, ...] = ()
    phones: tuple[str, ...] = ()
    webhook_url: str | None = None
    zalo_chat_ids: tuple[str, ...] = ()  # Zalo Bot chats that opted in


@dataclass(frozen=True, slots=True, kw_only=True)
class ReminderPrefs:
    """A unit's own reminder settings; None everywhere means the office's defaults."""

    activity_stages: tuple[int, ...] | None = None  # days before, e.g. (3, 0)
    deadline_stages: tuple[int, ...] | None = None
    partner_reminders: bool | None = None  # reminders of activities it only joins
    channels: tuple[Channel, ...] | None = None  # limit to these channels

    def is_default(self) -> bool:
        return self == ReminderPrefs()

    def to_json(self) -> dict[str, object]:
        return {
            "activity_stages": None if self.activity_stages is None
            else list(self.activity_stages),
            "deadline_stages": None if self.deadline_stages is None
            else list(self.deadline_stages),
            "partner_reminders": self.partner_reminders,
            "channels": None if self.channels is None else [c.value for c in self.channels],
        }

    @classmethod
    def from_json(cls, data: dict[str, object] | None) -> ReminderPrefs:
        if not data:
            return cls()

        def ints(key: str) -> tuple[int, ...] | None:
            value = data.get(key)
            return None if value is None else tuple(int(v) for v in value)  # type: ignore[attr-defined]

        channels = data.get("channels")
        partner = data.get("partner_reminders")
        return cls(activity_stages=ints("activity_stages"), deadline_stages=ints("deadline_stages"),
                   partner_reminders=None if partner is None else bool(partner),
                   channels=None if channels is None
                   else tuple(Channel(str(c)) for c in channels))  # type: ignore[attr-defined]


@dataclass(frozen=True, slots=True, kw_only=True)
class Unit:
    """A body that leads, joins or reports: one entry of the registry."""

    id: str
    name: str
    kind: UnitKind = UnitKind.OTHER
    aliases: tuple[str, ...] = ()
    parent: str | None = None
    groups: tuple[str, ...] = ()
    contacts: Contacts = field(default_factory=Contacts)
    reminders: ReminderPrefs = field(default_factory=ReminderPrefs)

    def __post_init__(self) -> None:
        if not check_slug(self.id):
            raise ValueError(f"unit id {self.id!r} is not a slug")
        if not self.name.strip():
            raise ValueError(f"unit {self.id!r} has an empty name")


@dataclass(frozen=True, slots=True, kw_only=True)
class Group:
    """A named set of units that plans address at once ("UBND các phường")."""

    id: str
    name: str
    aliases: tuple[str, ...] = ()
    parent: str | None = None  # the body whose units these are; gives the group its place

    def __post_init__(self) -> None:
        if not check_slug(self.id):
            raise ValueError(f"group id {self.id!r} is not a slug")
        if not self.name.strip():
            raise ValueError(f"group {self.id!r} has an empty name")
