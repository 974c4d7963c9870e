"""`--now` on the command line: a moment written in ISO, local time when no offset is given."""

from __future__ import annotations

from datetime import datetime

from reminders.clock import VN_TZ, Clock, FixedClock, OffsetClock, SystemClock
from reminders.errors import UsageError


def parse_moment(text: str) -> datetime:
    """'2022-12-05T08:00+07:00', '2022-12-05 08:00' (Việt Nam time) or '2022-12-05'."""
    try:
        moment = datetime.fromisoformat(text.strip())
    except ValueError:
        raise UsageError(f"thời điểm '{text}' không đúng dạng ISO "
                         "(ví dụ 2022-12-05T08:00+07:00)") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=VN_TZ)
    return moment


def clock_at(text: str | None, *, moving: bool = False) -> Clock:
    """The real clock, or one set to `text`: standing still, or running on from it."""
    if text is None:
        return SystemClock()
    moment = parse_moment(text)
    return OffsetClock(moment) if moving else FixedClock(moment)
