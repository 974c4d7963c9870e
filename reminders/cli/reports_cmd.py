"""`reminders reports`: who has reported, record a report, export, draft the follow-up letter."""

from __future__ import annotations

import getpass
import json
from datetime import date, datetime, time
from typing import Annotated

import typer

from reminders.cli.context import state
from reminders.cli.reports_docs_cmd import export_cmd, letter_cmd
from reminders.cli.reports_lookup import DeadlineArg, NowOption, find_occurrence, load_view
from reminders.cli.reports_text import plan_lines
from reminders.cli.when import clock_at
from reminders.clock import VN_TZ, local
from reminders.errors import UsageError
from reminders.services import open_store
from reminders.status import SubmissionKind, Via
from reminders.status_json import reports_json
from reminders.store.reports import (
    active_submission,
    add_expected,
    record_submission,
    set_exempt,
    withdraw_submission,
)

app = typer.Typer(help="Theo dõi báo cáo: đơn vị nào đã, chưa báo cáo theo từng hạn.",
                  no_args_is_help=True)
app.command("export")(export_cmd)
app.command("letter")(letter_cmd)

@app.command("status")
def status_cmd(
    ctx: typer.Context,
    plan_id: Annotated[int | None, typer.Argument(metavar="[PLAN]",
                                                  help="Chỉ kế hoạch này (#).")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="In dạng JSON.")] = False,
    now: NowOption = None,
) -> None:
    """Tình hình báo cáo: đúng hạn, trễ hạn, chưa đến hạn, quá hạn, miễn; tỷ lệ."""
    settings = state(ctx).settings()
    view = load_view(settings, clock_at(now).now(), plan_id)
    if as_json:
        typer.echo(json.dumps(reports_json(view),
                              ensure_ascii=False, indent=2))
        return
    if not view.plans:
        typer.echo("Chưa có kế hoạch nào được công bố.")
        return
    typer.echo(f"Tính đến {local(view.now):%H:%M ngày %d/%m/%Y}.")
    for plan in view.plans:
        typer.echo("")
        for line in plan_lines(plan, detail=plan_id is not None):
            typer.echo(line)


@app.command("submit")
def submit_cmd(
    ctx: typer.Context,
    unit_id: Annotated[str, typer.Argument(metavar="UNIT", help="Mã đơn vị.")],
    deadline: DeadlineArg,
    on: Annotated[str | None, typer.Option(
        "--date", help="Ngày nhận báo cáo (YYYY-MM-DD; mặc định hôm nay).")] = None,
    number: Annotated[str | None, typer.Option("--so-van-ban",
                                               help="Số văn bản báo cáo.")] = None,
    doc_date: Annotated[str | None, typer.Option("--ngay-van-ban",
                                                 help="Ngày văn bản (YYYY-MM-DD).")] = None,
    note: Annotated[str | None, typer.Option("--note", help="Ghi chú.")] = None,
    seen: Annotated[bool, typer.Option(
        "--seen", help="Chỉ ghi nhận đơn vị đã nhận tin (chưa gửi báo cáo).")] = False,
    now: NowOption = None,
) -> None:
    """Ghi nhận một đơn vị đã gửi báo cáo (hoặc đã nhận tin nhắc, với --seen)."""
    settings = state(ctx).settings()
    moment = clock_at(now).now()
    received = _received_at(on, moment)
    kind = SubmissionKind.SEEN if seen else SubmissionKind.SUBMITTED
    view = load_view(settings, moment)
    plan, occurrence_id = find_occurrence(view, deadline, unit_id=unit_id)
    status = plan.occurrence(occurrence_id)
    assert status is not None
    with open_store(settings) as engine, engine.begin() as conn:
        existing = active_submission(conn, occurrence_id, unit_id, kind)
        if existing is not None:
            raise UsageError(f"đơn vị '{unit_id}' đã được ghi nhận cho hạn #{occurrence_id} "
                             f"(bản ghi #{existing}); rút lại bản ghi đó trước nếu cần sửa")
        record_id = record_submission(
            conn, occurrence_id=occurrence_id, unit_id=unit_id, kind=kind,
            via=Via.DASHBOARD, at=received, by_user=f"dòng lệnh ({getpass.getuser()})",
            document_number=number, document_date=_day(doc_date, "--ngay-van-ban"),
            note=note)
    after = load_view(settings, moment, plan.plan.id).plan(plan.plan.id)
    assert after is not None
    cell = after.occurrence(occurrence_id).cell(unit_id)  # type: ignore[union-attr]
    what = "đã nhận tin" if seen else "đã gửi báo cáo"
    state_text = f" — {cell.state.label}" if cell is not None and not seen else ""
    typer.echo(f"Đã ghi nhận (#{record_id}): {unit_id} {what} cho hạn #{occurrence_id} "
               f"«{status.occurrence.title}» ngày {local(received):%d/%m/%Y}{state_text}.")


@app.command("withdraw")
def withdraw_cmd(
    ctx: typer.Context,
    submission_id: Annotated[int, typer.Argument(metavar="ID", help="Số bản ghi báo cáo.")],
    reason: Annotated[str, typer.Option("--reason", help="Lý do rút lại (bắt buộc).")],
) -> None:
    """Rút lại một bản ghi báo cáo (giữ lại trong lịch sử, kèm lý do)."""
    settings = state(ctx).settings()
    with open_store(settings) as engine, engine.begin() as conn:
        done = withdraw_submission(conn, submission_id, by=f"dòng lệnh ({getpass.getuser()})",
                                   reason=reason, at=clock_at(None).now())
    typer.echo(f"Đã rút lại bản ghi #{submission_id}: {done.withdrawn_reason}")


@app.command("exempt")
def exempt_cmd(
    ctx: typer.Context,
    unit_id: Annotated[str, typer.Argument(metavar="UNIT", help="Mã đơn vị.")],
    deadline: DeadlineArg,
    reason: Annotated[str | None, typer.Option("--reason", help="Lý do miễn.")] = None,
    undo: Annotated[bool, typer.Option("--undo", help="Bỏ miễn.")] = False,
) -> None:
    """Miễn (hoặc bỏ miễn) cho một đơn vị ở một hạn báo cáo."""
    settings = state(ctx).settings()
    view = load_view(settings, clock_at(None).now())
    _, occurrence_id = find_occurrence(view, deadline)
    with open_store(settings) as engine, engine.begin() as conn:
        set_exempt(conn, occurrence_id, unit_id, exempt=not undo, reason=reason)
    typer.echo(f"Đã {'bỏ miễn' if undo else 'miễn'} báo cáo cho {unit_id} ở hạn #{occurrence_id}.")


@app.command("add")
def add_cmd(
    ctx: typer.Context,
    unit_id: Annotated[str, typer.Argument(metavar="UNIT", help="Mã đơn vị.")],
    deadline: DeadlineArg,
) -> None:
    """Thêm một đơn vị vào danh sách phải báo cáo của một hạn."""
    settings = state(ctx).settings()
    view = load_view(settings, clock_at(None).now())
    _, occurrence_id = find_occurrence(view, deadline)
    with open_store(settings) as engine, engine.begin() as conn:
        added = add_expected(conn, occurrence_id, unit_id)
    typer.echo(f"Đã thêm {unit_id} vào hạn #{occurrence_id}." if added
               else f"{unit_id} đã có trong danh sách của hạn #{occurrence_id}.")


def _received_at(text: str | None, now: datetime) -> datetime:
    day = _day(text, "--date")
    if day is None or day == local(now).date():
        return now
    if day > local(now).date():
        raise UsageError(f"--date {text} là ngày trong tương lai")
    return datetime.combine(day, time(12, 0), VN_TZ)  # the day is what counts


def _day(text: str | None, option: str) -> date | None:
    if text is None:
        return None
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise UsageError(f"{option} '{text}' phải là ngày dạng YYYY-MM-DD") from None
