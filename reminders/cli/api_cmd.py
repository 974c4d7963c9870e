"""`reminders api`: bearer tokens of the JSON API (make one, list them, revoke one)."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Annotated, Any

import typer

from reminders.cli.context import state
from reminders.clock import SystemClock, local
from reminders.errors import UsageError
from reminders.services import open_store, prepare_store
from reminders.store.api_tokens import ApiToken, create_token, list_tokens, revoke_token

app = typer.Typer(help="Mã API cho phần mềm khác đọc và ghi trạng thái báo cáo (/api/v1).",
                  no_args_is_help=True)


def _when(moment: datetime | None) -> str:
    return local(moment).strftime("%d/%m/%Y %H:%M") if moment else "—"


def _json(token: ApiToken) -> dict[str, Any]:
    def iso(value: datetime | None) -> str | None:
        return value.isoformat() if value else None

    return {"id": token.id, "unit_id": token.unit_id, "office": token.office,
            "label": token.label, "created_at": iso(token.created_at),
            "last_used_at": iso(token.last_used_at), "revoked_at": iso(token.revoked_at)}


def _line(token: ApiToken) -> str:
    whose = "văn phòng" if token.office else f"đơn vị {token.unit_id}"
    label = f" «{token.label}»" if token.label else ""
    status = (f"thu hồi {_when(token.revoked_at)}" if token.revoked_at
              else f"dùng lần cuối {_when(token.last_used_at)}")
    return f"#{token.id}  {whose}{label}  tạo {_when(token.created_at)}  [{status}]"


@app.command("token-create")
def token_create(
    ctx: typer.Context,
    unit: Annotated[str | None, typer.Option("--unit", metavar="UNIT_ID",
                                             help="Mã của một đơn vị: chỉ xem và ghi cho "
                                                  "đơn vị đó.")] = None,
    office: Annotated[bool, typer.Option("--office", help="Mã của văn phòng: xem và ghi "
                                                          "mọi đơn vị.")] = False,
    label: Annotated[str | None, typer.Option("--label", help="Ghi chú: dùng cho phần mềm "
                                                              "nào, ai giữ.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="In dạng JSON.")] = False,
) -> None:
    """Tạo mã API mới; mã chỉ in ra một lần, hệ thống chỉ giữ bản băm."""
    if (unit is None) == (not office):
        raise UsageError("cần đúng một trong hai: --unit UNIT_ID hoặc --office")
    now = SystemClock().now()
    with open_store(state(ctx).settings()) as engine:
        prepare_store(engine)
        with engine.begin() as conn:
            token, secret = create_token(conn, unit_id=unit, label=label, now=now)
    if as_json:
        typer.echo(json.dumps({**_json(token), "token": secret}, ensure_ascii=False))
        return
    typer.echo(f"Đã tạo mã API {_line(token)}")
    typer.echo(secret)
    typer.echo("Hãy lưu mã này ngay: nó chỉ hiện một lần. Gửi kèm mỗi yêu cầu dưới dạng "
               "tiêu đề Authorization: Bearer <mã>.", err=True)


@app.command("token-list")
def token_list(
    ctx: typer.Context,
    as_json: Annotated[bool, typer.Option("--json", help="In dạng JSON.")] = False,
) -> None:
    """Liệt kê các mã API (không in mã, chỉ số, chủ và lần dùng cuối)."""
    with open_store(state(ctx).settings()) as engine:
        prepare_store(engine)
        with engine.connect() as conn:
            tokens = list_tokens(conn)
    if as_json:
        typer.echo(json.dumps([_json(t) for t in tokens], ensure_ascii=False))
        return
    if not tokens:
        typer.echo("Chưa có mã API nào.")
    for token in tokens:
        typer.echo(_line(token))


@app.command("token-revoke")
def token_revoke(
    ctx: typer.Context,
    token_id: Annotated[int, typer.Argument(metavar="ID", help="Số của mã (cột #).")],
) -> None:
    """Thu hồi một mã API: các yêu cầu dùng mã đó bị từ chối ngay."""
    now = SystemClock().now()
    with open_store(state(ctx).settings()) as engine:
        prepare_store(engine)
        with engine.begin() as conn:
            token = revoke_token(conn, token_id, now=now)
    typer.echo(f"Đã thu hồi mã API {_line(token)}")
