"""The words of the confirm pages: the report's details, its state, what the button does."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from reminders.clock import local
from reminders.links import Action
from reminders.status import Cell, ReportState
from reminders.web.confirm_flow import Target
from reminders.web.feed_pages import WEEKDAYS


@dataclass(frozen=True, slots=True)
class Row:
    label: str
    value: str
    main: bool = False  # the deadline's title: set larger
    note: str = ""  # a second, quieter line


@dataclass(frozen=True, slots=True, kw_only=True)
class Words:
    action: str  # the button's words: "Đã nhận" or "Đã gửi báo cáo"
    explanation: str
    done_heading: str
    thanks: str
    already: str


def when(at: datetime) -> str:
    """"09:15 ngày 26/12/2022", in Việt Nam's time."""
    moment = local(at)
    return f"{moment:%H:%M} ngày {moment:%d/%m/%Y}"


def day(value: date) -> str:
    """"Thứ Hai, 26/12/2022"."""
    return f"{WEEKDAYS[value.weekday()]}, {value:%d/%m/%Y}"


def details(target: Target) -> tuple[Row, ...]:
    """Unit, plan, deadline, due day and receiver; empty values left out."""
    occ = target.occurrence
    due = day(target.due)
    if target.due != occ.due_date:
        due += (f" (kế hoạch ghi ngày {occ.due_date:%d/%m/%Y}, là ngày nghỉ, nên hạn lùi sang "
                "ngày làm việc kế tiếp)")
    written = f"Kế hoạch ghi: {occ.time_text}" if occ.time_text.strip() else ""
    rows = [
        Row("Đơn vị", target.unit_name),
        Row("Hạn báo cáo", occ.title, main=True),
        Row("Hạn cuối", due, note=written),
        Row("Kế hoạch", target.plan_label, note=target.plan_title),
        Row("Nơi nhận báo cáo", occ.receiver or ""),
    ]
    return tuple(r for r in rows if r.value.strip())


def state_lines(cell: Cell, *, now: datetime) -> tuple[str, ...]:
    """What is already known of the unit's report, one sentence each."""
    lines: list[str] = []
    if cell.submitted is not None:
        sent = cell.submitted
        document = ""
        if sent.document_number:
            document += f", văn bản số {sent.document_number}"
        if sent.document_date:
            document += f" ngày {sent.document_date:%d/%m/%Y}"
        late = (f", trễ {cell.working_days_late} ngày làm việc"
                if cell.state is ReportState.LATE else "")
        lines.append(f"Đơn vị đã xác nhận gửi báo cáo lúc {when(sent.at)}{document} "
                     f"({cell.state.label.lower()}{late}).")
    elif cell.seen is not None:
        lines.append(f"Đơn vị đã xác nhận đã nhận tin nhắc lúc {when(cell.seen.at)}; "
                     "chưa có xác nhận gửi báo cáo.")
    if cell.state is ReportState.EXEMPT:
        reason = f" (lý do: {cell.exempt_reason})" if cell.exempt_reason else ""
        lines.append(f"Đơn vị được miễn báo cáo hạn này{reason}.")
    elif cell.state is ReportState.OVERDUE:
        lines.append(f"Báo cáo đã quá hạn {cell.working_days_overdue} ngày làm việc "
                     f"(tính đến {local(now):%d/%m/%Y}).")
    return tuple(lines)


def texts(target: Target) -> Words:
    """The page's words for the link's action."""
    unit = target.unit_name
    receiver = target.occurrence.receiver or "nơi nhận báo cáo"
    if target.claim.action is Action.SEEN:
        already = ("Đơn vị đã gửi báo cáo cho hạn này nên không cần xác nhận đã nhận; "
                   "không ghi thêm." if target.cell.submitted is not None else
                   "Việc đơn vị đã nhận tin nhắc đã được ghi nhận trước đó; không ghi thêm.")
        return Words(
            action=Action.SEEN.label,
            explanation=f"Bấm nút dưới đây để báo cho {receiver} biết đơn vị đã nhận được tin "
                        "nhắc về hạn báo cáo này. Việc này chưa phải là xác nhận đã gửi báo cáo.",
            done_heading="Đã ghi nhận",
            thanks=f"Cảm ơn! Đã ghi nhận {unit} đã nhận tin nhắc.",
            already=already)
    return Words(
        action=Action.SUBMITTED.label,
        explanation="Bấm nút dưới đây để xác nhận đơn vị đã gửi báo cáo này đến "
                    f"{receiver}. Có thể ghi thêm số và ngày của văn bản báo cáo.",
        done_heading="Đã ghi nhận",
        thanks=f"Cảm ơn! Đã ghi nhận {unit} đã gửi báo cáo.",
        already="Báo cáo của đơn vị cho hạn này đã được ghi nhận trước đó; không ghi thêm.")
