"""The office's actions on the dashboard: CSRF, origin and role checks on every POST, and
what each action does to the store and the pages."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from sqlalchemy import Engine, func, select

from reminders.domain import Channel, DeliveryStatus
from reminders.status import SubmissionKind, Via
from reminders.store.outbox import get_delivery, record_direct
from reminders.store.reports import record_submission, set_exempt
from reminders.store.tables import deliveries, expected_reports, submissions
from tests.dashboard_support import NOW, Site, csrf_of, parse, seed, site

OCC = 1  # plan 249's one occurrence, due Monday 26/12/2022
MONTHLY = 2  # the first occurrence of the monthly plan (19/01/2024)
UNIT = "tu-phap-thanh-xuan"
UNIT_NAME = "Phòng Tư pháp quận Thanh Xuân"
OTHER = "y-te-thanh-xuan"
EXEMPT = "ubnd-phuong-khuong-mai"
NEW_UNIT = "so-noi-vu-ha-noi"  # in the registry, not asked by plan 249
AFTER_DUE = datetime(2022, 12, 29, 3, 0, tzinfo=UTC)


def snapshot(engine: Engine) -> tuple[Sequence[Any], ...]:
    with engine.connect() as conn:
        return (conn.execute(select(submissions).order_by(submissions.c.id)).all(),
                conn.execute(select(expected_reports).order_by(expected_reports.c.id)).all(),
                conn.execute(select(deliveries.c.id, deliveries.c.status,
                                    deliveries.c.next_attempt_at, deliveries.c.attempts)
                             .order_by(deliveries.c.id)).all())


def prepared(engine: Engine) -> dict[str, int]:
    """The seeds with one report received, one unit exempt and one failed message."""
    seed(engine)
    with engine.begin() as conn:
        submission = record_submission(conn, occurrence_id=OCC, unit_id=OTHER,
                                       kind=SubmissionKind.SUBMITTED, via=Via.LINK, at=NOW)
        set_exempt(conn, OCC, EXEMPT, exempt=True, reason="Sáp nhập")
        failed = record_direct(conn, key="loi-1", unit_id=UNIT, channel=Channel.EMAIL,
                               kind="reminder", at=NOW, provider_id=None, error="550")
    return {"submission": submission, "failed": failed}


def forms(ids: dict[str, int]) -> dict[str, tuple[str, dict[str, str]]]:
    """Every POST of the dashboard (but login) with otherwise valid fields."""
    return {
        "nhan": (f"/quan-ly/han/{OCC}/nhan", {"unit": UNIT, "so_van_ban": "12/BC-TP"}),
        "rut-lai": (f"/quan-ly/han/{OCC}/rut-lai",
                    {"submission": str(ids["submission"]), "ly_do": "Nhầm"}),
        "mien": (f"/quan-ly/han/{OCC}/mien", {"unit": UNIT, "ly_do": "Không có hoạt động"}),
        "bo-mien": (f"/quan-ly/han/{OCC}/bo-mien", {"unit": EXEMPT}),
        "them-don-vi": (f"/quan-ly/han/{OCC}/them-don-vi", {"unit": NEW_UNIT}),
        "nhac": (f"/quan-ly/han/{OCC}/nhac", {}),
        "gui-lai": (f"/quan-ly/hop-thu-di/{ids['failed']}/gui-lai", {}),
    }


ACTIONS = ("nhan", "rut-lai", "mien", "bo-mien", "them-don-vi", "nhac", "gui-lai")


@pytest.mark.parametrize("action", ACTIONS)
def test_every_post_needs_the_sessions_csrf_token_and_our_origin(engine: Engine,
                                                                 action: str) -> None:
    if action == "nhac":
        pytest.importorskip("reminders.nudging")
    ids = prepared(engine)
    path, data = forms(ids)[action]
    before = snapshot(engine)
    with site(engine) as other:
        other.login("quantri")
        foreign = other.csrf()  # a valid token of another session
    with site(engine) as s:
        s.login()
        token = s.csrf()
        refused = [
            s.client.post(path, data=data),
            s.client.post(path, data={**data, "csrf": ""}),
            s.client.post(path, data={**data, "csrf": token[:-1]}),
            s.client.post(path, data={**data, "csrf": foreign}),
            s.client.post(path, data={**data, "csrf": token},
                          headers={"origin": "https://evil.example"}),
            s.client.post(path, data={**data, "csrf": token}, headers={"origin": "null"}),
            s.client.post(path, json={**data, "csrf": token}),  # not a form
        ]
        assert [r.status_code for r in refused] == [403] * len(refused)
        assert snapshot(engine) == before
        s.client.cookies.clear()
        assert s.client.post(path, data={**data, "csrf": token}).status_code == 403
        assert snapshot(engine) == before
        s.login()
        done = s.client.post(path, data={**data, "csrf": s.csrf()},
                             headers={"origin": "https://lich.example.gov.vn"})
        assert done.status_code == 303  # the same request with the right token works
        assert snapshot(engine) != before


@pytest.mark.parametrize("action", ACTIONS)
def test_a_leader_may_not_post(engine: Engine, action: str) -> None:
    ids = prepared(engine)
    path, data = forms(ids)[action]
    before = snapshot(engine)
    with site(engine) as s:
        s.login("lanhdao")
        response = s.client.post(path, data={**data, "csrf": s.csrf()})
        assert response.status_code == 403
        assert "chỉ được xem" in response.text
        assert snapshot(engine) == before


def test_logout_needs_the_token_too(engine: Engine) -> None:
    with site(engine) as s:
        s.login()
        assert s.client.post("/quan-ly/dang-xuat", data={"csrf": "sai"}).status_code == 403
        assert s.client.get("/quan-ly/").status_code == 200  # still logged in


def _follow(s: Site, response: httpx.Response) -> str:
    assert response.status_code == 303, response.text
    page = s.client.get(response.headers["location"])
    assert page.status_code == 200
    return page.text


def _flash(html: str) -> tuple[str, bool]:
    (tag,) = parse(html).find("p", id="flash")
    return " ".join(tag.text.split()), "error" in tag.attrs["class"]


def _cell(s: Site, unit: str) -> dict[str, str]:
    doc = parse(s.client.get("/quan-ly/ke-hoach/1").text)
    (cell,) = [t for t in doc.find("td", data_unit=unit) if "data-state" in t.attrs]
    return cell.attrs


def test_marking_a_report_received_on_time_then_late(engine: Engine) -> None:
    seed(engine)
    with site(engine) as s:
        s.login()
        assert _cell(s, UNIT)["data-state"] == "open"
        response = s.post(f"/quan-ly/han/{OCC}/nhan", {
            "unit": UNIT, "so_van_ban": "12/BC-TP", "ngay_van_ban": "2022-11-30",
            "ghi_chu": "Bản giấy", "ngay_nhan": ""})
        assert response.headers["location"] == f"/quan-ly/han/{OCC}#don-vi-{UNIT}"
        html = _follow(s, response)
        assert _flash(html) == (f"Đã ghi nhận báo cáo của {UNIT_NAME}.", False)
        entry = parse(html).find("section", data_unit=UNIT)[0]
        text = " ".join(entry.text.split())
        assert entry.attrs["data-state"] == "on_time"
        assert "Đã gửi báo cáo lúc 10:00 01/12/2022 (văn phòng ghi nhận, vanphong)" in text
        assert "Số văn bản: 12/BC-TP; ngày văn bản: 30/11/2022; ghi chú: Bản giấy" in text
        assert _cell(s, UNIT)["class"] == "cell cell-on-time"
        assert not parse(s.client.get(f"/quan-ly/han/{OCC}").text).find("p", id="flash")

        again = _follow(s, s.post(f"/quan-ly/han/{OCC}/nhan", {"unit": UNIT}))
        assert _flash(again)[1] and "Đã có báo cáo" in _flash(again)[0]

        s.clock.set(AFTER_DUE)
        s.login()  # four weeks on: the 12-hour session has ended
        _follow(s, s.post(f"/quan-ly/han/{OCC}/nhan", {"unit": OTHER, "so_van_ban": "7/BC"}))
        assert _cell(s, OTHER)["data-state"] == "late"
        assert "cell-late" in _cell(s, OTHER)["class"]
        # A report received on the due day, recorded afterwards, is on time.
        _follow(s, s.post(f"/quan-ly/han/{OCC}/nhan",
                          {"unit": "noi-vu-thanh-xuan", "ngay_nhan": "2022-12-26T16:30"}))
        assert _cell(s, "noi-vu-thanh-xuan")["data-state"] == "on_time"
        _follow(s, s.post(f"/quan-ly/han/{OCC}/nhan",
                          {"unit": "kinh-te-thanh-xuan", "ngay_nhan": "27/12/2022"}))
        assert _cell(s, "kinh-te-thanh-xuan")["data-state"] == "late"
        assert _cell(s, "gddt-thanh-xuan")["data-state"] == "overdue"

        before = snapshot(engine)
        for fields, message in (
                ({"ngay_nhan": "2023-01-02"}, "không được muộn hơn"),
                ({"ngay_van_ban": "31/02/2022"}, "không đúng dạng ngày"),
                ({"so_van_ban": "x" * 101}, "dài quá 100 ký tự"),
                ({"unit": NEW_UNIT}, "không thuộc danh sách")):
            html = _follow(s, s.post(f"/quan-ly/han/{OCC}/nhan",
                                     {"unit": "gddt-thanh-xuan", **fields}))
            assert _flash(html)[1] and message in _flash(html)[0], fields
        assert snapshot(engine) == before


def test_withdrawing_keeps_the_record_struck_through_with_its_reason(engine: Engine) -> None:
    seed(engine)
    with engine.begin() as conn:
        mine = record_submission(conn, occurrence_id=OCC, unit_id=UNIT,
                                 kind=SubmissionKind.SUBMITTED, via=Via.LINK, at=NOW)
        elsewhere = record_submission(conn, occurrence_id=MONTHLY, unit_id=UNIT,
                                      kind=SubmissionKind.SUBMITTED, via=Via.LINK, at=NOW)
    with site(engine) as s:
        s.login()
        before = snapshot(engine)
        for fields in ({"submission": str(mine), "ly_do": "  "},
                       {"submission": str(elsewhere), "ly_do": "Sai hạn"},
                       {"submission": "abc", "ly_do": "x"}):
            html = _follow(s, s.post(f"/quan-ly/han/{OCC}/rut-lai", {**fields, "unit": UNIT}))
            assert _flash(html)[1]
        assert snapshot(engine) == before
        html = _follow(s, s.post(f"/quan-ly/han/{OCC}/rut-lai",
                                 {"submission": str(mine), "ly_do": "Nhầm đơn vị", "unit": UNIT}))
        assert _flash(html) == (f"Đã rút lại bản ghi «Đã gửi báo cáo» của {UNIT_NAME}.", False)
        doc = parse(html)
        (row,) = doc.find("li", data_submission=str(mine))
        assert row.attrs["data-active"] == "0"
        assert "Lý do: Nhầm đơn vị" in row.text and "vanphong" in row.text
        assert [t.text.startswith("Đã gửi báo cáo") for t in doc.find("s")] == [True]
        assert not doc.find("form", id=f"rut-lai-{mine}")
        assert doc.find("form", id=f"nhan-{UNIT}")  # it can be received again
        assert _cell(s, UNIT)["data-state"] == "open"
        again = _follow(s, s.post(f"/quan-ly/han/{OCC}/rut-lai",
                                  {"submission": str(mine), "ly_do": "Lần nữa"}))
        assert "đã được rút lại" in _flash(again)[0]


def test_exempting_a_unit_and_undoing_it(engine: Engine) -> None:
    seed(engine)
    with site(engine) as s:
        s.login()
        html = _follow(s, s.post(f"/quan-ly/han/{OCC}/mien", {"unit": UNIT, "ly_do": ""}))
        assert _flash(html) == ("Cần ghi lý do miễn báo cáo.", True)
        html = _follow(s, s.post(f"/quan-ly/han/{OCC}/mien",
                                 {"unit": UNIT, "ly_do": "Đơn vị mới thành lập"}))
        assert _flash(html) == (f"Đã miễn báo cáo cho {UNIT_NAME}.", False)
        cell = _cell(s, UNIT)
        assert (cell["data-state"], cell["class"]) == ("exempt", "cell cell-exempt")
        assert "Đơn vị mới thành lập" in cell["title"]
        doc = parse(s.client.get("/quan-ly/ke-hoach/1").text)
        figures = doc.find("ul", id="so-lieu-ke-hoach")[0].attrs
        assert (figures["data-expected"], figures["data-exempt"]) == ("24", "1")
        _follow(s, s.post(f"/quan-ly/han/{OCC}/bo-mien", {"unit": UNIT}))
        assert _cell(s, UNIT)["data-state"] == "open"


def test_adding_a_unit_to_an_occurrence(engine: Engine) -> None:
    seed(engine)
    with site(engine) as s:
        s.login()
        html = _follow(s, s.post(f"/quan-ly/han/{OCC}/them-don-vi", {"unit": NEW_UNIT}))
        assert _flash(html) == ("Đã thêm Sở Nội vụ thành phố Hà Nội vào danh sách phải báo cáo.",
                                False)
        doc = parse(html)
        (entry,) = doc.find("section", data_unit=NEW_UNIT)
        assert entry.attrs["data-state"] == "open" and "Văn phòng thêm" in entry.text
        assert NEW_UNIT not in [t.attrs["value"] for t in doc.find("option")]
        assert _cell(s, NEW_UNIT)["data-state"] == "open"
        rows = [t for t in parse(s.client.get("/quan-ly/ke-hoach/1").text).find("tr")
                if "data-unit" in t.attrs]
        assert len(rows) == 26
        again = _follow(s, s.post(f"/quan-ly/han/{OCC}/them-don-vi", {"unit": NEW_UNIT}))
        assert "đã có trong danh sách" in _flash(again)[0]
        for unit in ("", "khong-co"):
            bad = _follow(s, s.post(f"/quan-ly/han/{OCC}/them-don-vi", {"unit": unit}))
            assert _flash(bad)[1]


def test_the_nudge_button_queues_messages_for_the_missing_units(engine: Engine) -> None:
    pytest.importorskip("reminders.nudging")
    seed(engine)
    with engine.begin() as conn:
        record_submission(conn, occurrence_id=OCC, unit_id=UNIT, kind=SubmissionKind.SUBMITTED,
                          via=Via.LINK, at=NOW)

    def nudges() -> int:
        with engine.connect() as conn:
            return int(conn.execute(select(func.count()).where(
                deliveries.c.kind == "nudge")).scalar_one())

    with site(engine) as s:
        s.login()
        page = parse(s.client.get(f"/quan-ly/han/{OCC}").text)
        (button,) = page.find("button", id="nhac")
        assert button.text == "Nhắc các đơn vị chưa báo cáo"
        html = _follow(s, s.post(f"/quan-ly/han/{OCC}/nhac", {}))
        sent = nudges()
        assert sent > 0
        assert _flash(html) == (f"Đã gửi nhắc tới 24 đơn vị ({sent} tin).", False)
        with engine.connect() as conn:
            units = set(conn.execute(select(deliveries.c.unit_id).where(
                deliveries.c.kind == "nudge")).scalars())
        assert UNIT not in units


def test_retrying_a_failed_delivery_makes_it_pending(engine: Engine) -> None:
    ids = prepared(engine)
    with engine.begin() as conn:
        sent = record_direct(conn, key="gui-1", unit_id=UNIT, channel=Channel.EMAIL,
                             kind="test", at=NOW, provider_id="<a@b>", error=None)
    with site(engine) as s:
        s.login()
        page = s.client.get("/quan-ly/hop-thu-di")
        doc = parse(page.text)
        (form,) = doc.find("form", id=f"gui-lai-{ids['failed']}")
        response = s.client.post(form.attrs["action"], data={
            "csrf": csrf_of(page.text), "trang-thai": "failed"})
        assert response.headers["location"] == "/quan-ly/hop-thu-di?trang-thai=failed"
        html = _follow(s, response)
        assert _flash(html) == (f"Đã đưa tin số {ids['failed']} vào hàng chờ gửi lại.", False)
        assert not parse(html).find("tr", data_delivery=str(ids["failed"]))
        with engine.connect() as conn:
            row = get_delivery(conn, ids["failed"])
            assert row is not None
            assert (row.status, row.attempts, row.next_attempt_at) == (
                DeliveryStatus.PENDING, 0, NOW)
        before = snapshot(engine)
        for target in (sent, ids["failed"], 999_999):
            html = _follow(s, s.post(f"/quan-ly/hop-thu-di/{target}/gui-lai", {},
                                     page="/quan-ly/hop-thu-di"))
            assert _flash(html)[1]
        assert snapshot(engine) == before
