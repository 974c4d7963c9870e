"""`reminders outbox`: what will go out (preview), what waits, was sent or failed; retry."""

from __future__ import annotations

import json
from datetime import date, datetime, time, timedelta
from typing import Annotated, Any

import typer

from reminders.cli.context import state
from reminders.clock import VN_TZ, SystemClock, local
from reminders.domain import DeliveryStatus
from reminders.errors import UsageError
from reminders.preview import PreviewMessage, preview
from reminders.services import open_store, prepare_store
from reminders.store.outbox import DeliveryRow, get_delivery, list_deliveries, retry

app = typer.Typer(help="Hộp thư đi: các tin nhắc sắp gửi, đang chờ, đã gửi, bị lỗi.",
                  no_args_is_help=True)


def _row_json(r: DeliveryRow) -> dict[str, Any]:
    return {"id": r.id, "key": r.key, "unit_id": r.unit_id, "channel": r.channel.value,
            "kind": r.kind, "due_at": r.due_at.isoformat(), "status": r.status.value,
            "attempts": r.attempts, "next_attempt_at": r.next_attempt_at.isoformat(),
            "last_error": r.last_error, "provider_message_id": r.provider_message_id,
            "sent_at": r.sent_at.isoformat() if r.sent_at else None}


def _row_line(row: DeliveryRow) -> str:
    due = local(row.due_at).strftime("%d/%m/%Y %H:%M")
    error = f" — lỗi: {row.last_error}" if row.last_error else ""
    return (f"#{row.id}  {due}  {row.unit_id}  {row.channel.value}  {row.kind}  "
            f"[{row.status.value}, {row.attempts} lần]{error}")


@app.command("list")
def list_cmd(
    ctx: typer.Context,
    status: Annotated[
        DeliveryStatus | None, typer.Option(help="Chỉ các tin ở trạng thái này.")
    ] = None,
    unit: Annotated[str | None, typer.Option("--unit", help="Chỉ tin của đơn vị này.")] = None,
    limit: Annotated[int, typer.Option(help="Số dòng tối đa.")] = 200,
    as_json: Annotated[bool, typer.Option("--json", help="In dạng JSON.")] = False,
) -> None:
    """Liệt kê các tin nhắc trong hộp thư đi."""
    with open_store(state(ctx).settings()) as engine, engine.connect() as conn:
        rows = list_deliveries(conn, status, unit_id=unit, limit=limit)
    if as_json:
        typer.echo(json.dumps([_row_json(r) for r in rows], ensure_ascii=False))
        return
    if not rows:
        typer.echo("Hộp thư đi trống." if status is None
                   else f"Không có tin nào ở trạng thái {status.value}.")
        return
    for row in rows:
        typer.echo(_row_line(row))


@app.command("retry")
def retry_cmd(
    ctx: typer.Context,
    delivery_id: Annotated[int, typer.Argument(metavar="ID", help="Số của tin (cột #).")],
) -> None:
    """Gửi lại một tin bị lỗi hoặc đã hủy, ngay ở lượt gửi tới."""
    now = SystemClock().now()
    with open_store(state(ctx).settings()) as engine, engine.begin() as conn:
        before = get_delivery(conn, delivery_id)
        if before is None:
            raise UsageError(f"không có tin #{delivery_id} trong hộp thư đi")
        if before.status not in (DeliveryStatus.FAILED, DeliveryStatus.CANCELLED):
            raise UsageError(f"tin #{delivery_id} đang ở trạng thái {before.status.value}; "
                             "chỉ gửi lại được tin lỗi (failed) hoặc đã hủy (cancelled)")
        after = retry(conn, delivery_id, now=now)
    assert after is not None
    typer.echo(f"Tin #{delivery_id} sẽ được gửi lại ở lượt gửi tới.\n{_row_line(after)}")


def _day(text: str, option: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise UsageError(f"{option} '{text}' phải là ngày dạng YYYY-MM-DD") from None


def _message_json(m: PreviewMessage) -> dict[str, Any]:
    return {
        "due_at": local(m.due_at).isoformat(), "unit_id": m.unit_id, "unit_name": m.unit_name,
        "channel": m.channel.value, "kind": m.kind.value, "to": list(m.to),
        "items": [{"key": e.key, "status": e.status, "stage": e.stage, "uid": e.item.uid,
                   "kind": e.item.kind, "role": e.item.role.value, "title": e.item.title,
                   "day": e.item.day.isoformat(), "time_text": e.item.time_text,
                   "plan_id": e.item.plan_id} for e in m.entries],
    }


@app.command("preview")
def preview_cmd(
    ctx: typer.Context,
    start: Annotated[str, typer.Option("--from", help="Từ ngày (YYYY-MM-DD).")],
    end: Annotated[str, typer.Option("--to", help="Đến hết ngày (YYYY-MM-DD).")],
    unit: Annotated[str | None, typer.Option("--unit", help="Chỉ tin của đơn vị này.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="In dạng JSON.")] = False,
) -> None:
    """Xem trước các tin nhắc sẽ gửi trong một khoảng ngày: khi nào, cho ai, qua kênh nào."""
    first, last = _day(start, "--from"), _day(end, "--to")
    if last < first:
        raise UsageError("--to phải không trước --from")
    since = datetime.combine(first, time(0), VN_TZ)
    until = datetime.combine(last + timedelta(days=1), time(0), VN_TZ)
    settings = state(ctx).settings()
    with open_store(settings) as engine:
        prepare_store(engine)
        with engine.connect() as conn:
            messages = preview(conn, settings, since=since, until=until, unit_id=unit)
    if as_json:
        typer.echo(json.dumps([_message_json(m) for m in messages], ensure_ascii=False,
                              indent=2))
        return
    if not messages:
        typer.echo(f"Không có tin nhắc nào từ {first:%d/%m/%Y} đến {last:%d/%m/%Y}.")
        return
    for m in messages:
        typer.echo(f"{local(m.due_at):%d/%m/%Y %H:%M}  {m.channel.value:7}  {m.unit_name} "
                   f"({', '.join(m.to) or 'chưa có địa chỉ'})")
        for e in m.entries:
            stage = ("gửi ngay" if e.stage is None else "trong ngày" if e.stage == 0
                     else f"trước {e.stage} ngày")
            typer.echo(f"    • {e.item.title} — {e.item.time_text} [{stage}; {e.status}]")
