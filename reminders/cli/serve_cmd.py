"""`reminders serve`: the web app with its scheduler, on the configured database."""

from __future__ import annotations

import logging
from typing import Annotated

import typer

from reminders.cli.context import LEVEL_LABELS, state
from reminders.cli.when import clock_at
from reminders.config import check_settings


def serve(
    ctx: typer.Context,
    host: Annotated[
        str | None, typer.Option(help="Địa chỉ lắng nghe (mặc định theo cấu hình).")
    ] = None,
    port: Annotated[int | None, typer.Option(help="Cổng (mặc định theo cấu hình).")] = None,
    now: Annotated[str | None, typer.Option(
        "--now", help="Chạy như thể bây giờ là thời điểm này (ISO), đồng hồ chạy tiếp từ đó: "
                      "để diễn tập với các kế hoạch mẫu năm 2022–2024.")] = None,
) -> None:
    """Chạy dịch vụ: trang web, lịch iCalendar và bộ hẹn giờ gửi nhắc việc."""
    import uvicorn

    from reminders.services import build
    from reminders.web.app import create_app

    settings = state(ctx).settings()
    findings = check_settings(settings)
    for finding in findings:
        typer.echo(f"{LEVEL_LABELS.get(finding.level, finding.level)}: {finding.message}",
                   err=True)
    if any(f.level == "error" for f in findings):
        typer.echo("Cấu hình có lỗi; sửa rồi chạy lại (`reminders config check`).", err=True)
        raise typer.Exit(3)
    logging.basicConfig(level=settings.service.log_level.upper(),
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    # APScheduler logs every run of the tick at INFO; /healthz shows the tick instead.
    logging.getLogger("apscheduler").setLevel(logging.WARNING)
    logging.getLogger("httpx").setLevel(logging.WARNING)  # its URLs carry the Zalo Bot token
    services = build(settings, clock_at(now, moving=True) if now else None)
    bind_host = host or settings.service.host
    bind_port = port or settings.service.port
    typer.echo(f"Dịch vụ nhắc việc chạy tại http://{bind_host}:{bind_port} "
               f"({len(services.registry.units)} đơn vị). Ctrl+C để dừng.", err=True)
    try:
        # Access logs cost about half the request rate (DESIGN.md): fetches are recorded
        # in batches by the feeds module instead.
        uvicorn.run(create_app(services), host=bind_host, port=bind_port, access_log=False,
                    log_level=settings.service.log_level, lifespan="on")
    finally:
        services.engine.dispose()
