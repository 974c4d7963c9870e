"""The signed one-click page /xac-nhan/<token>: GET shows, POST records once, bad links
get a Vietnamese page with the right status; over the seeds on SQLite and PostgreSQL."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta

import pytest
from httpx import Response
from sqlalchemy import Engine, select, update

from reminders.clock import FixedClock
from reminders.links import Action
from reminders.services import Services
from reminders.status import Via
from reminders.store.reports import withdraw_submission
from reminders.store.tables import activities, deadlines
from reminders.web.confirm_flow import Missing, ReportFields, record_click
from reminders.web.pages import ItemPage, render_item_page
from tests.report_web_support import (
    DUE_249,
    NOT_EXPECTED,
    NOW,
    OTHER_UNIT,
    PLAN_249,
    UNIT,
    UNIT_NAME,
    AppClient,
    client,
    link,
    occurrence_id,
    seeded,
    signer,
    submission_rows,
)

EVIL = "<script>alert(1)</script>"
CSRF = re.compile(r'name="csrf" value="([0-9a-f]{64})"')
CSP = re.compile(r'http-equiv="Content-Security-Policy" content="([^"]*)"')


@dataclass
class Site:
    services: Services
    client: AppClient

    @property
    def engine(self) -> Engine:
        return self.services.engine

    @property
    def clock(self) -> FixedClock:
        clock = self.services.clock
        assert isinstance(clock, FixedClock)
        return clock

    def csrf(self, path: str) -> str:
        found = CSRF.search(self.client.get(path).text)
        assert found, "the page has no form"
        return found[1]

    def confirm(self, path: str, **fields: str) -> Response:
        """Open the page, then press its button with `fields` filled in."""
        return self.client.post(path, data={"csrf": self.csrf(path), **fields},
                                headers={"Sec-Fetch-Site": "same-origin", "Origin": "null"})


@pytest.fixture
def site(engine: Engine) -> Iterator[Site]:
    services = seeded(engine)
    with client(services) as test_client:
        yield Site(services, test_client)


def text(response: Response) -> str:
    """The page's words without tags, entities decoded, spaces collapsed."""
    body = re.sub(r"<(style|script)\b.*?</\1>", " ", response.text, flags=re.S)
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", body)).split())


def test_get_shows_the_report_and_a_form_and_changes_nothing(site: Site) -> None:
    path = link(site.engine)
    for _ in range(3):  # a mail scanner, a preview, the person
        page = site.client.get(path)
        assert page.status_code == 200
    words = text(page)
    assert UNIT_NAME in words
    assert "Kế hoạch số 249/KH-UBND ngày 20/09/2022 của UBND quận Thanh Xuân" in words
    assert "Báo cáo kết quả" in words
    assert "Thứ Hai, 26/12/2022" in words
    assert "Đã gửi báo cáo" in words
    for label in ("Số văn bản", "Ngày văn bản", "Ghi chú"):
        assert label in words
    assert CSRF.search(page.text)
    assert site.client.head(path).status_code == 200
    assert submission_rows(site.engine) == []
    headers = page.headers
    assert headers["cache-control"] == "private, no-store"
    assert headers["x-frame-options"] == "DENY"
    assert "frame-ancestors 'none'" in headers["content-security-policy"]


def test_the_page_may_post_to_itself_and_nowhere_else(site: Site) -> None:
    policy = CSP.search(site.client.get(link(site.engine)).text)
    assert policy and "form-action 'self'" in policy[1]
    assert "form-action 'none'" not in policy[1]
    assert "default-src 'none'" in policy[1]


def test_a_seen_link_offers_only_the_button(site: Site) -> None:
    page = site.client.get(link(site.engine, action=Action.SEEN))
    words = text(page)
    assert "Đã nhận" in words and "Số văn bản" not in words
    assert CSRF.search(page.text)


def test_post_records_the_report_once_and_a_replay_records_nothing(site: Site) -> None:
    path = link(site.engine)
    csrf = site.csrf(path)
    done = site.confirm(path, so_van_ban="  125/BC-UBND ", ngay_van_ban="2022-11-30",
                        ghi_chu="Gửi qua hệ thống quản lý văn bản")
    assert done.status_code == 200
    assert "Cảm ơn! Đã ghi nhận" in text(done)
    rows = submission_rows(site.engine)
    assert len(rows) == 1
    row = rows[0]
    assert (row["unit_id"], row["occurrence_id"], row["kind"], row["via"]) == (
        UNIT, occurrence_id(site.engine), "submitted", Via.LINK.value)
    assert row["by_user"] == "liên kết"
    assert row["at"] == NOW
    assert (row["document_number"], row["document_date"], row["note"]) == (
        "125/BC-UBND", date(2022, 11, 30), "Gửi qua hệ thống quản lý văn bản")
    words = text(done)
    assert "Đơn vị đã xác nhận gửi báo cáo lúc 10:00 ngày 01/12/2022" in words
    assert "văn bản số 125/BC-UBND ngày 30/11/2022" in words

    site.clock.advance(timedelta(hours=2))
    again = site.client.post(path, data={"csrf": csrf})  # the browser's back and resend
    assert again.status_code == 200
    assert "đã được ghi nhận trước đó" in text(again)
    assert len(submission_rows(site.engine)) == 1

    shown = site.client.get(path)
    assert not CSRF.search(shown.text)
    assert "Đơn vị đã xác nhận gửi báo cáo lúc 10:00 ngày 01/12/2022" in text(shown)


def test_a_report_withdrawn_by_the_office_can_be_confirmed_again(site: Site) -> None:
    path = link(site.engine)
    site.confirm(path)
    first = submission_rows(site.engine)[0]
    with site.engine.begin() as conn:
        withdraw_submission(conn, int(str(first["id"])), by="vanthu", reason="Nhầm đơn vị",
                            at=NOW)
    assert site.confirm(path).status_code == 200
    rows = submission_rows(site.engine)
    assert len(rows) == 2 and rows[1]["withdrawn_at"] is None


def test_seen_then_report_records_two_rows(site: Site) -> None:
    seen = link(site.engine, action=Action.SEEN)
    assert "Cảm ơn!" in text(site.confirm(seen))
    shown = text(site.client.get(link(site.engine)))
    assert "Đơn vị đã xác nhận đã nhận tin nhắc lúc 10:00 ngày 01/12/2022" in shown
    site.confirm(link(site.engine))
    assert not CSRF.search(site.client.get(seen).text)  # nothing left to confirm
    assert [r["kind"] for r in submission_rows(site.engine)] == ["seen", "submitted"]


def test_the_form_field_of_another_link_does_not_fit(site: Site) -> None:
    theirs = site.csrf(link(site.engine, unit=OTHER_UNIT))
    refused = site.client.post(link(site.engine), data={"csrf": theirs})
    assert refused.status_code == 403
    assert submission_rows(site.engine) == []


def test_seen_after_the_report_records_nothing_new(site: Site) -> None:
    seen = link(site.engine, action=Action.SEEN)
    csrf = site.csrf(seen)  # the page was opened before the report was confirmed
    site.confirm(link(site.engine))
    late = site.client.post(seen, data={"csrf": csrf})
    assert late.status_code == 200
    assert "không cần xác nhận đã nhận" in text(late)
    assert [r["kind"] for r in submission_rows(site.engine)] == ["submitted"]


def test_a_changed_character_gives_a_400_page(site: Site) -> None:
    path = link(site.engine)
    token = path.rsplit("/", 1)[1]
    head, _, mac = token.partition(".")
    flipped = mac[:3] + ("A" if mac[3] != "A" else "B") + mac[4:]
    for bad in (f"{head}.{flipped}", token[:-1], "khong-phai-ma", f"{head}x.{mac}"):
        for response in (site.client.get(f"/xac-nhan/{bad}"),
                         site.client.post(f"/xac-nhan/{bad}", data={"csrf": "0" * 64})):
            assert response.status_code == 400, bad
            assert response.headers["content-type"].startswith("text/html")
            words = text(response)
            assert "Đường dẫn không hợp lệ" in words
            assert "Traceback" not in response.text
    assert submission_rows(site.engine) == []


def test_an_expired_link_gives_a_410_page_and_records_nothing(site: Site) -> None:
    path = link(site.engine, valid_days=3)
    csrf = site.csrf(path)
    site.clock.set(datetime(2022, 12, 29, 17, 0, 0, tzinfo=UTC))  # 30/12 00:00 in Việt Nam
    for response in (site.client.get(path), site.client.post(path, data={"csrf": csrf})):
        assert response.status_code == 410
        assert "Đường dẫn đã hết hạn" in text(response)
    assert submission_rows(site.engine) == []
    site.clock.set(datetime(2022, 12, 29, 16, 59, 59, tzinfo=UTC))  # the last second
    assert site.client.get(path).status_code == 200


@pytest.mark.parametrize("csrf", ["", "0" * 64, "x"], ids=["missing", "wrong", "short"])
def test_a_wrong_csrf_field_is_refused_with_403(site: Site, csrf: str) -> None:
    path = link(site.engine)
    data = {"csrf": csrf} if csrf else {}
    refused = site.client.post(path, data=data)
    assert refused.status_code == 403
    assert "chưa ghi nhận gì" in text(refused)
    assert submission_rows(site.engine) == []


@pytest.mark.parametrize("headers", [
    {"Sec-Fetch-Site": "cross-site"},
    {"Sec-Fetch-Site": "same-site"},
    {"Origin": "https://evil.example"},
    {"Origin": "http://testserver.evil.example", "Sec-Fetch-Site": "same-origin"},
], ids=["cross-site", "same-site", "foreign-origin", "foreign-origin-same-fetch"])
def test_cross_site_posts_are_refused_even_with_the_right_field(
        site: Site, headers: dict[str, str]) -> None:
    path = link(site.engine)
    refused = site.client.post(path, data={"csrf": site.csrf(path)}, headers=headers)
    assert refused.status_code == 403
    assert submission_rows(site.engine) == []


@pytest.mark.parametrize("origin", ["null", "http://testserver", "http://127.0.0.1:8080"])
def test_own_or_null_origins_are_accepted(site: Site, origin: str) -> None:
    path = link(site.engine)
    done = site.client.post(path, data={"csrf": site.csrf(path)}, headers={"Origin": origin})
    assert done.status_code == 200
    assert len(submission_rows(site.engine)) == 1


def test_form_fields_cannot_choose_another_unit_or_occurrence(site: Site) -> None:
    path = link(site.engine)
    other_occurrence = occurrence_id(site.engine, plan_id=2, due=date(2024, 1, 19))
    done = site.confirm(path, unit_id=OTHER_UNIT, unit=OTHER_UNIT,
                        occurrence_id=str(other_occurrence), kind="seen", via="api",
                        at="2020-01-01T00:00:00+07:00", by_user="ai đó")
    assert done.status_code == 200
    [row] = submission_rows(site.engine)
    assert (row["unit_id"], row["occurrence_id"], row["kind"], row["via"], row["by_user"]) == (
        UNIT, occurrence_id(site.engine), "submitted", "link", "liên kết")
    assert row["at"] == NOW


def test_script_in_titles_is_shown_as_text(site: Site) -> None:
    with site.engine.begin() as conn:
        conn.execute(update(deadlines).where(deadlines.c.plan_id == PLAN_249)
                     .values(title=f"Báo cáo {EVIL}"))
    for response in (site.client.get(link(site.engine)), site.confirm(link(site.engine))):
        assert EVIL not in response.text
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in response.text
        assert f"Báo cáo {EVIL}" in text(response)


def test_invalid_fields_show_the_form_again_and_record_nothing(site: Site) -> None:
    path = link(site.engine)
    bad = site.confirm(path, so_van_ban="x" * 101, ngay_van_ban="31/02/2022",
                       ghi_chu="vẫn giữ")
    assert bad.status_code == 422
    words = text(bad)
    assert "Số văn bản dài quá 100 ký tự." in words
    assert "Ngày văn bản phải có dạng ngày/tháng/năm" in words
    assert "vẫn giữ" in bad.text  # what was typed stays
    future = site.confirm(path, ngay_van_ban="02/12/2022")
    assert future.status_code == 422 and "không thể sau hôm nay" in text(future)
    assert submission_rows(site.engine) == []
    written = site.confirm(path, ngay_van_ban="30/11/2022")
    assert written.status_code == 200
    assert submission_rows(site.engine)[0]["document_date"] == date(2022, 11, 30)


def test_a_link_to_a_missing_occurrence_or_unit_gives_a_404_page(site: Site) -> None:
    no_day = site.client.get(link(site.engine, occurrence=DUE_249 + timedelta(days=1)))
    assert no_day.status_code == 404
    assert "Hạn báo cáo này không còn trong kế hoạch" in text(no_day)
    stranger = link(site.engine, unit=NOT_EXPECTED)
    assert site.client.get(stranger).status_code == 404
    assert "không còn trong danh sách phải báo cáo" in text(site.client.get(stranger))
    refused = site.client.post(stranger, data={"csrf": "0" * 64})
    assert refused.status_code == 403  # the form check comes before the lookup
    assert submission_rows(site.engine) == []


def test_an_activity_link_says_there_is_nothing_to_confirm(site: Site) -> None:
    with site.engine.connect() as conn:
        uid, title, day = conn.execute(
            select(activities.c.uid, activities.c.title, activities.c.start_date)
            .where(activities.c.plan_id == PLAN_249, activities.c.start_date.is_not(None))
            .order_by(activities.c.id).limit(1)).one()
    page = site.client.get(link(site.engine, action=Action.SEEN, uid=uid, occurrence=day))
    assert page.status_code == 200
    assert title in text(page) and "không cần làm gì thêm" in text(page)
    assert not CSRF.search(page.text)
    assert submission_rows(site.engine) == []


def test_record_click_rechecks_under_the_lock(site: Site) -> None:
    """A click that got past the page's own check (two in flight) looks again once it
    holds the unit's row: the second finds the first's record and writes nothing."""
    path = link(site.engine)
    claim = signer(site.engine).verify(path.rsplit("/", 1)[1], now=NOW)
    with site.engine.begin() as conn:
        assert record_click(conn, claim, ReportFields(note="một"), now=NOW) is True
    with site.engine.begin() as conn:
        assert record_click(conn, claim, ReportFields(note="hai"), now=NOW) is False
    stranger = replace(claim, unit_id=NOT_EXPECTED)
    with site.engine.begin() as conn:
        assert isinstance(record_click(conn, stranger, ReportFields(), now=NOW), Missing)
    assert [r["note"] for r in submission_rows(site.engine)] == ["một"]


def test_other_pages_still_may_not_post_anywhere() -> None:
    page = render_item_page(ItemPage(kind="Hạn báo cáo", title="Báo cáo kết quả", status=None,
                                     plan="Kế hoạch số 249/KH-UBND", time_text="trước 27/12",
                                     when="26/12/2022", lead=(), partners=(), location=None,
                                     expected_result=None))
    policy = CSP.search(page)
    assert policy and "form-action 'none'" in policy[1]
