"""`reminders db`: the database schema (Alembic migrations)."""

from __future__ import annotations

import typer

from reminders.cli.context import state
from reminders.services import open_store
from reminders.store.migrate import current, head, upgrade

app = typer.Typer(help="Cơ sở dữ liệu: nâng cấp lược đồ, xem phiên bản.", no_args_is_help=True)


@app.command("upgrade")
def upgrade_cmd(ctx: typer.Context) -> None:
    """Nâng cấp lược đồ cơ sở dữ liệu lên phiên bản mới nhất."""
    with open_store(state(ctx).settings()) as engine:
        before = current(engine)
        after = upgrade(engine)
    if before == after:
        typer.echo(f"Cơ sở dữ liệu đã ở phiên bản mới nhất ({after}).")
    else:
        typer.echo(f"Đã nâng cấp cơ sở dữ liệu: {before or 'trống'} → {after}.")


@app.command("current")
def current_cmd(ctx: typer.Context) -> None:
    """Xem phiên bản lược đồ hiện tại và phiên bản mới nhất."""
    with open_store(state(ctx).settings()) as engine:
        revision = current(engine)
    typer.echo(f"hiện tại: {revision or 'trống (chưa tạo bảng)'}; mới nhất: {head()}")
