"""`reminders plans`: the stored plans — list, show one, publish, archive."""

from __future__ import annotations

import json
from typing import Annotated, Any

import typer

from reminders.cli.context import state
from reminders.clock import SystemClock
from reminders.domain import PlanStatus
from reminders.replan import planned_text, replan
from reminders.services import open_store, prepare_store
from reminders.store.plans import (
    STATUS_LABELS,
    PlanDetail,
    UnitLink,
    get_plan,
    list_plans,
    missing_plan,
    set_status,
)

app = typer.Typer(help="Kế hoạch đã nạp: xem, công bố, lưu trữ.", no_args_is_help=True)

_STATUS = STATUS_LABELS
PlanId = Annotated[int, typer.Argument(metavar="ID", help="Số hiệu kế hoạch (#) trong danh sách.")]
JsonOption = Annotated[bool, typer.Option("--json", help="In dạng JSON.")]
_MAX_DAYS = 6  # occurrences shown per deadline before "…"


@app.command("list")
def list_cmd(
    ctx: typer.Context,
    status: Annotated[
        PlanStatus | None, typer.Option(help="Chỉ các kế hoạch ở trạng thái này.")
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Liệt kê các kế hoạch đã nạp."""
    with open_store(state(ctx).settings()) as engine:
        prepare_store(engine)  # a new database lists no plans rather than failing
        with engine.connect() as conn:
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


@app.command("show")
def show(ctx: typer.Context, plan_id: PlanId, as_json: JsonOption = False) -> None:
    """Xem một kế hoạch: thông tin chung, các hoạt động, hạn báo cáo."""
    with open_store(state(ctx).settings()) as engine:
        prepare_store(engine)
        with engine.connect() as conn:
            plan = get_plan(conn, plan_id)
    if plan is None:
        raise missing_plan(plan_id)
    if as_json:
        data: dict[str, Any] = {"id": plan.id, "status": plan.status.value,
                                "revision": plan.revision, **(plan.document or {})}
        typer.echo(json.dumps(data, ensure_ascii=False))
        return
    for line in _summary(plan):
        typer.echo(line)


@app.command("publish")
def publish(ctx: typer.Context, plan_id: PlanId) -> None:
    """Công bố một kế hoạch: các đơn vị thấy lịch và nhận nhắc việc."""
    _move(ctx, plan_id, PlanStatus.PUBLISHED, "Đã công bố")


@app.command("archive")
def archive(ctx: typer.Context, plan_id: PlanId) -> None:
    """Lưu trữ một kế hoạch: thôi hiện trên lịch, thôi nhắc việc."""
    _move(ctx, plan_id, PlanStatus.ARCHIVED, "Đã lưu trữ")


def _move(ctx: typer.Context, plan_id: int, status: PlanStatus, done: str) -> None:
    now = SystemClock().now()
    settings = state(ctx).settings()
    with open_store(settings) as engine:
        prepare_store(engine)
        with engine.begin() as conn:
            change = set_status(conn, plan_id, status, now=now)
            plan = get_plan(conn, plan_id)
            planned = replan(conn, settings, now=now, plan_ids=[plan_id]) if change.changed \
                else None
    name = _name(plan) if plan else f"#{plan_id}"
    if change.changed:
        typer.echo(f"{done} kế hoạch {name}.")
        if planned is not None and planned.applied.changed:
            typer.echo(planned_text(planned))
    else:
        typer.echo(f"Kế hoạch {name} đã ở trạng thái {_STATUS[status]}; không có gì thay đổi.")


def _name(plan: PlanDetail) -> str:
    return f"#{plan.id} ({plan.number or 'chưa có số'})"


def _names(links: tuple[UnitLink, ...]) -> str:
    return ", ".join(link.name for link in links) or "—"


def _summary(plan: PlanDetail) -> list[str]:
    lines = [
        f"Kế hoạch #{plan.id}: {plan.number or '(chưa có số)'}",
        f"  Cơ quan ban hành: {plan.issuer or '—'}",
        f"  Tên: {plan.title or '—'}",
        f"  Trạng thái: {_STATUS[plan.status]} (phiên bản {plan.revision})",
    ]
    if plan.issued:
        lines.append(f"  Ngày ban hành: {plan.issued:%d/%m/%Y}")
    if plan.standing:
        lines.append(f"  Đơn vị thường trực: {plan.standing.name}")
    lines.append(f"  {len(plan.activities)} hoạt động, {len(plan.deadlines)} hạn báo cáo, "
                 f"{len(plan.warnings)} cảnh báo khi nhập")
    if plan.activities:
        lines.append("Hoạt động:")
        lines += [f"  {a.code} | {a.title} | {a.time_text} | {_names(a.lead)}"
                  for a in plan.activities]
    if plan.deadlines:
        lines.append("Hạn báo cáo:")
        for deadline in plan.deadlines:
            days = ", ".join(f"{d:%d/%m/%Y}" for d in deadline.occurrences[:_MAX_DAYS])
            if len(deadline.occurrences) > _MAX_DAYS:
                days += f", … ({len(deadline.occurrences)} lần)"
            lines.append(f"  {deadline.title} | {deadline.time_text} | hạn: {days or '—'} "
                         f"| {_names(deadline.from_units)}")
    if plan.warnings:
        lines.append(f"Có {len(plan.warnings)} cảnh báo khi nhập; xem bằng --json.")
    return lines
