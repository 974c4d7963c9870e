"""`reminders time`: read Vietnamese time expressions (contracts/time-expressions.md)."""

from __future__ import annotations

import json
import sys
from datetime import date
from functools import lru_cache
from typing import Annotated, Any

import typer

from reminders.cli import jsonlines
from reminders.clock import SystemClock, local_today
from reminders.errors import UsageError
from reminders.timeexpr import TimeSpec, parse


def _day(value: str | None, option: str) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise UsageError(f"{option} phải là ngày dạng YYYY-MM-DD: '{value}'") from None


def time_cmd(
    text: Annotated[str | None, typer.Argument(metavar="TEXT",
                                               help="Thời gian như viết trong kế hoạch.")] = None,
    year: Annotated[int | None, typer.Option("--year", min=1900, max=2200,
                                             help="Năm của kế hoạch, cho ngày không ghi năm.")
                    ] = None,
    ref_date: Annotated[str | None, typer.Option("--ref-date", metavar="YYYY-MM-DD",
                                                 help="Ngày của giờ không kèm ngày (\"08h30\").")
                        ] = None,
    batch: Annotated[bool, typer.Option("--batch", help="Đọc JSON lines từ stdin: "
                                        "{\"text\", \"year\", \"ref_date\"}.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="In kết quả dạng JSON.")] = False,
) -> None:
    """Đọc một cách ghi thời gian tiếng Việt: ngày bắt đầu, kết thúc, hạn, lặp lại."""
    today = local_today(SystemClock())  # the one clock read; the reader takes it as input
    if batch:
        if text is not None:
            raise UsageError("--batch đọc từ stdin; không truyền thêm TEXT")
        _batch(today)
        return
    if text is None:
        raise UsageError("thiếu TEXT (hoặc dùng --batch)")
    spec = parse(text, year=year, ref_date=_day(ref_date, "--ref-date"), today=today)
    if as_json:
        typer.echo(json.dumps(spec.as_json(), ensure_ascii=False))
    else:
        typer.echo(describe(spec))


def _batch(today: date) -> None:
    out = sys.stdout
    # Plans repeat the same cells ("Trong năm 2024"); reading is pure, so cache it.
    read = lru_cache(maxsize=65536)(parse)
    for number, line in enumerate(sys.stdin, start=1):
        if not line.strip():
            continue
        answer: dict[str, Any]
        request: Any = None
        try:
            request = json.loads(line)
            text = request["text"]
            year = request.get("year")
            ref = request.get("ref_date")
            if not isinstance(text, str) or not (year is None or isinstance(year, int)):
                raise TypeError
            ref_date = date.fromisoformat(ref) if ref is not None else None
        except (ValueError, KeyError, TypeError, AttributeError):
            shown = request.get("text") if isinstance(request, dict) else None
            answer = {"text": shown if isinstance(shown, str) else line.rstrip("\n"),
                      "error": f"dòng {number}: cần {{\"text\": \"...\", \"year\": 2024, "
                               f"\"ref_date\": \"YYYY-MM-DD\"}} (year, ref_date không bắt buộc)"}
        else:
            answer = read(text, year=year, ref_date=ref_date, today=today).as_json()
        out.write(jsonlines.line(answer))
    out.flush()


def describe(spec: TimeSpec) -> str:
    """A short Vietnamese reading of a TimeSpec for people at a terminal."""
    if spec.undetermined and not spec.rrule:
        return "không xác định được ngày (" + spec.text + ")"
    parts = []
    start = spec.start.strftime("%d/%m/%Y") if spec.start else "…"
    end = spec.end.strftime("%d/%m/%Y") if spec.end else "…"
    parts.append(start if start == end else f"{start} → {end}")
    if spec.time:
        parts.append("lúc " + spec.time.strftime("%H:%M")
                     + (f"–{spec.end_time:%H:%M}" if spec.end_time else ""))
    if spec.deadline:
        parts.append("hạn hoàn thành")
    if spec.tentative:
        parts.append("dự kiến")
    if spec.rrule:
        parts.append(f"lặp lại {spec.rrule}")
    if spec.lunar:
        parts.append("theo âm lịch")
    lines = ["; ".join(parts)]
    lines.extend(f"cảnh báo: {w}" for w in spec.warnings)
    return "\n".join(lines)
