"""`reminders outbox`: the messages waiting, sent and failed (planning and dispatch come later)."""

from __future__ import annotations

import json
from typing import Annotated

import typer

from reminders.cli.context import state
from reminders.clock import local
from reminders.domain import DeliveryStatus
from reminders.services import open_store
from reminders.store.outbox import list_deliveries

app = typer.Typer(help="Hộp thư đi: các tin nhắc đang chờ, đã gửi, bị lỗi.", no_args_is_help=True)


@app.command("list")
def list_cmd(
    ctx: typer.Context,
    status: Annotated[
        DeliveryStatus | None, typer.Option(help="Chỉ các tin ở trạng thái này.")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="In dạng JSON.")] = False,
) -> None:
    """Liệt kê các tin nhắc trong hộp thư đi."""
    with open_store(state(ctx).settings()) as engine, engine.connect() as conn:
        rows = list_deliveries(conn, status)
    if as_json:
        typer.echo(json.dumps([
            {"id": r.id, "unit_id": r.unit_id, "channel": r.channel.value, "kind": r.kind,
             "due_at": r.due_at.isoformat(), "status": r.status.value, "attempts": r.attempts,
             "last_error": r.last_error}
            for r in rows
        ], ensure_ascii=False))
        return
    if not rows:
        typer.echo("Hộp thư đi trống.")
        return
    for row in rows:
        due = local(row.due_at).strftime("%d/%m/%Y %H:%M")
        error = f" — lỗi: {row.last_error}" if row.last_error else ""
        typer.echo(f"#{row.id}  {due}  {row.unit_id}  {row.channel.value}  {row.kind}  "
                   f"[{row.status.value}, {row.attempts} lần]{error}")
