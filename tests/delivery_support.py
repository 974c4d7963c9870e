"""Shared helpers for delivery tests and bench/dispatch.py: units, outbox rows, settings."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from sqlalchemy import Engine

from reminders.config import Settings
from reminders.domain import Channel, Contacts, ReminderPrefs, Unit
from reminders.planner.model import ItemFacts, MessageKind, Reminder, Role
from reminders.store import make_engine, sync_registry, upgrade
from reminders.store.outbox_plan import insert_reminders
from reminders.units import Registry

T0 = datetime(2022, 12, 5, 1, 0, tzinfo=UTC)  # Monday 08:00 in Hà Nội
BASE_URL = "https://lich.example.gov.vn"


def units(count: int, *, domain: str = "thanhxuan.hanoi.gov.vn",
          prefs: ReminderPrefs | None = None, **contacts: object) -> tuple[Unit, ...]:
    """`count` wards with one mailbox each ("UBND phường 1" ... ), numbered from 1."""
    return tuple(
        Unit(id=f"ubnd-phuong-{i}", name=f"UBND phường {i}",
             contacts=Contacts(emails=(f"phuong{i}@{domain}",), **contacts),  # type: ignore[arg-type]
             reminders=prefs or ReminderPrefs())
        for i in range(1, count + 1))


def store_with_units(url: str, found: Sequence[Unit], *, at: datetime = T0) -> Engine:
    engine = make_engine(url)
    upgrade(engine)
    with engine.begin() as conn:
        sync_registry(conn, Registry(units=tuple(found), groups=()), at)
    return engine


def facts(n: int, *, day: date = date(2022, 12, 12), kind: str = "activity",
          title: str | None = None) -> ItemFacts:
    return ItemFacts(
        uid=f"kh-249-2022-hd-{n}", kind=kind,
        role=Role.LEAD if kind == "activity" else Role.REPORTER, plan_id=0,
        plan_label="Kế hoạch số 249/KH-UBND ngày 20/09/2022 của UBND quận Thanh Xuân",
        plan_title="Tổ chức các hoạt động kỷ niệm 76 năm Ngày Toàn quốc kháng chiến",
        code=str(n), title=title or f"Hội thi tuyên truyền ca khúc cách mạng, lượt {n}",
        time_text=f"07h00 ngày {day:%d/%m/%Y}", day=day, start_time="07:00",
        location="Nhà văn hóa phường", lead_names=("Phòng Văn hóa và Thông tin",))


def reminders(found: Iterable[Unit], per_unit: int, *, due: datetime = T0,
              channel: Channel = Channel.EMAIL, spread: timedelta | None = None,
              prefix: str = "r") -> list[Reminder]:
    """`per_unit` reminders per unit, all due at `due` (or spread evenly over `spread`)."""
    chosen = list(found)
    total = len(chosen) * per_unit
    made = []
    for i in range(total):
        unit = chosen[i % len(chosen)]
        at = due + (spread * i / total if spread else timedelta(0))
        made.append(Reminder(
            key=f"{prefix}:{i}:{unit.id}:{channel.value}", unit_id=unit.id, channel=channel,
            kind=MessageKind.REMINDER, due_at=at, stage=1, item=facts(i)))
    return made


def fill(engine: Engine, rows: Sequence[Reminder], *, at: datetime = T0) -> None:
    with engine.begin() as conn:
        insert_reminders(conn, rows, at)


def settings_for(database_url: str, smtp: object, tmp: Path, **reminders: object) -> Settings:
    """Settings over a database and a test SMTP server (an object with `.settings()`)."""
    base = Settings()
    return replace(
        base,
        service=replace(base.service, public_base_url=BASE_URL, data_dir=tmp),
        database=replace(base.database, url=database_url),
        smtp=smtp.settings(),  # type: ignore[attr-defined]
        reminders=replace(base.reminders, **reminders),  # type: ignore[arg-type]
    )
