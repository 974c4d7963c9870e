"""`reminders dispatch --once` and `reminders worker`: send what is due, once or on a timer."""

from __future__ import annotations

import asyncio
import json
import logging
import signal
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Annotated

import typer

from reminders.cli.context import state
from reminders.cli.when import clock_at
from reminders.clock import Clock, local
from reminders.dispatch import DispatchReport
from reminders.services import build_dispatcher, open_store, prepare_store

log = logging.getLogger(__name__)


def _summary(report: DispatchReport, now: datetime) -> str:
    when = local(now).strftime("%d/%m/%Y %H:%M")
    text = (f"{when}: đã gửi {report.messages} tin ({report.sent} mục nhắc), "
            f"hẹn gửi lại {report.retried}, lỗi hẳn {report.failed}")
    if report.fallbacks:
        text += f", chuyển sang thư điện tử {report.fallbacks}"
    if report.lost:
        text += f", {report.lost} mục đã bị tiến trình khác nhận lại (hết hạn giữ)"
    return text + "."


def dispatch(
    ctx: typer.Context,
    once: Annotated[bool, typer.Option("--once", help="Gửi một lượt các tin đến hạn rồi thoát.")
                    ] = False,
    now: Annotated[str | None, typer.Option(
        "--now", help="Coi thời điểm này là bây giờ (ISO, ví dụ 2022-12-05T08:00+07:00).")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="In kết quả dạng JSON.")] = False,
) -> None:
    """Gửi các tin nhắc đã đến hạn (một lượt)."""
    if not once:
        typer.echo("Dùng `reminders dispatch --once` cho một lượt, hoặc `reminders worker` để "
                   "gửi liên tục.", err=True)
        raise typer.Exit(2)
    settings = state(ctx).settings()
    clock = clock_at(now)
    at = clock.now()
    with open_store(settings) as engine:
        prepare_store(engine)
        report = asyncio.run(build_dispatcher(settings, engine, clock).run_due(at))
    if as_json:
        typer.echo(json.dumps({
            "now": at.isoformat(), "claimed": report.claimed, "messages": report.messages,
            "sent": report.sent, "retried": report.retried, "failed": report.failed,
            "fallbacks": report.fallbacks, "lost": report.lost, "errors": report.errors[:20],
        }, ensure_ascii=False))
        return
    typer.echo(_summary(report, at))
    for error in dict.fromkeys(report.errors):
        typer.echo(f"  lỗi: {error}", err=True)


def worker(
    ctx: typer.Context,
    now: Annotated[str | None, typer.Option(
        "--now", help="Chạy như thể đồng hồ bắt đầu từ thời điểm này (diễn tập).")] = None,
) -> None:
    """Chỉ gửi tin nhắc, liên tục (nhiều worker có thể dùng chung một PostgreSQL)."""
    settings = state(ctx).settings()
    logging.basicConfig(level=settings.service.log_level.upper(),
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("apscheduler").setLevel(logging.WARNING)
    logging.getLogger("httpx").setLevel(logging.WARNING)  # its URLs carry the Zalo Bot token
    clock = clock_at(now, moving=True)
    with open_store(settings) as engine:
        prepare_store(engine)
        dispatcher = build_dispatcher(settings, engine, clock)
        typer.echo(f"Worker {dispatcher.worker} gửi tin mỗi {settings.reminders.tick_seconds} "
                   "giây. Ctrl+C để dừng.", err=True)
        asyncio.run(_run_worker(dispatcher.run_due, clock, settings.reminders.tick_seconds))


async def _run_worker(step: Callable[[datetime], Awaitable[DispatchReport]], clock: Clock,
                      every: int) -> None:
    from apscheduler.schedulers.asyncio import AsyncIOScheduler

    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)

    async def tick() -> None:
        at = clock.now()
        try:
            report = await step(at)
        except Exception:  # the next tick tries again; the rows stay due
            log.exception("lượt gửi lỗi")
            return
        if report.claimed:
            log.info(_summary(report, at))

    scheduler = AsyncIOScheduler(timezone="UTC")
    scheduler.add_job(tick, "interval", seconds=every, id="dispatch", coalesce=True,
                      max_instances=1, misfire_grace_time=max(60, every * 10),
                      next_run_time=clock.now())  # catch up at start
    scheduler.start()
    try:
        await stop.wait()
    finally:
        scheduler.shutdown(wait=False)
