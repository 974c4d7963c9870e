"""`reminders notify test --unit ID`: check a unit's channels with a test message."""

from __future__ import annotations

import asyncio
import json
from typing import Annotated

import typer

from reminders.cli.context import state
from reminders.clock import SystemClock
from reminders.notify import send_test
from reminders.planner.reach import Reach
from reminders.services import build_renderer, build_senders, open_store, prepare_store

app = typer.Typer(help="Thử các kênh gửi tin nhắc.", no_args_is_help=True)


@app.command("test")
def test_cmd(
    ctx: typer.Context,
    unit: Annotated[str, typer.Option("--unit", help="Mã đơn vị (ví dụ vhtt-thanh-xuan).")],
    as_json: Annotated[bool, typer.Option("--json", help="In kết quả dạng JSON.")] = False,
) -> None:
    """Gửi một tin thử qua từng kênh của đơn vị và cho biết kết quả."""
    settings = state(ctx).settings()
    clock = SystemClock()
    with open_store(settings) as engine:
        prepare_store(engine)
        results = asyncio.run(send_test(
            engine, build_senders(settings, engine, clock),
            build_renderer(settings, engine, clock), Reach.from_settings(settings), unit,
            now=clock.now()))
    if as_json:
        typer.echo(json.dumps([{"channel": r.channel.value, "to": list(r.to),
                                "ok": r.error is None, "provider_id": r.provider_id,
                                "error": r.error} for r in results], ensure_ascii=False))
    else:
        for r in results:
            where = ", ".join(r.to)
            if r.error is None:
                typer.echo(f"{r.channel.value}: đã gửi tới {where} (mã {r.provider_id})")
            else:
                typer.echo(f"{r.channel.value}: KHÔNG gửi được tới {where}: {r.error}")
    if any(r.error for r in results):
        raise typer.Exit(1)
