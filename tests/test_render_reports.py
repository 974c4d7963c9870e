"""Nudge and digest messages: golden files, signed links, the dashboard's links, Zalo limits."""

from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta

import pytest

from reminders.channels.base import Outgoing, Recipient
from reminders.domain import Channel
from reminders.links import Action, expiry_for
from reminders.planner.model import ItemFacts, MessageKind, Role
from reminders.planner.report_facts import (
    DigestDeadline,
    DigestFacts,
    DigestPlan,
    DigestUnit,
    NudgeFacts,
)
from reminders.render import Entry
from reminders.status import Figures
from tests.test_render import (
    BAO_CAO,
    BASE,
    GOLDEN,
    HA_DINH,
    P249,
    P_DRAFT,
    RECEIVER,
    RENDERER,
    SIGNER,
    TOKEN,
    UPDATE,
    VALID_DAYS,
    VHTT,
    _Visible,
    at,
    rendered_files,
    unit,
)

N, D = MessageKind.NUDGE, MessageKind.DIGEST
SO_NOI_VU = unit("so-noi-vu-ha-noi", "Sở Nội vụ thành phố Hà Nội")
P324 = {"plan_id": 4,
        "plan_label": "Kế hoạch số 324/KH-UBND ngày 08/11/2024 của UBND thành phố Hà Nội",
        "plan_title": "Tổ chức các hoạt động kỷ niệm 70 năm Ngày Giải phóng Thủ đô"}
KHEN_THUONG = ItemFacts(
    uid="61cbeb30466f695a7327bdffc7816f79@reminders", kind="deadline", role=Role.REPORTER,
    **P324, code=None, title="Hoàn thành: Chủ trì, phối hợp với Sở Văn hóa và Thể thao tham "
    "mưu UBND Thành phố quyết định khen thưởng các tập thể, cá nhân", time_text="trước ngày "
    "15/11/2024", day=date(2024, 11, 14), receiver="Sở Văn hóa và Thể thao")
BANG_KHEN = replace(
    KHEN_THUONG, uid="076e7a8725b382baf3b3a6b118249f70@reminders",
    title="Hoàn thành: Tham mưu, đề xuất UBND Thành phố trình Thủ tướng Chính phủ tặng Bằng "
    "khen", time_text="ngày 17/11/2024", day=date(2024, 11, 17))
HANG_THANG_MAY = ItemFacts(
    uid="656aabb4480ebb5bf65d463200da9354@reminders", kind="deadline", role=Role.REPORTER,
    **P_DRAFT, code=None, title="Báo cáo kết quả",
    time_text="Định kỳ hàng tháng (trước ngày 20)", day=date(2024, 5, 19), receiver=RECEIVER)


def nudge(number: int | None, due: date, overdue: int, by: str | None = None) -> NudgeFacts:
    return NudgeFacts(number=number, due=due, working_days_overdue=overdue, requested_by=by)


def units(*names: tuple[str, str, int, bool]) -> tuple[DigestUnit, ...]:
    return tuple(DigestUnit(unit_id=u, name=n, working_days_overdue=days, seen=seen)
                 for u, n, days, seen in names)


DIGEST = DigestFacts(day=date(2024, 6, 17), plans=(
    DigestPlan(plan_id=2, label=P_DRAFT["plan_label"], title=P_DRAFT["plan_title"],
               figures=Figures(expected=125, on_time=100, late=4, open=10, overdue=11, exempt=1,
                               seen_only=5),
               overdue=(DigestDeadline(occurrence_id=6, title="Báo cáo kết quả",
                                       due=date(2024, 5, 20), units=units(
                                           ("noi-vu-thanh-xuan", "Phòng Nội vụ quận Thanh Xuân",
                                            20, True),
                                           ("ubnd-phuong-ha-dinh",
                                            "Ủy ban nhân dân phường Hạ Đình", 20, False))),),
               due_soon=(DigestDeadline(occurrence_id=7, title="Báo cáo kết quả",
                                        due=date(2024, 6, 19), units=units(
                                            ("ubnd-phuong-ha-dinh",
                                             "Ủy ban nhân dân phường Hạ Đình", 0, True),
                                            ("ubnd-phuong-phuong-liet",
                                             "Ủy ban nhân dân phường Phương Liệt", 0, False))),)),
    DigestPlan(plan_id=1, label=P249["plan_label"], title=P249["plan_title"],
               figures=Figures(expected=25, on_time=20, late=2, overdue=3),
               overdue=(DigestDeadline(occurrence_id=1, title="Báo cáo kết quả",
                                       due=date(2022, 12, 26), units=units(
                                           ("ubnd-phuong-ha-dinh",
                                            "Ủy ban nhân dân phường Hạ Đình", 370, False),)),),
               due_soon=()),
))


@dataclass(frozen=True)
class Case:
    name: str
    kind: MessageKind
    recipient: Recipient
    entries: tuple[Entry, ...]
    now: datetime
    digest: DigestFacts | None = None
    feed_token: str | None = TOKEN

    def render(self, channel: Channel) -> Outgoing:
        return RENDERER.render(kind=self.kind, channel=channel, key=f"k-{self.name}",
                               recipient=self.recipient, feed_token=self.feed_token,
                               entries=self.entries, now=self.now, digest=self.digest)


CASES = [
    Case("nudge-first", N, HA_DINH, (Entry(item=BAO_CAO, stage=None,
                                           nudge=nudge(1, date(2022, 12, 26), 1)),),
         at(2022, 12, 27, 8)),
    # Two deadlines of one plan nudged the same morning; the second fell on a Sunday and the
    # office's day-off rule moved it to Monday.
    Case("nudge-two-moved", N, SO_NOI_VU,
         (Entry(item=KHEN_THUONG, stage=None, nudge=nudge(2, date(2024, 11, 14), 3)),
          Entry(item=BANG_KHEN, stage=None, nudge=nudge(1, date(2024, 11, 18), 1))),
         at(2024, 11, 19, 8), feed_token=None),
    Case("nudge-manual", N, VHTT, (Entry(item=BAO_CAO, stage=None,
                                         nudge=nudge(None, date(2022, 12, 26), 0, "vanphong")),),
         at(2022, 12, 23, 15, 20)),
    Case("nudge-manual-late", N, HA_DINH, (Entry(item=HANG_THANG_MAY, stage=None,
                                                 nudge=nudge(None, date(2024, 5, 20), 20,
                                                             "vanphong")),),
         at(2024, 8, 19, 9, 45)),
    Case("digest", D, VHTT, (), at(2024, 6, 17, 8), digest=DIGEST),
]
PARAMS = [pytest.param(case, id=case.name) for case in CASES]
NUDGES = [pytest.param(case, id=case.name) for case in CASES if case.kind is N]


@pytest.mark.parametrize("case", PARAMS)
def test_messages_match_their_golden_files(case: Case) -> None:
    folder = GOLDEN / case.name
    differ = []
    for name, text in rendered_files(case).items():  # type: ignore[arg-type]
        path = folder / name
        if UPDATE:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(text.encode())
        if not path.exists() or path.read_bytes().decode() != text:
            differ.append(name)
    assert not differ, f"{differ} differ: REMINDERS_UPDATE_GOLDEN=1 rewrites them"


@pytest.mark.parametrize("case", PARAMS)
def test_subjects_zalo_and_zns_fields_keep_their_limits(case: Case) -> None:
    for channel in Channel:
        message = case.render(channel)
        assert message.kind == case.kind.value
        assert 0 < len(message.subject) <= 120 and "\n" not in message.subject
        for text in (message.subject, message.text, message.html, message.body):
            assert unicodedata.is_normalized("NFC", text)
    zalo = case.render(Channel.ZALO)
    assert len(zalo.text) <= 2000
    assert set(zalo.fields) == {"ten_don_vi", "noi_dung", "thoi_gian", "ke_hoach", "han"}
    assert all(0 < len(value) <= 100 for value in zalo.fields.values())


@pytest.mark.parametrize("case", NUDGES)
def test_a_nudge_says_which_one_how_late_and_carries_signed_links(case: Case) -> None:
    today = case.now.date()
    for channel in Channel:
        message = case.render(channel)
        every = message.text + message.html + message.body
        for entry in case.entries:
            assert entry.nudge is not None
            if entry.nudge.number is not None:
                assert f"Đôn đốc lần {entry.nudge.number}" in every
            if entry.nudge.working_days_overdue:
                assert f"đã quá hạn {entry.nudge.working_days_overdue} ngày làm việc" in every
        found = set()
        for token in set(re.findall(r"/xac-nhan/([A-Za-z0-9_-]+\.[A-Za-z0-9_-]+)", every)):
            claim = SIGNER.verify(token, now=case.now + timedelta(days=VALID_DAYS))
            assert claim.unit_id == case.recipient.unit_id
            # Links stay valid as long from the day the nudge goes as a reminder's from its day.
            assert claim.expires == expiry_for(max(claim.occurrence, today), VALID_DAYS)
            found.add((claim.item_uid, claim.occurrence, claim.action))
        assert found == {(e.item.uid, e.item.day, action) for e in case.entries
                         for action in (Action.SEEN, Action.SUBMITTED)}, channel
    text = case.render(Channel.EMAIL).text
    assert "Đã gửi báo cáo: https://" in text and "Đã nhận: https://" in text


def test_a_nudge_subject_names_the_report_and_how_late_it_is() -> None:
    subjects = {c.name: c.render(Channel.EMAIL).subject for c in CASES if c.kind is N}
    assert subjects == {
        "nudge-first": "Đôn đốc lần 1: Báo cáo kết quả — đã quá hạn 1 ngày làm việc",
        "nudge-two-moved": "Đôn đốc báo cáo: 2 báo cáo đơn vị chưa gửi (19/11/2024)",
        "nudge-manual": "Đôn đốc báo cáo: Báo cáo kết quả — còn 3 ngày",
        "nudge-manual-late": "Đôn đốc báo cáo: Báo cáo kết quả — đã quá hạn 20 ngày làm việc",
    }
    moved = next(c for c in CASES if c.name == "nudge-two-moved").render(Channel.EMAIL).text
    assert "Hạn gửi báo cáo: thứ Hai, 18/11/2024 (đã quá hạn 1 ngày làm việc)" in moved
    assert "Hạn ghi trong kế hoạch: Chủ nhật, 17/11/2024, trùng ngày nghỉ" in moved
    late = next(c for c in CASES if c.name == "nudge-manual-late").render(Channel.ZALO).fields
    assert {k: late[k] for k in ("noi_dung", "thoi_gian", "han")} == {
        "noi_dung": "Đôn đốc báo cáo: Báo cáo kết quả", "thoi_gian": "thứ Hai, 20/05/2024",
        "han": "đã quá hạn 20 ngày làm việc"}  # the deadline as the day-off rule moved it


def test_the_digest_lists_each_plan_with_its_figures_and_dashboard_link() -> None:
    case = next(c for c in CASES if c.kind is D)
    email = case.render(Channel.EMAIL)
    assert email.subject == ("Tổng hợp tình hình báo cáo ngày 17/06/2024: 3 báo cáo quá hạn, "
                             "2 sắp đến hạn")
    for channel in Channel:
        message = case.render(channel)
        every = message.text + message.html + message.body
        assert "/xac-nhan/" not in every  # the office gets no units' links
        assert f"{BASE}/quan-ly/ke-hoach/2" in every and f"{BASE}/quan-ly/ke-hoach/1" in every
    assert ("Số liệu: phải báo cáo 125; đã báo cáo 104 (đúng hạn 100, trễ hạn 4); chưa đến "
            "hạn 10; quá hạn 11; miễn 1") in email.text
    assert "Tỷ lệ báo cáo: 90,4 %; tỷ lệ đúng hạn: 87 %" in email.text
    assert ("· Phòng Nội vụ quận Thanh Xuân: quá hạn 20 ngày làm việc, đã xác nhận đã nhận "
            "tin nhắc") in email.text
    assert "· Ủy ban nhân dân phường Phương Liệt: chưa xác nhận đã nhận tin nhắc" in email.text
    document = json.loads(case.render(Channel.WEBHOOK).body)
    assert document["totals"] == {"overdue": 3, "due_soon": 2}
    assert [p["id"] for p in document["plans"]] == [2, 1]
    assert document["plans"][0]["figures"]["reporting_rate"] == 0.9043
    assert document["plans"][0]["overdue"][0]["units"][0] == {
        "id": "noi-vu-thanh-xuan", "name": "Phòng Nội vụ quận Thanh Xuân",
        "working_days_overdue": 20, "seen": True}
    assert case.render(Channel.ZALO).fields == {
        "han": "3 quá hạn, 2 sắp đến hạn", "ke_hoach": "2 kế hoạch",
        "noi_dung": "Tổng hợp tình hình báo cáo", "ten_don_vi": VHTT.name,
        "thoi_gian": "08:00, thứ Hai, 17/06/2024"}


def test_a_long_digest_on_zalo_keeps_the_counts_and_links_and_drops_the_names() -> None:
    many = units(*((f"u{i}", f"Ủy ban nhân dân phường số {i} quận Thanh Xuân", 3, False)
                   for i in range(200)))
    plan = replace(DIGEST.plans[0], overdue=(replace(DIGEST.plans[0].overdue[0], units=many),))
    zalo = RENDERER.render(kind=D, channel=Channel.ZALO, key="k", recipient=VHTT,
                           feed_token=None, entries=(), now=at(2024, 6, 17, 8),
                           digest=replace(DIGEST, plans=(plan,)))
    assert len(zalo.text) <= 2000
    assert "Quá hạn (200)" in zalo.text and "phường số 7 " not in zalo.text
    assert f"{BASE}/quan-ly/ke-hoach/2" in zalo.text


@pytest.mark.parametrize("case", PARAMS)
def test_text_and_html_carry_the_same_facts(case: Case) -> None:
    message = case.render(Channel.EMAIL)
    parser = _Visible()
    parser.feed(message.html)
    visible = " ".join(" ".join(parser.parts).split())
    for line in message.text.splitlines():
        if line.strip() == "---":  # the footer's rule; HTML draws it
            continue
        line = re.sub(r"^\s*(?:[-+·]|\d+\.)?\s*", "", line).strip()
        if not line:
            continue
        if "http" in line:
            assert f'href="{line.rpartition(" ")[2]}"' in message.html, line
            continue
        assert line in visible, line


@pytest.mark.parametrize("case", PARAMS)
def test_webhook_body_is_canonical_json(case: Case) -> None:
    body = case.render(Channel.WEBHOOK).body
    document = json.loads(body)
    assert body == json.dumps(document, ensure_ascii=False, sort_keys=True)
    assert document["kind"] == case.kind.value and document["key"] == f"k-{case.name}"
    for item in document.get("items", []):
        assert item["nudge"]["label"].startswith("Đôn đốc")
        assert item["links"]["submitted"].startswith(f"{BASE}/xac-nhan/")


def test_a_digest_needs_its_facts_and_nothing_else() -> None:
    with pytest.raises(ValueError):
        RENDERER.render(kind=D, channel=Channel.EMAIL, key="k", recipient=VHTT,
                        feed_token=None, entries=(), now=at(2024, 6, 17, 8))
    with pytest.raises(ValueError):
        RENDERER.render(kind=D, channel=Channel.EMAIL, key="k", recipient=VHTT, feed_token=None,
                        entries=(Entry(item=BAO_CAO, stage=None),), now=at(2024, 6, 17, 8),
                        digest=DIGEST)
    with pytest.raises(ValueError):
        RENDERER.render(kind=N, channel=Channel.EMAIL, key="k", recipient=VHTT,
                        feed_token=None, entries=(), now=at(2024, 6, 17, 8))


def test_facts_survive_the_payload_round_trip() -> None:
    assert DigestFacts.from_json(json.loads(json.dumps(DIGEST.to_json()))) == DIGEST
    facts = nudge(None, date(2024, 5, 20), 20, "vanphong")
    assert NudgeFacts.from_json(json.loads(json.dumps(facts.to_json()))) == facts
