"""`reminders import`: read a plan (and its annexes) and store it as a draft (or publish it)."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Annotated

import typer

from reminders.cli.context import state
from reminders.cli.plan_store import store_plan
from reminders.clock import SystemClock, local_today
from reminders.ingest.build import import_plan
from reminders.ingest.read import Tools, load
from reminders.ingest.review import review
from reminders.units import Resolver, load_registry


def import_cmd(
    ctx: typer.Context,
    files: Annotated[list[Path], typer.Argument(
        metavar="FILE...", help="Kế hoạch và các biểu kèm theo (.docx, .doc, .odt, .rtf, "
                                ".pdf, ảnh quét, .html, .txt, .md, .xlsx, .csv).")],
    dry_run: Annotated[bool, typer.Option(
        "--dry-run", help="Chỉ đọc và in kết quả, không lưu gì.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="In kết quả dạng JSON.")] = False,
    publish: Annotated[bool, typer.Option(
        "--publish", help="Công bố ngay sau khi lưu (không cần `plans publish`).")] = False,
    registry: Annotated[Path | None, typer.Option(
        "--registry", "-r", help="Tệp danh mục đơn vị (mặc định: theo cấu hình).")] = None,
) -> None:
    """Đọc kế hoạch từ tệp Word, văn bản hoặc Excel; lưu thành bản nháp để rà soát."""
    cli = state(ctx)
    settings = cli.settings()
    clock = SystemClock()
    sources = [load(path) for path in files]  # every file is opened before anything is read
    units = load_registry(registry or Path(settings.service.registry))
    plan = import_plan(sources, resolver=Resolver(units), today=local_today(clock),
                       tools=Tools.system(progress=_progress()))
    stored = None if dry_run else store_plan(settings, plan, units, clock,
                                                 publish=publish)
    if as_json:
        typer.echo(json.dumps(plan.as_json(), ensure_ascii=False, indent=2))
        return
    for line in review(plan, stored=stored):
        typer.echo(line)


def _progress() -> Callable[[int, int], None] | None:
    """Pages read, on standard error, for documents long enough to wait for (a scan)."""
    if not sys.stderr.isatty():
        return None

    def show(done: int, total: int) -> None:
        if total < 3:
            return
        width = 30
        filled = width * done // total
        sys.stderr.write(f"\rĐang đọc: [{'#' * filled}{'.' * (width - filled)}] "
                         f"trang {done}/{total}")
        if done == total:
            sys.stderr.write("\n")
        sys.stderr.flush()

    return show
