"""The planner over the seed plans: who is reminded of what and when, one message per moment,
and reconciling with the outbox (moves, removals, late changes, idempotency)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from reminders.clock import VN_TZ, local
from reminders.domain import Channel, DeliveryStatus
from reminders.feeds.model import DaySpan, FeedItem, FeedUnit, ItemKind, UnitLink
from reminders.planner.coalesce import coalesce
from reminders.planner.model import (
    MessageKind,
    PlannerUnit,
    Reconciliation,
    Reminder,
    Role,
    StoredRow,
)
from reminders.planner.plan import Plans, desired
from reminders.planner.policy import Policy
from reminders.planner.reconcile import reconcile
from reminders.store import make_engine, upgrade
from reminders.store.feed_data import load_plans, load_units
from reminders.workdays import WorkCalendar
from tests.feed_support import store_seeds

POLICY = Policy()  # 7d, 1d, 0d at 08:00; working hours 08:00–17:00; 48 h for late changes
# Plans by the order store_seeds saves them.
P000, P001, P004 = 1, 2, 4
CCB_PL, THCS_PL = "hoi-ccb-phuong-phuong-liet", "truong-thcs-phuong-liet"  # B.I.1 lead, partner
VHTT, HA_DINH = "vhtt-thanh-xuan", "ubnd-phuong-ha-dinh"  # report by 26/12/2022


def vn(day: str, clock: str = "10:00") -> datetime:
    """'12/12/2022', '07:00' → that moment in Hà Nội."""
    return datetime.strptime(f"{day} {clock}", "%d/%m/%Y %H:%M").replace(tzinfo=VN_TZ)


def shown(moment: datetime) -> str:
    return f"{local(moment):%d/%m/%Y %H:%M}"


@dataclass(frozen=True)
class Seeds:
    plans: Plans
    feed_units: Mapping[str, FeedUnit]

    def item(self, plan_id: int, code: str | None = None, text: str | None = None) -> FeedItem:
        _, items = self.plans[plan_id]
        found = [i for i in items if (code is None or i.code == code)
                 and (text is None or i.time_text.startswith(text))]
        assert len(found) == 1, (plan_id, code, text, len(found))
        return found[0]

    def units(self, only: Iterable[str] | None = None,
              **prefs: Mapping[str, Any]) -> dict[str, PlannerUnit]:
        """The seeds' units as the planner sees them, by email; `prefs` per unit id (with
        "_" for "-"), e.g. truong_thcs_phuong_liet={"partner_reminders": False}."""
        chosen = set(only) if only is not None else None
        found = {}
        for unit in self.feed_units.values():
            if chosen is not None and unit.id not in chosen:
                continue
            found[unit.id] = PlannerUnit(
                id=unit.id, name=unit.name, channels=(Channel.EMAIL,), groups=unit.groups,
                active=unit.active, **prefs.get(unit.id.replace("-", "_"), {}))
        return found


@pytest.fixture(scope="module")
def seeds(tmp_path_factory: pytest.TempPathFactory) -> Seeds:
    path: Path = tmp_path_factory.mktemp("planner") / "reminders.db"
    engine = make_engine(f"sqlite:///{path}")
    try:
        upgrade(engine)
        ids = store_seeds(engine)
        with engine.connect() as conn:
            return Seeds(plans=load_plans(conn, ids), feed_units=load_units(conn))
    finally:
        engine.dispose()


def only(plans: Plans, *uids: str) -> Plans:
    """The plans with just these items (the others would only add noise to exact checks)."""
    return {pid: (plan, tuple(i for i in items if i.uid in uids))
            for pid, (plan, items) in plans.items()}


def edit(plans: Plans, target: str, **changes: Any) -> Plans:
    return {pid: (plan, tuple(replace(i, **changes) if i.uid == target else i for i in items))
            for pid, (plan, items) in plans.items()}


def schedule(found: Iterable[Reminder], uid: str, unit_id: str) -> list[tuple[str, str, str]]:
    """(item day, when it is sent, stage) of one unit's reminders of one item."""
    return [(f"{r.item.day:%d/%m/%Y}", shown(r.due_at), f"{r.stage}d") for r in found
            if r.item.uid == uid and r.unit_id == unit_id]


# --- who gets what, when --------------------------------------------------------------------

CASES = [
    pytest.param(
        P000, "B.I.1", None, vn("01/11/2022", "07:00"), CCB_PL,
        [("12/12/2022", "05/12/2022 08:00", "7d"), ("12/12/2022", "09/12/2022 08:00", "0d")],
        id="B.I.1 07h00 Monday 12/12/2022, lead: 0d too late that morning → Friday; "
           "1d (Sunday) → the same Friday, folded into 0d"),
    pytest.param(
        P000, "B.I.1", None, vn("01/11/2022", "07:00"), THCS_PL,
        [("12/12/2022", "05/12/2022 08:00", "7d"), ("12/12/2022", "09/12/2022 08:00", "0d")],
        id="B.I.1 partner gets the same stages"),
    pytest.param(
        P000, "A.2", None, vn("01/11/2022", "07:00"), "hoi-ccb-thanh-xuan",
        [("01/12/2022", "24/11/2022 08:00", "7d"), ("01/12/2022", "30/11/2022 08:00", "1d"),
         ("01/12/2022", "01/12/2022 08:00", "0d")],
        id="A.2 all-day Thursday 1/12/2022: 0d on the day at 08:00"),
    pytest.param(
        P000, "B.IV.8", None, vn("01/09/2022", "07:00"), "cong-doan-phuong-thanh-xuan-nam",
        [("01/10/2022", "23/09/2022 08:00", "7d"), ("01/10/2022", "30/09/2022 08:00", "0d")],
        id="B.IV.8 on Saturday 1/10/2022: 7d (Saturday) and 0d → Friday 08:00"),
    pytest.param(
        P001, "2.1", None, vn("01/12/2023", "07:00"), VHTT,
        [("01/01/2024", "25/12/2023 08:00", "7d"), ("01/01/2024", "29/12/2023 08:00", "0d"),
         ("01/09/2024", "23/08/2024 08:00", "7d"), ("01/09/2024", "30/08/2024 08:00", "0d")],
        id="2.1 two spans: 1/1/2024 (Tết Dương lịch) and Sunday 1/9/2024"),
    pytest.param(
        P000, None, "trước ngày 27/12/2022", vn("01/11/2022", "07:00"), VHTT,
        [("26/12/2022", "19/12/2022 08:00", "7d"), ("26/12/2022", "23/12/2022 08:00", "1d"),
         ("26/12/2022", "26/12/2022 08:00", "0d")],
        id="deadline trước ngày 27/12/2022 (due 26/12): 1d Sunday → Friday 23/12 08:00"),
    pytest.param(
        P000, None, "trước ngày 27/12/2022", vn("01/11/2022", "07:00"), HA_DINH,
        [("26/12/2022", "19/12/2022 08:00", "7d"), ("26/12/2022", "23/12/2022 08:00", "1d"),
         ("26/12/2022", "26/12/2022 08:00", "0d")],
        id="deadline 26/12/2022, a ward of the group 'UBND 11 phường'"),
    pytest.param(
        P004, "III.1", None, vn("01/11/2024", "07:00"), "so-vhtt-ha-noi",
        [("18/11/2024", "11/11/2024 08:00", "7d"), ("18/11/2024", "15/11/2024 08:00", "0d")],
        id="III.1 08:30 Monday 18/11/2024: 0d at 08:00 is < 1 h before → Friday"),
]


@pytest.mark.parametrize("plan_id, code, text, now, unit_id, expected", CASES)
def test_who_gets_what_when(seeds: Seeds, plan_id: int, code: str | None, text: str | None,
                            now: datetime, unit_id: str,
                            expected: list[tuple[str, str, str]]) -> None:
    item = seeds.item(plan_id, code, text)
    found = desired(seeds.plans, seeds.units(), POLICY, now=now)
    assert schedule(found, item.uid, unit_id) == expected


def test_monthly_deadline_moves_off_tet_and_weekends(seeds: Seeds) -> None:
    """'định kỳ hàng tháng (trước ngày 20)': due the 19th of every month of 2024."""
    item = seeds.item(P001, text="định kỳ hàng tháng")
    found = schedule(desired(seeds.plans, seeds.units(), POLICY, now=vn("01/12/2023")),
                     item.uid, "ubnd-phuong-kim-giang")
    assert found[:6] == [
        ("19/01/2024", "12/01/2024 08:00", "7d"), ("19/01/2024", "18/01/2024 08:00", "1d"),
        ("19/01/2024", "19/01/2024 08:00", "0d"),
        ("19/02/2024", "07/02/2024 08:00", "7d"),  # 12/2 is Tết (8–14/2): Wednesday before
        ("19/02/2024", "16/02/2024 08:00", "1d"),  # Sunday 18/2 → Friday
        ("19/02/2024", "19/02/2024 08:00", "0d"),
    ]
    # Saturday 19/10 and Sunday 19/5: 1d and 0d meet on the Friday, one message each.
    assert [s for s in found if s[0] == "19/10/2024"] == [
        ("19/10/2024", "11/10/2024 08:00", "7d"), ("19/10/2024", "18/10/2024 08:00", "0d")]
    assert len(found) == 12 * 3 - 2


@pytest.mark.parametrize("calendar, expected", [
    pytest.param(WorkCalendar(), [("11/10/2024 08:00", "7d"), ("18/10/2024 08:00", "0d")],
                 id="plain: Saturday 19/10 off"),
    pytest.param(WorkCalendar(working_days=[date(2024, 10, 19)]),
                 [("11/10/2024 08:00", "7d"), ("18/10/2024 08:00", "1d"),
                  ("19/10/2024 08:00", "0d")],
                 id="Saturday 19/10 worked (làm bù): 0d stays on it"),
    pytest.param(WorkCalendar(days_off=[date(2024, 10, 18)]),
                 [("11/10/2024 08:00", "7d"), ("17/10/2024 08:00", "0d")],
                 id="Friday 18/10 off (nghỉ bù): Thursday"),
])
def test_office_swap_days(seeds: Seeds, calendar: WorkCalendar,
                          expected: list[tuple[str, str]]) -> None:
    item = seeds.item(P001, text="định kỳ hàng tháng")
    found = desired(seeds.plans, seeds.units(), replace(POLICY, calendar=calendar),
                    now=vn("01/12/2023"))
    assert [(when, stage) for day, when, stage in schedule(found, item.uid, "ubnd-phuong-kim-giang")
            if day == "19/10/2024"] == expected


@pytest.mark.parametrize("default, prefs, expected", [
    pytest.param(True, {}, {CCB_PL, THCS_PL}, id="office default: partners reminded"),
    pytest.param(False, {}, {CCB_PL}, id="office default off: lead only"),
    pytest.param(True, {"truong_thcs_phuong_liet": {"partner_reminders": False}}, {CCB_PL},
                 id="the partner opts out"),
    pytest.param(False, {"truong_thcs_phuong_liet": {"partner_reminders": True}},
                 {CCB_PL, THCS_PL}, id="the partner opts in against the default"),
    pytest.param(True, {"hoi_ccb_phuong_phuong_liet": {"partner_reminders": False}},
                 {CCB_PL, THCS_PL}, id="opting out of partner reminders keeps lead ones"),
])
def test_partner_reminders(seeds: Seeds, default: bool, prefs: dict[str, dict[str, Any]],
                           expected: set[str]) -> None:
    item = seeds.item(P000, "B.I.1")
    found = desired(seeds.plans, seeds.units(**prefs),
                    replace(POLICY, partner_reminders=default), now=vn("01/11/2022"))
    assert {r.unit_id for r in found if r.item.uid == item.uid} == expected


def test_lead_wins_over_partner(seeds: Seeds) -> None:
    """B.IV.8: Công đoàn phường is both lead and partner ("Đoàn viên công đoàn")."""
    item = seeds.item(P000, "B.IV.8")
    found = [r for r in desired(seeds.plans, seeds.units(cong_doan_phuong_thanh_xuan_nam={
        "partner_reminders": False}), POLICY, now=vn("01/09/2022")) if r.item.uid == item.uid]
    assert {(r.unit_id, r.item.role) for r in found} == {
        ("cong-doan-phuong-thanh-xuan-nam", Role.LEAD)}
    assert all(r.item.tentative for r in found)  # "Dự kiến tháng 10/2022" is still reminded


def test_per_unit_stages(seeds: Seeds) -> None:
    activity = seeds.item(P000, "B.I.1")
    deadline = seeds.item(P000, text="trước ngày 27/12/2022")
    units = seeds.units(hoi_ccb_phuong_phuong_liet={"activity_stages": (3,)},
                        vhtt_thanh_xuan={"deadline_stages": (14, 0), "activity_stages": (2,)})
    found = desired(seeds.plans, units, POLICY, now=vn("01/11/2022"))
    assert schedule(found, activity.uid, CCB_PL) == [
        ("12/12/2022", "09/12/2022 08:00", "3d")]
    assert schedule(found, activity.uid, THCS_PL) == [  # the office's stages
        ("12/12/2022", "05/12/2022 08:00", "7d"), ("12/12/2022", "09/12/2022 08:00", "0d")]
    assert schedule(found, deadline.uid, VHTT) == [
        ("26/12/2022", "12/12/2022 08:00", "14d"), ("26/12/2022", "26/12/2022 08:00", "0d")]


def test_groups_expand_to_active_units_only(seeds: Seeds) -> None:
    deadline = seeds.item(P000, text="trước ngày 27/12/2022")
    units = seeds.units()
    everyone = {r.unit_id for r in desired(seeds.plans, units, POLICY, now=vn("01/11/2022"))
                if r.item.uid == deadline.uid}
    assert len(everyone) == 14 + 11  # các phòng, ban, đơn vị + UBND 11 phường
    units[HA_DINH] = replace(units[HA_DINH], active=False)
    del units[VHTT]  # unknown to the registry
    fewer = {r.unit_id for r in desired(seeds.plans, units, POLICY, now=vn("01/11/2022"))
             if r.item.uid == deadline.uid}
    assert fewer == everyone - {HA_DINH, VHTT}


def test_items_that_give_nothing(seeds: Seeds) -> None:
    b11 = seeds.item(P000, "B.I.1")
    now = vn("01/11/2022")
    removed = edit(seeds.plans, b11.uid, removed_at=now)
    assert not [r for r in desired(removed, seeds.units(), POLICY, now=now)
                if r.item.uid == b11.uid]
    undated = edit(seeds.plans, b11.uid, spans=(DaySpan(start=None, end=None),))
    assert not [r for r in desired(undated, seeds.units(), POLICY, now=now)
                if r.item.uid == b11.uid]
    # "Khi cấp trên phát động" has no date; plan 003 names no registered units.
    assert not [r for r in desired(seeds.plans, seeds.units(), POLICY, now=vn("01/01/2024"))
                if r.item.plan_id == 3]


@pytest.mark.parametrize("now, left", [
    pytest.param(vn("12/12/2022", "06:59"), 2, id="06:59: all stages past, still desired"),
    pytest.param(vn("12/12/2022", "07:00"), 0, id="07:00: started, over for reminders"),
])
def test_items_over_are_left_out(seeds: Seeds, now: datetime, left: int) -> None:
    b11 = seeds.item(P000, "B.I.1")
    found = [r for r in desired(seeds.plans, seeds.units(), POLICY, now=now)
             if r.item.uid == b11.uid and r.unit_id == CCB_PL]
    assert len(found) == left


def test_facts_and_keys(seeds: Seeds) -> None:
    b11 = seeds.item(P000, "B.I.1")
    found = [r for r in desired(seeds.plans, seeds.units(), POLICY, now=vn("01/11/2022"))
             if r.item.uid == b11.uid and r.unit_id == THCS_PL]
    first = found[0]
    assert first.key == f"r:{b11.uid}:2022-12-12:{THCS_PL}:7d:email"
    assert (first.kind, first.channel, first.stage) == (MessageKind.REMINDER, Channel.EMAIL, 7)
    facts = first.item
    assert facts.plan_label == "Kế hoạch số 249/KH-UBND ngày 20/09/2022 của UBND quận Thanh Xuân"
    assert facts.plan_title.startswith("Tổ chức các hoạt động kỷ niệm 50 năm")
    assert (facts.role, facts.day, facts.start_time, facts.code) == (
        Role.PARTNER, date(2022, 12, 12), "07:00", "B.I.1")
    assert (facts.lead_names, facts.partner_names) == (
        ("Hội CCB phường Phương Liệt",), ("Trường THCS Phương Liệt",))
    assert facts.location == "Ngõ 377 Giải Phóng"
    assert facts.time_text == "07h00 ngày 12/12/2022 (Thứ 2)"


def test_a_very_long_uid_is_hashed_in_keys(seeds: Seeds) -> None:
    b11 = seeds.item(P000, "B.I.1")
    long_uid = "x" * 300 + "@reminders"
    plans = edit(only(seeds.plans, b11.uid), b11.uid, uid=long_uid)
    found = desired(plans, seeds.units(), POLICY, now=vn("01/11/2022"))
    assert found and all(len(r.key) <= 255 and long_uid not in r.key for r in found)
    assert found[0].item.uid == long_uid
    assert len({r.key for r in found}) == len(found)


def test_desired_is_sorted_and_deterministic(seeds: Seeds) -> None:
    first = desired(seeds.plans, seeds.units(), POLICY, now=vn("01/11/2022"))
    again = desired(dict(reversed(list(seeds.plans.items()))), seeds.units(), POLICY,
                    now=vn("01/11/2022"))
    assert first == again
    assert [r.due_at for r in first] == sorted(r.due_at for r in first)
    assert len({r.key for r in first}) == len(first)


def test_from_settings() -> None:
    from reminders.config.schema import ReminderSettings, Settings, WorkdaySettings
    from reminders.config.values import Stage

    settings = Settings(
        reminders=ReminderSettings(activity_stages=(Stage(days_before=3), Stage(days_before=0)),
                                   deadline_stages=(Stage(days_before=5),), partner_reminders=False,
                                   late_change_hours=24),
        workdays=WorkdaySettings(working_days=(date(2025, 4, 26),)))
    policy = Policy.from_settings(settings)
    assert (policy.activity_stages, policy.deadline_stages) == ((3, 0), (5,))
    assert (policy.partner_reminders, policy.late_change_hours) == (False, 24)
    assert policy.calendar == WorkCalendar(working_days=[date(2025, 4, 26)])


# --- one message per unit, channel and moment ----------------------------------------------

def test_coalesce_two_items_for_one_unit(seeds: Seeds) -> None:
    """Quận đoàn leads A.3 and joins A.2, both on Thursday 1/12/2022: one message at 08:00."""
    a2, a3 = seeds.item(P000, "A.2"), seeds.item(P000, "A.3")
    found = [r for r in desired(seeds.plans, seeds.units(), POLICY, now=vn("20/11/2022"))
             if r.unit_id == "quan-doan-thanh-xuan" and r.item.uid in (a2.uid, a3.uid)]
    batches = coalesce(found)
    assert [(shown(b.due_at), len(b.reminders)) for b in batches] == [
        ("24/11/2022 08:00", 2), ("30/11/2022 08:00", 2), ("01/12/2022 08:00", 2)]
    assert {(r.item.code, r.item.role) for r in batches[-1].reminders} == {
        ("A.2", Role.PARTNER), ("A.3", Role.LEAD)}
    # A change due at the same moment is a message of its own.
    change = replace(batches[-1].reminders[0], kind=MessageKind.CHANGE, key="c:x", stage=None)
    mixed = coalesce([*batches[-1].reminders, change])
    assert [(b.kind, len(b.reminders)) for b in mixed] == [
        (MessageKind.CHANGE, 1), (MessageKind.REMINDER, 2)]


def test_coalesce_stored_rows(seeds: Seeds) -> None:
    outbox = Outbox()
    outbox.apply(reconcile(desired(seeds.plans, seeds.units(), POLICY, now=vn("20/11/2022")),
                           (), POLICY, now=vn("20/11/2022")))
    batches = coalesce(outbox.stored())
    assert sum(len(b.reminders) for b in batches) == len(outbox.rows)
    assert all(isinstance(r, StoredRow) for b in batches for r in b.reminders)
    assert len({(b.due_at, b.unit_id, b.channel, b.kind) for b in batches}) == len(batches)


# --- reconciling with the outbox -------------------------------------------------------------

@dataclass
class Outbox:
    """The outbox in memory: applies a Reconciliation as the store would, sends what is due."""

    rows: dict[int, StoredRow] = field(default_factory=dict)

    def stored(self) -> tuple[StoredRow, ...]:
        return tuple(self.rows.values())

    def apply(self, plan: Reconciliation) -> None:
        for reminder in plan.insert:
            assert all(row.key != reminder.key for row in self.rows.values()), reminder.key
            row_id = len(self.rows) + 1
            self.rows[row_id] = StoredRow(
                id=row_id, key=reminder.key, unit_id=reminder.unit_id, channel=reminder.channel,
                kind=reminder.kind, status=DeliveryStatus.PENDING, due_at=reminder.due_at,
                item=reminder.item)
        for row_id, reminder in plan.reschedule:
            assert self.rows[row_id].status == DeliveryStatus.PENDING
            self.rows[row_id] = replace(self.rows[row_id], due_at=reminder.due_at,
                                        item=reminder.item)
        for row_id in plan.cancel:
            assert self.rows[row_id].status == DeliveryStatus.PENDING
            self.rows[row_id] = replace(self.rows[row_id], status=DeliveryStatus.CANCELLED)
        for row_id, reminder in plan.revive:
            assert self.rows[row_id].status == DeliveryStatus.CANCELLED
            self.rows[row_id] = replace(self.rows[row_id], status=DeliveryStatus.PENDING,
                                        due_at=reminder.due_at, item=reminder.item)

    def send_due(self, now: datetime) -> None:
        for row_id, row in self.rows.items():
            if row.status == DeliveryStatus.PENDING and row.due_at <= now:
                self.rows[row_id] = replace(row, status=DeliveryStatus.SENT)

    def keys(self, status: DeliveryStatus) -> set[str]:
        return {row.key for row in self.rows.values() if row.status == status}


def plan_and_apply(outbox: Outbox, plans: Plans, units: Mapping[str, PlannerUnit],
                   now: datetime, policy: Policy = POLICY) -> Reconciliation:
    result = reconcile(desired(plans, units, policy, now=now), outbox.stored(), policy, now=now)
    outbox.apply(result)
    return result


def assert_settled(outbox: Outbox, plans: Plans, units: Mapping[str, PlannerUnit],
                   now: datetime, policy: Policy = POLICY) -> None:
    """Planning again changes nothing, now and an hour later (after sending what was due)."""
    for moment in (now, now + timedelta(hours=1)):
        outbox.send_due(moment)
        again = reconcile(desired(plans, units, policy, now=moment), outbox.stored(), policy,
                          now=moment)
        assert again.empty, again


def summary(reminders: Sequence[Reminder]) -> list[tuple[str, str, str, str | None]]:
    return [(r.kind.value, r.unit_id, shown(r.due_at), None if r.stage is None else f"{r.stage}d")
            for r in reminders]


@pytest.fixture
def b11(seeds: Seeds) -> tuple[FeedItem, Plans, dict[str, PlannerUnit]]:
    item = seeds.item(P000, "B.I.1")
    return item, only(seeds.plans, item.uid), seeds.units()


def test_reconcile_all_seeds_is_idempotent(seeds: Seeds) -> None:
    outbox, units = Outbox(), seeds.units()
    first = plan_and_apply(outbox, seeds.plans, units, vn("01/11/2022", "07:00"))
    assert first.insert and not (first.reschedule or first.cancel or first.revive)
    assert all(r.due_at >= vn("01/11/2022", "07:00") for r in first.insert)
    assert_settled(outbox, seeds.plans, units, vn("01/11/2022", "07:00"))
    # Days later, having sent what fell due, nothing changed: nothing to do.
    outbox.send_due(vn("20/11/2022"))
    assert_settled(outbox, seeds.plans, units, vn("20/11/2022"))


def test_first_plan_skips_past_stages(b11: tuple[FeedItem, Plans, dict[str, PlannerUnit]]
                                      ) -> None:
    _, plans, units = b11
    outbox = Outbox()
    result = plan_and_apply(outbox, plans, units, vn("06/12/2022"))
    assert summary(result.insert) == [
        ("reminder", CCB_PL, "09/12/2022 08:00", "0d"),
        ("reminder", THCS_PL, "09/12/2022 08:00", "0d"),
    ]  # 7d (5/12) had passed when the item first appeared: not sent late
    assert_settled(outbox, plans, units, vn("06/12/2022"))


def test_move_to_another_day(b11: tuple[FeedItem, Plans, dict[str, PlannerUnit]]) -> None:
    item, plans, units = b11
    outbox = Outbox()
    plan_and_apply(outbox, plans, units, vn("01/11/2022"))
    outbox.send_due(vn("06/12/2022"))  # the 7d reminders (5/12) went out
    sent = outbox.keys(DeliveryStatus.SENT)
    moved = edit(plans, item.uid, time_text="07h00 ngày 19/12/2022 (Thứ 2)",
                 spans=(DaySpan(start=date(2022, 12, 19), end=date(2022, 12, 19), time="07:00"),))
    result = plan_and_apply(outbox, moved, units, vn("06/12/2022"))
    assert sorted(outbox.rows[i].key for i in result.cancel) == [
        f"r:{item.uid}:2022-12-12:{CCB_PL}:0d:email", f"r:{item.uid}:2022-12-12:{THCS_PL}:0d:email"]
    assert summary(result.insert) == [  # 7 days ahead, not within 48 h: no change message
        ("reminder", CCB_PL, "12/12/2022 08:00", "7d"),
        ("reminder", THCS_PL, "12/12/2022 08:00", "7d"),
        ("reminder", CCB_PL, "16/12/2022 08:00", "0d"),
        ("reminder", THCS_PL, "16/12/2022 08:00", "0d"),
    ]
    assert not result.reschedule
    assert outbox.keys(DeliveryStatus.SENT) == sent
    assert_settled(outbox, moved, units, vn("06/12/2022"))
    # ... and back again: the cancelled rows of 12/12 come back, those of 19/12 go.
    result = plan_and_apply(outbox, plans, units, vn("07/12/2022"))
    assert sorted(r.key for _, r in result.revive) == [
        f"r:{item.uid}:2022-12-12:{CCB_PL}:0d:email", f"r:{item.uid}:2022-12-12:{THCS_PL}:0d:email"]
    assert len(result.cancel) == 4 and not result.insert
    assert_settled(outbox, plans, units, vn("07/12/2022"))


def test_move_within_48_hours(b11: tuple[FeedItem, Plans, dict[str, PlannerUnit]]) -> None:
    item, plans, units = b11
    outbox = Outbox()
    plan_and_apply(outbox, plans, units, vn("01/11/2022"))
    outbox.send_due(vn("10/12/2022"))
    moved = edit(plans, item.uid, time_text="07h00 ngày 13/12/2022 (Thứ 3)",
                 spans=(DaySpan(start=date(2022, 12, 13), end=date(2022, 12, 13), time="07:00"),))
    result = plan_and_apply(outbox, moved, units, vn("10/12/2022"))
    assert summary(result.insert) == [
        ("change", CCB_PL, "10/12/2022 10:00", None),
        ("change", THCS_PL, "10/12/2022 10:00", None),
        ("reminder", CCB_PL, "12/12/2022 08:00", "0d"),  # 0d at 08:00 on 13/12 is too late
        ("reminder", THCS_PL, "12/12/2022 08:00", "0d"),
    ]
    changes = [r for r in result.insert if r.kind is MessageKind.CHANGE]
    assert [(r.previous.day if r.previous else None, r.item.day) for r in changes] == [
        (date(2022, 12, 12), date(2022, 12, 13))] * 2
    assert_settled(outbox, moved, units, vn("10/12/2022"))


def test_change_within_48_hours(b11: tuple[FeedItem, Plans, dict[str, PlannerUnit]]) -> None:
    item, plans, units = b11
    outbox = Outbox()
    plan_and_apply(outbox, plans, units, vn("01/11/2022"))
    outbox.send_due(vn("10/12/2022"))  # everything went out (5/12 and 9/12)
    changed = edit(plans, item.uid, location="Hội trường UBND phường Phương Liệt")
    now = vn("10/12/2022")  # 45 h before 07:00 on Monday 12/12
    result = plan_and_apply(outbox, changed, units, now)
    assert not (result.reschedule or result.cancel or result.revive)
    assert [(r.kind, r.unit_id, r.due_at, r.stage) for r in result.insert] == [
        (MessageKind.CHANGE, CCB_PL, now, None), (MessageKind.CHANGE, THCS_PL, now, None)]
    change = result.insert[0]
    assert change.key == f"c:{item.uid}:{CCB_PL}:email:{change.item.fingerprint()}"
    assert change.previous is not None
    assert (change.previous.location, change.item.location) == (
        "Ngõ 377 Giải Phóng", "Hội trường UBND phường Phương Liệt")
    # Exactly one, however often the planner runs.
    assert_settled(outbox, changed, units, now)
    assert plan_and_apply(outbox, changed, units, now + timedelta(hours=5)).empty


def test_change_five_days_ahead_is_rescheduled_only(
        b11: tuple[FeedItem, Plans, dict[str, PlannerUnit]]) -> None:
    item, plans, units = b11
    outbox = Outbox()
    plan_and_apply(outbox, plans, units, vn("01/11/2022"))
    outbox.send_due(vn("06/12/2022"))
    changed = edit(plans, item.uid, location="Hội trường UBND phường Phương Liệt")
    result = plan_and_apply(outbox, changed, units, vn("06/12/2022"))
    assert not (result.insert or result.cancel or result.revive)
    assert [(outbox.rows[i].key.rsplit(":", 2)[1], shown(r.due_at), r.item.location)
            for i, r in result.reschedule] == [
        ("0d", "09/12/2022 08:00", "Hội trường UBND phường Phương Liệt")] * 2
    assert_settled(outbox, changed, units, vn("06/12/2022"))
    # When 12/12 comes within 48 h, the pending rows already said it: still nothing.
    outbox.send_due(vn("10/12/2022"))
    assert_settled(outbox, changed, units, vn("10/12/2022"))


def test_office_moves_a_day_off(seeds: Seeds) -> None:
    """The office adds 23/12/2022 as a day off: the 1d reminders of 26/12 move to Thursday."""
    deadline = seeds.item(P000, text="trước ngày 27/12/2022")
    plans, units = only(seeds.plans, deadline.uid), seeds.units([VHTT, HA_DINH])
    outbox = Outbox()
    plan_and_apply(outbox, plans, units, vn("01/11/2022"))
    policy = replace(POLICY, calendar=WorkCalendar(days_off=[date(2022, 12, 23)]))
    result = plan_and_apply(outbox, plans, units, vn("20/12/2022"), policy)
    assert [(outbox.rows[i].key.rsplit(":", 2)[1], shown(r.due_at))
            for i, r in result.reschedule] == [("1d", "22/12/2022 08:00")] * 2
    assert not (result.insert or result.cancel)
    assert_settled(outbox, plans, units, vn("20/12/2022"), policy)


@pytest.mark.parametrize("now, changes", [
    pytest.param(vn("20/12/2022"), 0, id="6 days ahead: pending cancelled, no message"),
    pytest.param(vn("24/12/2022"), 2, id="within 48 h: cancelled, and said so"),
])
def test_remove_an_item(seeds: Seeds, now: datetime, changes: int) -> None:
    deadline = seeds.item(P000, text="trước ngày 27/12/2022")
    plans, units = only(seeds.plans, deadline.uid), seeds.units([VHTT, HA_DINH])
    outbox = Outbox()
    plan_and_apply(outbox, plans, units, vn("01/11/2022"))
    outbox.send_due(now)
    pending = {i for i, row in outbox.rows.items() if row.status == DeliveryStatus.PENDING}
    sent = outbox.keys(DeliveryStatus.SENT)
    removed = edit(plans, deadline.uid, removed_at=now)
    result = plan_and_apply(outbox, removed, units, now)
    assert set(result.cancel) == pending and not result.reschedule
    assert outbox.keys(DeliveryStatus.SENT) == sent
    assert len(result.insert) == changes
    for change in result.insert:
        assert change.kind is MessageKind.CHANGE and change.due_at == now
        assert change.key == f"c:{deadline.uid}:{change.unit_id}:email:cancelled"
        assert change.item.cancelled and change.previous is not None
        assert not change.previous.cancelled
    assert_settled(outbox, removed, units, now)


def test_new_item_within_48_hours_is_reminded_at_once(
        b11: tuple[FeedItem, Plans, dict[str, PlannerUnit]]) -> None:
    item, plans, units = b11
    outbox = Outbox()
    now = vn("10/12/2022")
    result = plan_and_apply(outbox, plans, units, now)
    assert [(r.key, r.due_at, r.stage) for r in result.insert] == [
        (f"r:{item.uid}:2022-12-12:{CCB_PL}:now:email", now, None),
        (f"r:{item.uid}:2022-12-12:{THCS_PL}:now:email", now, None),
    ]
    assert_settled(outbox, plans, units, now)


def test_new_item_whose_stage_is_due_within_the_hour(
        b11: tuple[FeedItem, Plans, dict[str, PlannerUnit]]) -> None:
    """Added at 07:30 on Friday 9/12 for Monday 07:00: its 0d stage at 08:00 is enough."""
    item, plans, units = b11
    outbox = Outbox()
    later = edit(plans, item.uid, spans=(
        DaySpan(start=date(2022, 12, 11), end=date(2022, 12, 11), time="07:00"),))
    now = vn("09/12/2022", "07:30")
    result = plan_and_apply(outbox, later, units, now)
    assert summary(result.insert) == [
        ("reminder", CCB_PL, "09/12/2022 08:00", "0d"),
        ("reminder", THCS_PL, "09/12/2022 08:00", "0d"),
    ]
    assert_settled(outbox, later, units, now)


def test_a_unit_added_late_is_reminded_at_once(
        b11: tuple[FeedItem, Plans, dict[str, PlannerUnit]]) -> None:
    item, plans, units = b11
    outbox = Outbox()
    plan_and_apply(outbox, plans, units, vn("01/11/2022"))
    outbox.send_due(vn("10/12/2022"))
    joined = edit(plans, item.uid, partners=(
        *item.partners, UnitLink(name="Đoàn phường", unit_id="doan-phuong-phuong-liet")))
    result = plan_and_apply(outbox, joined, units, vn("10/12/2022"))
    # The others' facts changed too, but only the partner names, which are not in the
    # fingerprint: no change message for them (and their rows were all sent).
    assert [(r.unit_id, r.stage, r.item.role) for r in result.insert] == [
        ("doan-phuong-phuong-liet", None, Role.PARTNER)]
    assert_settled(outbox, joined, units, vn("10/12/2022"))


def test_unit_opting_out_is_not_told_of_a_cancellation(
        b11: tuple[FeedItem, Plans, dict[str, PlannerUnit]], seeds: Seeds) -> None:
    _, plans, units = b11
    outbox = Outbox()
    plan_and_apply(outbox, plans, units, vn("01/11/2022"))
    outbox.send_due(vn("08/12/2022"))
    quiet = seeds.units(truong_thcs_phuong_liet={"partner_reminders": False})
    result = plan_and_apply(outbox, plans, quiet, vn("08/12/2022"))
    assert [outbox.rows[i].unit_id for i in result.cancel] == [THCS_PL]
    assert not result.insert
    outbox.send_due(vn("10/12/2022"))
    assert_settled(outbox, plans, quiet, vn("10/12/2022"))


def test_naive_now_is_refused(seeds: Seeds) -> None:
    with pytest.raises(ValueError, match="naive"):
        desired(seeds.plans, seeds.units(), POLICY, now=datetime(2022, 11, 1))
    with pytest.raises(ValueError, match="naive"):
        reconcile((), (), POLICY, now=datetime(2022, 11, 1))


def test_items_built_by_hand_follow_the_same_rules() -> None:
    """A deadline with no stored occurrences falls on its span's known day."""
    from reminders.feeds.model import FeedPlan

    at = datetime(2024, 1, 1, tzinfo=UTC)
    plan = FeedPlan(id=9, number=None, issuer="UBND quận Thanh Xuân", issued=None,
                    title="Thử", standing_unit_id=None, feed_token="t", revision=1,
                    updated_at=at)
    item = FeedItem(uid="d@reminders", kind=ItemKind.DEADLINE, plan_id=9, code=None,
                    title="Báo cáo", location=None, time_text="trước ngày 20/3/2024",
                    spans=(DaySpan(start=None, end=date(2024, 3, 19)),),
                    reporters=(UnitLink(name="Phòng VH", unit_id=VHTT),), updated_at=at)
    unit = PlannerUnit(id=VHTT, name="Phòng VH", channels=(Channel.EMAIL, Channel.ZALO))
    found = desired({9: (plan, (item,))}, {VHTT: unit}, POLICY, now=at)
    assert [(shown(r.due_at), r.stage, r.channel.value) for r in found] == [
        ("12/03/2024 08:00", 7, "email"), ("12/03/2024 08:00", 7, "zalo"),
        ("18/03/2024 08:00", 1, "email"), ("18/03/2024 08:00", 1, "zalo"),
        ("19/03/2024 08:00", 0, "email"), ("19/03/2024 08:00", 0, "zalo"),
    ]
    assert [b.channel.value for b in coalesce(found)][:2] == ["email", "zalo"]


def test_a_removal_made_earlier_is_told_when_the_item_comes_close(seeds: Seeds) -> None:
    """Removed six days ahead: no message then; the units heard of it (7d) and nothing told
    them otherwise, so when it comes within 48 h they are told it is cancelled, once."""
    deadline = seeds.item(P000, text="trước ngày 27/12/2022")
    plans, units = only(seeds.plans, deadline.uid), seeds.units([VHTT, HA_DINH])
    outbox = Outbox()
    plan_and_apply(outbox, plans, units, vn("01/11/2022"))
    outbox.send_due(vn("20/12/2022"))
    removed = edit(plans, deadline.uid, removed_at=vn("20/12/2022"))
    assert not plan_and_apply(outbox, removed, units, vn("20/12/2022")).insert
    assert plan_and_apply(outbox, removed, units, vn("23/12/2022")).empty  # 62 h ahead
    result = plan_and_apply(outbox, removed, units, vn("24/12/2022"))
    assert [(r.kind, r.unit_id, r.item.cancelled) for r in result.insert] == [
        (MessageKind.CHANGE, HA_DINH, True), (MessageKind.CHANGE, VHTT, True)]
    assert_settled(outbox, removed, units, vn("24/12/2022"))
