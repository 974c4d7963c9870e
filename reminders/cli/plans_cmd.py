"""`reminders plans`: the stored plans (import, publish and archive arrive with the importer)."""

from __future__ import annotations

import json
from typing import Annotated

import typer

from reminders.cli.context import state
from reminders.domain import PlanStatus
from reminders.services import open_store
from reminders.store.plans import list_plans

app = typer.Typer(help="Kế hoạch đã nạp: xem danh sách.", no_args_is_help=True)

_STATUS = {PlanStatus.DRAFT: "dự thảo", PlanStatus.PUBLISHED: "đã công bố",
           PlanStatus.ARCHIVED: "đã lưu trữ"}


@app.command("list")
def list_cmd(
    ctx: typer.Context,
    status: Annotated[
        PlanStatus | None, typer.Option(help="Chỉ các kế hoạch ở trạng thái này.")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="In dạng JSON.")] = False,
) -> None:
    """Liệt kê các kế hoạch đã nạp."""
    with open_store(state(ctx).settings()) as engine, engine.connect() as conn:
        found = list_plans(conn, status)
    if as_json:
        typer.echo(json.dumps([
            {"id": p.id, "number": p.number, "issuer": p.issuer,
             "issued": p.issued.isoformat() if p.issued else None, "title": p.title,
             "status": p.status.value, "activities": p.activities, "deadlines": p.deadlines}
            for p in found
        ], ensure_ascii=False))
        return
    if not found:
        typer.echo("Chưa có kế hoạch nào.")
        return
    for plan in found:
        number = plan.number or "(chưa có số)"
        typer.echo(f"#{plan.id}  {number}  [{_STATUS[plan.status]}]  {plan.title} "
                   f"— {plan.activities} hoạt động, {plan.deadlines} hạn báo cáo")
