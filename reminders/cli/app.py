"""Root of the command tree, global options, and the one mapping from errors to exit codes."""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Annotated

import typer

from reminders import __version__
from reminders.cli.api_cmd import app as api_app
from reminders.cli.config_cmd import app as config_app
from reminders.cli.context import CliState
from reminders.cli.db_cmd import app as db_app
from reminders.cli.dispatch_cmd import dispatch, worker
from reminders.cli.feeds_cmd import app as feeds_app
from reminders.cli.import_cmd import import_cmd
from reminders.cli.notify_cmd import app as notify_app
from reminders.cli.office_cmd import app as office_app
from reminders.cli.outbox_cmd import app as outbox_app
from reminders.cli.plans_cmd import app as plans_app
from reminders.cli.reports_cmd import app as reports_app
from reminders.cli.serve_cmd import serve
from reminders.cli.time_cmd import time_cmd
from reminders.cli.units_cmd import app as units_app
from reminders.errors import RemindersError

app = typer.Typer(
    name="reminders",
    help="Nhắc việc theo kế hoạch: lịch iCalendar cho từng đơn vị, thư nhắc và theo dõi báo cáo.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)
app.add_typer(units_app, name="units")
app.add_typer(config_app, name="config")
app.add_typer(db_app, name="db")
app.add_typer(plans_app, name="plans")
app.add_typer(outbox_app, name="outbox")
app.add_typer(feeds_app, name="feeds")
app.add_typer(notify_app, name="notify")
app.add_typer(reports_app, name="reports")
app.add_typer(office_app, name="office")
app.add_typer(api_app, name="api")
app.command("dispatch")(dispatch)
app.command("worker")(worker)
app.command("serve")(serve)
app.command("time")(time_cmd)
app.command("import")(import_cmd)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"reminders {__version__}")
        raise typer.Exit()


@app.callback()
def root(
    ctx: typer.Context,
    config: Annotated[
        Path | None,
        typer.Option("--config", "-c", help="Tệp cấu hình (mặc định: REMINDERS_CONFIG "
                     "hoặc config/reminders.toml nếu có)."),
    ] = None,
    version: Annotated[
        bool,
        typer.Option("--version", callback=_version, is_eager=True, help="In phiên bản rồi thoát."),
    ] = False,
) -> None:
    """Nhắc việc theo kế hoạch của cơ quan nhà nước."""
    ctx.obj = CliState(config_path=config, environ=dict(os.environ))


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line and return the exit code (tests call this directly)."""
    try:
        result = app(args=list(argv) if argv is not None else None, standalone_mode=False)
    except RemindersError as exc:
        typer.echo(f"Lỗi: {exc}", err=True)
        return exc.exit_code
    except typer.Exit as exc:
        return int(exc.exit_code)
    except typer.Abort:
        typer.echo("Đã hủy.", err=True)
        return 130
    except typer.TyperException as exc:  # usage errors of the command line itself
        show = getattr(exc, "show", None)
        if callable(show):
            show()
        else:
            typer.echo(str(exc), err=True)
        return int(getattr(exc, "exit_code", 2))
    except KeyboardInterrupt:
        return 130
    return result if isinstance(result, int) else 0


def run() -> None:
    """Console-script entry point."""
    sys.exit(main())
