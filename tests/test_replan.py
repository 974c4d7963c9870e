"""Replanning the outbox from the stored plans, on SQLite and PostgreSQL: the seed plans
published with the bundled registry, re-imported with an activity moved, archived, and
the service's Replanner step that only replans what changed."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from sqlalchemy import Engine

from reminders.config import Settings
from reminders.domain import Channel, DeliveryStatus, PlanStatus
from reminders.ingest.model import ImportedPlan
from reminders.planner.plan import desired
from reminders.planner.policy import Policy
from reminders.planner.reach import Reach, planner_units
from reminders.replan import Replanner, ReplanReport, planned_text, replan
from reminders.store import sync_registry
from reminders.store.feed_data import load_plans, plan_stamps
from reminders.store.outbox import DeliveryRow, claim_due, list_deliveries, mark_sent
from reminders.store.outbox_plan import Applied
from reminders.store.plan_import import save_imported_plan
from reminders.store.plans import set_status
from reminders.store.units import list_units
from reminders.units import load_registry
from tests.feed_support import store_seeds
from tests.ingest_support import ROOT, import_files, seed

SETTINGS = Settings()
NOW = datetime(2022, 11, 15, 2, 0, tzinfo=UTC)  # Tuesday 09:00 in Hà Nội
# Seed 000, table 2, row 1: one timed activity, led by the Phương Liệt veterans with the
# Phương Liệt secondary school as partner.
TALK_WHEN = "07h00 ngày 12/12/2022 (Thứ 2)"
LEAD = "hoi-ccb-phuong-phuong-liet"
PARTNER = "truong-thcs-phuong-liet"


def _utc(year: int, month: int, day: int, hour: int = 1) -> datetime:
    return datetime(year, month, day, hour, 0, tzinfo=UTC)


def _replan(engine: Engine, now: datetime, plan_ids: list[int] | None = None) -> ReplanReport:
    with engine.begin() as conn:
        return replan(conn, SETTINGS, now=now, plan_ids=plan_ids)


def _rows(engine: Engine) -> list[DeliveryRow]:
    with engine.connect() as conn:
        return list(list_deliveries(conn, limit=1_000_000))


def _send_due(engine: Engine, now: datetime) -> list[DeliveryRow]:
    """What a dispatcher would do at `now`: every due row claimed and recorded as sent."""
    with engine.begin() as conn:
        claimed = claim_due(conn, now=now, worker="thu", lease=timedelta(minutes=5),
                            limit=100_000)
        mark_sent(conn, [r.id for r in claimed], worker="thu", provider_id="<thu@example>",
                  at=now)
    return list(claimed)


def _seed_000(tmp_path: Path, when: str = TALK_WHEN) -> ImportedPlan:
    """Seed 000 as a file of its own, the talk moved to `when`."""
    original = seed("000")
    text = original.read_text(encoding="utf-8")
    assert text.count(TALK_WHEN) == 1
    copy = tmp_path / original.name
    copy.write_text(text.replace(TALK_WHEN, when), encoding="utf-8")
    return import_files(copy)


def _save(engine: Engine, plan: ImportedPlan, now: datetime) -> int:
    with engine.begin() as conn:
        result = save_imported_plan(conn, plan, now=now)
    assert result.changed
    return result.plan_id


def _talk(rows: list[DeliveryRow]) -> list[DeliveryRow]:
    return [r for r in rows if r.payload.get("item") and r.payload["item"]["title"].startswith(
        "Nói chuyện chuyên đề về Chiến thắng")]


def _summary(rows: list[DeliveryRow]) -> set[tuple[str, str, str, int | None, date, datetime]]:
    """(unit, kind, status, stage, day of the item, due) of each row."""
    return {(r.unit_id, r.kind, r.status.value, r.payload["stage"],
             date.fromisoformat(r.payload["item"]["day"]), r.due_at) for r in rows}


# --- a first plan, and again -----------------------------------------------------------------

def test_replan_inserts_what_the_planner_wants_and_nothing_twice(engine: Engine) -> None:
    ids = store_seeds(engine)

    report = _replan(engine, NOW)

    with engine.connect() as conn:
        units = planner_units(((s.unit, s.active) for s in list_units(conn, active_only=False)),
                              Reach.from_settings(SETTINGS))
        wanted = desired(load_plans(conn, set(plan_stamps(conn))), units,
                         Policy.from_settings(SETTINGS), now=NOW)
    future = {r.key: r for r in wanted if r.due_at >= NOW}
    rows = _rows(engine)
    assert report.plans == len(ids) == 4
    assert report.applied == Applied(inserted=len(future))
    assert len(future) > 1000  # the seeds call for thousands of reminders by email
    assert {r.key: r.payload for r in rows} == {k: r.payload() for k, r in future.items()}
    assert all(r.status is DeliveryStatus.PENDING and r.kind == "reminder" and r.attempts == 0
               and r.channel is Channel.EMAIL and r.next_attempt_at == r.due_at >= NOW
               for r in rows)
    assert {r.plan_id for r in rows} <= set(ids)
    assert planned_text(report) == (f"Tin nhắc: thêm {len(future)}, dời giờ 0, hủy 0 "
                                    "(xem `reminders outbox preview`).")

    talk = _talk(rows)
    # Monday 07:00: the week before at 08:00, then "1d" and "0d" are one message on Friday.
    assert _summary(talk) == {
        (unit, "reminder", "pending", stage, date(2022, 12, 12), due)
        for unit in (LEAD, PARTNER)
        for stage, due in ((7, _utc(2022, 12, 5)), (0, _utc(2022, 12, 9)))}
    lead_week = next(r for r in talk if r.unit_id == LEAD and r.payload["stage"] == 7)
    uid = lead_week.payload["item"]["uid"]
    assert lead_week.key == f"r:{uid}:2022-12-12:{LEAD}:7d:email"
    assert (lead_week.item_uid, lead_week.occurrence, lead_week.plan_id) == (
        uid, date(2022, 12, 12), ids[0])
    facts = lead_week.payload["item"]
    assert (facts["role"], facts["start_time"], facts["location"]) == (
        "lead", "07:00", "Ngõ 377 Giải Phóng")
    assert {r.payload["item"]["role"] for r in talk if r.unit_id == PARTNER} == {"partner"}

    again = _replan(engine, NOW)
    assert again.applied == Applied()
    assert not again.applied.changed
    assert planned_text(again) == "Tin nhắc: không có gì thay đổi."
    assert _rows(engine) == rows


# --- a re-import with an activity moved ---------------------------------------------------------

def test_a_moved_activity_cancels_its_pending_rows_and_keeps_the_sent_ones(
        engine: Engine, tmp_path: Path) -> None:
    ids = store_seeds(engine)
    _replan(engine, NOW)
    sent_at = _utc(2022, 12, 5)  # Monday 08:00: the week-before reminders go out
    assert _send_due(engine, sent_at)
    before = _talk(_rows(engine))
    sent_before = {r.id: r for r in before if r.status is DeliveryStatus.SENT}
    assert {(r.unit_id, r.payload["stage"]) for r in sent_before.values()} == {
        (LEAD, 7), (PARTNER, 7)}

    moved_at = _utc(2022, 12, 6)
    plan_id = _save(engine, _seed_000(tmp_path, "07h00 ngày 14/12/2022 (Thứ 4)"), moved_at)
    assert plan_id == ids[0]
    report = _replan(engine, moved_at, [plan_id])

    assert report.applied == Applied(inserted=4, cancelled=2)
    after = _talk(_rows(engine))
    assert {r.id: r for r in after if r.status is DeliveryStatus.SENT} == sent_before
    assert _summary(after) == {
        *((unit, "reminder", "sent", 7, date(2022, 12, 12), _utc(2022, 12, 5))
          for unit in (LEAD, PARTNER)),
        *((unit, "reminder", "cancelled", 0, date(2022, 12, 12), _utc(2022, 12, 9))
          for unit in (LEAD, PARTNER)),
        # Wednesday 07:00: a week before, then Tuesday for "1d" and "0d" together.
        *((unit, "reminder", "pending", stage, date(2022, 12, 14), due)
          for unit in (LEAD, PARTNER)
          for stage, due in ((7, _utc(2022, 12, 7)), (0, _utc(2022, 12, 13)))),
    }
    assert all("đã hủy" in (r.last_error or "") for r in after
               if r.status is DeliveryStatus.CANCELLED)
    assert len({r.payload["item"]["uid"] for r in after}) == 1  # the same activity
    assert _replan(engine, moved_at, [plan_id]).applied == Applied()


def test_a_change_within_48_hours_is_one_change_message_due_now(
        engine: Engine, tmp_path: Path) -> None:
    store_seeds(engine)
    _replan(engine, NOW)
    _send_due(engine, _utc(2022, 12, 5))
    _send_due(engine, _utc(2022, 12, 9))  # the Friday reminder of Monday's talk went out
    late = _utc(2022, 12, 10, 2)  # Saturday 09:00: the talk is 46 hours away

    plan_id = _save(engine, _seed_000(tmp_path, "07h00 ngày 13/12/2022 (Thứ 3)"), late)
    report = _replan(engine, late, [plan_id])

    rows = _talk(_rows(engine))
    changes = [r for r in rows if r.kind == "change"]
    assert [r.unit_id for r in changes if r.unit_id == LEAD] == [LEAD]  # exactly one each
    assert sorted(r.unit_id for r in changes) == [LEAD, PARTNER]
    for row in changes:
        assert (row.status, row.due_at, row.next_attempt_at) == (
            DeliveryStatus.PENDING, late, late)
        assert row.payload["item"]["day"] == "2022-12-13"
        assert row.payload["previous"]["day"] == "2022-12-12"
        assert row.payload["stage"] is None
    # The new day's own reminder (Monday 08:00) still goes; the sent ones stay sent.
    assert {(r.unit_id, r.payload["stage"], r.due_at) for r in rows
            if r.kind == "reminder" and r.status is DeliveryStatus.PENDING} == {
        (LEAD, 0, _utc(2022, 12, 12)), (PARTNER, 0, _utc(2022, 12, 12))}
    assert report.applied == Applied(inserted=4)
    assert _replan(engine, late, [plan_id]).applied == Applied()  # the change goes once
    assert _replan(engine, late + timedelta(hours=1)).applied == Applied()


def test_an_archived_plan_loses_its_pending_reminders(engine: Engine) -> None:
    ids = store_seeds(engine)
    _replan(engine, NOW)
    sent = _send_due(engine, _utc(2022, 11, 24))
    archived_at = _utc(2022, 11, 25)
    rows = _rows(engine)
    pending = [r for r in rows if r.plan_id == ids[0] and r.status is DeliveryStatus.PENDING]
    others = [r for r in rows if r.plan_id != ids[0]]
    assert pending and others and any(r.plan_id == ids[0] for r in sent)

    with engine.begin() as conn:
        set_status(conn, ids[0], PlanStatus.ARCHIVED, now=archived_at)
    report = _replan(engine, archived_at)  # every plan: the archived one is among them

    assert report.applied == Applied(cancelled=len(pending))
    after = {r.id: r for r in _rows(engine)}
    assert all(after[r.id].status is DeliveryStatus.CANCELLED for r in pending)
    assert all(after[r.id].status is DeliveryStatus.SENT for r in sent)
    assert [after[r.id] for r in others] == others
    assert _replan(engine, archived_at).applied == Applied()


# --- the service's step -------------------------------------------------------------------------

def test_the_replanner_step_replans_only_what_changed(engine: Engine, tmp_path: Path) -> None:
    store_seeds(engine)
    replanner = Replanner(engine, SETTINGS)

    first = replanner.step(NOW)
    assert first is not None and first.plans == 4 and first.applied.inserted > 1000
    assert replanner.step(NOW + timedelta(minutes=1)) is None
    assert replanner.step(NOW + timedelta(minutes=2)) is None

    edited_at = NOW + timedelta(minutes=3)
    plan_id = _save(engine, _seed_000(tmp_path, "07h00 ngày 14/12/2022 (Thứ 4)"), edited_at)
    report = replanner.step(edited_at)

    assert report is not None
    assert report.plans == 1  # only the edited plan
    assert report.applied == Applied(inserted=4, cancelled=4)
    talk = _talk(_rows(engine))
    assert {r.plan_id for r in talk} == {plan_id}
    assert {(r.status.value, r.occurrence) for r in talk} == {
        ("cancelled", date(2022, 12, 12)), ("pending", date(2022, 12, 14))}
    assert replanner.step(edited_at + timedelta(minutes=1)) is None


def test_a_unit_that_stops_partner_reminders_loses_them_at_the_next_step(
        engine: Engine, tmp_path: Path) -> None:
    store_seeds(engine)
    replanner = Replanner(engine, SETTINGS)
    assert replanner.step(NOW) is not None
    partner_rows = [r for r in _rows(engine)
                    if r.unit_id == PARTNER and r.payload["item"]["role"] == "partner"]
    own_rows = [r for r in _rows(engine)
                if r.unit_id == PARTNER and r.payload["item"]["role"] != "partner"]
    assert partner_rows

    text = (ROOT / "config" / "units.toml").read_text(encoding="utf-8")
    entry = f'id = "{PARTNER}"\n'
    assert text.count(entry) == 1
    changed = tmp_path / "units.toml"
    changed.write_text(text.replace(entry, f"{entry}partner_reminders = false\n"),
                       encoding="utf-8")
    registry = load_registry(changed)
    unit = registry.unit(PARTNER)
    assert unit is not None and unit.reminders.partner_reminders is False
    with engine.begin() as conn:
        assert sync_registry(conn, registry, NOW + timedelta(minutes=1)).updated == 1

    report = replanner.step(NOW + timedelta(minutes=1))

    assert report is not None and report.plans == 4  # the registry changed: every plan
    assert report.applied == Applied(cancelled=len(partner_rows))
    after = {r.id: r for r in _rows(engine)}
    assert all(after[r.id].status is DeliveryStatus.CANCELLED for r in partner_rows)
    assert all(after[r.id] == r for r in own_rows)
    assert replanner.step(NOW + timedelta(minutes=2)) is None
