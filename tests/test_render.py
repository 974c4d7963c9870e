"""Messages: golden files over a matrix of cases, escaping, signed links, subjects, JSON."""

from __future__ import annotations

import json
import os
import re
import unicodedata
from dataclasses import dataclass, replace
from datetime import date, datetime
from html.parser import HTMLParser
from importlib.resources import files
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from jinja2 import UndefinedError

from reminders.channels.base import Outgoing, Recipient
from reminders.clock import VN_TZ
from reminders.domain import Channel
from reminders.links import Action, LinkSigner, expiry_for
from reminders.planner.model import ItemFacts, MessageKind, Role
from reminders.render import ENV, Entry, Renderer

GOLDEN = Path(__file__).parent / "golden" / "messages"
UPDATE = os.environ.get("REMINDERS_UPDATE_GOLDEN") == "1"
BASE = "https://lich.example.gov.vn"
SIGNER = LinkSigner(b"khoa-ky-duong-dan-kiem-thu-0123456789")
VALID_DAYS = 30
RENDERER = Renderer(base_url=BASE, signer=SIGNER, link_valid_days=VALID_DAYS)
TOKEN = "Jx2k9Qm4TzR7Wp3NvB8c"

P249 = {"plan_id": 1,
        "plan_label": "Kế hoạch số 249/KH-UBND ngày 20/09/2022 của UBND quận Thanh Xuân",
        "plan_title": "Tổ chức các hoạt động kỷ niệm 50 năm Chiến thắng “Hà Nội - Điện Biên "
                      "Phủ trên không” (18/12/1972-18/12/2022)"}
P_DRAFT = {"plan_id": 2, "plan_label": "Kế hoạch (chưa có số) của UBND quận Thanh Xuân",
           "plan_title": "Thực hiện Kế hoạch số 88/KH-UBND ngày 23/3/2024 của UBND thành phố "
                         "Hà Nội về tổ chức các hoạt động kỷ niệm 70 năm Ngày Giải phóng Thủ "
                         "đô (10/10/1954-10/10/2024)"}
RECEIVER = "UBND quận (qua phòng Văn hóa và Thông tin quận)"


def unit(unit_id: str, name: str) -> Recipient:
    return Recipient(unit_id=unit_id, name=name, emails=(f"{unit_id}@example.invalid",))


TTVH = unit("ttvh-thanh-xuan", "Trung tâm Văn hóa - Thông tin và Thể thao quận Thanh Xuân")
THCS = unit("truong-thcs-phuong-liet", "Trường Trung học cơ sở Phương Liệt")
CCB_NC = unit("hoi-ccb-phuong-nhan-chinh", "Hội Cựu chiến binh phường Nhân Chính")
HA_DINH = unit("ubnd-phuong-ha-dinh", "Ủy ban nhân dân phường Hạ Đình")
PHUONG_LIET = unit("ubnd-phuong-phuong-liet", "Ủy ban nhân dân phường Phương Liệt")
NOI_VU = unit("noi-vu-thanh-xuan", "Phòng Nội vụ quận Thanh Xuân")
VHTT = unit("vhtt-thanh-xuan", "Phòng Văn hóa và Thông tin quận Thanh Xuân")

HOI_THI = ItemFacts(
    uid="3b9c1d0e5f7a4c2b8d6e0f1a2b3c4d5e@reminders", kind="activity", role=Role.LEAD, **P249,
    code="A.5", title="Hội thi tuyên truyền ca khúc cách mạng chào mừng kỷ niệm 50 năm Chiến "
    "thắng “Hà Nội - Điện Biên Phủ trên không”", time_text="08h00 ngày 12/12/2022 (Thứ 2)",
    day=date(2022, 12, 12), start_time="08:00", location="Hội trường lớn UBND quận",
    lead_names=("Trung tâm Văn hóa - Thông tin và Thể thao quận Thanh Xuân",),
    partner_names=("Phòng Văn hóa và Thông tin quận Thanh Xuân", "UBND 11 phường"))
NOI_CHUYEN = ItemFacts(
    uid="48bb8455a0dd7d62452555afd7437976@reminders", kind="activity", role=Role.PARTNER,
    **P249, code="B.I.1", title="Nói chuyện chuyên đề về Chiến thắng “Hà Nội - Điện Biên Phủ "
    "trên không” (18/12/1972 -18/12/2022)", time_text="07h00 ngày 12/12/2022 (Thứ 2)",
    day=date(2022, 12, 12), start_time="07:00", location="Ngõ 377 Giải Phóng",
    lead_names=("Hội Cựu chiến binh phường Phương Liệt",),
    partner_names=("Trường Trung học cơ sở Phương Liệt",))
NHAN_CHINH = ItemFacts(
    uid="f9b16407e978f197463888c47d43f0e4@reminders", kind="activity", role=Role.LEAD, **P249,
    code="B.II.2", title="Nói chuyện chuyên đề 12 ngày đêm “Hà Nội - Điện Biên Phủ trên không”",
    time_text="Dự kiến tháng 12/2022", day=date(2022, 12, 1),
    location="Hội trường tầng 3 UBND phường", tentative=True,
    lead_names=("Hội Cựu chiến binh phường Nhân Chính",),
    partner_names=("Đoàn TNCS Hồ Chí Minh phường Nhân Chính",
                   "Ban Chỉ huy Quân sự phường Nhân Chính"))
GAP_MAT = ItemFacts(
    uid="113257c18d1497003534515c7a55dc57@reminders", kind="activity", role=Role.PARTNER,
    **P249, code="A.1", title="Gặp mặt hội viên tiêu biểu trực tiếp tham gia chiến dịch",
    time_text="01 buổi, tuần 2 tháng 12/2022", day=date(2022, 12, 5),
    location="Phòng họp tầng 5 UBND quận", lead_names=("Hội Cựu chiến binh quận Thanh Xuân",),
    partner_names=("Hội cơ sở phường", "Hệ thống chính trị các cấp"))
BAO_CAO = ItemFacts(
    uid="7f06b8ea92bff1546f3a2f4d56ed8a8d@reminders", kind="deadline", role=Role.REPORTER,
    **P249, code=None, title="Báo cáo kết quả", time_text="trước ngày 27/12/2022",
    day=date(2022, 12, 26), receiver=RECEIVER)
HANG_THANG = ItemFacts(
    uid="656aabb4480ebb5bf65d463200da9354@reminders", kind="deadline", role=Role.REPORTER,
    **P_DRAFT, code=None, title="Báo cáo kết quả",
    time_text="Định kỳ hàng tháng (trước ngày 20)", day=date(2024, 6, 19), receiver=RECEIVER)
DANH_SACH = ItemFacts(
    uid="5d2e8f9a1b3c4d6e7f8091a2b3c4d5e6@reminders", kind="deadline", role=Role.REPORTER,
    **P249, code=None, title="Gửi danh sách đội tham gia Hội thi tuyên truyền ca khúc cách mạng",
    time_text="trước ngày 07/12/2022", day=date(2022, 12, 6),
    receiver="Trung tâm Văn hóa - Thông tin và Thể thao quận Thanh Xuân")
MOVED = replace(HOI_THI, role=Role.PARTNER, day=date(2022, 12, 14), start_time="14:00",
                time_text="14h00 ngày 14/12/2022 (Thứ 4)", location="Hội trường tầng 3 UBND quận")
SCRIPT = replace(HOI_THI, title="Hội thi \"Giọng hát hay\" <script>alert('x')</script> & "
                 "'ca khúc cách mạng'", location="Sân khấu <ngoài trời> & sảnh \"A\"")


def at(*args: int) -> datetime:
    return datetime(*args, tzinfo=VN_TZ)


@dataclass(frozen=True)
class Case:
    name: str
    kind: MessageKind
    recipient: Recipient
    entries: tuple[Entry, ...]
    now: datetime
    feed_token: str | None = TOKEN

    def render(self, channel: Channel) -> Outgoing:
        return RENDERER.render(kind=self.kind, channel=channel, key=f"k-{self.name}",
                               recipient=self.recipient, feed_token=self.feed_token,
                               entries=self.entries, now=self.now)


R, C = MessageKind.REMINDER, MessageKind.CHANGE
CASES = [
    Case("lead-7-days", R, TTVH, (Entry(item=HOI_THI, stage=7),), at(2022, 12, 5, 8)),
    Case("partner-1-day", R, THCS, (Entry(item=NOI_CHUYEN, stage=1),), at(2022, 12, 11, 8)),
    Case("tentative", R, CCB_NC, (Entry(item=NHAN_CHINH, stage=7),), at(2022, 11, 24, 8)),
    Case("deadline-today", R, HA_DINH, (Entry(item=BAO_CAO, stage=0),), at(2022, 12, 26, 8)),
    Case("deadline-monthly", R, NOI_VU, (Entry(item=HANG_THANG, stage=7),),
         at(2024, 6, 12, 8), feed_token=None),
    Case("coalesced-three", R, PHUONG_LIET,
         (Entry(item=replace(HOI_THI, role=Role.PARTNER), stage=7),
          Entry(item=DANH_SACH, stage=1), Entry(item=GAP_MAT, stage=0)), at(2022, 12, 5, 8)),
    Case("change-moved", C, HA_DINH,
         (Entry(item=MOVED, stage=None, previous=replace(HOI_THI, role=Role.PARTNER)),),
         at(2022, 12, 8, 10, 30)),
    Case("cancelled", C, THCS, (Entry(item=replace(NOI_CHUYEN, cancelled=True), stage=None,
                                      previous=NOI_CHUYEN),), at(2022, 12, 9, 14)),
    Case("test", MessageKind.TEST, VHTT, (), at(2022, 12, 5, 9, 30)),
    Case("script-in-title", R, unit("clb-hat", "Câu lạc bộ \"Hát cho nhau nghe\" & bạn bè"),
         (Entry(item=SCRIPT, stage=7),), at(2022, 12, 5, 8)),
]
PARAMS = [pytest.param(case, id=case.name) for case in CASES]


def rendered_files(case: Case) -> dict[str, str]:
    email = case.render(Channel.EMAIL)
    zalo = case.render(Channel.ZALO)
    hook = case.render(Channel.WEBHOOK)
    # The golden JSON is indented for review; the body is its canonical one-line form.
    pretty = json.dumps(json.loads(hook.body), ensure_ascii=False, sort_keys=True, indent=2)
    return {"email.subject.txt": email.subject + "\n", "email.body.txt": email.text,
            "email.body.html": email.html, "zalo.txt": zalo.text, "webhook.json": pretty + "\n"}


@pytest.mark.parametrize("case", PARAMS)
def test_messages_match_their_golden_files(case: Case) -> None:
    folder = GOLDEN / case.name
    differ = []
    for name, text in rendered_files(case).items():
        path = folder / name
        if UPDATE:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(text.encode())
        if not path.exists() or path.read_bytes().decode() != text:
            differ.append(name)
    assert not differ, f"{differ} differ: REMINDERS_UPDATE_GOLDEN=1 rewrites them"


@pytest.mark.parametrize("case", PARAMS)
def test_every_channel_gives_nfc_one_line_subjects_and_short_zalo(case: Case) -> None:
    for channel in Channel:
        message = case.render(channel)
        assert message.kind == case.kind.value and message.key == f"k-{case.name}"
        assert len(message.subject) <= 120 and "\n" not in message.subject
        for text in (message.subject, message.text, message.html, message.body):
            assert unicodedata.is_normalized("NFC", text)
    html = case.render(Channel.EMAIL).html
    assert not re.search(r"<(?:script|img|link|style|iframe)\b|\bsrc=|url\(", html)
    zalo = case.render(Channel.ZALO)
    assert len(zalo.text) <= 2000
    assert set(zalo.fields) == {"ten_don_vi", "noi_dung", "thoi_gian", "ke_hoach", "han"}
    assert all(0 < len(value) <= 100 for value in zalo.fields.values())
    assert zalo.fields["ten_don_vi"] == case.recipient.name


@pytest.mark.parametrize("case", PARAMS)
def test_signed_links_verify_for_the_unit_item_and_occurrence(case: Case) -> None:
    expected = set()
    for entry in case.entries:
        item = entry.item
        expected.add((item.uid, item.day, Action.SEEN))
        if item.kind == "deadline" and not item.cancelled:
            expected.add((item.uid, item.day, Action.SUBMITTED))
    for channel in Channel:
        message = case.render(channel)
        tokens = set(re.findall(r"/xac-nhan/([A-Za-z0-9_-]+\.[A-Za-z0-9_-]+)",
                                message.text + message.html + message.body))
        found = set()
        for token in tokens:
            claim = SIGNER.verify(token, now=case.now)
            assert claim.unit_id == case.recipient.unit_id
            assert claim.expires == expiry_for(claim.occurrence, VALID_DAYS)
            found.add((claim.item_uid, claim.occurrence, claim.action))
        assert found == expected, channel


@pytest.mark.parametrize("case", PARAMS)
def test_webhook_body_is_canonical_json_with_the_expected_keys(case: Case) -> None:
    body = case.render(Channel.WEBHOOK).body
    document = json.loads(body)
    assert body == json.dumps(document, ensure_ascii=False, sort_keys=True)
    assert document["kind"] == case.kind.value and document["key"] == f"k-{case.name}"
    assert document["unit"] == {"id": case.recipient.unit_id, "name": case.recipient.name}
    assert document["subscribe_url"] == (f"{BASE}/lich/{TOKEN}/" if case.feed_token else None)
    assert [item["uid"] for item in document["items"]] == sorted(
        (e.item.uid for e in case.entries),
        key=lambda uid: next(e.item.day for e in case.entries if e.item.uid == uid))
    for item in document["items"]:
        assert {"uid", "title", "day", "time_text", "role", "plan", "links"} <= set(item)
        assert set(item["plan"]) == {"id", "label", "title"}
        assert item["links"]["item"] == f"{BASE}/muc/{item['uid'].partition('@')[0]}"
        assert (item["links"]["submitted"] is not None) == (
            item["kind"] == "deadline" and not item["cancelled"])


class _Visible(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []

    def handle_data(self, data: str) -> None:
        self.parts.append(data)


@pytest.mark.parametrize("case", PARAMS)
def test_text_and_html_carry_the_same_facts(case: Case) -> None:
    message = case.render(Channel.EMAIL)
    parser = _Visible()
    parser.feed(message.html)
    visible = " ".join(" ".join(parser.parts).split())
    for line in message.text.splitlines():
        if line.strip() == "---":  # the footer's rule; HTML draws it
            continue
        line = re.sub(r"^\s*(?:[-+]|\d+\.)?\s*", "", line).strip()
        if not line:
            continue
        if "http" in line:
            url = line.rpartition(" ")[2]
            assert f'href="{url}"' in message.html, line
            continue
        assert line in visible, line


@pytest.mark.parametrize(("name", "expected"), [
    ("tentative", {"thoi_gian": "thứ Năm, 01/12/2022 (dự kiến)", "han": "còn 7 ngày"}),
    ("deadline-today", {"noi_dung": "Báo cáo kết quả", "thoi_gian": "thứ Hai, 26/12/2022",
                        "han": "hôm nay"}),
    ("cancelled", {"han": "Đã hủy"}),
    ("test", {"noi_dung": "Thử kênh nhắc việc", "thoi_gian": "09:30, thứ Hai, 05/12/2022"}),
])
def test_zns_fields_say_what_when_and_how_soon(name: str, expected: dict[str, str]) -> None:
    fields = next(c for c in CASES if c.name == name).render(Channel.ZALO).fields
    assert {key: fields[key] for key in expected} == expected


def test_html_escapes_every_value_and_text_keeps_it_as_written() -> None:
    case = next(c for c in CASES if c.name == "script-in-title")
    message = case.render(Channel.EMAIL)
    assert "<script" not in message.html and "<ngoài" not in message.html
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;" in message.html
    assert "&#34;Giọng hát hay&#34; " in message.html and "&amp; bạn bè" in message.html
    assert SCRIPT.title in message.text
    assert message.subject.startswith("Nhắc việc: Hội thi \"Giọng hát hay\" <script>alert('x')")
    assert json.loads(case.render(Channel.WEBHOOK).body)["items"][0]["title"] == SCRIPT.title


def test_a_missing_variable_is_an_error_not_a_blank() -> None:
    with pytest.raises(UndefinedError):
        ENV.from_string("{{ nobody }}").render()
    with pytest.raises(UndefinedError):
        ENV.get_template("email/reminder.body.txt").render(unit=VHTT)


def test_every_kind_has_every_template_in_the_package() -> None:
    templates = files("reminders") / "templates"
    for kind in MessageKind:
        for name in (f"email/{kind}.subject.txt", f"email/{kind}.body.txt",
                     f"email/{kind}.body.html", f"zalo/{kind}.txt", f"webhook/{kind}.json"):
            assert (templates / name).is_file(), name
    pyproject = (Path(__file__).parent.parent / "pyproject.toml").read_text(encoding="utf-8")
    assert '"templates/**/*"' in pyproject


@settings(max_examples=150, deadline=None)
@given(title=st.text(min_size=1, max_size=300), kind=st.sampled_from([R, C]))
def test_subjects_are_one_short_line_whatever_the_title(title: str, kind: MessageKind) -> None:
    item = replace(HOI_THI, title=title)
    message = RENDERER.render(kind=kind, channel=Channel.WEBHOOK, key="k", recipient=TTVH,
                              feed_token=None, entries=(Entry(item=item, stage=7,
                                                              previous=HOI_THI),),
                              now=at(2022, 12, 5, 8))
    assert "\r" not in message.subject and "\n" not in message.subject
    assert 0 < len(message.subject) <= 120
    assert unicodedata.is_normalized("NFC", message.subject)
    json.loads(message.body)


def test_nfd_input_comes_out_nfc_and_on_one_line() -> None:
    item = replace(GAP_MAT, title=unicodedata.normalize("NFD", "Gặp mặt\nhội viên tiêu biểu"))
    message = RENDERER.render(kind=R, channel=Channel.EMAIL, key="k", recipient=PHUONG_LIET,
                              feed_token=None, entries=(Entry(item=item, stage=0),),
                              now=at(2022, 12, 5, 8))
    assert "1. Gặp mặt hội viên tiêu biểu\n" in message.text
    assert "Gặp mặt hội viên tiêu biểu" in message.subject


def test_a_long_coalesced_zalo_message_counts_what_it_leaves_out() -> None:
    long_title = "Tổ chức thông tin, tuyên truyền các hoạt động kỷ niệm " * 8
    entries = tuple(Entry(item=replace(HOI_THI, uid=f"{n:032x}@reminders", title=long_title),
                          stage=7) for n in range(12))
    zalo = RENDERER.render(kind=R, channel=Channel.ZALO, key="k", recipient=TTVH,
                           feed_token=TOKEN, entries=entries, now=at(2022, 12, 5, 8))
    assert len(zalo.text) <= 2000
    assert "Hệ thống nhắc việc trân trọng nhắc đơn vị 12 công việc sau:" in zalo.text
    shown = len(re.findall(r"^\d+\. ", zalo.text, flags=re.MULTILINE))
    assert 0 < shown < 12
    assert f"Còn {12 - shown} công việc khác" in zalo.text
    assert zalo.fields["noi_dung"].startswith("12 việc: ")


def test_entries_are_required_for_reminders_and_refused_for_tests() -> None:
    with pytest.raises(ValueError):
        RENDERER.render(kind=R, channel=Channel.EMAIL, key="k", recipient=TTVH,
                        feed_token=None, entries=(), now=at(2022, 12, 5, 8))
    with pytest.raises(ValueError):
        RENDERER.render(kind=MessageKind.TEST, channel=Channel.EMAIL, key="k", recipient=TTVH,
                        feed_token=None, entries=(Entry(item=HOI_THI, stage=7),),
                        now=at(2022, 12, 5, 8))
