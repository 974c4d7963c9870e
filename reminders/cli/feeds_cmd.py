"""`reminders feeds`: export every feed as files, list a unit's feed addresses."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Annotated

import typer

from reminders.cli.context import state
from reminders.clock import SystemClock
from reminders.errors import UsageError

app = typer.Typer(help="Lịch iCalendar: xuất ra tệp, xem địa chỉ đăng ký.",
                  no_args_is_help=True)


def _now(text: str | None) -> datetime:
    if text is None:
        return SystemClock().now()
    try:
        at = datetime.fromisoformat(text)
    except ValueError as exc:
        raise UsageError(f"--now '{text}' không phải thời điểm ISO 8601") from exc
    if at.tzinfo is None:
        raise UsageError(f"--now '{text}' phải có múi giờ, ví dụ 2026-11-24T08:00+07:00")
    return at


NowOption = Annotated[str | None, typer.Option(
    "--now", help="Xem như đang là thời điểm này (ISO 8601 có múi giờ); mặc định: bây giờ.")]


@app.command("export")
def export(
    ctx: typer.Context,
    folder: Annotated[Path, typer.Argument(metavar="THƯ_MỤC",
                                           help="Thư mục ghi lịch, ví dụ calendars/.")],
    everything: Annotated[bool, typer.Option(
        "--all", help="Mọi sự kiện, bỏ qua khoảng thời gian [feeds] days_back/days_ahead.")
    ] = False,
    now: NowOption = None,
) -> None:
    """Ghi mọi lịch thành tệp THƯ_MỤC/<mã>/<tên>.ics, đúng từng byte như dịch vụ web trả về."""
    from reminders.feeds.export import Exporter
    from reminders.services import open_store, prepare_store
    from reminders.web.app import hub_for

    settings = state(ctx).settings()
    with open_store(settings) as engine:
        prepare_store(engine)
        hub = hub_for(settings, engine, everything=everything)
        report = Exporter(hub, folder).sync(_now(now))
    typer.echo(f"Đã xuất lịch vào {folder}: ghi {report.written} tệp, "
               f"{report.unchanged} tệp không đổi, xóa {report.removed} tệp cũ.")


@app.command("urls")
def urls(
    ctx: typer.Context,
    unit_id: Annotated[str, typer.Argument(metavar="ID", help="Mã đơn vị.")],
    now: NowOption = None,
) -> None:
    """In địa chỉ trang đăng ký và các lịch của một đơn vị."""
    from reminders.feeds.model import UNIT_KINDS, FeedKey, FeedKind
    from reminders.services import open_store, prepare_store
    from reminders.web.app import hub_for
    from reminders.web.feed_pages import TITLES, feed_url

    settings = state(ctx).settings()
    base = settings.service.public_base_url.rstrip("/")
    with open_store(settings) as engine:
        prepare_store(engine)
        hub = hub_for(settings, engine, persist=False)
        hub.refresh(_now(now))
    catalogue = hub.catalogue
    unit = catalogue.units.get(unit_id)
    if unit is None or not unit.active:
        raise UsageError(f"không có đơn vị '{unit_id}' (xem `reminders units list`)")
    typer.echo(f"{unit.name}")
    typer.echo(f"  Trang đăng ký: {base}/lich/{unit.token}/")
    for kind in UNIT_KINDS:
        if kind is FeedKind.FOLLOWED and not catalogue.follows(unit_id):
            continue
        typer.echo(f"  {TITLES[kind]}: {feed_url(catalogue, FeedKey(kind, unit_id), base)}")
    for plan in catalogue.plans_of(unit_id):
        key = FeedKey(FeedKind.PLAN, str(plan.id))
        typer.echo(f"  Kế hoạch {plan.number or plan.id}: {feed_url(catalogue, key, base)}")
