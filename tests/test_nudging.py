"""Nudges and digests through the outbox, on SQLite and PostgreSQL: the seed plans stored and
planned, the tick's NudgeStep at fixed moments, the office's button, and the real dispatcher
sending them to an SMTP server on 127.0.0.1."""

from __future__ import annotations

import asyncio
import re
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine

from reminders.clock import VN_TZ, FixedClock
from reminders.config import Settings
from reminders.domain import Channel, DeliveryStatus
from reminders.errors import UsageError
from reminders.links import Action, LinkSigner
from reminders.nudging import NudgeReport, NudgeStep, nudge_now
from reminders.planner.reach import Reach, planner_units
from reminders.replan import replan
from reminders.reports import reports_view
from reminders.services import build_dispatcher
from reminders.status import SubmissionKind, Via
from reminders.store.meta import LINK_SECRET, secret
from reminders.store.outbox import DeliveryRow, claim_due, list_deliveries, mark_sent
from reminders.store.reports import occurrence_for, record_submission, set_exempt
from reminders.store.units import list_units
from tests.delivery_support import BASE_URL, settings_for
from tests.feed_support import T0, store_seeds
from tests.smtp_server import SmtpServer, smtp_server_fixture  # noqa: F401 (fixture)

SETTINGS = Settings()
DUE = date(2022, 12, 26)  # seed 000: "Báo cáo kết quả", trước ngày 27/12/2022 (a Monday)
REPORTS = "ubnd-phuong-ha-dinh"
EXEMPT = "ubnd-phuong-kim-giang"
OFFICE = "vhtt-thanh-xuan"


def vn(day: date, hour: int = 8, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=VN_TZ).astimezone(UTC)


def _seeded(engine: Engine) -> tuple[int, int, list[str]]:
    """Seeds stored and planned; (plan id, occurrence id, units owed the report by email)."""
    plan_id = store_seeds(engine)[0]
    with engine.begin() as conn:
        replan(conn, SETTINGS, now=T0)
        plan_view = reports_view(conn, SETTINGS, now=T0).plan(plan_id)
        units = planner_units(((s.unit, s.active) for s in list_units(conn, active_only=False)),
                              Reach.from_settings(SETTINGS))
    assert plan_view is not None
    (status,) = plan_view.reports.occurrences
    assert status.occurrence.due_date == DUE and len(status.cells) == 25
    owed = sorted(c.unit_id for c in status.cells if Channel.EMAIL in units[c.unit_id].channels)
    assert {REPORTS, EXEMPT, OFFICE} <= set(owed)
    return plan_id, status.occurrence.id, owed


def _rows(engine: Engine, kind: str) -> list[DeliveryRow]:
    with engine.connect() as conn:
        return [r for r in list_deliveries(conn, limit=1_000_000) if r.kind == kind]


def _numbers(rows: list[DeliveryRow], number: str) -> list[str]:
    """The units of the automatic nudges number `number`."""
    return sorted(r.unit_id for r in rows if r.key.split(":")[-2] == number)


def test_the_step_inserts_each_nudge_and_digest_once_at_its_moment(engine: Engine) -> None:
    plan_id, occ_id, owed = _seeded(engine)
    step = NudgeStep(engine, SETTINGS).step
    n = len(owed)

    assert step(vn(date(2022, 12, 23), 7, 59)) == NudgeReport()
    assert step(vn(date(2022, 12, 23), 8)) == NudgeReport(digests=1)  # due in 3 days
    assert step(vn(date(2022, 12, 24), 9)) == NudgeReport()  # Saturday
    assert step(vn(date(2022, 12, 26), 10)) == NudgeReport(digests=1)
    assert step(vn(date(2022, 12, 27), 7, 59)) == NudgeReport()
    assert step(vn(date(2022, 12, 27), 8)) == NudgeReport(nudges=n, digests=1)
    assert step(vn(date(2022, 12, 27), 8, 1)) == NudgeReport()  # nothing twice
    assert step(vn(date(2022, 12, 27), 16)) == NudgeReport()

    # Replanning the plans (reconciling reminders) leaves nudges and digests alone.
    before = {r.id: r.status for r in _rows(engine, "nudge") + _rows(engine, "digest")}
    with engine.begin() as conn:
        replan(conn, SETTINGS, now=vn(date(2022, 12, 27), 9))
    assert {r.id: r.status for r in _rows(engine, "nudge") + _rows(engine, "digest")} == before
    assert set(before.values()) == {DeliveryStatus.PENDING}

    with engine.begin() as conn:
        record_submission(conn, occurrence_id=occ_id, unit_id=REPORTS,
                          kind=SubmissionKind.SUBMITTED, via=Via.LINK,
                          at=vn(date(2022, 12, 28), 9))
        set_exempt(conn, occ_id, EXEMPT, exempt=True, reason="Đơn vị đã sáp nhập")
    # Their first nudges still wait (nothing was dispatched here): they are cancelled.
    assert step(vn(date(2022, 12, 28), 9, 30)) == NudgeReport(digests=1, cancelled=2)
    assert step(vn(date(2022, 12, 29), 8)) == NudgeReport(nudges=n - 2, digests=1)
    assert step(vn(date(2022, 12, 30), 8)) == NudgeReport(digests=1)
    assert step(vn(date(2023, 1, 2), 8)) == NudgeReport()  # New Year's day off
    assert step(vn(date(2023, 1, 3), 8)) == NudgeReport(nudges=n - 2, digests=1)
    assert step(vn(date(2023, 1, 5), 8)) == NudgeReport(digests=1)  # the turns are over

    nudges = _rows(engine, "nudge")
    assert _numbers(nudges, "1") == owed
    left = [u for u in owed if u not in (REPORTS, EXEMPT)]
    assert _numbers(nudges, "2") == _numbers(nudges, "3") == left
    assert {r.status for r in nudges if r.unit_id in (REPORTS, EXEMPT)} == {
        DeliveryStatus.CANCELLED}
    third = next(r for r in nudges if r.key == f"n:{r.item_uid}:2022-12-26:{left[0]}:3:email")
    assert (third.due_at, third.plan_id, third.occurrence) == (vn(date(2023, 1, 3)), plan_id,
                                                               DUE)
    assert third.payload["nudge"] == {"number": 3, "due": "2022-12-26",
                                      "working_days_overdue": 5, "requested_by": None}
    digests = _rows(engine, "digest")
    assert [r.key for r in digests] == [f"d:{OFFICE}:{d}:email" for d in (
        "2022-12-23", "2022-12-26", "2022-12-27", "2022-12-28", "2022-12-29", "2022-12-30",
        "2023-01-03", "2023-01-05")]
    (plan,) = digests[2].payload["digest"]["plans"]
    assert plan["plan_id"] == plan_id and plan["due_soon"] == []
    assert len(plan["overdue"][0]["units"]) == 25


def test_nudge_now_sends_to_every_unit_not_reported_once_per_press(engine: Engine) -> None:
    _, occ_id, owed = _seeded(engine)
    before = vn(date(2022, 12, 20), 10, 15)  # still open: the button nudges anyway
    with engine.begin() as conn:
        record_submission(conn, occurrence_id=occ_id, unit_id=REPORTS,
                          kind=SubmissionKind.SUBMITTED, via=Via.DASHBOARD, at=before)
        assert nudge_now(conn, SETTINGS, occurrence_id=occ_id, now=before,
                         by="vanphong") == len(owed) - 1
        assert nudge_now(conn, SETTINGS, occurrence_id=occ_id, now=before, by="vanphong") == 0
        again = before + timedelta(minutes=1)
        assert nudge_now(conn, SETTINGS, occurrence_id=occ_id, now=again,
                         by="vanphong") == len(owed) - 1
        with pytest.raises(UsageError, match="Không có hạn báo cáo số 999999"):
            nudge_now(conn, SETTINGS, occurrence_id=999_999, now=before, by="vanphong")
    rows = _rows(engine, "nudge")
    assert sorted({r.unit_id for r in rows}) == [u for u in owed if u != REPORTS]
    assert {r.due_at for r in rows} == {before, before + timedelta(minutes=1)}
    assert {r.key.split(":")[-2] for r in rows} == {"manual-20221220T031500Z",
                                                    "manual-20221220T031600Z"}
    assert {r.payload["nudge"]["requested_by"] for r in rows} == {"vanphong"}


def _send_earlier(engine: Engine, now: datetime) -> None:
    """The reminders due before `now` went out already (this test is about nudges)."""
    with engine.begin() as conn:
        claimed = claim_due(conn, now=now, worker="truoc", lease=timedelta(minutes=5),
                            limit=1_000_000)
        mark_sent(conn, [r.id for r in claimed], worker="truoc", provider_id="<x@example>",
                  at=now)


def test_the_dispatcher_sends_nudges_and_the_digest_with_links_that_verify(
        engine: Engine, db_url: str, smtp_server: SmtpServer, tmp_path: Path) -> None:
    plan_id, occ_id, owed = _seeded(engine)
    now = vn(date(2022, 12, 27), 8)
    _send_earlier(engine, now - timedelta(minutes=1))
    assert NudgeStep(engine, SETTINGS).step(now) == NudgeReport(nudges=len(owed), digests=1)
    dispatcher = build_dispatcher(settings_for(db_url, smtp_server, tmp_path), engine,
                                  FixedClock(now))

    report = asyncio.run(dispatcher.run_due(now))

    assert (report.sent, report.messages, report.failed) == (len(owed) + 1, len(owed) + 1, 0)
    assert asyncio.run(dispatcher.run_due(now + timedelta(hours=1))).claimed == 0
    keys = smtp_server.keys()
    assert sorted(k.split(":")[-3] for k in keys if k.startswith("n:")) == owed
    by_key = dict(zip(keys, smtp_server.messages, strict=True))
    nudge = by_key[next(k for k in keys if k.startswith("n:") and f":{REPORTS}:" in k)]
    assert nudge["Subject"] == "Đôn đốc lần 1: Báo cáo kết quả — đã quá hạn 1 ngày làm việc"
    part = nudge.get_body(("plain",))
    assert part is not None
    text = part.get_content()
    assert "Đôn đốc lần 1" in text
    assert "Hạn gửi báo cáo: thứ Hai, 26/12/2022 (đã quá hạn 1 ngày làm việc)" in text
    (token,) = re.findall(r"Đã gửi báo cáo: \S+/xac-nhan/(\S+)", text)
    with engine.begin() as conn:
        claim = LinkSigner(secret(conn, LINK_SECRET, now)).verify(token, now=now)
        assert (claim.unit_id, claim.action) == (REPORTS, Action.SUBMITTED)
        assert occurrence_for(conn, claim.item_uid, claim.occurrence) == occ_id
        # The unit follows the link: the office's button passes it over from then on.
        record_submission(conn, occurrence_id=occ_id, unit_id=claim.unit_id,
                          kind=SubmissionKind.SUBMITTED, via=Via.LINK, at=now)
        assert nudge_now(conn, SETTINGS, occurrence_id=occ_id, now=now + timedelta(hours=2),
                         by="vanphong") == len(owed) - 1

    digest = by_key[f"d:{OFFICE}:2022-12-27:email"]
    assert digest["Subject"] == ("Tổng hợp tình hình báo cáo ngày 27/12/2022: 25 báo cáo quá "
                                 "hạn, 0 sắp đến hạn")
    part = digest.get_body(("plain",))
    assert part is not None
    body = part.get_content()
    assert f"{BASE_URL}/quan-ly/ke-hoach/{plan_id}" in body
    assert "Quá hạn, chưa báo cáo (25):" in body and "/xac-nhan/" not in body
    sent = _rows(engine, "nudge") + _rows(engine, "digest")
    assert {r.status for r in sent if r.due_at == now} == {DeliveryStatus.SENT}
