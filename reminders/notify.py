"""`reminders notify test`: one test message through each of a unit's channels, reported."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.engine import Engine

from reminders.channels.base import Recipient, Sender, SendError
from reminders.domain import Channel
from reminders.errors import UsageError
from reminders.planner.model import MessageKind
from reminders.planner.reach import Reach, unit_channels
from reminders.preview import addresses
from reminders.render import Renderer
from reminders.store.outbox import record_direct
from reminders.store.units import feed_token, get_unit


@dataclass(frozen=True, slots=True, kw_only=True)
class TestResult:
    channel: Channel
    to: tuple[str, ...]
    provider_id: str | None = None
    error: str | None = None


async def send_test(engine: Engine, senders: Mapping[Channel, Sender], renderer: Renderer,
                    reach: Reach, unit_id: str, *, now: datetime) -> list[TestResult]:
    """Send, record in the delivery log, and say what happened on every channel."""
    with engine.connect() as conn:
        stored = get_unit(conn, unit_id)
        token = feed_token(conn, unit_id)
    if stored is None:
        raise UsageError(f"không có đơn vị '{unit_id}' trong danh mục")
    unit = stored.unit
    channels = unit_channels(unit, reach)
    if not channels:
        raise UsageError(f"đơn vị '{unit_id}' chưa có kênh nhận tin nào (thư điện tử, Zalo "
                         "hoặc webhook) trong danh mục đơn vị")
    recipient = Recipient(unit_id=unit.id, name=unit.name, emails=unit.contacts.emails,
                          zalo_user_ids=unit.contacts.zalo_user_ids,
                          zalo_chat_ids=unit.contacts.zalo_chat_ids, phones=unit.contacts.phones,
                          webhook_url=unit.contacts.webhook_url)
    results = []
    for channel in channels:
        key = f"test:{unit.id}:{channel.value}:{now:%Y%m%dT%H%M%S%f}"
        to = addresses(unit, channel)
        sender = senders.get(channel)
        try:
            if sender is None:
                raise SendError(f"kênh {channel.value} chưa được cấu hình", permanent=True)
            outgoing = renderer.render(kind=MessageKind.TEST, channel=channel, key=key,
                                       recipient=recipient, feed_token=token, entries=[],
                                       now=now)
            async with sender as opened:
                result = TestResult(channel=channel, to=to,
                                    provider_id=await opened.send(outgoing))
        except SendError as exc:
            kind = "lỗi hẳn" if exc.permanent else "lỗi tạm thời"
            result = TestResult(channel=channel, to=to, error=f"{kind}: {exc.message}")
        with engine.begin() as conn:
            record_direct(conn, key=key, unit_id=unit.id, channel=channel,
                          kind=MessageKind.TEST.value, at=now, provider_id=result.provider_id,
                          error=result.error)
        results.append(result)
    return results
