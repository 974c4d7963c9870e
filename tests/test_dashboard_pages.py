"""The dashboard's pages over the seeds: plans, the deadline matrix, an occurrence, a unit,
the outbox; what a leader sees; escaping."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from sqlalchemy import Engine, update

from reminders.domain import Channel, PlanStatus
from reminders.feeds.model import FeedKey, FeedKind
from reminders.status import SubmissionKind, Via
from reminders.store.feed_states import Fetch, record_fetches
from reminders.store.outbox import record_direct
from reminders.store.plans import set_status
from reminders.store.reports import record_submission, set_exempt
from reminders.store.tables import plans
from reminders.web.feed_pages import feed_url
from tests.dashboard_support import (
    BASE,
    NOW,
    PLAN_249,
    classes,
    parse,
    seed,
    site,
)

EVIL = "<script>alert(1)</script>"
ON_TIME = "tu-phap-thanh-xuan"
LATE = "y-te-thanh-xuan"
EXEMPT = "ubnd-phuong-khuong-mai"
SEEN = "ubnd-phuong-kim-giang"
AFTER_DUE = datetime(2022, 12, 29, 3, 0, tzinfo=UTC)  # Thursday 29/12, the report was due 26/12
OCC_249 = 1  # the one occurrence of plan 249


def _states(engine: Engine) -> None:
    """One unit on time, one late, one exempt, one that only saw the reminder."""
    with engine.begin() as conn:
        record_submission(conn, occurrence_id=OCC_249, unit_id=ON_TIME,
                          kind=SubmissionKind.SUBMITTED, via=Via.LINK, at=NOW)
        record_submission(conn, occurrence_id=OCC_249, unit_id=LATE,
                          kind=SubmissionKind.SUBMITTED, via=Via.DASHBOARD,
                          at=datetime(2022, 12, 28, 2, 0, tzinfo=UTC), by_user="vanphong",
                          document_number="15/BC-YT", document_date=date(2022, 12, 27),
                          note=f"Gửi qua thư {EVIL}")
        record_submission(conn, occurrence_id=OCC_249, unit_id=SEEN, kind=SubmissionKind.SEEN,
                          via=Via.LINK, at=NOW)
        set_exempt(conn, OCC_249, EXEMPT, exempt=True, reason=f"Đang sáp nhập {EVIL}")


def test_the_plan_page_shows_25_units_their_states_and_exact_figures(engine: Engine) -> None:
    seed(engine)
    _states(engine)
    with engine.begin() as conn:
        conn.execute(update(plans).where(plans.c.id == PLAN_249)
                     .values(title=f"Kỷ niệm 50 năm {EVIL}"))
    with site(engine, at=AFTER_DUE) as s:
        s.login()
        response = s.client.get("/quan-ly/ke-hoach/1")
        assert response.status_code == 200
        html = response.text
        assert EVIL not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
        doc = parse(html)
        assert "Kế hoạch số 249/KH-UBND ngày 20/09/2022 của UBND quận Thanh Xuân" in doc.text
        rows = [t for t in doc.find("tr") if "data-unit" in t.attrs]
        assert len(rows) == 25
        cells = {t.attrs["data-unit"]: t for t in doc.find("td") if "data-state" in t.attrs}
        assert len(cells) == 25
        expected = {ON_TIME: ("on_time", "cell-on-time", "Đúng hạn"),
                    LATE: ("late", "cell-late", "Trễ hạn"),
                    EXEMPT: ("exempt", "cell-exempt", "Miễn"),
                    SEEN: ("overdue", "cell-overdue", "Quá hạn")}
        for unit, (state, css, label) in expected.items():
            assert cells[unit].attrs["data-state"] == state
            assert css in classes(cells[unit]) and label in cells[unit].text
        assert cells[SEEN].attrs.get("data-seen") == "1" and "Đã nhận" in cells[SEEN].text
        overdue = [u for u, t in cells.items() if t.attrs["data-state"] == "overdue"]
        assert len(overdue) == 22
        assert all("cell-overdue" in classes(cells[u]) for u in overdue)
        assert "Trễ hạn 2 ngày làm việc" in cells[LATE].attrs["title"]
        assert cells["gddt-thanh-xuan"].attrs["title"] == "Quá hạn 3 ngày làm việc"
        figures = doc.find("ul", id="so-lieu-ke-hoach")[0].attrs
        assert (figures["data-expected"], figures["data-on-time"], figures["data-late"],
                figures["data-open"], figures["data-overdue"], figures["data-exempt"]) == (
            "24", "1", "1", "0", "22", "1")
        rates = {t.attrs["data-figure"]: t.text for t in doc.find("b") if "data-figure" in t.attrs}
        assert rates["reporting_rate"] == "8,3 %" and rates["on_time_rate"] == "4,2 %"
        footer = {t.attrs["data-figure"]: t.text for t in doc.find("td", data_occurrence="1")
                  if "data-figure" in t.attrs}
        assert footer == {"submitted": "2/24", "reporting_rate": "8,3 %",
                          "on_time_rate": "4,2 %"}
        legend = [t.text for t in doc.find("span") if "state" in classes(t)]
        assert legend[:5] == ["Đúng hạn", "Trễ hạn", "Quá hạn", "Chưa đến hạn", "Miễn"]
        links = {t.attrs["id"]: t.attrs["href"] for t in doc.find("a") if t.attrs.get("id") in
                 ("xuat-xlsx", "xuat-csv", "ban-in")}
        assert links == {"xuat-xlsx": "/quan-ly/ke-hoach/1/xuat.xlsx",
                         "xuat-csv": "/quan-ly/ke-hoach/1/xuat.csv",
                         "ban-in": "/quan-ly/ke-hoach/1/in"}
        months = [t.text for t in doc.find("h3")]
        assert months[:3] == ["Tháng 10/2022", "Tháng 11/2022", "Tháng 12/2022"]


def test_before_the_deadline_every_unit_is_open_and_rates_are_dashes(engine: Engine) -> None:
    seed(engine)
    with site(engine) as s:
        s.login()
        doc = parse(s.client.get("/quan-ly/ke-hoach/1").text)
        states = [t.attrs["data-state"] for t in doc.find("td") if "data-state" in t.attrs]
        assert states == ["open"] * 25
        assert all("cell-open" in classes(t) for t in doc.find("td") if "data-state" in t.attrs)
        rates = {t.attrs["data-figure"]: t.text for t in doc.find("b") if "data-figure" in t.attrs}
        assert rates["reporting_rate"] == "—" and rates["expected"] == "25"


def test_the_monthly_plan_has_12_columns_and_the_home_page_lists_archived_apart(
        engine: Engine) -> None:
    seed(engine)
    with engine.begin() as conn:
        set_status(conn, 3, PlanStatus.ARCHIVED, now=NOW)
    with site(engine) as s:
        s.login()
        doc = parse(s.client.get("/quan-ly/ke-hoach/2").text)
        heads = [t for t in doc.find("th") if "occ" in classes(t)]
        assert len(heads) == 12 and heads[0].text.startswith("19/01/2024")
        assert len([t for t in doc.find("tr") if "data-unit" in t.attrs]) == 25
        home = parse(s.client.get("/quan-ly/").text)
        sections = [(t.attrs["data-plan"], t.attrs["data-status"]) for t in home.find("section")]
        assert sections == [("4", "published"), ("2", "published"), ("1", "published"),
                            ("3", "archived")]
        assert home.find("h2", id="luu-tru")
        card = home.find("ul", id="so-lieu-4")[0].attrs  # plan 324: two deadlines, one unit
        assert (card["data-expected"], card["data-open"]) == ("2", "2")
        assert home.find("ul", id="so-lieu-2")[0].attrs["data-expected"] == "300"
        nexts = [" ".join(t.text.split()) for t in home.find("p", **{"class": "next"})]
        assert "Hạn tới: Báo cáo kết quả, ngày 26/12/2022 — còn 25 đơn vị chưa báo cáo." in nexts


def test_the_occurrence_page_lists_units_and_submissions(engine: Engine) -> None:
    seed(engine)
    _states(engine)
    with site(engine, at=AFTER_DUE) as s:
        s.login()
        response = s.client.get(f"/quan-ly/han/{OCC_249}")
        html = response.text
        assert response.status_code == 200 and EVIL not in html
        doc = parse(html)
        entries = {t.attrs["data-unit"]: t for t in doc.find("section")
                   if "data-unit" in t.attrs}
        assert len(entries) == 25
        late = entries[LATE]
        assert late.attrs["data-state"] == "late"
        for part in ("Đã gửi báo cáo lúc 09:00 28/12/2022", "văn phòng ghi nhận, vanphong",
                     "Số văn bản: 15/BC-YT", "ngày văn bản: 27/12/2022",
                     f"ghi chú: Gửi qua thư {EVIL}"):
            assert part in " ".join(late.text.split())
        assert f"lý do: Đang sáp nhập {EVIL}" in entries[EXEMPT].text
        assert doc.find("form", id=f"bo-mien-{EXEMPT}") and not doc.find(
            "form", id=f"mien-{EXEMPT}")
        assert not doc.find("form", id=f"nhan-{LATE}") and doc.find("form", id=f"nhan-{SEEN}")
        assert [t.text for t in doc.find("button", id="nhac")] == [
            "Nhắc các đơn vị chưa báo cáo"]
        assert doc.find("a", id="cong-van")[0].attrs["href"] == "/quan-ly/han/1/cong-van.docx"
        options = [t.attrs["value"] for t in doc.find("option")]
        assert "so-noi-vu-ha-noi" in options and ON_TIME not in options
        assert s.client.get("/quan-ly/han/9999").status_code == 404
        assert s.client.get("/quan-ly/ke-hoach/9999").status_code == 404
        assert s.client.get("/quan-ly/don-vi/khong-co").status_code == 404


def test_a_leader_sees_every_page_without_forms(engine: Engine) -> None:
    seed(engine)
    _states(engine)
    with engine.begin() as conn:
        record_direct(conn, key="k1", unit_id="vhtt-thanh-xuan", channel=Channel.EMAIL,
                      kind="reminder", at=NOW, provider_id=None, error="550 không có hộp thư")
    with site(engine) as s:
        s.login("lanhdao")
        for path in ("/quan-ly/", "/quan-ly/ke-hoach/1", f"/quan-ly/han/{OCC_249}",
                     "/quan-ly/don-vi/vhtt-thanh-xuan", "/quan-ly/hop-thu-di"):
            response = s.client.get(path)
            assert response.status_code == 200, path
            doc = parse(response.text)
            assert [f.attrs["name"] for f in doc.find("form")] == ["logout"], path
            assert not doc.find("select") and not doc.find("button", id="nhac")
        assert "550 không có hộp thư" in s.client.get("/quan-ly/hop-thu-di").text


def test_the_unit_page_shows_its_feeds_last_fetches_items_and_messages(engine: Engine) -> None:
    seed(engine)
    unit = "vhtt-thanh-xuan"
    google = datetime(2022, 11, 30, 1, 15, tzinfo=UTC)
    with engine.begin() as conn:
        record_fetches(conn, [
            Fetch(unit_id=unit, feed=f"tat-ca:{unit}", at=google, client="google",
                  status_code=200),
            Fetch(unit_id=unit, feed=f"tat-ca:{unit}", at=google + timedelta(hours=1),
                  client="google", status_code=500),  # a failed fetch is not "fetched"
            Fetch(unit_id=unit, feed=f"han-bao-cao:{unit}", at=google - timedelta(days=1),
                  client="apple", status_code=304),
        ])
        record_direct(conn, key="thu-1", unit_id=unit, channel=Channel.EMAIL, kind="test",
                      at=NOW, provider_id=None, error="550 5.1.1 Hộp thư không tồn tại")
    with site(engine) as s:
        s.login()
        response = s.client.get(f"/quan-ly/don-vi/{unit}")
        assert response.status_code == 200
        doc = parse(response.text)
        catalogue = s.app.state.feeds.catalogue
        shown = {t.attrs.get("id", ""): t.attrs.get("value") for t in doc.find("input")}
        for kind in (FeedKind.ALL, FeedKind.ACTIVITIES, FeedKind.DEADLINES, FeedKind.FOLLOWED):
            url = feed_url(catalogue, FeedKey(kind, unit), BASE)
            assert shown[f"lich-{kind.value}-url"] == url
            assert s.client.get(url.removeprefix(BASE)).status_code == 200
        token = catalogue.token(FeedKey(FeedKind.ALL, unit))
        assert doc.find("a", id="subscribe-url")[0].attrs["href"] == f"{BASE}/lich/{token}/"
        feeds = {t.attrs["data-feed"]: " ".join(t.text.split()) for t in doc.find("section")
                 if "data-feed" in t.attrs}
        assert "Tải lần cuối: Google Lịch: 08:15 30/11/2022" in feeds["tat-ca"]
        assert "09:15" not in feeds["tat-ca"]
        assert "Tải lần cuối: Lịch Apple: 08:15 29/11/2022" in feeds["han-bao-cao"]
        assert "Chưa có ứng dụng lịch nào tải lịch này." in feeds["hoat-dong"]
        deadlines = [t for t in doc.find("tr") if "data-occurrence" in t.attrs]
        assert [t.attrs["data-state"] for t in deadlines] == ["open"] * 13  # 249 + 12 monthly
        assert doc.find("table", id="activities")
        log = doc.find("table", id="delivery-log")[0]
        assert "550 5.1.1 Hộp thư không tồn tại" in log.text and "Lỗi" in log.text


def test_the_outbox_page_filters_by_status(engine: Engine) -> None:
    seed(engine)
    with engine.begin() as conn:
        failed = record_direct(conn, key="loi-1", unit_id="vhtt-thanh-xuan",
                               channel=Channel.ZALO, kind="nudge", at=NOW, provider_id=None,
                               error="Zalo: người dùng chưa quan tâm OA")
        record_direct(conn, key="gui-1", unit_id="vhtt-thanh-xuan", channel=Channel.EMAIL,
                      kind="test", at=NOW, provider_id="<id@x>", error=None)
    with site(engine) as s:
        s.login()
        doc = parse(s.client.get("/quan-ly/hop-thu-di").text)
        rows = [t for t in doc.find("tr") if "data-delivery" in t.attrs]
        assert [r.attrs["data-delivery"] for r in rows] == [str(failed)]
        assert "Zalo: người dùng chưa quan tâm OA" in rows[0].text and "Đôn đốc" in rows[0].text
        counts = {t.attrs["data-status"]: t.attrs["data-count"] for t in doc.find("a")
                  if "data-count" in t.attrs}
        assert counts["failed"] == "1" and counts["sent"] == "1"
        sent = parse(s.client.get("/quan-ly/hop-thu-di?trang-thai=sent").text)
        sent_rows = [t for t in sent.find("tr") if "data-delivery" in t.attrs]
        assert [t.attrs["data-status"] for t in sent_rows] == ["sent"]
        assert not sent.find("form", name="gui-lai")
        everything = parse(s.client.get("/quan-ly/hop-thu-di?trang-thai=tat-ca").text)
        assert len([t for t in everything.find("tr") if "data-delivery" in t.attrs]) > 2
