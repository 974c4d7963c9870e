"""`reminders units`: the unit registry — list, show, resolve names, load into the store."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Any

import typer

from reminders.cli import jsonlines
from reminders.cli.context import state
from reminders.domain import Unit
from reminders.errors import UsageError
from reminders.units import Registry, Resolver, load_registry

app = typer.Typer(help="Danh mục đơn vị: xem, tra tên đơn vị, nạp vào cơ sở dữ liệu.",
                  no_args_is_help=True)

RegistryOption = Annotated[
    Path | None,
    typer.Option("--registry", "-r", help="Tệp danh mục đơn vị (mặc định: theo cấu hình)."),
]
JsonOption = Annotated[bool, typer.Option("--json", help="In kết quả dạng JSON.")]


def _registry(ctx: typer.Context, path: Path | None) -> Registry:
    if path is None:
        path = Path(state(ctx).settings().service.registry)
    return load_registry(path)


def _emit(data: Any) -> None:
    typer.echo(json.dumps(data, ensure_ascii=False))


def _unit_json(registry: Registry, unit: Unit) -> dict[str, Any]:
    return {
        "id": unit.id,
        "name": unit.name,
        "kind": unit.kind.value,
        "parent": unit.parent,
        "groups": list(unit.groups),
        "aliases": list(unit.aliases),
        "emails": list(unit.contacts.emails),
        "zalo_user_ids": list(unit.contacts.zalo_user_ids),
        "phones": list(unit.contacts.phones),
        "webhook_url": unit.contacts.webhook_url,
        "children": [u.id for u in registry.units if u.parent == unit.id],
    }


@app.command("list")
def list_units(ctx: typer.Context, registry: RegistryOption = None,
               as_json: JsonOption = False) -> None:
    """Liệt kê các đơn vị và nhóm trong danh mục."""
    reg = _registry(ctx, registry)
    if as_json:
        _emit({
            "units": [{"id": u.id, "name": u.name, "kind": u.kind.value, "parent": u.parent}
                      for u in reg.units],
            "groups": [{"id": g.id, "name": g.name, "members": [u.id for u in reg.members(g.id)]}
                       for g in reg.groups],
        })
        return
    width = max((len(u.id) for u in reg.units), default=10)
    for unit in reg.units:
        typer.echo(f"{unit.id:<{width}}  {unit.name}")
    typer.echo("")
    typer.echo(f"Nhóm ({len(reg.groups)}):")
    for group in reg.groups:
        typer.echo(f"{group.id:<{width}}  {group.name} ({len(reg.members(group.id))} đơn vị)")
    typer.echo(f"\nTổng cộng {len(reg.units)} đơn vị, {len(reg.groups)} nhóm.")


@app.command("show")
def show(ctx: typer.Context, unit_id: Annotated[str, typer.Argument(metavar="ID")],
         registry: RegistryOption = None, as_json: JsonOption = False) -> None:
    """Xem chi tiết một đơn vị hoặc một nhóm."""
    reg = _registry(ctx, registry)
    unit = reg.unit(unit_id)
    group = reg.group(unit_id)
    if unit is None and group is None:
        raise UsageError(f"không có đơn vị hay nhóm nào mã '{unit_id}' trong danh mục")
    if unit is not None:
        data = _unit_json(reg, unit)
        if as_json:
            _emit(data)
            return
        typer.echo(f"{unit.name}\n  mã: {unit.id}\n  loại: {unit.kind.value}")
        if unit.parent:
            parent = reg.unit(unit.parent)
            typer.echo(f"  cấp trên: {parent.name if parent else unit.parent}")
        for label, values in (("nhóm", unit.groups), ("tên khác", unit.aliases),
                              ("email", unit.contacts.emails),
                              ("Zalo", unit.contacts.zalo_user_ids),
                              ("điện thoại", unit.contacts.phones)):
            if values:
                typer.echo(f"  {label}: {', '.join(values)}")
        if unit.contacts.webhook_url:
            typer.echo(f"  webhook: {unit.contacts.webhook_url}")
        return
    assert group is not None
    members = reg.members(group.id)
    if as_json:
        _emit({"id": group.id, "name": group.name, "aliases": list(group.aliases),
               "parent": group.parent, "members": [u.id for u in members]})
        return
    typer.echo(f"{group.name}\n  mã nhóm: {group.id}\n  gồm {len(members)} đơn vị:")
    for member in members:
        typer.echo(f"   - {member.name} ({member.id})")


@app.command("resolve")
def resolve(
    ctx: typer.Context,
    text: Annotated[
        str | None,
        typer.Argument(metavar="TEXT", help="Tên đơn vị như viết trong kế hoạch."),
    ] = None,
    context: Annotated[
        list[str] | None,
        typer.Option("--context", help="Đề mục hoặc cơ quan ban hành (có thể lặp lại), "
                     "ví dụ \"Phường Kim Giang\"."),
    ] = None,
    registry: RegistryOption = None,
    batch: Annotated[bool, typer.Option("--batch", help="Đọc JSON lines từ stdin: "
                                        "{\"text\": ..., \"context\": [...]}.")] = False,
    as_json: JsonOption = False,
) -> None:
    """Tra một tên đơn vị ra đơn vị hoặc nhóm trong danh mục (không bao giờ đoán bừa)."""
    if batch and text is not None:
        raise UsageError("--batch đọc từ stdin; không truyền thêm TEXT")
    if not batch and text is None:
        raise UsageError("thiếu TEXT (hoặc dùng --batch)")
    resolver = Resolver(_registry(ctx, registry))
    if batch:
        _resolve_batch(resolver)
        return
    assert text is not None
    result = resolver.resolve(text, tuple(context or ()))
    if as_json:
        _emit(result.as_json())
        return
    found = result.unit_id or result.group_id
    if found:
        kind = "nhóm" if result.group_id else "đơn vị"
        typer.echo(f"{text} → {kind} {found} (độ tin cậy {result.score:.2f})")
        return
    typer.echo(f"{text} → không xác định được đơn vị")
    for suggestion in result.suggestions:
        typer.echo(f"  gợi ý: {suggestion.name} ({suggestion.id}, {suggestion.score:.2f})")


def _resolve_batch(resolver: Resolver) -> None:
    out = sys.stdout
    for number, line in enumerate(sys.stdin, start=1):
        if not line.strip():
            continue
        try:
            request = json.loads(line)
            text = request["text"]
            context = request.get("context") or []
            if isinstance(context, str):
                context = [context]
            if not isinstance(text, str) or not all(isinstance(c, str) for c in context):
                raise TypeError
        except (ValueError, KeyError, TypeError, AttributeError):
            raw = line.rstrip("\n")
            answer: dict[str, Any] = {
                "text": raw, "error": f"dòng {number}: cần một đối tượng JSON "
                "{\"text\": \"...\", \"context\": [\"...\"]}",
            }
        else:
            answer = resolver.resolve(text, tuple(context)).as_json()
        out.write(jsonlines.line(answer))
    out.flush()


@app.command("sync")
def sync(ctx: typer.Context, registry: RegistryOption = None) -> None:
    """Nạp danh mục đơn vị vào cơ sở dữ liệu (thêm, cập nhật, ngừng dùng đơn vị đã bỏ)."""
    from reminders.services import open_store, sync_units

    settings = state(ctx).settings()
    reg = _registry(ctx, registry)
    with open_store(settings) as engine:
        report = sync_units(engine, reg)
    typer.echo(
        f"Đã nạp danh mục: thêm {report.added}, cập nhật {report.updated}, "
        f"ngừng dùng {report.deactivated} đơn vị."
    )


@app.command("rotate-token")
def rotate_token(
    ctx: typer.Context, unit_id: Annotated[str, typer.Argument(metavar="ID")]
) -> None:
    """Cấp mã bí mật mới cho lịch của đơn vị; địa chỉ lịch cũ thôi dùng được ngay."""
    from reminders.clock import SystemClock
    from reminders.services import open_store, prepare_store
    from reminders.store import rotate_feed_token

    settings = state(ctx).settings()
    with open_store(settings) as engine:
        prepare_store(engine)
        with engine.begin() as conn:
            token = rotate_feed_token(conn, unit_id, SystemClock().now())
    base = settings.service.public_base_url.rstrip("/")
    typer.echo(f"Đã cấp mã mới cho '{unit_id}'. Trang đăng ký lịch mới: {base}/lich/{token}/")
    typer.echo("Gửi địa chỉ mới cho đơn vị; lịch đã đăng ký bằng địa chỉ cũ sẽ không cập nhật nữa.")
