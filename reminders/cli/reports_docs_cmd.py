"""`reminders reports export` and `reports letter`: the office's documents as files."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Annotated

import typer

from reminders.cli.context import state
from reminders.cli.reports_lookup import (
    DeadlineArg,
    NowOption,
    PlanArg,
    find_occurrence,
    load_view,
    write_file,
)
from reminders.cli.when import clock_at
from reminders.clock import local
from reminders.errors import UsageError
from reminders.letterhead import letterhead
from reminders.services import open_store


def export_cmd(
    ctx: typer.Context,
    plan_id: PlanArg,
    xlsx: Annotated[Path | None, typer.Option(
        "--xlsx", dir_okay=False, help="Ghi bảng theo dõi ra tệp Excel (.xlsx).")] = None,
    csv: Annotated[Path | None, typer.Option(
        "--csv", dir_okay=False, help="Ghi từng dòng đơn vị × hạn ra tệp CSV (UTF-8).")] = None,
    html: Annotated[Path | None, typer.Option(
        "--html", dir_okay=False,
        help="Ghi trang in 'Danh sách đơn vị chưa báo cáo' (HTML).")] = None,
    now: NowOption = None,
) -> None:
    """Xuất bảng theo dõi báo cáo của một kế hoạch (.xlsx, .csv, trang in)."""
    from reminders.documents.csv_export import status_csv_bytes
    from reminders.documents.printable import missing_list_html
    from reminders.documents.xlsx import status_workbook

    if not (xlsx or csv or html):
        raise UsageError("chọn ít nhất một tệp: --xlsx, --csv hoặc --html")
    moment = clock_at(now).now()
    view = load_view(state(ctx).settings(), moment, plan_id)
    plan = view.plan(plan_id)
    assert plan is not None
    # Everything is built before anything is written: a failure leaves no file behind.
    outputs: list[tuple[Path, bytes]] = []
    if xlsx:
        outputs.append((xlsx, status_workbook([plan], now=moment)))
    if csv:
        outputs.append((csv, status_csv_bytes([plan])))
    if html:
        # Overdue units and those due within three days: the list the office calls round.
        soon = local(moment).date() + timedelta(days=3)
        outputs.append((html, missing_list_html(plan, now=moment, due_until=soon).encode()))
    for path, data in outputs:
        write_file(path, data)
        typer.echo(f"Đã ghi {path} ({len(data):,} byte).".replace(",", "."))


def letter_cmd(
    ctx: typer.Context,
    plan_id: PlanArg,
    deadline: DeadlineArg,
    docx: Annotated[Path, typer.Option(
        "--docx", dir_okay=False, help="Tệp .docx dự thảo công văn đôn đốc.")],
    signer: Annotated[str, typer.Option(
        "--signer", help="Chức danh người ký.")] = "TRƯỞNG PHÒNG",
    now: NowOption = None,
) -> None:
    """Soạn dự thảo công văn đôn đốc các đơn vị chưa báo cáo (theo Nghị định 30/2020)."""
    from reminders.documents.letter import follow_up_letter

    settings = state(ctx).settings()
    moment = clock_at(now).now()
    view = load_view(settings, moment, plan_id)
    plan, occurrence_id = find_occurrence(view, deadline, plan_id=plan_id)
    status = plan.occurrence(occurrence_id)
    assert status is not None
    if not status.missing():
        raise UsageError(f"mọi đơn vị đã báo cáo hạn #{occurrence_id}; không cần công văn "
                         "đôn đốc")
    with open_store(settings) as engine, engine.connect() as conn:
        head = letterhead(conn, plan.plan)
    data = follow_up_letter(plan, status, issuer_parent=head.parent, issuer_name=head.name,
                            place=head.place, now=moment, signer_title=signer)
    write_file(docx, data)
    typer.echo(f"Đã ghi {docx}: công văn đôn đốc {len(status.missing())} đơn vị chưa báo cáo "
               f"hạn #{occurrence_id}.")
