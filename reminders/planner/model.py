"""The values the planner takes and gives: units as reminders see them, and reminder rows.

A Reminder is one outbox row that should exist: one unit, one item (an activity, or one
occurrence of a deadline), one stage, one channel. Its key is stable across re-imports
as long as the item keeps its day, so planning again inserts nothing new; an item that
moves gets new keys (its old pending rows are cancelled) and a message already sent is
never sent again. Several rows due for one unit and channel at the same moment are sent
as one message (coalesce.py).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from reminders.domain import Channel

KEY_LIMIT = 255  # the outbox's key column


def reminder_key(uid: str, day: date, unit_id: str, stage: int | None, channel: Channel) -> str:
    """'r:{uid}:{day}:{unit}:{N}d:{channel}'; stage None gives an immediate reminder's key
    ('...:now:...'), sent when an item appears too close for its stages."""
    label = "now" if stage is None else f"{stage}d"
    return _fit(uid, lambda u: f"r:{u}:{day.isoformat()}:{unit_id}:{label}:{channel.value}")


def change_key(uid: str, unit_id: str, channel: Channel, fingerprint: str) -> str:
    """'c:{uid}:{unit}:{channel}:{fingerprint of the new facts, or "cancelled"}'."""
    return _fit(uid, lambda u: f"c:{u}:{unit_id}:{channel.value}:{fingerprint}")


def nudge_key(uid: str, day: date, unit_id: str, label: str, channel: Channel) -> str:
    """'n:{uid}:{day}:{unit}:{label}:{channel}': label is the nudge's number, or
    'manual-{UTC stamp}' for one the office sent by hand."""
    return _fit(uid, lambda u: f"n:{u}:{day.isoformat()}:{unit_id}:{label}:{channel.value}")


def digest_key(unit_id: str, day: date, channel: Channel) -> str:
    """'d:{unit}:{day}:{channel}': one digest a day per standing office and channel."""
    return f"d:{unit_id}:{day.isoformat()}:{channel.value}"[:KEY_LIMIT]


def is_immediate_key(key: str) -> bool:
    """Whether a key is an immediate reminder's (stage None), not a stage's."""
    parts = key.rsplit(":", 2)
    return key.startswith("r:") and len(parts) == 3 and parts[1] == "now"


def _fit(uid: str, build: Callable[[str], str]) -> str:
    # Keys stay readable (the uid as is) unless a very long uid would not fit the column.
    key = build(uid)
    return key if len(key) <= KEY_LIMIT else build(hashlib.sha256(uid.encode()).hexdigest()[:32])


class MessageKind(StrEnum):
    """What a message is; also the name of its templates (templates/email/<kind>.*)."""

    REMINDER = "reminder"  # before an activity or a deadline ("Nhắc việc")
    CHANGE = "change"  # an item close at hand changed or was cancelled ("Thay đổi lịch")
    TEST = "test"  # `reminders notify test`
    NUDGE = "nudge"  # a report is overdue, or the office asks for it ("Đôn đốc")
    DIGEST = "digest"  # the standing office's daily list ("Tổng hợp tình hình báo cáo")


class Role(StrEnum):
    """Why a unit gets a reminder of an item."""

    LEAD = "lead"  # chủ trì
    PARTNER = "partner"  # phối hợp
    REPORTER = "reporter"  # must report by a deadline


@dataclass(frozen=True, slots=True, kw_only=True)
class PlannerUnit:
    """A unit as the planner needs it: its channels and its reminder preferences."""

    id: str
    name: str
    channels: tuple[Channel, ...]  # the channels it can be reached on, in order of preference
    groups: frozenset[str] = frozenset()
    activity_stages: tuple[int, ...] | None = None  # days before; None: the office default
    deadline_stages: tuple[int, ...] | None = None
    partner_reminders: bool | None = None  # None: the office default
    active: bool = True


@dataclass(frozen=True, slots=True, kw_only=True)
class ItemFacts:
    """What a message says about one item, as of planning; kept in the row's payload."""

    uid: str
    kind: str  # "activity" or "deadline" (feeds.model.ItemKind values)
    role: Role
    plan_id: int
    plan_label: str  # "Kế hoạch số 249/KH-UBND ngày 20/09/2022 của UBND quận Thanh Xuân"
    plan_title: str
    code: str | None
    title: str
    time_text: str  # the time as the plan writes it
    day: date  # the activity's first day, or the deadline occurrence
    start_time: str | None = None  # "HH:MM", Asia/Ho_Chi_Minh
    location: str | None = None
    lead_names: tuple[str, ...] = ()
    partner_names: tuple[str, ...] = ()
    receiver: str | None = None  # deadlines: where the report goes, as written
    tentative: bool = False
    cancelled: bool = False  # change messages: the item left the plan

    def fingerprint(self) -> str:
        """Changes when anything a unit acts on changes (day, time, place, title, role)."""
        parts = (self.day.isoformat(), self.start_time or "", self.location or "", self.title,
                 self.time_text, self.role.value, str(self.cancelled), str(self.tentative))
        return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:16]

    def to_json(self) -> dict[str, Any]:
        return {
            "uid": self.uid, "kind": self.kind, "role": self.role.value,
            "plan_id": self.plan_id, "plan_label": self.plan_label,
            "plan_title": self.plan_title, "code": self.code, "title": self.title,
            "time_text": self.time_text, "day": self.day.isoformat(),
            "start_time": self.start_time, "location": self.location,
            "lead_names": list(self.lead_names), "partner_names": list(self.partner_names),
            "receiver": self.receiver, "tentative": self.tentative, "cancelled": self.cancelled,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ItemFacts:
        return cls(
            uid=data["uid"], kind=data["kind"], role=Role(data["role"]),
            plan_id=data["plan_id"], plan_label=data["plan_label"],
            plan_title=data["plan_title"], code=data["code"], title=data["title"],
            time_text=data["time_text"], day=date.fromisoformat(data["day"]),
            start_time=data["start_time"], location=data["location"],
            lead_names=tuple(data["lead_names"]), partner_names=tuple(data["partner_names"]),
            receiver=data["receiver"], tentative=data["tentative"],
            cancelled=data["cancelled"],
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class Reminder:
    """One outbox row that should exist."""

    key: str  # the idempotency key; unique in the outbox
    unit_id: str
    channel: Channel
    kind: MessageKind
    due_at: datetime  # aware, UTC
    stage: int | None  # days before the item; None for change messages
    item: ItemFacts
    previous: ItemFacts | None = None  # change messages: the item as it was

    def payload(self) -> dict[str, Any]:
        return {"stage": self.stage, "item": self.item.to_json(),
                "previous": self.previous.to_json() if self.previous else None}


@dataclass(frozen=True, slots=True, kw_only=True)
class StoredRow:
    """An outbox row as the planner compares it with what should exist."""

    id: int
    key: str
    unit_id: str
    channel: Channel
    kind: MessageKind
    status: str  # DeliveryStatus value
    due_at: datetime
    item: ItemFacts


@dataclass(frozen=True, slots=True, kw_only=True)
class Reconciliation:
    """What to do to the outbox so that it holds what should exist."""

    insert: tuple[Reminder, ...] = ()
    reschedule: tuple[tuple[int, Reminder], ...] = ()  # (row id, the row as it should be)
    cancel: tuple[int, ...] = ()  # pending rows whose item, day, unit or stage is gone
    # Cancelled rows whose key is wanted again (an item moved away and back) and still due:
    # set them pending with this due_at and payload (their key forbids a second insert).
    revive: tuple[tuple[int, Reminder], ...] = ()

    @property
    def empty(self) -> bool:
        """Nothing to do: the outbox already holds what should exist."""
        return not (self.insert or self.reschedule or self.cancel or self.revive)
