"""Feeds of the seed plans: golden bytes, three parsers and a CalDAV server agree, exports."""

from __future__ import annotations

import os
from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine

from reminders.cli import main
from reminders.feeds.export import Exporter
from reminders.feeds.hub import FeedHub
from reminders.feeds.model import FeedKey, FeedKind
from reminders.store.units import rotate_feed_token
from tests.feed_readers import (
    expand_occurrences,
    put_events,
    radicale_server,  # noqa: F401  (a fixture)
    read_icalendar,
    read_icaljs,
)
from tests.feed_support import NOW, T0, hub, seed_plan, store_plans, store_seeds

GOLDEN = Path(__file__).parent / "golden" / "feeds"
UPDATE = os.environ.get("REMINDERS_UPDATE_GOLDEN") == "1"

# (golden file, feed): plans by the order store_seeds saves them (ids 1–4).
FEEDS = {
    "plan-000": FeedKey(FeedKind.PLAN, "1"),
    "plan-001-002": FeedKey(FeedKind.PLAN, "2"),
    "plan-003": FeedKey(FeedKind.PLAN, "3"),
    "plan-004": FeedKey(FeedKind.PLAN, "4"),
    "vhtt-thanh-xuan-tat-ca": FeedKey(FeedKind.ALL, "vhtt-thanh-xuan"),
    "vhtt-thanh-xuan-theo-doi": FeedKey(FeedKind.FOLLOWED, "vhtt-thanh-xuan"),
    "hoi-ccb-phuong-phuong-liet-hoat-dong": FeedKey(FeedKind.ACTIVITIES,
                                                     "hoi-ccb-phuong-phuong-liet"),
    "ubnd-phuong-ha-dinh-han-bao-cao": FeedKey(FeedKind.DEADLINES, "ubnd-phuong-ha-dinh"),
    "so-noi-vu-ha-noi-tat-ca": FeedKey(FeedKind.ALL, "so-noi-vu-ha-noi"),
}


@pytest.fixture
def seeded(engine: Engine) -> FeedHub:
    """The four seed plans published at T0; every event shown (the seeds are of 2022–2024)."""
    store_seeds(engine)
    feeds = hub(engine, days_back=None, days_ahead=None)
    feeds.refresh(NOW)
    return feeds


def body(feeds: FeedHub, key: FeedKey) -> bytes:
    doc = feeds.get(key)
    assert doc is not None, key
    return doc.body


def test_seed_feeds_match_their_golden_files(seeded: FeedHub) -> None:
    """One test for all nine (each needs the same store); it names every file that differs."""
    differ = []
    for name, key in sorted(FEEDS.items()):
        data = body(seeded, key)
        path = GOLDEN / f"{name}.ics"
        if UPDATE:
            path.write_bytes(data)
        if data != path.read_bytes():
            differ.append(name)
    assert not differ, f"{differ} differ: REMINDERS_UPDATE_GOLDEN=1 rewrites them"


def test_golden_feeds_hold_what_the_plans_say() -> None:
    """The golden files are not just whatever came out: spot-check them against the seeds."""
    office = (GOLDEN / "vhtt-thanh-xuan-theo-doi.ics").read_bytes().replace(b"\r\n ", b"")
    assert "NAME:Theo dõi kế hoạch – Phòng Văn hóa và Thông tin quận Thanh Xuân\r\n".encode(
    ) in office
    # B.I.1 "07h00 ngày 12/12/2022 (Thứ 2)", led by Hội CCB phường Phương Liệt.
    ccb = (GOLDEN / "hoi-ccb-phuong-phuong-liet-hoat-dong.ics").read_bytes()
    assert b"DTSTART;TZID=Asia/Ho_Chi_Minh:20221212T070000\r\n" in ccb
    assert "[Chủ trì] Nói chuyện chuyên đề về Chiến thắng".encode() in ccb.replace(
        b"\r\n ", b"")
    # 000's report "trước ngày 27/12/2022" from UBND 11 phường: due on the 26th.
    due = (GOLDEN / "ubnd-phuong-ha-dinh-han-bao-cao.ics").read_bytes().replace(b"\r\n ", b"")
    assert b"DTSTART;VALUE=DATE:20221226\r\n" in due
    assert "SUMMARY:Hạn báo cáo: Báo cáo kết quả".encode() in due
    assert "Thời gian theo kế hoạch: trước ngày 27/12/2022".encode() in due


def test_two_exports_of_the_same_data_are_identical(seeded: FeedHub, engine: Engine,
                                                    tmp_path: Path) -> None:
    first = Exporter(seeded, tmp_path / "a").sync(NOW)
    again = hub(engine, days_back=None, days_ahead=None)
    second = Exporter(again, tmp_path / "b").sync(NOW)
    assert first.written == second.written > 100
    files_a = sorted(p.relative_to(tmp_path / "a") for p in (tmp_path / "a").rglob("*.ics"))
    files_b = sorted(p.relative_to(tmp_path / "b") for p in (tmp_path / "b").rglob("*.ics"))
    assert files_a == files_b
    for rel in files_a:
        assert (tmp_path / "a" / rel).read_bytes() == (tmp_path / "b" / rel).read_bytes()
    assert not list(tmp_path.rglob("*.tmp"))


def test_exported_files_are_the_served_bytes_at_the_served_paths(seeded: FeedHub,
                                                                 tmp_path: Path) -> None:
    exporter = Exporter(seeded, tmp_path)
    exporter.sync(NOW)
    catalogue = seeded.catalogue
    for key in FEEDS.values():
        path = tmp_path / catalogue.token(key) / f"{catalogue.slug(key)}.ics"
        doc = seeded.get(key)
        assert doc is not None
        assert path.read_bytes() == doc.body
        assert path.stat().st_mtime == doc.last_modified.timestamp()
    # Units that follow no plan get no office feed file; every active unit gets three.
    assert not list(tmp_path.glob("*/ubnd-phuong-ha-dinh-theo-doi.ics"))
    assert len(list(tmp_path.glob("*/ubnd-phuong-ha-dinh-*.ics"))) == 3


def test_re_export_writes_only_what_an_edit_touched(seeded: FeedHub, engine: Engine,
                                                    tmp_path: Path) -> None:
    exporter = Exporter(seeded, tmp_path)
    exporter.sync(NOW)
    plan = seed_plan("004")
    edited = replace(plan, activities=(replace(plan.activities[0], title="Tiêu đề đã sửa"),
                                       *plan.activities[1:]))
    store_plans(engine, (edited,), at=NOW)
    report = exporter.sync(NOW + timedelta(minutes=1))
    names = sorted(p.name for p in report.paths)
    assert report.written == len(names) > 0
    # Plan 004 involves only Sở Nội vụ and Sở VHTT Hà Nội (its standing office).
    assert all(n.startswith(("so-noi-vu-ha-noi", "so-vhtt-ha-noi", "ke-hoach-4-"))
               for n in names), names
    assert "ke-hoach-4-324-kh-ubnd.ics" in names
    assert report.removed == 0
    changed = next(p for p in report.paths if "ke-hoach-4" in p.name)
    assert "Tiêu đề đã sửa".encode() in changed.read_bytes().replace(b"\r\n ", b"")


def test_a_rotated_token_moves_the_files(seeded: FeedHub, engine: Engine,
                                         tmp_path: Path) -> None:
    exporter = Exporter(seeded, tmp_path)
    exporter.sync(NOW)
    old = seeded.catalogue.units["so-noi-vu-ha-noi"].token
    with engine.begin() as conn:
        new = rotate_feed_token(conn, "so-noi-vu-ha-noi", NOW)
    report = exporter.sync(NOW + timedelta(seconds=5))
    assert not (tmp_path / old).exists()
    assert (tmp_path / new / "so-noi-vu-ha-noi-tat-ca.ics").exists()
    assert report.removed == 3


def test_every_parser_reads_the_same_events(seeded: FeedHub) -> None:
    for name, key in FEEDS.items():
        data = body(seeded, key)
        ours = read_icalendar(data)
        assert ours == read_icaljs(data), name
        assert len({e.uid for e in ours}) == len(ours), f"{name}: a UID repeats"


def test_repeating_deadlines_expand_over_a_year(seeded: FeedHub) -> None:
    """001+002: reports 'định kỳ hàng tháng (trước ngày 20)' from the phòng, ban."""
    data = body(seeded, FEEDS["plan-001-002"])
    repeating = [e for e in read_icalendar(data) if e.rrule]
    assert repeating, "the monthly report should repeat"
    expanded = expand_occurrences(data, date(2022, 1, 1), date(2025, 1, 1))
    for event in repeating:
        days = [start for uid, start in expanded if uid == event.uid]
        assert len(days) >= 2
        assert all(isinstance(d, date) for d in days)
        assert days[0] == event.start
        assert len({(d.year, d.month) for d in days}) == len(days)  # once a month


def test_a_caldav_server_accepts_every_event(seeded: FeedHub, radicale_server: str) -> None:  # noqa: F811
    for name, key in FEEDS.items():
        statuses = put_events(radicale_server, body(seeded, key))
        assert statuses and set(statuses.values()) <= {201, 204}, (name, statuses)


def test_feeds_export_command(engine: Engine, db_url: str, tmp_path: Path,
                              monkeypatch: pytest.MonkeyPatch,
                              capsys: pytest.CaptureFixture[str]) -> None:
    store_seeds(engine, at=T0)
    monkeypatch.setenv("REMINDERS_DATABASE_URL", db_url)
    monkeypatch.setenv("REMINDERS_SERVICE_PUBLIC_BASE_URL", "https://lich.example.gov.vn")
    out = tmp_path / "calendars"
    assert main(["feeds", "export", str(out), "--all", "--now", "2022-12-01T10:00+07:00"]) == 0
    assert "Đã xuất lịch" in capsys.readouterr().out
    served = hub(engine, days_back=None, days_ahead=None, persist=False)
    served.refresh(NOW)
    key = FEEDS["vhtt-thanh-xuan-tat-ca"]
    path = out / served.catalogue.token(key) / "vhtt-thanh-xuan-tat-ca.ics"
    assert path.read_bytes() == body(served, key)
    assert main(["feeds", "export", str(out), "--now", "nonsense"]) == 2


def test_archived_and_draft_plans_leave_the_feeds(seeded: FeedHub, engine: Engine) -> None:
    from reminders.domain import PlanStatus
    from reminders.store.plans import set_status

    unit = FeedKey(FeedKind.ALL, "so-noi-vu-ha-noi")
    assert b"BEGIN:VEVENT" in body(seeded, unit)
    with engine.begin() as conn:
        set_status(conn, 4, PlanStatus.ARCHIVED, now=NOW)
    touched = seeded.refresh(NOW + timedelta(minutes=1))
    assert FeedKey(FeedKind.PLAN, "4") in touched and unit in touched
    assert FeedKey(FeedKind.ALL, "vhtt-thanh-xuan") not in touched  # not in plan 004
    assert b"BEGIN:VEVENT" not in body(seeded, unit)
    assert seeded.get(FeedKey(FeedKind.PLAN, "4")) is None
    # A draft never shows: a fresh store with 004 saved but not published.
    later = store_plans(engine, (replace(seed_plan("004"), plan=replace(
        seed_plan("004").plan, number="999/KH-UBND")),), at=NOW, publish=False)
    seeded.refresh(NOW + timedelta(minutes=2))
    assert str(later[0]) not in {k.owner for k in seeded.catalogue.feed_keys()
                                 if k.kind is FeedKind.PLAN}


def test_an_edit_rebuilds_only_the_feeds_of_the_units_it_names(seeded: FeedHub,
                                                                 engine: Engine) -> None:
    plan = seed_plan("000")
    first = plan.activities[0]
    entry = seeded.catalogue.entries[1]
    uid = next(e.item.uid for e in entry.events if e.item.code == first.code)
    named = {unit for unit, pieces in entry.activities.items()
             if any(p[1].item.uid == uid for p in pieces)}
    assert named and len(named) < len(entry.units)
    edited = replace(plan, activities=(replace(first, location="Hội trường mới"),
                                       *plan.activities[1:]))
    store_plans(engine, (edited,), at=NOW)
    touched = seeded.refresh(NOW + timedelta(minutes=1))
    expected = {FeedKey(kind, unit) for unit in named
                for kind in (FeedKind.ALL, FeedKind.ACTIVITIES)}
    expected |= {FeedKey(FeedKind.PLAN, "1"), FeedKey(FeedKind.FOLLOWED, "vhtt-thanh-xuan")}
    assert touched == expected
    assert "Hội trường mới".encode() in body(seeded, FeedKey(FeedKind.PLAN, "1"))
