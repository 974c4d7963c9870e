"""`reminders config`: check and show the settings in use."""

from __future__ import annotations

import typer

from reminders.cli.context import LEVEL_LABELS, state
from reminders.config import check_settings, describe_settings

app = typer.Typer(help="Cấu hình: kiểm tra và xem các tùy chọn đang dùng.", no_args_is_help=True)

@app.command("check")
def check(ctx: typer.Context) -> None:
    """Kiểm tra cấu hình: báo điều gì sai hoặc còn thiếu để chạy dịch vụ."""
    findings = check_settings(state(ctx).settings())
    for finding in findings:
        typer.echo(f"{LEVEL_LABELS.get(finding.level, finding.level)}: {finding.message}")
    errors = sum(1 for f in findings if f.level == "error")
    if errors:
        typer.echo(f"Cấu hình có {errors} lỗi.", err=True)
        raise typer.Exit(3)
    typer.echo("Cấu hình hợp lệ.")


@app.command("show")
def show(ctx: typer.Context) -> None:
    """In các tùy chọn đang có hiệu lực (mật khẩu được che)."""
    for option, value in describe_settings(state(ctx).settings()):
        typer.echo(f"{option} = {value}")
