"""Imported plans in the store: identity across re-imports, changes, status, `plans` commands."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, delete, func, select

from reminders.cli import main
from reminders.clock import VN_TZ
from reminders.domain import PlanStatus
from reminders.errors import StoreError, UsageError
from reminders.ingest.model import (
    Activity,
    Assignment,
    Deadline,
    ImportedPlan,
    PlanInfo,
    SourceFile,
    UnitRef,
    Warning,
)
from reminders.store import make_engine, sync_registry, upgrade
from reminders.store.plan_changes import Change, ChangeItem, ChangeKind, SaveResult
from reminders.store.plan_import import save_imported_plan
from reminders.store.plans import PlanDetail, get_plan, list_plans, set_status
from reminders.store.tables import (
    activities,
    activity_units,
    assignments,
    deadline_occurrences,
    deadline_units,
    deadlines,
    metadata,
    plan_sources,
    plans,
)
from reminders.timeexpr import parse
from reminders.units import load_registry

REGISTRY = Path(__file__).parent / "data" / "registry_quang_ninh.toml"
T0 = datetime(2024, 2, 1, 9, 0, tzinfo=VN_TZ)
T1 = T0 + timedelta(days=1)
T2 = T0 + timedelta(days=2)
T3 = T0 + timedelta(days=3)
SECTION = "I. Các hoạt động cấp thành phố"
STORED = (plans, plan_sources, assignments, activities, activity_units, deadlines,
          deadline_units, deadline_occurrences)

VHTT = UnitRef(name="Phòng Văn hóa và Thông tin thành phố", unit_id="vhtt-ha-long")
DOAN = UnitRef(name="Thành đoàn Hạ Long", unit_id="doan-ha-long")
CCB = UnitRef(name="Hội CCB thành phố", unit_id="hoi-ccb-ha-long")
PHUONG = UnitRef(name="UBND các phường", unit_id="ubnd-phuong-ha-long", is_group=True)
PHONG_BAN = UnitRef(name="Các phòng, ban, đơn vị thuộc thành phố",
                    unit_id="phong-ban-ha-long", is_group=True)
UNKNOWN = UnitRef(name="Ban liên lạc truyền thống", suggestions=("Hội CCB thành phố",))


def _activity(code: str, title: str, when: str, lead: tuple[UnitRef, ...],
              partners: tuple[UnitRef, ...] = (), *, location: str | None = None,
              result: str | None = None, line: int = 40) -> Activity:
    return Activity(code=code, section=SECTION, title=title, lead=lead, partners=partners,
                    location=location, time=parse(when, year=2024), expected_result=result,
                    source=f"KH 45.docx:bảng 1 dòng {line}")


def _deadline(title: str, when: str, text: str, from_units: tuple[UnitRef, ...]) -> Deadline:
    return Deadline(title=title, time=parse(when, year=2024), to_unit=VHTT,
                    from_units=from_units, text=text, source="KH 45.docx:88")


FLAGS = _activity("I.1", "Treo băng rôn, cờ Tổ quốc trên các tuyến phố chính", "Tháng 3/2024",
                  (VHTT,), (PHUONG,), line=41)
TALK = _activity("I.2", "Hội nghị báo cáo viên chuyên đề lịch sử Đảng bộ thành phố",
                 "Ngày 15/3/2024, 8h00", (DOAN,), (VHTT, UNKNOWN),
                 location="Hội trường UBND thành phố", result="100% báo cáo viên dự", line=42)
RACE = _activity("I.3", "Giải chạy truyền thống Hạ Long mở rộng", "Quý II/2024", (VHTT,),
                 (DOAN,), line=43)
FORUM = _activity("I.4", "Tọa đàm Cựu chiến binh với thế hệ trẻ", "Tháng 7/2024", (CCB,),
                  (DOAN,), line=44)
SHOW = _activity("I.5", "Liên hoan văn nghệ quần chúng chào mừng ngày Quốc khánh",
                 "Ngày 01/9/2024", (VHTT,), (PHUONG,), line=45)
MONTHLY = _deadline("Báo cáo tiến độ", "định kỳ hàng tháng (trước ngày 20)",
                    "báo cáo tiến độ định kỳ hàng tháng (trước ngày 20)", (PHONG_BAN,))
FINAL = _deadline("Báo cáo kết quả thực hiện", "trước ngày 27/12/2024",
                  "báo cáo kết quả thực hiện trước ngày 27/12/2024", (PHUONG, PHONG_BAN))
SOURCE = SourceFile(name="KH 45.docx", sha256="ab" * 32, size=48213)

PLAN = ImportedPlan(
    plan=PlanInfo(number="45/KH-UBND", issued=date(2024, 1, 25), place="Hạ Long",
                  issuer="UBND thành phố Hạ Long", issuer_unit_id="ubnd-ha-long",
                  title="Tuyên truyền kỷ niệm các ngày lễ lớn năm 2024", standing_unit=VHTT,
                  implements=("12/KH-UBND",), year=2024),
    activities=(FLAGS, TALK, RACE, FORUM),
    assignments=(Assignment(unit=VHTT, tasks=("Là đơn vị thường trực, tổng hợp báo cáo",),
                            source="KH 45.docx:80"),
                 Assignment(unit=PHUONG, tasks=("Treo cờ, băng rôn trên địa bàn",),
                            source="KH 45.docx:84")),
    deadlines=(MONTHLY, FINAL),
    warnings=(Warning(code="unit_unresolved", message="không xác định được đơn vị "
                      "'Ban liên lạc truyền thống'", where="KH 45.docx:bảng 1 dòng 42"),),
    sources=(SOURCE,),
)

# One title edited, one removed (I.3), one renumbered (I.4 → I.3), one added (I.4),
# and the final report's day moved.
EDITED = replace(
    PLAN,
    activities=(replace(FLAGS, title="Treo băng rôn, khẩu hiệu, cờ Tổ quốc trên các tuyến phố"),
                TALK, replace(FORUM, code="I.3"), replace(SHOW, code="I.4")),
    deadlines=(MONTHLY, replace(FINAL, time=parse("trước ngày 20/12/2024", year=2024),
                                text="báo cáo kết quả thực hiện trước ngày 20/12/2024")),
    sources=(SourceFile(name="KH 45 (sửa).docx", sha256="cd" * 32, size=48990),),
)


@pytest.fixture
def db(engine: Engine) -> Engine:
    """A migrated database holding the Quảng Ninh registry."""
    with engine.begin() as conn:
        sync_registry(conn, load_registry(REGISTRY), T0)
    return engine


def _save(engine: Engine, plan: ImportedPlan, now: datetime) -> SaveResult:
    with engine.begin() as conn:
        return save_imported_plan(conn, plan, now=now)


def _plan(engine: Engine, plan_id: int) -> PlanDetail:
    with engine.connect() as conn:
        found = get_plan(conn, plan_id)
    assert found is not None
    return found


def _snapshot(engine: Engine) -> dict[str, list[tuple[Any, ...]]]:
    with engine.connect() as conn:
        return {t.name: [tuple(r) for r in conn.execute(
                    select(t).order_by(*t.primary_key.columns))] for t in STORED}


def _rows(engine: Engine, table: Any) -> list[dict[str, Any]]:
    with engine.connect() as conn:
        return [dict(r) for r in conn.execute(select(table).order_by(table.c.id)).mappings()]


def _summary(changes: tuple[Change, ...]) -> set[tuple[str, str, str | None, tuple[str, ...]]]:
    return {(c.kind.value, c.item.value, c.code, c.fields) for c in changes}


# --- first import ----------------------------------------------------------------------------

def test_a_new_plan_is_a_draft_with_every_row(db: Engine) -> None:
    result = _save(db, PLAN, T0)
    assert (result.created, result.revision) == (True, 1)
    assert [(c.kind, c.item, c.code) for c in result.changes] == [
        (ChangeKind.ADDED, ChangeItem.PLAN, "45/KH-UBND"),
        *[(ChangeKind.ADDED, ChangeItem.ACTIVITY, code) for code in ("I.1", "I.2", "I.3", "I.4")],
        (ChangeKind.ADDED, ChangeItem.DEADLINE, None),
        (ChangeKind.ADDED, ChangeItem.DEADLINE, None),
    ]
    plan = _plan(db, result.plan_id)
    assert (plan.status, plan.revision, plan.published_at) == (PlanStatus.DRAFT, 1, None)
    assert plan.identity == "number:45/KH-UBND|issuer:ubnd thanh pho ha long|year:2024"
    assert (plan.number, plan.issued, plan.issuer_unit_id, plan.implements) == (
        "45/KH-UBND", date(2024, 1, 25), "ubnd-ha-long", ("12/KH-UBND",))
    assert plan.standing is not None and plan.standing.unit_id == "vhtt-ha-long"
    assert plan.document == PLAN.as_json() and len(plan.warnings) == 1
    assert [a.code for a in plan.activities] == ["I.1", "I.2", "I.3", "I.4"]
    talk = plan.activities[1]
    assert (talk.location, talk.expected_result, talk.time_text) == (
        "Hội trường UBND thành phố", "100% báo cáo viên dự", "Ngày 15/3/2024, 8h00")
    assert talk.start_at == datetime(2024, 3, 15, 1, 0, tzinfo=UTC)
    assert (talk.start_date, talk.end_date, talk.revision) == (date(2024, 3, 15),) * 2 + (1,)
    assert [(u.name, u.unit_id, u.group_id) for u in talk.lead] == [
        ("Thành đoàn Hạ Long", "doan-ha-long", None)]
    assert [(u.unit_id, u.group_id) for u in talk.partners] == [("vhtt-ha-long", None),
                                                                (None, None)]
    flags = plan.activities[0]
    assert [(u.unit_id, u.group_id) for u in flags.partners] == [(None, "ubnd-phuong-ha-long")]
    assert len({a.uid for a in plan.activities}) == 4
    assert all(a.uid.endswith("@reminders") for a in plan.activities)
    final = plan.deadlines[1]
    assert final.to_unit is not None and final.to_unit.unit_id == "vhtt-ha-long"
    assert [u.group_id for u in final.from_units] == ["ubnd-phuong-ha-long", "phong-ban-ha-long"]
    assert final.occurrences == (date(2024, 12, 26),)
    assert [(a.unit.group_id, a.tasks) for a in plan.assignments] == [
        (None, ("Là đơn vị thường trực, tổng hợp báo cáo",)),
        ("ubnd-phuong-ha-long", ("Treo cờ, băng rôn trên địa bàn",))]
    assert [(s.filename, s.sha256, s.size, s.imported_at) for s in plan.sources] == [
        ("KH 45.docx", "ab" * 32, 48213, T0)]


def test_a_monthly_deadline_falls_on_the_19th_of_every_month_of_the_plan_year(db: Engine) -> None:
    plan = _plan(db, _save(db, PLAN, T0).plan_id)
    monthly = plan.deadlines[0]
    assert monthly.rrule == "FREQ=MONTHLY;BYMONTHDAY=19"
    assert monthly.occurrences == tuple(date(2024, month, 19) for month in range(1, 13))


def test_repeating_deadlines_run_to_the_last_activity_when_it_ends_after_the_year(
    db: Engine,
) -> None:
    late = _activity("I.5", "Tổng kết, khen thưởng", "Tháng 3/2025", (VHTT,))
    plan = _plan(db, _save(db, replace(PLAN, activities=(*PLAN.activities, late)), T0).plan_id)
    days = plan.deadlines[0].occurrences
    assert (len(days), days[0], days[-1]) == (15, date(2024, 1, 19), date(2025, 3, 19))


# --- re-import -------------------------------------------------------------------------------

def test_the_same_plan_again_changes_nothing(db: Engine) -> None:
    first = _save(db, PLAN, T0)
    before = _snapshot(db)
    again = _save(db, PLAN, T1)
    assert (again.plan_id, again.created, again.revision, again.changes) == (
        first.plan_id, False, 1, ())
    assert _snapshot(db) == before


def test_an_edited_plan_says_exactly_what_changed_and_keeps_identities(db: Engine) -> None:
    first = _save(db, PLAN, T0)
    old = {a.title: a for a in _plan(db, first.plan_id).activities}
    result = _save(db, EDITED, T1)
    assert (result.plan_id, result.created, result.revision) == (first.plan_id, False, 2)
    assert _summary(result.changes) == {
        ("changed", "activity", "I.1", ("title",)),
        ("changed", "activity", "I.3", ("code",)),
        ("removed", "activity", "I.3", ()),
        ("added", "activity", "I.4", ()),
        ("changed", "deadline", None, ("text", "time")),
    }
    assert len(result.changes) == 5
    removed = next(c for c in result.changes if c.kind is ChangeKind.REMOVED)
    assert removed.title == RACE.title
    plan = _plan(db, first.plan_id)
    assert (plan.revision, plan.updated_at, plan.status) == (2, T1, PlanStatus.DRAFT)
    now = {a.code: a for a in plan.activities}
    assert list(now) == ["I.1", "I.2", "I.3", "I.4"]
    assert (now["I.1"].uid, now["I.1"].revision) == (old[FLAGS.title].uid, 2)
    assert (now["I.2"].uid, now["I.2"].revision, now["I.2"].updated_at) == (
        old[TALK.title].uid, 1, T0)
    assert (now["I.3"].uid, now["I.3"].title, now["I.3"].revision) == (
        old[FORUM.title].uid, FORUM.title, 2)
    assert now["I.4"].uid not in {a.uid for a in old.values()}
    race = next(r for r in _rows(db, activities) if r["uid"] == old[RACE.title].uid)
    assert (race["removed_at"], race["revision"]) == (T1, 2)
    assert plan.deadlines[1].occurrences == (date(2024, 12, 19),)
    assert [s.sha256 for s in plan.sources] == ["ab" * 32, "cd" * 32]


def test_a_removed_activity_comes_back_with_its_uid(db: Engine) -> None:
    first = _save(db, PLAN, T0)
    uids = {a.code: a.uid for a in _plan(db, first.plan_id).activities}
    _save(db, EDITED, T1)
    result = _save(db, PLAN, T2)
    assert result.revision == 3
    assert _summary(result.changes) == {
        ("changed", "activity", "I.1", ("title",)),
        ("added", "activity", "I.3", ()),
        ("changed", "activity", "I.4", ("code",)),
        ("removed", "activity", "I.4", ()),
        ("changed", "deadline", None, ("text", "time")),
    }
    assert len(result.changes) == 5
    plan = _plan(db, first.plan_id)
    assert {a.code: a.uid for a in plan.activities} == uids
    race = next(a for a in plan.activities if a.code == "I.3")
    assert (race.title, race.revision, race.updated_at) == (RACE.title, 3, T2)
    gone = [r for r in _rows(db, activities) if r["removed_at"] is not None]
    assert [(r["title"], r["removed_at"]) for r in gone] == [(SHOW.title, T2)]
    # Importing the edited plan once more finds the removed activity again, not a new row.
    _save(db, EDITED, T3)
    assert len(_rows(db, activities)) == 5


def test_unit_and_assignment_edits_are_changes(db: Engine) -> None:
    first = _save(db, PLAN, T0)
    edited = replace(PLAN, activities=(FLAGS, replace(TALK, lead=(VHTT,)), RACE, FORUM),
                     assignments=PLAN.assignments[:1])
    result = _save(db, edited, T1)
    assert _summary(result.changes) == {("changed", "plan", "45/KH-UBND", ("assignments",)),
                                        ("changed", "activity", "I.2", ("lead",))}
    plan = _plan(db, first.plan_id)
    assert [u.unit_id for u in plan.activities[1].lead] == ["vhtt-ha-long"]
    assert len(plan.assignments) == 1


def test_a_moved_source_line_or_new_warning_is_stored_without_a_new_revision(db: Engine) -> None:
    first = _save(db, PLAN, T0)
    moved = replace(PLAN, activities=(FLAGS, replace(TALK, source="KH 45.docx:bảng 1 dòng 50"),
                                      RACE, FORUM), warnings=())
    result = _save(db, moved, T1)
    assert (result.changes, result.revision) == ((), 1)
    plan = _plan(db, first.plan_id)
    assert (plan.updated_at, plan.warnings, plan.activities[1].source) == (
        T0, (), "KH 45.docx:bảng 1 dòng 50")
    assert plan.activities[1].revision == 1


def test_a_draft_without_a_number_is_the_same_plan_once_numbered(db: Engine) -> None:
    draft = replace(PLAN, plan=replace(PLAN.plan, number=None, issued=None))
    first = _save(db, draft, T0)
    assert _plan(db, first.plan_id).identity.startswith("title:tuyen truyen ky niem")
    uids = [a.uid for a in _plan(db, first.plan_id).activities]
    numbered = _save(db, PLAN, T1)
    assert (numbered.plan_id, numbered.created, numbered.revision) == (first.plan_id, False, 2)
    assert _summary(numbered.changes) == {("changed", "plan", "45/KH-UBND", ("number", "issued"))}
    plan = _plan(db, first.plan_id)
    assert plan.identity.startswith("number:45/KH-UBND|")
    assert [a.uid for a in plan.activities] == uids
    assert _save(db, PLAN, T2).changes == ()
    with db.connect() as conn:
        assert len(list_plans(conn)) == 1


def test_the_same_number_in_another_year_is_another_plan(db: Engine) -> None:
    first = _save(db, PLAN, T0)
    next_year = replace(PLAN, plan=replace(PLAN.plan, year=2025, issued=date(2025, 1, 20)))
    second = _save(db, next_year, T1)
    assert second.created and second.plan_id != first.plan_id
    assert _plan(db, first.plan_id).revision == 1


def test_uids_come_from_the_plan_and_never_collide(db: Engine) -> None:
    first = _save(db, PLAN, T0)
    uids = sorted(a.uid for a in _plan(db, first.plan_id).activities)
    with db.begin() as conn:
        conn.execute(delete(plans))
    again = _save(db, PLAN, T1)
    assert sorted(a.uid for a in _plan(db, again.plan_id).activities) == uids
    # The old unnumbered draft, imported after its plan got a number, is a plan of its own;
    # its items cannot take the UIDs of the first draft's items.
    with db.begin() as conn:
        conn.execute(delete(plans))
    draft = replace(PLAN, plan=replace(PLAN.plan, number=None))
    first_draft = _save(db, draft, T1)
    assert _save(db, PLAN, T2).plan_id == first_draft.plan_id
    second_draft = _save(db, draft, T3)
    assert second_draft.created and second_draft.plan_id != first_draft.plan_id
    all_uids = [r["uid"] for r in _rows(db, activities)]
    assert len(all_uids) == len(set(all_uids)) == 8
    assert any(uid.endswith("-2@reminders") for uid in all_uids)


def test_a_republished_plan_keeps_its_status_on_reimport(db: Engine) -> None:
    plan_id = _save(db, PLAN, T0).plan_id
    with db.begin() as conn:
        set_status(conn, plan_id, PlanStatus.PUBLISHED, now=T1)
    assert _save(db, EDITED, T2).revision == 2
    assert _plan(db, plan_id).status is PlanStatus.PUBLISHED


def test_units_missing_from_the_database_are_a_store_error(engine: Engine) -> None:
    with pytest.raises(StoreError, match="units sync") as caught:
        _save(engine, PLAN, T0)
    assert "vhtt-ha-long" in str(caught.value) and "ubnd-phuong-ha-long" in str(caught.value)
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(plans)).scalar_one() == 0


# --- status ----------------------------------------------------------------------------------

def test_status_moves_and_refusals(db: Engine) -> None:
    plan_id = _save(db, PLAN, T0).plan_id
    with db.begin() as conn:
        change = set_status(conn, plan_id, PlanStatus.PUBLISHED, now=T1)
    assert (change.before, change.after, change.changed) == (
        PlanStatus.DRAFT, PlanStatus.PUBLISHED, True)
    plan = _plan(db, plan_id)
    assert (plan.status, plan.published_at, plan.updated_at, plan.revision) == (
        PlanStatus.PUBLISHED, T1, T1, 1)
    with db.begin() as conn:
        assert not set_status(conn, plan_id, PlanStatus.PUBLISHED, now=T2).changed
        with pytest.raises(UsageError, match="không chuyển sang dự thảo"):
            set_status(conn, plan_id, PlanStatus.DRAFT, now=T2)
        set_status(conn, plan_id, PlanStatus.ARCHIVED, now=T2)
    assert _plan(db, plan_id).status is PlanStatus.ARCHIVED
    with db.begin() as conn:
        set_status(conn, plan_id, PlanStatus.PUBLISHED, now=T3)
    assert (_plan(db, plan_id).status, _plan(db, plan_id).published_at) == (
        PlanStatus.PUBLISHED, T3)
    with db.begin() as conn, pytest.raises(UsageError) as caught:
        set_status(conn, 999, PlanStatus.PUBLISHED, now=T3)
    assert str(caught.value) == "không có kế hoạch số hiệu #999"
    assert caught.value.exit_code == 2


def test_a_draft_can_be_archived_without_being_published(db: Engine) -> None:
    plan_id = _save(db, PLAN, T0).plan_id
    with db.begin() as conn:
        set_status(conn, plan_id, PlanStatus.ARCHIVED, now=T1)
    plan = _plan(db, plan_id)
    assert (plan.status, plan.published_at) == (PlanStatus.ARCHIVED, None)


def test_changes_read_in_vietnamese() -> None:
    change = Change(kind=ChangeKind.CHANGED, item=ChangeItem.ACTIVITY, code="I.1",
                    title="Treo băng rôn", fields=("title", "time"))
    assert change.describe() == "sửa hoạt động I.1 (tên, thời gian): Treo băng rôn"
    with pytest.raises(ValueError):
        Change(kind=ChangeKind.ADDED, item=ChangeItem.PLAN, code=None, title="x",
               fields=("title",))


# --- the command line ------------------------------------------------------------------------

@pytest.fixture
def cli_db(db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """Commands run with the test database and registry; returns the database URL."""
    monkeypatch.chdir(tmp_path)
    for name in [n for n in __import__("os").environ if n.startswith("REMINDERS_")]:
        monkeypatch.delenv(name)
    monkeypatch.setenv("REMINDERS_DATABASE_URL", db_url)
    monkeypatch.setenv("REMINDERS_SERVICE_REGISTRY", str(REGISTRY))
    return db_url


def _run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def _seed(url: str) -> int:
    engine = make_engine(url)
    try:
        upgrade(engine)
        with engine.begin() as conn:
            sync_registry(conn, load_registry(REGISTRY), T0)
        return _save(engine, PLAN, T0).plan_id
    finally:
        engine.dispose()


def test_plans_show_prints_a_summary_and_the_stored_document(
    cli_db: str, capsys: pytest.CaptureFixture[str]
) -> None:
    plan_id = _seed(cli_db)
    code, out, _ = _run(capsys, "plans", "show", str(plan_id))
    assert code == 0
    lines = out.splitlines()
    assert lines[0] == f"Kế hoạch #{plan_id}: 45/KH-UBND"
    assert "  Trạng thái: dự thảo (phiên bản 1)" in lines
    assert "  4 hoạt động, 2 hạn báo cáo, 1 cảnh báo khi nhập" in lines
    assert ("  I.2 | Hội nghị báo cáo viên chuyên đề lịch sử Đảng bộ thành phố | "
            "Ngày 15/3/2024, 8h00 | Thành đoàn Hạ Long") in lines
    assert any(line.startswith("  Báo cáo tiến độ | định kỳ hàng tháng (trước ngày 20) | "
                               "hạn: 19/01/2024,") and "(12 lần)" in line for line in lines)
    code, out, _ = _run(capsys, "plans", "show", str(plan_id), "--json")
    data = json.loads(out)
    assert (code, data["id"], data["status"], data["revision"]) == (0, plan_id, "draft", 1)
    assert {k: v for k, v in data.items() if k not in ("id", "status", "revision")} == (
        PLAN.as_json())


def test_plans_publish_and_archive(cli_db: str, capsys: pytest.CaptureFixture[str]) -> None:
    plan_id = _seed(cli_db)
    code, out, _ = _run(capsys, "plans", "publish", str(plan_id))
    assert (code, out.strip()) == (0, f"Đã công bố kế hoạch #{plan_id} (45/KH-UBND).")
    code, out, _ = _run(capsys, "plans", "publish", str(plan_id))
    assert code == 0 and "đã ở trạng thái đã công bố" in out
    assert json.loads(_run(capsys, "plans", "list", "--json")[1])[0]["status"] == "published"
    code, out, _ = _run(capsys, "plans", "archive", str(plan_id))
    assert (code, out.strip()) == (0, f"Đã lưu trữ kế hoạch #{plan_id} (45/KH-UBND).")
    assert json.loads(_run(capsys, "plans", "show", str(plan_id), "--json")[1])["status"] == (
        "archived")


@pytest.mark.parametrize("command", ["show", "publish", "archive"])
def test_an_unknown_plan_exits_2(cli_db: str, capsys: pytest.CaptureFixture[str],
                                 command: str) -> None:
    _seed(cli_db)
    code, out, err = _run(capsys, "plans", command, "99")
    assert (code, out) == (2, "")
    assert err.strip() == "Lỗi: không có kế hoạch số hiệu #99"


def test_the_tables_this_file_reads_are_the_schema() -> None:
    assert {t.name for t in STORED} <= set(metadata.tables)
