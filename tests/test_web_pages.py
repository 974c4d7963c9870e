"""The subscribe page and the item page, read back with the stdlib HTML parser."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta, timezone
from html.parser import HTMLParser

import pytest
import segno

from reminders.web.pages import (
    FeedLink,
    FetchSeen,
    ItemPage,
    SubscribePage,
    qr_svg,
    render_item_page,
    render_subscribe_page,
)

EVIL = "<script>alert(1)</script>"
ICT = timezone(timedelta(hours=7))  # an aware time already in Việt Nam's offset
BASE = "https://lich.example.gov.vn/lich/Zq8-xT3_kP0aLw7s"


@dataclass
class Tag:
    name: str
    attrs: dict[str, str]
    text: str = ""  # text directly inside, for script/style/svg children and buttons


class Doc(HTMLParser):
    """Every start tag with its attributes, the visible text, and each tag's own text."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[Tag] = []
        self.texts: list[str] = []
        self._open: list[Tag] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        node = Tag(tag, {key: value or "" for key, value in attrs})
        self.tags.append(node)
        if tag not in {"meta", "input", "br", "img", "link"}:  # void: no end tag follows
            self._open.append(node)

    def handle_endtag(self, tag: str) -> None:
        names = [t.name for t in self._open]
        if tag in names:
            del self._open[len(names) - 1 - names[::-1].index(tag) :]

    def handle_data(self, data: str) -> None:
        self.texts.append(data)
        if self._open:
            self._open[-1].text += data

    def find(self, tag: str, /, **attrs: str) -> list[Tag]:
        return [
            t for t in self.tags
            if t.name == tag and all(t.attrs.get(k) == v for k, v in attrs.items())
        ]

    @property
    def text(self) -> str:
        return " ".join(" ".join(self.texts).split())


def parse(html: str) -> Doc:
    (doc := Doc()).feed(html)
    doc.close()
    return doc


def feed(slug: str, title: str, description: str, *fetches: FetchSeen) -> FeedLink:
    url = f"{BASE}/{slug}.ics"
    return FeedLink(
        title=title,
        description=description,
        https_url=url,
        webcal_url="webcal://" + url.removeprefix("https://"),
        fetches=fetches,
    )


ACTIVITIES = feed(
    "phong-vhtt-hoat-dong",
    "Hoạt động",
    "Các hoạt động phòng chủ trì hoặc phối hợp thực hiện.",
    FetchSeen(client="Google Lịch", at=datetime(2026, 11, 24, 1, 15, tzinfo=UTC)),
    FetchSeen(client="Lịch Apple", at=datetime(2026, 11, 23, 18, 30, tzinfo=UTC)),
)
DEADLINES = feed("phong-vhtt-han-bao-cao", "Hạn báo cáo", "Các hạn phòng phải gửi báo cáo.")
COMBINED = feed(
    "phong-vhtt-tat-ca",
    "Tất cả (hoạt động và hạn báo cáo)",
    "Hoạt động và hạn báo cáo trong một lịch.",
    FetchSeen(client="Outlook", at=datetime(2026, 11, 24, 9, 5, tzinfo=ICT)),
)
PLAN = feed("ke-hoach-123-kh-ubnd", "Kế hoạch số 123/KH-UBND", "Các việc của phòng trong kế hoạch.")
PAGE = SubscribePage(
    unit_name=f"Phòng Văn hóa và Thông tin quận Ba Đình {EVIL}",
    feeds=(ACTIVITIES, DEADLINES, COMBINED),
    plan_feeds=(PLAN,),
    refresh_hours=6,
)
ALL_FEEDS = (ACTIVITIES, DEADLINES, COMBINED, PLAN)
ITEM = ItemPage(
    kind="Hoạt động",
    title=f"Tổ chức Hội thi văn nghệ quần chúng chào mừng ngày Quốc khánh {EVIL}",
    status="Dự kiến",
    plan="Kế hoạch số 123/KH-UBND ngày 01/12/2022 của UBND quận Ba Đình: Tổ chức các hoạt động",
    time_text="Tuần 2 tháng 12/2022",
    when="05/12/2022 – 07/12/2022",
    lead=("Phòng Văn hóa và Thông tin",),
    partners=("Trung tâm Văn hóa – Thông tin và Thể thao", "UBND các phường"),
    location=f"Nhà văn hóa quận, số 1 phố Đội Cấn {EVIL}",
    expected_result="Trên 20 đội tham gia",
)


def assert_escaped(html: str, doc: Doc) -> None:
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert EVIL in doc.text  # shown to the reader as text…
    assert all("alert" not in t.text for t in doc.find("script"))  # …never run


def test_subscribe_page_escapes_unit_and_feed_text() -> None:
    page = replace(PAGE, feeds=(replace(ACTIVITIES, title=f"Hoạt động {EVIL}"), DEADLINES))
    html = render_subscribe_page(page)
    doc = parse(html)
    assert_escaped(html, doc)
    assert html.count("alert(1)") == html.count("&lt;script&gt;alert(1)")
    assert doc.find("h1")[0].text == f"Lịch công tác của {PAGE.unit_name}"


def test_subscribe_page_head_is_private_and_vietnamese() -> None:
    doc = parse(render_subscribe_page(PAGE))
    assert doc.find("html", lang="vi") and doc.find("meta", name="viewport")
    assert doc.find("meta", name="robots", content="noindex")
    assert doc.find("meta", name="referrer", content="no-referrer")


def test_every_feed_url_is_in_an_input_and_the_webcal_link() -> None:
    doc = parse(render_subscribe_page(PAGE))
    values = [t.attrs.get("value") for t in doc.find("input") if "readonly" in t.attrs]
    links = [t.attrs["href"] for t in doc.find("a", **{"class": "open-app"})]
    for item in ALL_FEEDS:
        assert item.https_url in values and item.webcal_url in values
        assert item.webcal_url in links
    for button in doc.find("button"):
        assert button.text == "Sao chép"
        assert doc.find("input", id=button.attrs["data-copy"])
    assert len(doc.find("button")) == 2 * len(ALL_FEEDS)
    assert "Đã sao chép" in doc.find("script")[0].text


def test_only_inline_resources() -> None:
    urls = {u for f in ALL_FEEDS for u in (f.https_url, f.webcal_url)}
    cases: list[tuple[str, list[dict[str, str]]]] = [
        (render_subscribe_page(PAGE), [{}]),
        (render_item_page(ITEM), []),
    ]
    for html, scripts in cases:
        doc = parse(html)
        assert not doc.find("link") and not doc.find("img") and not doc.find("iframe")
        assert [t.attrs for t in doc.find("script")] == scripts  # inline only, no src
        for tag in doc.tags:
            for name, value in tag.attrs.items():
                if name in {"src", "href", "action", "srcset", "poster", "data", "xlink:href"}:
                    assert value in urls, (tag.name, name, value)
        style = doc.find("style")[0].text
        assert "@import" not in style and "url(" not in style
        found = set(re.findall(r"(?:https?|webcal)://[^\s\"'<>]+", html))
        assert found == (urls if scripts else set())


def test_qr_is_inline_svg_of_the_combined_feed() -> None:
    html = render_subscribe_page(PAGE)
    svgs = parse(html).find("svg")
    assert len(svgs) == 1 and svgs[0].attrs["class"] == "qr"
    assert qr_svg(COMBINED.https_url) in html
    assert qr_svg(ACTIVITIES.https_url) not in html
    no_combined = render_subscribe_page(replace(PAGE, feeds=(DEADLINES, ACTIVITIES)))
    assert qr_svg(DEADLINES.https_url) in no_combined
    assert not parse(render_subscribe_page(replace(PAGE, feeds=()))).find("svg")


def _svg_modules(svg: str) -> set[tuple[int, int]]:
    """Read the dark modules back out of segno's path (lines drawn at y + 0.5)."""
    d = re.search(r'<path stroke="[^"]+" d="([^"]+)"', svg)
    assert d is not None
    x = y = 0.0
    dark: set[tuple[int, int]] = set()
    for op, a, b in re.findall(r"([Mmh])(-?[\d.]+)(?: (-?[\d.]+))?", d.group(1)):
        if op == "M":
            x, y = float(a), float(b)
        elif op == "m":
            x, y = x + float(a), y + float(b)
        else:
            dark.update((int(x) + i, int(y)) for i in range(int(a)))
            x += float(a)
    return dark


def test_qr_svg_encodes_the_text() -> None:
    svg = qr_svg(COMBINED.https_url)
    assert svg.startswith('<svg role="img" ') and "<title>Mã QR" in svg
    matrix = segno.make(COMBINED.https_url, error="m", micro=False).matrix
    expected = {(x + 4, y + 4) for y, row in enumerate(matrix) for x, v in enumerate(row) if v}
    assert _svg_modules(svg) == expected
    assert _svg_modules(svg) != _svg_modules(qr_svg(ACTIVITIES.https_url))


def test_fetch_lines_in_vietnam_time_and_the_never_fetched_message() -> None:
    doc = parse(render_subscribe_page(PAGE))
    assert len(doc.find("section")) == 4
    items = [t.text.strip() for t in doc.find("li")]
    assert "Google Lịch tải lần cuối lúc 08:15 24/11/2026" in items
    assert "Lịch Apple tải lần cuối lúc 01:30 24/11/2026" in items  # 18:30Z on the 23rd
    assert "Outlook tải lần cuối lúc 09:05 24/11/2026" in items
    assert items.count("Chưa có ứng dụng lịch nào tải lịch này.") == 2  # deadlines and plan


def test_naive_fetch_time_is_refused() -> None:
    naive = FetchSeen(client="Khác", at=datetime(2026, 11, 24, 8, 15))
    with pytest.raises(ValueError, match="naive"):
        render_subscribe_page(replace(PAGE, feeds=(replace(DEADLINES, fetches=(naive,)),)))


def test_subscribe_page_instructions_and_plan_feeds() -> None:
    doc = parse(render_subscribe_page(PAGE))
    summaries = [t.text for t in doc.find("summary")]
    assert [s.split(" (")[0] for s in summaries] == [
        "Google Lịch", "Outlook trên web", "Outlook trên máy tính Windows",
        "Lịch Apple trên máy Mac", "iPhone, iPad", "Thunderbird",
    ]
    assert len(doc.find("ol")) == 6
    text = doc.text
    assert "8 đến 24 giờ" in text and "reminders units rotate-token" in text
    assert "tải lại sau mỗi 6 giờ" in text
    assert "Lịch theo từng kế hoạch" in text and "Kế hoạch số 123/KH-UBND" in text
    without_plans = parse(render_subscribe_page(replace(PAGE, plan_feeds=())))
    assert "Lịch theo từng kế hoạch" not in without_plans.text
    assert PLAN.https_url not in [t.attrs.get("value") for t in without_plans.find("input")]


def _fields(doc: Doc) -> dict[str, str]:
    labels = [t.text for t in doc.find("dt")]
    values = [" ".join(t.text.split()) for t in doc.find("dd")]
    return dict(zip(labels, values, strict=True))


def test_item_page_shows_fields_and_escapes() -> None:
    html = render_item_page(ITEM)
    doc = parse(html)
    assert_escaped(html, doc)
    assert doc.find("html", lang="vi") and doc.find("meta", name="robots", content="noindex")
    fields = _fields(doc)
    assert list(fields) == [
        "Nội dung", "Kế hoạch", "Thời gian theo kế hoạch", "Thời gian", "Đơn vị chủ trì",
        "Đơn vị phối hợp", "Địa điểm", "Kết quả dự kiến",
    ]
    assert fields["Thời gian"] == "05/12/2022 – 07/12/2022"
    assert fields["Đơn vị chủ trì"] == "Phòng Văn hóa và Thông tin"
    assert [t.text for t in doc.find("li")] == list(ITEM.partners)
    badge = doc.find("span", **{"class": "badge badge-tentative"})
    assert [b.text for b in badge] == ["Dự kiến"]
    assert doc.find("h1")[0].text == "Hoạt động"
    assert not doc.find("script")


def test_item_page_omits_empty_sections() -> None:
    deadline = replace(
        ITEM,
        kind="Hạn báo cáo",
        title="Báo cáo kết quả thực hiện Kế hoạch",
        status="Đã hủy (không còn trong kế hoạch)",
        time_text="trước ngày 27/12/2022",
        when="Thứ Ba, 27/12/2022",
        lead=(), partners=(), location=None, expected_result="  ",  # all empty: left out
        reporters=("UBND phường Cống Vị", "UBND phường Kim Mã"),
        receiver="UBND quận (qua phòng Văn hóa và Thông tin)",
    )
    doc = parse(render_item_page(deadline))
    fields = _fields(doc)
    assert list(fields) == [
        "Nội dung", "Kế hoạch", "Thời gian theo kế hoạch", "Thời gian", "Đơn vị phải báo cáo",
        "Nơi nhận báo cáo",
    ]
    for absent in ("Đơn vị chủ trì", "Đơn vị phối hợp", "Địa điểm", "Kết quả dự kiến"):
        assert absent not in doc.text
    assert fields["Nơi nhận báo cáo"] == "UBND quận (qua phòng Văn hóa và Thông tin)"
    cancelled = doc.find("span", **{"class": "badge badge-cancelled"})
    assert [b.text for b in cancelled] == ["Đã hủy (không còn trong kế hoạch)"]
    no_status = parse(render_item_page(replace(deadline, status=None, when="")))
    assert not [t for t in no_status.tags if "badge" in t.attrs.get("class", "")]
    assert "Thời gian" not in _fields(no_status)
