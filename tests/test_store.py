"""The store on SQLite and PostgreSQL: UTC instants, the registry sync, feed tokens, constraints."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Column, Date, Engine, Integer, MetaData, Table, insert, select, text
from sqlalchemy.exc import IntegrityError, StatementError

from reminders.clock import VN_TZ
from reminders.errors import StoreError
from reminders.store import (
    SyncReport,
    UTCDateTime,
    feed_token,
    get_unit,
    list_units,
    make_engine,
    rotate_feed_token,
    sync_registry,
    unit_for_feed_token,
)
from reminders.store.tables import activities, activity_units, deliveries, group_members, plans
from reminders.units.registry import Registry, parse_registry

T0 = datetime(2024, 5, 2, 8, 0, tzinfo=VN_TZ)
T1 = T0 + timedelta(days=1)
TOKEN = re.compile(r"^[A-Za-z0-9_-]{32,}$")

# The child comes before its parent on purpose: the sync must not trip over the order.
REGISTRY = """
[[unit]]
id = "vhtt"
name = "Phòng Văn hóa và Thông tin quận Thanh Xuân"
kind = "department"
aliases = ["Phòng VH&TT quận"]
parent = "ubnd-quan"
emails = ["vhtt@thanhxuan.gov.vn"]

[[unit]]
id = "ubnd-quan"
name = "UBND quận Thanh Xuân"
kind = "authority"

[[unit]]
id = "ubnd-kim-giang"
name = "UBND phường Kim Giang"
kind = "authority"
parent = "ubnd-quan"
groups = ["ubnd-phuong"]
zalo_user_ids = ["8123"]
webhook_url = "https://hooks.example.vn/kg"

[[group]]
id = "ubnd-phuong"
name = "UBND các phường"
aliases = ["UBND 11 phường"]
parent = "ubnd-quan"
"""


def _registry(text_: str = REGISTRY) -> Registry:
    return parse_registry(text_, name="units.toml")


def _sync(engine: Engine, registry: Registry, now: datetime) -> SyncReport:
    with engine.begin() as conn:
        return sync_registry(conn, registry, now)


def _tokens(engine: Engine) -> dict[str, str]:
    with engine.connect() as conn:
        return {s.unit.id: feed_token(conn, s.unit.id) or ""
                for s in list_units(conn, active_only=False)}


# --- UTCDateTime -----------------------------------------------------------------------------

@pytest.fixture
def scratch(engine: Engine) -> Table:
    table = Table("scratch", MetaData(), Column("id", Integer, primary_key=True),
                  Column("at", UTCDateTime()), Column("day", Date))
    table.create(engine)
    return table


@pytest.mark.parametrize("tz", [VN_TZ, timezone(timedelta(hours=7))], ids=["zoneinfo", "offset"])
def test_an_aware_instant_comes_back_as_the_same_instant_in_utc(
    engine: Engine, scratch: Table, tz: Any
) -> None:
    written = datetime(2024, 3, 8, 14, 30, 15, 123456, tzinfo=tz)
    with engine.begin() as conn:
        conn.execute(insert(scratch).values(id=1, at=written))
    with engine.connect() as conn:
        read = conn.execute(select(scratch.c.at)).scalar_one()
        # Comparisons in SQL see UTC too.
        hits = conn.execute(select(scratch.c.id).where(scratch.c.at >= written)).all()
    assert read == written
    assert read.utcoffset() == timedelta(0)
    assert (read.hour, read.minute, read.microsecond) == (7, 30, 123456)
    assert hits == [(1,)]


def test_a_naive_datetime_is_refused(engine: Engine, scratch: Table) -> None:
    with pytest.raises(StatementError) as caught, engine.begin() as conn:
        conn.execute(insert(scratch).values(id=1, at=datetime(2024, 3, 8, 14, 30)))
    assert isinstance(caught.value.orig, ValueError)
    with pytest.raises(ValueError, match="naive"):
        UTCDateTime().process_bind_param(datetime(2024, 3, 8), engine.dialect)


def test_dates_stay_dates(engine: Engine, scratch: Table) -> None:
    with engine.begin() as conn:
        conn.execute(insert(scratch).values(id=1, day=date(2024, 2, 29)))
    with engine.connect() as conn:
        day = conn.execute(select(scratch.c.day)).scalar_one()
    assert type(day) is date
    assert day == date(2024, 2, 29)


# --- registry sync ---------------------------------------------------------------------------

def test_first_sync_stores_units_groups_and_members(engine: Engine) -> None:
    registry = _registry()
    report = _sync(engine, registry, T0)
    assert report == SyncReport(added=3, groups_added=1)
    with engine.connect() as conn:
        stored = list_units(conn)
        members = conn.execute(select(group_members.c.group_id, group_members.c.unit_id)).all()
    assert [s.unit for s in stored] == sorted(registry.units, key=lambda u: u.id)
    assert all(s.active and s.created_at == s.updated_at == T0 for s in stored)
    assert members == [("ubnd-phuong", "ubnd-kim-giang")]


def test_a_second_sync_changes_nothing_and_keeps_the_tokens(engine: Engine) -> None:
    _sync(engine, _registry(), T0)
    tokens = _tokens(engine)
    report = _sync(engine, _registry(), T1)
    assert report == SyncReport()
    assert not report.changed
    assert _tokens(engine) == tokens
    with engine.connect() as conn:
        assert all(s.updated_at == T0 for s in list_units(conn))


def test_a_unit_left_out_of_the_registry_is_deactivated_not_deleted(engine: Engine) -> None:
    _sync(engine, _registry(), T0)
    tokens = _tokens(engine)
    without = "\n[[".join(b for b in REGISTRY.split("\n[[") if 'id = "ubnd-kim-giang"' not in b)
    report = _sync(engine, _registry(without), T1)
    assert report == SyncReport(deactivated=1)
    with engine.connect() as conn:
        assert [s.unit.id for s in list_units(conn)] == ["ubnd-quan", "vhtt"]
        gone = get_unit(conn, "ubnd-kim-giang")
        members = conn.execute(select(group_members)).all()
    assert gone is not None and not gone.active and gone.updated_at == T1
    assert gone.unit.groups == ()
    assert members == []
    assert _tokens(engine) == tokens

    # Back in the registry: active again, same token, membership restored.
    assert _sync(engine, _registry(), T1 + timedelta(hours=1)) == SyncReport(updated=1)
    with engine.connect() as conn:
        back = get_unit(conn, "ubnd-kim-giang")
    assert back is not None and back.active and back.unit.groups == ("ubnd-phuong",)
    assert _tokens(engine) == tokens


def test_a_renamed_unit_is_updated_in_place(engine: Engine) -> None:
    _sync(engine, _registry(), T0)
    tokens = _tokens(engine)
    renamed = REGISTRY.replace("Phòng Văn hóa và Thông tin quận Thanh Xuân",
                               "Phòng Văn hóa, Khoa học và Thông tin quận Thanh Xuân")
    assert _sync(engine, _registry(renamed), T1) == SyncReport(updated=1)
    with engine.connect() as conn:
        vhtt = get_unit(conn, "vhtt")
    assert vhtt is not None
    assert vhtt.unit.name == "Phòng Văn hóa, Khoa học và Thông tin quận Thanh Xuân"
    assert (vhtt.created_at, vhtt.updated_at) == (T0, T1)
    assert _tokens(engine) == tokens


def test_unknown_units_give_none(engine: Engine) -> None:
    with engine.connect() as conn:
        assert get_unit(conn, "khong-co") is None
        assert feed_token(conn, "khong-co") is None
        assert unit_for_feed_token(conn, "x" * 32) is None


# --- feed tokens -----------------------------------------------------------------------------

def test_feed_tokens_are_unique_long_and_url_safe(engine: Engine) -> None:
    _sync(engine, _registry(), T0)
    tokens = list(_tokens(engine).values())
    assert len(set(tokens)) == len(tokens) == 3
    assert all(TOKEN.match(t) for t in tokens), tokens


def test_a_feed_token_finds_its_unit_and_can_be_rotated(engine: Engine) -> None:
    _sync(engine, _registry(), T0)
    old = _tokens(engine)["vhtt"]
    with engine.begin() as conn:
        found = unit_for_feed_token(conn, old)
        new = rotate_feed_token(conn, "vhtt", T1)
        assert unit_for_feed_token(conn, old) is None
        again = unit_for_feed_token(conn, new)
        with pytest.raises(StoreError):
            rotate_feed_token(conn, "khong-co", T1)
    assert found is not None and found.unit.id == "vhtt"
    assert again is not None and again.unit.id == "vhtt"
    assert new != old and TOKEN.match(new)


# --- constraints -----------------------------------------------------------------------------

def _delivery(key: str) -> dict[str, Any]:
    return {"idempotency_key": key, "unit_id": "vhtt", "channel": "email",
            "kind": "deadline_reminder", "due_at": T0, "next_attempt_at": T0,
            "payload": {"items": [1, 2]}, "created_at": T0}


def test_an_idempotency_key_is_used_once(engine: Engine) -> None:
    _sync(engine, _registry(), T0)
    with engine.begin() as conn:
        conn.execute(insert(deliveries).values(**_delivery("vhtt/d1/2024-05-10/7d/email")))
    with pytest.raises(IntegrityError), engine.begin() as conn:
        conn.execute(insert(deliveries).values(**_delivery("vhtt/d1/2024-05-10/7d/email")))
    with engine.connect() as conn:
        row = conn.execute(select(deliveries)).mappings().one()
    assert (row["status"], row["attempts"], row["payload"]) == ("pending", 0, {"items": [1, 2]})


def _plan() -> dict[str, Any]:
    return {"issuer": "UBND quận Thanh Xuân", "place": "Thanh Xuân", "title": "Kế hoạch",
            "year": 2024, "implements": [], "created_at": T0, "updated_at": T0}


def _activity(plan_id: int) -> dict[str, Any]:
    return {"uid": f"a-{plan_id}-1", "plan_id": plan_id, "code": "1", "title": "Hội nghị",
            "time_text": "Tháng 5", "time_json": {"kind": "month"}, "source": "kh.docx",
            "updated_at": T0}


def test_foreign_keys_are_enforced(engine: Engine) -> None:
    with pytest.raises(IntegrityError), engine.begin() as conn:
        conn.execute(insert(activities).values(**_activity(999)))


def test_deleting_a_plan_removes_its_activities(engine: Engine) -> None:
    with engine.begin() as conn:
        plan_id = conn.execute(insert(plans).values(**_plan()).returning(plans.c.id)).scalar_one()
        activity_id = conn.execute(
            insert(activities).values(**_activity(plan_id)).returning(activities.c.id)
        ).scalar_one()
        conn.execute(insert(activity_units).values(activity_id=activity_id, role="lead",
                                                   name="Phòng VH&TT", position=0))
    with engine.begin() as conn:
        conn.execute(plans.delete().where(plans.c.id == plan_id))
    with engine.connect() as conn:
        assert conn.execute(select(activities)).all() == []
        assert conn.execute(select(activity_units)).all() == []


# --- engines ---------------------------------------------------------------------------------

def test_sqlite_engine_makes_its_folder_and_sets_the_pragmas(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'a' / 'b' / 'reminders.db'}")
    try:
        with engine.connect() as conn:
            pragmas = [conn.execute(text(f"PRAGMA {p}")).scalar_one()
                       for p in ("foreign_keys", "journal_mode", "busy_timeout")]
    finally:
        engine.dispose()
    assert (tmp_path / "a" / "b" / "reminders.db").exists()
    assert pragmas == [1, "wal", 5000]


def test_sqlite_in_memory_works() -> None:
    engine = make_engine("sqlite://")
    try:
        with engine.connect() as conn:
            assert conn.execute(text("PRAGMA foreign_keys")).scalar_one() == 1
    finally:
        engine.dispose()


def test_an_unreachable_server_is_a_store_error_without_the_password() -> None:
    with pytest.raises(StoreError, match="không kết nối được cơ sở dữ liệu") as caught:
        make_engine("postgresql://reminders:s3cret-pw@127.0.0.1:1/reminders")
    assert "s3cret-pw" not in str(caught.value)
    assert "127.0.0.1" in str(caught.value)


@pytest.mark.parametrize("url", ["mysql://u@127.0.0.1/x", "không phải url"])
def test_unusable_urls_are_store_errors(url: str) -> None:
    with pytest.raises(StoreError):
        make_engine(url)


def test_instants_in_real_tables_are_utc(engine: Engine) -> None:
    _sync(engine, _registry(), T0)
    with engine.connect() as conn:
        stored = get_unit(conn, "vhtt")
    assert stored is not None
    assert stored.created_at.tzinfo is UTC
    assert stored.created_at == T0
