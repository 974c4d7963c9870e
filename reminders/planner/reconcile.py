"""Desired reminders vs the outbox → what to insert, move and cancel, and the messages a late
change calls for (pure)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta

from reminders.clock import ensure_aware
from reminders.domain import Channel, DeliveryStatus
from reminders.planner.model import (
    ItemFacts,
    MessageKind,
    Reconciliation,
    Reminder,
    StoredRow,
    change_key,
    is_immediate_key,
    reminder_key,
)
from reminders.planner.plan import occurrence_bounds
from reminders.planner.policy import Policy

Thread = tuple[str, str, Channel]  # (item uid, unit id, channel): what one unit hears of an item
Occurrence = tuple[str, date, str, Channel]
Pair = tuple[ItemFacts | None, ItemFacts | None]  # (as the unit last heard it, as it is now)
# A new item whose own stage goes out within this time needs no immediate reminder.
SOON = timedelta(hours=1)
_THREAD_KINDS = frozenset({MessageKind.REMINDER, MessageKind.CHANGE})


def reconcile(desired: Sequence[Reminder], stored: Sequence[StoredRow], policy: Policy, *,
              now: datetime) -> Reconciliation:
    """Compare `desired` (plan.desired, over every published plan) with `stored` (every
    outbox row of kind reminder or change; other kinds are ignored).

    A stage already past is never inserted (nor sent late); a stored row is never inserted
    again, whatever its status; only pending rows move or are cancelled. An occurrence over
    by `now` is not desired, so its rows still pending (a dispatcher that was down) are
    cancelled: a reminder of a past item is not worth sending. Applying the result and
    reconciling again with the same arguments gives an empty Reconciliation.
    Raises ValueError for a naive `now`.
    """
    now = ensure_aware(now)
    rows = {row.key: row for row in stored}
    wanted = {r.key: r for r in desired}
    out = _Changes(rows=rows, now=now)
    for reminder in wanted.values():
        row = rows.get(reminder.key)
        if row is None or row.status == DeliveryStatus.CANCELLED:
            out.add(reminder)
        elif row.status == DeliveryStatus.PENDING and (
                row.due_at != reminder.due_at or row.item != reminder.item):
            out.reschedule.append((row.id, reminder))
    occurrences = {_occurrence(r.item, r.unit_id, r.channel): r.item for r in wanted.values()}
    for row in stored:
        if (row.status != DeliveryStatus.PENDING or row.kind != MessageKind.REMINDER
                or row.key in wanted):
            continue
        # An immediate reminder has no stage to be desired by: it stays while its
        # occurrence does, and says what the item is now.
        facts = (occurrences.get(_occurrence(row.item, row.unit_id, row.channel))
                 if is_immediate_key(row.key) else None)
        if facts is None:
            out.cancel.append(row.id)
        elif facts != row.item:
            out.reschedule.append((row.id, Reminder(
                key=row.key, unit_id=row.unit_id, channel=row.channel,
                kind=MessageKind.REMINDER, due_at=row.due_at, stage=None, item=facts)))
    if policy.late_change_hours > 0:
        _late(list(wanted.values()), stored, timedelta(hours=policy.late_change_hours), out)
    return out.result()


@dataclass(slots=True, kw_only=True)
class _Changes:
    rows: Mapping[str, StoredRow]
    now: datetime
    insert: list[Reminder] = field(default_factory=list)
    reschedule: list[tuple[int, Reminder]] = field(default_factory=list)
    cancel: list[int] = field(default_factory=list)
    revive: list[tuple[int, Reminder]] = field(default_factory=list)
    keys: set[str] = field(default_factory=set)

    def add(self, reminder: Reminder) -> None:
        """Insert a row unless it is past or its key is taken; a cancelled reminder row of
        the same key (the item moved away and back) is revived instead."""
        row = self.rows.get(reminder.key)
        if reminder.due_at < self.now or reminder.key in self.keys:
            return
        if row is None:
            self.insert.append(reminder)
        elif row.status == DeliveryStatus.CANCELLED and reminder.kind is MessageKind.REMINDER:
            self.revive.append((row.id, reminder))
        else:
            return  # a change message goes once, even if the office cancelled it
        self.keys.add(reminder.key)

    def result(self) -> Reconciliation:
        return Reconciliation(
            insert=tuple(sorted(self.insert, key=_order)),
            reschedule=tuple(sorted(self.reschedule, key=lambda p: p[0])),
            cancel=tuple(sorted(self.cancel)),
            revive=tuple(sorted(self.revive, key=lambda p: p[0])),
        )


def _late(desired: list[Reminder], stored: Sequence[StoredRow], window: timedelta,
          out: _Changes) -> None:
    """Change messages and immediate reminders for items within `window` of now.

    What a unit heard of an item is its latest live (not cancelled) row by due_at: rows
    still pending are rescheduled to the new facts, so once this result is applied the
    latest row says what is true, and nothing is sent twice.
    """
    now = out.now
    present = {r.item.uid for r in desired}
    want: dict[Thread, dict[date, ItemFacts]] = defaultdict(dict)
    for reminder in desired:
        want[reminder.item.uid, reminder.unit_id, reminder.channel][reminder.item.day] = (
            reminder.item)
    live: dict[Thread, list[StoredRow]] = defaultdict(list)
    for row in stored:
        if row.kind in _THREAD_KINDS and row.status != DeliveryStatus.CANCELLED:
            live[row.item.uid, row.unit_id, row.channel].append(row)
    soon = {_occurrence(r.item, r.unit_id, r.channel) for r in out.insert
            if r.stage is not None and r.due_at <= now + SOON}

    def close(facts: ItemFacts) -> bool:
        begin, over = occurrence_bounds(facts.day, facts.start_time)
        return over > now and begin - now <= window

    for thread in sorted(set(want) | set(live)):
        uid, unit_id, channel = thread
        for old, new in _pairs(live.get(thread, []), want.get(thread, {}), uid in present):
            if old is None and new is not None:
                if close(new) and _occurrence(new, unit_id, channel) not in soon:
                    out.add(Reminder(key=reminder_key(uid, new.day, unit_id, None, channel),
                                     unit_id=unit_id, channel=channel,
                                     kind=MessageKind.REMINDER, due_at=now, stage=None,
                                     item=new))
            elif old is not None and new is None:
                if not old.cancelled and close(old):
                    out.add(Reminder(key=change_key(uid, unit_id, channel, "cancelled"),
                                     unit_id=unit_id, channel=channel,
                                     kind=MessageKind.CHANGE, due_at=now, stage=None,
                                     item=replace(old, cancelled=True), previous=old))
            elif old is not None and new is not None and (
                    old.fingerprint() != new.fingerprint() and (close(old) or close(new))):
                out.add(Reminder(key=change_key(uid, unit_id, channel, new.fingerprint()),
                                 unit_id=unit_id, channel=channel, kind=MessageKind.CHANGE,
                                 due_at=now, stage=None, item=new, previous=old))


def _pairs(rows: list[StoredRow], want: Mapping[date, ItemFacts], present: bool) -> list[Pair]:
    """What the unit heard against what is true, per day of the item.

    A day it heard of that is still there is compared as is. A day that is gone is taken
    as moved to a day it has not heard of (for a one-day item, the move); days gone beyond
    that are dropped spans and say nothing, as does an item that no longer involves this
    unit. Only an item gone from every unit is cancelled.
    """
    if not want:
        return [(_latest(rows).item, None)] if rows and not present else []
    by_day: dict[date, list[StoredRow]] = defaultdict(list)
    for row in rows:
        by_day[row.item.day].append(row)
    pairs: list[Pair] = [(_latest(by_day[d]).item, want[d]) for d in sorted(want) if d in by_day]
    new_days = sorted(d for d in want if d not in by_day)
    # The gone days heard of most recently are the ones the new days replace.
    gone = sorted((_latest(by_day[d]) for d in by_day if d not in want),
                  key=lambda row: (row.due_at, row.id), reverse=True)[:len(new_days)]
    gone.sort(key=lambda row: row.item.day)
    for index, day in enumerate(new_days):
        pairs.append((gone[index].item if index < len(gone) else None, want[day]))
    return pairs


def _latest(rows: Sequence[StoredRow]) -> StoredRow:
    return max(rows, key=lambda row: (row.due_at, row.id))


def _occurrence(facts: ItemFacts, unit_id: str, channel: Channel) -> Occurrence:
    return facts.uid, facts.day, unit_id, channel


def _order(reminder: Reminder) -> tuple[datetime, str, str, str]:
    return reminder.due_at, reminder.unit_id, reminder.channel.value, reminder.key
