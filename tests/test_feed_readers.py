"""The feed-reading harness itself: three parsers agree on a handmade Vietnamese feed, and
Radicale stores every event of it."""

from __future__ import annotations

from dataclasses import asdict
from datetime import UTC, date, datetime

from tests.feed_readers import (
    EventView,
    expand_occurrences,
    normalise_rrule,
    put_events,
    radicale_server,  # noqa: F401  (a fixture: tests take it as an argument)
    read_icalendar,
    read_icaljs,
)


def _fold(line: str) -> list[str]:
    """RFC 5545 folding: at most 75 octets a line, never inside a UTF-8 character."""
    out: list[str] = []
    current, size, limit = "", 0, 75
    for char in line:
        width = len(char.encode("utf-8"))
        if size + width > limit:
            out.append(current)
            current, size, limit = " ", 1, 75
        current += char
        size += width
    out.append(current)
    return out


DESCRIPTION = (
    "Thành phần: Chủ tịch, các Phó Chủ tịch UBND tỉnh; Chánh Văn phòng; "
    "Giám đốc các sở, ban, ngành.\n"
    "Nội dung: đánh giá kết quả thực hiện nhiệm vụ tuần trước; triển khai nhiệm vụ tuần này. "
    "<script>alert(1)</script>"
)
DESCRIPTION_ESCAPED = (
    DESCRIPTION.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")
)

FEED_LINES = [
    "BEGIN:VCALENDAR",
    "VERSION:2.0",
    "PRODID:-//reminders//tests feed_readers//VI",
    "CALSCALE:GREGORIAN",
    "X-WR-CALNAME:Lịch công tác UBND tỉnh",
    "BEGIN:VTIMEZONE",
    "TZID:Asia/Ho_Chi_Minh",
    "BEGIN:STANDARD",
    "DTSTART:19700101T000000",
    "TZOFFSETFROM:+0700",
    "TZOFFSETTO:+0700",
    "TZNAME:ICT",
    "END:STANDARD",
    "END:VTIMEZONE",
    # all day, three days (DTEND is exclusive)
    "BEGIN:VEVENT",
    "UID:hoi-nghi-tong-ket-2022@reminders.test",
    "DTSTAMP:20221201T020000Z",
    "DTSTART;VALUE=DATE:20221205",
    "DTEND;VALUE=DATE:20221208",
    "SUMMARY:Hội nghị tổng kết công tác năm 2022",
    "LOCATION:Hội trường UBND tỉnh\\, số 1 đường Trần Phú",
    "CATEGORIES:Hội nghị,Tổng kết",
    "END:VEVENT",
    # timed, in Asia/Ho_Chi_Minh, cancelled, with the long description
    "BEGIN:VEVENT",
    "UID:giao-ban-2022-12-12@reminders.test",
    "DTSTAMP:20221201T020000Z",
    "SEQUENCE:2",
    "DTSTART;TZID=Asia/Ho_Chi_Minh:20221212T070000",
    "DTEND;TZID=Asia/Ho_Chi_Minh:20221212T083000",
    "SUMMARY:Giao ban đầu tuần",
    *_fold("DESCRIPTION:" + DESCRIPTION_ESCAPED),
    "CATEGORIES:Giao ban",
    "STATUS:CANCELLED",
    "END:VEVENT",
    # monthly, all day, until the end of 2023, one month skipped
    "BEGIN:VEVENT",
    "UID:bao-cao-thang-2023@reminders.test",
    "DTSTAMP:20221201T020000Z",
    "DTSTART;VALUE=DATE:20230119",
    "DTEND;VALUE=DATE:20230120",
    "RRULE:FREQ=MONTHLY;UNTIL=20231231;BYMONTHDAY=19",
    "EXDATE;VALUE=DATE:20230419",
    "SUMMARY:Hạn gửi báo cáo tháng về Văn phòng UBND tỉnh",
    "CATEGORIES:Báo cáo",
    "TRANSP:TRANSPARENT",
    "END:VEVENT",
    "END:VCALENDAR",
]
FEED = ("\r\n".join(FEED_LINES) + "\r\n").encode("utf-8")

UIDS = {
    "hoi-nghi-tong-ket-2022@reminders.test",
    "giao-ban-2022-12-12@reminders.test",
    "bao-cao-thang-2023@reminders.test",
}


def test_the_feed_is_really_folded() -> None:
    lines = FEED.split(b"\r\n")
    assert max(len(line) for line in lines) <= 75
    assert sum(line.startswith(b" ") for line in lines) >= 3


def test_icalendar_and_icaljs_agree_on_every_field() -> None:
    python, js = read_icalendar(FEED), read_icaljs(FEED)
    assert {e.uid for e in python} == UIDS
    assert [asdict(e) for e in js] == [asdict(e) for e in python]


def test_the_events_read_as_written() -> None:
    by_uid = {e.uid: e for e in read_icalendar(FEED)}
    assert by_uid["hoi-nghi-tong-ket-2022@reminders.test"] == EventView(
        uid="hoi-nghi-tong-ket-2022@reminders.test",
        summary="Hội nghị tổng kết công tác năm 2022",
        description=None,
        location="Hội trường UBND tỉnh, số 1 đường Trần Phú",
        categories=("Hội nghị", "Tổng kết"),
        status=None,
        transp=None,
        sequence=0,
        start=date(2022, 12, 5),
        end=date(2022, 12, 8),
        all_day=True,
        rrule=None,
    )
    meeting = by_uid["giao-ban-2022-12-12@reminders.test"]
    assert meeting.description == DESCRIPTION
    assert (meeting.status, meeting.sequence, meeting.all_day) == ("CANCELLED", 2, False)
    monthly = by_uid["bao-cao-thang-2023@reminders.test"]
    assert monthly.rrule == "BYMONTHDAY=19;FREQ=MONTHLY;UNTIL=20231231"
    assert (monthly.transp, monthly.categories) == ("TRANSPARENT", ("Báo cáo",))


def test_seven_in_ho_chi_minh_city_is_midnight_utc_in_every_reader() -> None:
    uid = "giao-ban-2022-12-12@reminders.test"
    midnight = datetime(2022, 12, 12, 0, 0, tzinfo=UTC)
    for read in (read_icalendar, read_icaljs):
        (meeting,) = [e for e in read(FEED) if e.uid == uid]
        assert meeting.start == midnight, read.__name__
        assert meeting.end == datetime(2022, 12, 12, 1, 30, tzinfo=UTC), read.__name__
        assert isinstance(meeting.start, datetime)
        assert meeting.start.utcoffset() is not None
    occurrences = expand_occurrences(FEED, date(2022, 12, 1), date(2022, 12, 31))
    assert (uid, midnight) in occurrences


def test_the_monthly_rule_expands_to_the_nineteenth_of_each_month() -> None:
    found = expand_occurrences(FEED, date(2022, 12, 1), date(2024, 3, 1))
    monthly = [start for uid, start in found if uid == "bao-cao-thang-2023@reminders.test"]
    assert monthly == [date(2023, month, 19) for month in range(1, 13) if month != 4]
    assert ("hoi-nghi-tong-ket-2022@reminders.test", date(2022, 12, 5)) in found
    assert {uid for uid, _ in found} == UIDS


def test_a_zone_only_the_feed_defines_converts_in_both_readers() -> None:
    feed = (
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//t//VI\r\n"
        "BEGIN:VTIMEZONE\r\nTZID:Giờ Hà Nội\r\nBEGIN:STANDARD\r\nDTSTART:19700101T000000\r\n"
        "TZOFFSETFROM:+0700\r\nTZOFFSETTO:+0700\r\nEND:STANDARD\r\nEND:VTIMEZONE\r\n"
        "BEGIN:VEVENT\r\nUID:a@t\r\nDTSTAMP:20221201T000000Z\r\n"
        "DTSTART;TZID=Giờ Hà Nội:20221212T070000\r\nDURATION:PT2H\r\n"
        "RRULE:FREQ=WEEKLY;INTERVAL=1;BYDAY=MO;COUNT=3\r\nEND:VEVENT\r\n"
        "BEGIN:VEVENT\r\nUID:b@t\r\nDTSTAMP:20221201T000000Z\r\n"
        "DTSTART:20221212T070000\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
    ).encode()
    python, js = read_icalendar(feed), read_icaljs(feed)
    assert js == python
    zoned, floating = python
    assert zoned.start == datetime(2022, 12, 12, 0, 0, tzinfo=UTC)
    assert zoned.end == datetime(2022, 12, 12, 2, 0, tzinfo=UTC)
    assert zoned.rrule == "BYDAY=MO;COUNT=3;FREQ=WEEKLY"
    # floating time: no zone to convert with, so it stays naive in both, and ends nowhere
    assert floating.start == datetime(2022, 12, 12, 7, 0)
    assert floating.end is None


def test_normalise_rrule_drops_defaults_and_sorts() -> None:
    assert normalise_rrule("freq=weekly;wkst=MO;interval=1;byday=+1MO,TU") == (
        "BYDAY=1MO,TU;FREQ=WEEKLY"
    )
    assert normalise_rrule("FREQ=DAILY;INTERVAL=2") == "FREQ=DAILY;INTERVAL=2"


def test_radicale_accepts_every_event(radicale_server: str) -> None:  # noqa: F811
    statuses = put_events(radicale_server, FEED)
    assert set(statuses) == UIDS
    assert all(status in (201, 204) for status in statuses.values()), statuses
    # again: the same resources are replaced, not refused
    again = put_events(radicale_server, FEED)
    assert again == dict.fromkeys(UIDS, 204)
