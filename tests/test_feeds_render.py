"""Feed events from items, without a database: dates, times, markers, text, roles, window."""

from __future__ import annotations

import unicodedata
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import icalendar
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reminders.feeds.calendar import assemble, etag, head
from reminders.feeds.catalogue import Catalogue
from reminders.feeds.entries import build_entry
from reminders.feeds.events import plan_events
from reminders.feeds.model import (
    DaySpan,
    FeedItem,
    FeedKey,
    FeedKind,
    FeedPlan,
    FeedUnit,
    ItemKind,
    UnitLink,
    Variant,
)
from reminders.feeds.render import reference_event, render_body, render_head
from reminders.feeds.text import clean, one_line, shorten
from reminders.feeds.window import Window
from tests.feed_readers import expand_occurrences, read_icalendar, read_icaljs

STAMP = datetime(2022, 11, 1, 2, 0, tzinfo=UTC)
BASE = "https://lich.example.gov.vn"
PLAN = FeedPlan(id=7, number="249/KH-UBND", issuer="UBND quận Thanh Xuân",
                issued=date(2022, 9, 20), title="Tổ chức các hoạt động kỷ niệm 50 năm",
                standing_unit_id="vhtt", feed_token="p" * 32, revision=1, updated_at=STAMP)
UNITS = {
    "vhtt": FeedUnit(id="vhtt", name="Phòng Văn hóa và Thông tin", token="u" * 32),
    "ccb": FeedUnit(id="ccb", name="Hội CCB quận", token="c" * 32),
    "p1": FeedUnit(id="p1", name="UBND phường Hạ Đình", token="1" * 32,
                   groups=frozenset({"phuong"})),
    "p2": FeedUnit(id="p2", name="UBND phường Kim Giang", token="2" * 32,
                   groups=frozenset({"phuong"})),
}
MEMBERS = {"phuong": frozenset({"p1", "p2"})}
EVERYTHING = Window.everything(date(2022, 12, 1))


def activity(uid: str = "a1@reminders", *, spans: tuple[DaySpan, ...] = (),
             **fields: object) -> FeedItem:
    values: dict[str, object] = {
        "uid": uid, "kind": ItemKind.ACTIVITY, "plan_id": 7, "code": "A.1",
        "title": "Gặp mặt hội viên tiêu biểu", "location": "Hội trường UBND quận",
        "time_text": "tuần 2 tháng 12/2022",
        "spans": spans or (DaySpan(start=date(2022, 12, 5), end=date(2022, 12, 11)),),
        "lead": (UnitLink(name="Hội CCB quận", unit_id="ccb"),),
        "partners": (UnitLink(name="Phòng VH&TT", unit_id="vhtt"),
                     UnitLink(name="UBND các phường", group_id="phuong")),
        "updated_at": STAMP,
    }
    values.update(fields)
    return FeedItem(**values)  # type: ignore[arg-type]


def deadline(uid: str = "d1@reminders", **fields: object) -> FeedItem:
    values: dict[str, object] = {
        "uid": uid, "kind": ItemKind.DEADLINE, "plan_id": 7, "code": None,
        "title": "Báo cáo kết quả", "location": None, "time_text": "trước ngày 27/12/2022",
        "spans": (DaySpan(start=None, end=date(2022, 12, 26)),),
        "occurrences": (date(2022, 12, 26),),
        "reporters": (UnitLink(name="UBND các phường", group_id="phuong"),),
        "receiver": "phòng Văn hóa và Thông tin quận", "updated_at": STAMP,
    }
    values.update(fields)
    return FeedItem(**values)  # type: ignore[arg-type]


PLAN_FEED = FeedKey(FeedKind.PLAN, "7")


def feed(*items: FeedItem, key: FeedKey = PLAN_FEED,
         window: Window = EVERYTHING) -> bytes:
    entry = build_entry(PLAN, items, MEMBERS, BASE)
    return Catalogue(units=UNITS, entries={7: entry}).render(key, window)


def events(data: bytes) -> dict[str, icalendar.Event]:
    calendar = icalendar.Calendar.from_ical(data)
    return {str(e["UID"]): e for e in calendar.walk("VEVENT")}


def test_multi_day_all_day_activity_ends_the_day_after_its_last_day() -> None:
    data = feed(activity())
    assert b"DTSTART;VALUE=DATE:20221205\r\n" in data
    assert b"DTEND;VALUE=DATE:20221212\r\n" in data
    event = events(data)["a1@reminders"]
    assert event["TRANSP"] == "TRANSPARENT"  # a fuzzy week does not make anyone busy
    for view in (read_icalendar(data)[0], read_icaljs(data)[0]):
        assert (view.start, view.end, view.all_day) == (date(2022, 12, 5), date(2022, 12, 12),
                                                        True)


def test_seven_in_the_morning_in_hanoi_is_midnight_utc() -> None:
    item = activity(time_text="07h00 ngày 12/12/2022 (Thứ 2)",
                    spans=(DaySpan(start=date(2022, 12, 12), end=date(2022, 12, 12),
                                   time="07:00"),))
    data = feed(item)
    assert b"DTSTART;TZID=Asia/Ho_Chi_Minh:20221212T070000\r\n" in data
    assert b"X-WR-TIMEZONE:Asia/Ho_Chi_Minh" in data and b"Asia/Saigon" not in data
    assert b"TZOFFSETTO:+0700" in data
    for view in (read_icalendar(data)[0], read_icaljs(data)[0]):
        assert view.start == datetime(2022, 12, 12, 0, 0, tzinfo=UTC)
        assert view.end == datetime(2022, 12, 12, 1, 0, tzinfo=UTC)  # no end given: one hour
    assert events(data)["a1@reminders"]["TRANSP"] == "OPAQUE"


def test_an_end_time_on_the_same_day_is_kept() -> None:
    item = activity(spans=(DaySpan(start=date(2022, 12, 12), end=date(2022, 12, 12),
                                   time="14:00"),), end_time="16:30")
    view = read_icalendar(feed(item))[0]
    assert (view.start, view.end) == (datetime(2022, 12, 12, 7, 0, tzinfo=UTC),
                                      datetime(2022, 12, 12, 9, 30, tzinfo=UTC))


def test_a_window_longer_than_a_week_is_two_markers() -> None:
    item = activity(time_text="Tháng 12/2022",
                    spans=(DaySpan(start=date(2022, 12, 1), end=date(2022, 12, 31)),))
    found = events(feed(item))
    assert set(found) == {"a1@reminders", "a1-ket-thuc@reminders"}
    first, last = found["a1@reminders"], found["a1-ket-thuc@reminders"]
    assert first.decoded("DTSTART") == date(2022, 12, 1)
    assert first.decoded("DTEND") == date(2022, 12, 2)
    assert str(first["SUMMARY"]) == "Bắt đầu: Gặp mặt hội viên tiêu biểu"
    assert last.decoded("DTSTART") == date(2022, 12, 31)
    assert str(last["SUMMARY"]) == "Hạn hoàn thành: Gặp mặt hội viên tiêu biểu"
    assert {first["TRANSP"], last["TRANSP"]} == {"TRANSPARENT"}


def test_open_ended_spans_become_one_marker() -> None:
    before = activity(spans=(DaySpan(start=None, end=date(2022, 12, 15)),))
    since = activity("a2@reminders", spans=(DaySpan(start=date(2022, 12, 5), end=None),))
    found = events(feed(before, since))
    assert str(found["a1@reminders"]["SUMMARY"]).startswith("Hạn hoàn thành: ")
    assert str(found["a2@reminders"]["SUMMARY"]).startswith("Bắt đầu: ")


def test_several_spans_give_one_event_each_with_stable_uids() -> None:
    item = activity(spans=(DaySpan(start=date(2022, 12, 5), end=date(2022, 12, 5), time="08:00"),
                           DaySpan(start=date(2022, 12, 20), end=date(2022, 12, 20),
                                   time="14:00")))
    found = events(feed(item))
    assert set(found) == {"a1@reminders", "a1-d2@reminders"}
    assert found["a1-d2@reminders"].decoded("DTSTART") == datetime(
        2022, 12, 20, 7, 0, tzinfo=UTC)


def test_undetermined_times_show_no_event() -> None:
    assert plan_events(activity(spans=(DaySpan(start=None, end=None),))) == ()
    assert plan_events(deadline(occurrences=())) == ()


def test_tentative_items_say_so() -> None:
    event = events(feed(activity(tentative=True)))["a1@reminders"]
    assert event["STATUS"] == "TENTATIVE"
    assert str(event["SUMMARY"]).endswith("(dự kiến)")


def test_roles_decide_summary_and_categories() -> None:
    item = activity()
    lead = events(feed(item, key=FeedKey(FeedKind.ACTIVITIES, "ccb")))["a1@reminders"]
    partner = events(feed(item, key=FeedKey(FeedKind.ACTIVITIES, "vhtt")))["a1@reminders"]
    in_group = events(feed(item, key=FeedKey(FeedKind.ALL, "p2")))["a1@reminders"]
    plain = events(feed(item))["a1@reminders"]
    assert str(lead["SUMMARY"]) == "[Chủ trì] Gặp mặt hội viên tiêu biểu"
    assert lead["CATEGORIES"].cats == ["Chủ trì"]
    assert str(partner["SUMMARY"]) == "[Phối hợp] Gặp mặt hội viên tiêu biểu"
    assert partner["CATEGORIES"].cats == ["Phối hợp"]
    assert str(in_group["SUMMARY"]) == "[Phối hợp] Gặp mặt hội viên tiêu biểu"
    assert str(plain["SUMMARY"]) == "Gặp mặt hội viên tiêu biểu"
    # Everything but the role lines is the same event.
    for event in (partner, in_group, plain):
        for name in ("UID", "DTSTAMP", "DESCRIPTION", "LOCATION", "SEQUENCE"):
            assert event[name] == lead[name]


def test_lead_wins_over_partner_and_units_outside_see_nothing() -> None:
    item = activity(partners=(UnitLink(name="Hội CCB quận", unit_id="ccb"),))
    lead = events(feed(item, key=FeedKey(FeedKind.ALL, "ccb")))
    assert str(lead["a1@reminders"]["SUMMARY"]).startswith("[Chủ trì]")
    assert events(feed(item, key=FeedKey(FeedKind.ALL, "vhtt"))) == {}


def test_feeds_split_activities_and_deadlines() -> None:
    items = (activity(partners=(UnitLink(name="UBND các phường", group_id="phuong"),)),
             deadline())
    both = events(feed(*items, key=FeedKey(FeedKind.ALL, "p1")))
    only_activities = events(feed(*items, key=FeedKey(FeedKind.ACTIVITIES, "p1")))
    only_deadlines = events(feed(*items, key=FeedKey(FeedKind.DEADLINES, "p1")))
    assert set(both) == {"a1@reminders", "d1@reminders"}
    assert set(only_activities) == {"a1@reminders"}
    assert set(only_deadlines) == {"d1@reminders"}
    due = only_deadlines["d1@reminders"]
    assert str(due["SUMMARY"]) == "Hạn báo cáo: Báo cáo kết quả"
    assert due["CATEGORIES"].cats == ["Hạn báo cáo"]
    assert due["TRANSP"] == "TRANSPARENT"
    assert (due.decoded("DTSTART"), due.decoded("DTEND")) == (date(2022, 12, 26),
                                                              date(2022, 12, 27))
    assert "Thời gian theo kế hoạch: trước ngày 27/12/2022" in str(due["DESCRIPTION"])
    assert "Nơi nhận: phòng Văn hóa và Thông tin quận" in str(due["DESCRIPTION"])
    # The standing office follows both; the lead's office feed does not exist.
    followed = events(feed(*items, key=FeedKey(FeedKind.FOLLOWED, "vhtt")))
    assert set(followed) == {"a1@reminders", "d1@reminders"}
    assert events(feed(*items, key=FeedKey(FeedKind.FOLLOWED, "ccb"))) == {}


def test_a_monthly_deadline_repeats_until_its_last_occurrence() -> None:
    days = tuple(date(2023, month, 19) for month in range(1, 13))
    item = deadline(rrule="FREQ=MONTHLY;BYMONTHDAY=19", occurrences=days,
                    time_text="định kỳ hàng tháng (trước ngày 20)",
                    spans=(DaySpan(start=date(2023, 1, 1), end=None),))
    data = feed(item)
    assert b"RRULE:FREQ=MONTHLY;UNTIL=20231219;BYMONTHDAY=19\r\n" in data
    expanded = expand_occurrences(data, date(2023, 1, 1), date(2024, 1, 1))
    assert [start for _, start in expanded] == list(days)
    assert read_icaljs(data)[0].rrule == read_icalendar(data)[0].rrule


def test_a_task_deadline_says_what_must_be_done() -> None:
    item = deadline(title="Hoàn thành: Tham mưu UBND Thành phố tổng kết")
    event = events(feed(item))["d1@reminders"]
    assert str(event["SUMMARY"]) == "Hạn hoàn thành: Tham mưu UBND Thành phố tổng kết"


def test_one_off_deadlines_with_several_days_get_an_event_each() -> None:
    item = deadline(occurrences=(date(2023, 6, 14), date(2023, 12, 14)))
    assert set(events(feed(item))) == {"d1@reminders", "d1-h2@reminders"}


def test_a_removed_item_shows_cancelled_for_thirty_days_then_leaves() -> None:
    removed = datetime(2022, 12, 2, 3, 0, tzinfo=UTC)
    item = activity(removed_at=removed, revision=2, updated_at=removed)
    shown = events(feed(item, window=Window(today=date(2022, 12, 31), days_back=None,
                                             days_ahead=None)))["a1@reminders"]
    assert shown["STATUS"] == "CANCELLED"
    assert str(shown["SUMMARY"]) == "[HỦY] Gặp mặt hội viên tiêu biểu"
    assert shown["SEQUENCE"] == 1
    assert "ĐÃ HỦY" in str(shown["DESCRIPTION"])
    later = Window(today=date(2023, 1, 1), days_back=None, days_ahead=None)
    assert events(feed(item, window=later)) == {}


def test_the_rolling_window_keeps_recent_and_coming_events() -> None:
    old = activity("old@reminders", spans=(DaySpan(start=date(2022, 10, 1),
                                                    end=date(2022, 10, 1)),))
    recent = activity("recent@reminders", spans=(DaySpan(start=date(2022, 11, 5),
                                                          end=date(2022, 11, 5)),))
    far = activity("far@reminders", spans=(DaySpan(start=date(2024, 2, 1),
                                                    end=date(2024, 2, 1)),))
    window = Window(today=date(2022, 12, 1), days_back=30, days_ahead=400)
    assert set(events(feed(old, recent, far, window=window))) == {"recent@reminders"}
    assert len(events(feed(old, recent, far))) == 3


def test_stamps_and_sequence_come_from_the_stored_revision() -> None:
    changed = datetime(2022, 11, 20, 9, 30, tzinfo=UTC)
    event = events(feed(activity(revision=3, updated_at=changed)))["a1@reminders"]
    assert event.decoded("DTSTAMP") == changed
    assert event.decoded("LAST-MODIFIED") == changed
    assert event["SEQUENCE"] == 2
    assert feed(activity()) == feed(activity())


TRICKY = 'Đêm văn nghệ "Hà Nội, mùa đông 1972"; <script>alert(1)</script>\nDòng hai, có dấu \\'


def test_text_with_markup_and_separators_round_trips() -> None:
    item = activity(title=TRICKY, location="Sân khấu A; khu B, tầng 2",
                    expected_result="Thu hút 500 người;\nđưa tin trên <b>báo</b>")
    data = feed(item)
    for view in (read_icalendar(data)[0], read_icaljs(data)[0]):
        assert view.location == "Sân khấu A; khu B, tầng 2"
        assert view.description is not None
        assert "Nội dung (A.1): " + TRICKY in view.description
        assert "Kết quả dự kiến: Thu hút 500 người;\nđưa tin trên <b>báo</b>" in view.description
        assert view.summary == " ".join(TRICKY.split())  # one line, nothing escaped away


def test_long_vietnamese_text_folds_between_letters() -> None:
    long_title = "Tổ chức Hội nghị tổng kết công tác văn hóa, thể thao và du lịch năm 2022 " * 6
    data = feed(activity(title=long_title))
    for line in data.split(b"\r\n"):
        assert len(line) <= 75
        line.decode("utf-8")  # a letter split across two lines would not decode
    description = read_icalendar(data)[0].description or ""
    assert " ".join(long_title.split()) in description


def test_text_is_stored_in_nfc() -> None:
    decomposed = unicodedata.normalize("NFD", "Hội nghị tổng kết")
    data = feed(activity(title=decomposed))
    assert unicodedata.normalize("NFC", "Hội nghị tổng kết").encode() in data
    assert decomposed.encode() not in data


def test_the_summary_is_short_and_the_description_complete() -> None:
    title = ("Tổ chức nói chuyện chuyên đề về Chiến thắng “Hà Nội - Điện Biên Phủ trên không” "
             "cho cán bộ, hội viên, đoàn viên và nhân dân trên địa bàn phường")
    event = events(feed(activity(title=title), key=FeedKey(FeedKind.ALL, "ccb")))["a1@reminders"]
    summary = str(event["SUMMARY"])
    assert summary.startswith("[Chủ trì] Tổ chức nói chuyện") and summary.endswith("…")
    assert len(summary) <= 90
    assert title in str(event["DESCRIPTION"])
    assert "Kế hoạch số 249/KH-UBND ngày 20/09/2022 của UBND quận Thanh Xuân" in str(
        event["DESCRIPTION"])
    assert str(event["URL"]) == f"{BASE}/muc/a1"


def test_the_calendar_head_names_the_feed_and_asks_for_refresh() -> None:
    text = head("Hoạt động – Hội CCB quận", "Các hoạt động", 12)
    data = assemble(text, [])
    calendar = icalendar.Calendar.from_ical(data)
    assert str(calendar["NAME"]) == str(calendar["X-WR-CALNAME"]) == "Hoạt động – Hội CCB quận"
    assert b"REFRESH-INTERVAL;VALUE=DURATION:PT12H\r\n" in data
    assert b"X-PUBLISHED-TTL:PT12H\r\n" in data
    assert b"METHOD:PUBLISH\r\n" in data
    assert etag(data) == etag(assemble(text, [])) != etag(data + b" ")


@pytest.mark.parametrize("slug", ["ccb-tat-ca", "ccb-hoat-dong", "ccb-han-bao-cao",
                                  "ccb-theo-doi"])
def test_unit_tokens_open_only_their_own_feeds(slug: str) -> None:
    catalogue = Catalogue(units=UNITS, entries={7: build_entry(PLAN, (activity(),), MEMBERS,
                                                               BASE)})
    assert catalogue.resolve("c" * 32, slug) is not None
    assert catalogue.resolve("u" * 32, slug) is None  # another unit's token
    assert catalogue.resolve("c" * 31 + "d", slug) is None
    assert catalogue.resolve("p" * 32, slug) is None  # the plan's token


def test_plan_tokens_open_the_plan_feed() -> None:
    catalogue = Catalogue(units=UNITS, entries={7: build_entry(PLAN, (activity(),), MEMBERS,
                                                               BASE)})
    assert PLAN.slug == "ke-hoach-7-249-kh-ubnd"
    assert catalogue.resolve("p" * 32, PLAN.slug) == FeedKey(FeedKind.PLAN, "7")
    assert catalogue.resolve("p" * 32, "ke-hoach-8-249-kh-ubnd") is None


def test_the_day_moves_the_window_not_the_events() -> None:
    item = activity()
    day = Window(today=date(2022, 12, 1))
    later = Window(today=date(2022, 12, 1) + timedelta(days=500))
    assert events(feed(item, window=day)) and not events(feed(item, window=later))


VIETNAMESE = "aăâbcdđeêghiklmnoôơpqrstuưvxyàáảãạằắẳẵặầấẩẫậèéẻẽẹềếểễệìíỉĩịòóỏõọồốổỗộờớởỡợ" \
             "ùúủũụừứửữựỳýỷỹỵĐÂĂÊÔƠƯ"


@settings(max_examples=150, deadline=None)
@given(st.text(alphabet=st.sampled_from(VIETNAMESE + " ,;:\\\"'<>/&\n\t\r\x0b0123456789"),
               min_size=1, max_size=300))
def test_any_text_survives_the_round_trip(text: str) -> None:
    """Whatever a plan holds, a calendar reads back the cleaned text, lines under 75 octets."""
    data = feed(activity(title=text, location=text, expected_result=text))
    for line in data.split(b"\r\n"):
        assert len(line) <= 75
        line.decode("utf-8")
    event = next(iter(events(data).values()))
    cleaned = clean(text)
    if cleaned:
        assert f"Nội dung (A.1): {cleaned}" in str(event["DESCRIPTION"])
    assert str(event["SUMMARY"]) == shorten(text) or str(event["SUMMARY"]).endswith("…")
    if one_line(text):
        assert str(event["LOCATION"]) == one_line(text)


def _unfolded(text: str) -> list[str]:
    return [line for line in text.replace("\r\n ", "").split("\r\n") if line]


SHAPES = [
    activity(),
    activity(spans=(DaySpan(start=date(2022, 12, 12), end=date(2022, 12, 12), time="07:00"),),
             tentative=True),
    activity(spans=(DaySpan(start=date(2022, 12, 1), end=date(2022, 12, 31)),), location=None,
             removed_at=datetime(2022, 12, 2, tzinfo=UTC), revision=4),
    deadline(rrule="FREQ=MONTHLY;BYMONTHDAY=19",
             occurrences=tuple(date(2023, m, 19) for m in range(1, 13))),
]


@settings(max_examples=60, deadline=None)
@given(shape=st.sampled_from(SHAPES), variant=st.sampled_from(list(Variant)),
       text=st.text(alphabet=st.sampled_from(VIETNAMESE + " ,;:\\\"<>\n"), min_size=1,
                    max_size=200))
def test_the_fast_renderer_writes_what_icalendar_writes(shape: FeedItem, variant: Variant,
                                                         text: str) -> None:
    """Our line assembly gives icalendar's own content lines for every property."""
    item = replace(shape, title=text, expected_result=text)
    for spec in plan_events(item):
        ours = _unfolded(render_head(spec, variant) + render_body(spec, PLAN, BASE))
        theirs = _unfolded(reference_event(spec, variant, PLAN, BASE).to_ical().decode())
        assert sorted(ours) == sorted(theirs[1:-1])  # without BEGIN/END:VEVENT
