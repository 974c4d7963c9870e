"""The outbox as the office sees it: /quan-ly/hop-thu-di, counts, failed messages, "Gửi lại"."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from starlette.responses import Response

from reminders.domain import Channel, DeliveryStatus
from reminders.store.outbox import (
    DeliveryRow,
    count_by_status,
    get_delivery,
    list_deliveries,
    retry,
)
from reminders.store.units import list_units
from reminders.web.dashboard.http import PREFIX, Dashboard, Form, Visit, when

STATUS_LABELS = {
    DeliveryStatus.PENDING: "Chờ gửi",
    DeliveryStatus.CLAIMED: "Đang gửi",
    DeliveryStatus.SENT: "Đã gửi",
    DeliveryStatus.FAILED: "Lỗi",
    DeliveryStatus.CANCELLED: "Đã hủy",
}
CHANNEL_LABELS = {Channel.EMAIL: "Thư điện tử", Channel.ZALO: "Zalo", Channel.WEBHOOK: "Webhook"}
KIND_LABELS = {"reminder": "Nhắc việc", "change": "Thay đổi lịch", "test": "Thử",
               "nudge": "Đôn đốc", "digest": "Tổng hợp báo cáo"}
RETRYABLE = frozenset({DeliveryStatus.FAILED, DeliveryStatus.CANCELLED})
FILTER = "trang-thai"
LIMIT = 200


@dataclass(frozen=True, slots=True)
class DeliveryLine:
    id: int
    unit_id: str
    unit_name: str
    when: str
    channel: str
    kind: str
    status: str  # DeliveryStatus value, for data-status
    status_label: str
    attempts: int
    error: str | None
    retryable: bool


def lines(rows: Iterable[DeliveryRow], names: dict[str, str]) -> tuple[DeliveryLine, ...]:
    """Rows as the pages list them: sent time if sent, else when it is (was) due."""
    return tuple(DeliveryLine(
        id=r.id, unit_id=r.unit_id, unit_name=names.get(r.unit_id, r.unit_id),
        when=when(r.sent_at or r.due_at), channel=CHANNEL_LABELS.get(r.channel, r.channel),
        kind=KIND_LABELS.get(r.kind, r.kind), status=r.status.value,
        status_label=STATUS_LABELS[r.status], attempts=r.attempts, error=r.last_error,
        retryable=r.status in RETRYABLE) for r in rows)


class OutboxPages:
    """GET /quan-ly/hop-thu-di[?trang-thai=…] and POST …/<id>/gui-lai."""

    def __init__(self, dash: Dashboard) -> None:
        self.dash = dash

    async def page(self, visit: Visit) -> Response:
        wanted = _status(visit.request.query_params.get(FILTER, DeliveryStatus.FAILED.value))

        def read() -> tuple[dict[str, int], tuple[DeliveryRow, ...], dict[str, str]]:
            with self.dash.services.engine.connect() as conn:
                return (count_by_status(conn),
                        list_deliveries(conn, wanted, limit=LIMIT, newest_first=True),
                        {s.unit.id: s.unit.name for s in list_units(conn, active_only=False)})

        counts, rows, names = await self.dash.db(read)
        tabs = tuple((s.value, STATUS_LABELS[s], counts.get(s.value, 0)) for s in DeliveryStatus)
        return self.dash.render(
            visit, "outbox.html", tabs=tabs, current=wanted.value if wanted else "",
            total=sum(counts.values()), rows=lines(rows, names), limit=LIMIT,
            current_label=STATUS_LABELS[wanted] if wanted else "Tất cả", filter_name=FILTER)

    async def retry(self, visit: Visit, form: Form) -> Response:
        delivery_id: int = visit.request.path_params["delivery_id"]
        back_status = _status(form.get(FILTER, ""))
        back = f"{PREFIX}/hop-thu-di?{FILTER}={back_status.value if back_status else 'tat-ca'}"

        def work() -> tuple[DeliveryRow | None, bool]:
            with self.dash.services.engine.begin() as conn:
                found = get_delivery(conn, delivery_id)
                if found is None or found.status not in RETRYABLE:
                    return found, False
                return retry(conn, delivery_id, now=visit.now), True

        row, retried = await self.dash.db(work)
        if row is None:
            return await self.dash.done(visit, back, f"Không có tin số {delivery_id}.",
                                        error=True)
        if not retried:
            return await self.dash.done(visit, back, f"Tin số {delivery_id} đang ở trạng thái "
                                        f"«{STATUS_LABELS[row.status]}», không gửi lại được.",
                                        error=True)
        return await self.dash.done(visit, back, f"Đã đưa tin số {delivery_id} vào hàng chờ "
                                    "gửi lại.")


def _status(value: str) -> DeliveryStatus | None:
    """The filter's status; "tat-ca" (or anything unknown) means every status."""
    try:
        return DeliveryStatus(value)
    except ValueError:
        return None
