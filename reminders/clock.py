"""Clocks and the Asia/Ho_Chi_Minh helpers; only the edges (CLI, tick, web) read a clock."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Protocol
from zoneinfo import ZoneInfo

VN_TZ = ZoneInfo("Asia/Ho_Chi_Minh")


class Clock(Protocol):
    """Something that tells the current time as an aware UTC datetime."""

    def now(self) -> datetime: ...


class SystemClock:
    """The real clock."""

    def now(self) -> datetime:
        return datetime.now(UTC)


class FixedClock:
    """A clock for tests: stands still until told to move."""

    def __init__(self, at: datetime) -> None:
        self._at = ensure_aware(at)

    def now(self) -> datetime:
        return self._at

    def set(self, at: datetime) -> None:
        self._at = ensure_aware(at)

    def advance(self, delta: timedelta) -> datetime:
        self._at += delta
        return self._at


class OffsetClock:
    """The real clock shifted to start at a given moment (a rehearsal: `worker --now`)."""

    def __init__(self, start: datetime) -> None:
        self._offset = ensure_aware(start) - datetime.now(UTC)

    def now(self) -> datetime:
        return datetime.now(UTC) + self._offset


def ensure_aware(value: datetime) -> datetime:
    """Return ``value`` in UTC; naive datetimes are refused, they are always a bug here."""
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"naive datetime {value!r}: pass an aware datetime")
    return value.astimezone(UTC)


def local(value: datetime) -> datetime:
    """The same instant as a person in Việt Nam sees it."""
    return ensure_aware(value).astimezone(VN_TZ)


def local_today(clock: Clock) -> date:
    """Today's date in Asia/Ho_Chi_Minh."""
    return local(clock.now()).date()
