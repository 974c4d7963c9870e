"""Messages from templates: one unit, one channel, one or several items (templates/<channel>/).

Templates get ready-made views (`EntryView`) and a few filters for Vietnamese dates and
times, so that the words live in the templates and the facts are computed once here.
Email gets subject, text and HTML (the two bodies carry the same facts); Zalo a short
plain text and the flat `fields` a ZNS template takes; a webhook a JSON document, parsed
and dumped again so that what goes out is always valid JSON. Every value a unit reads is
NFC and one line; subjects are at most 120 characters.
"""

from __future__ import annotations

import json
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, time
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from reminders import render_reports as rr
from reminders.channels.base import Outgoing, Recipient
from reminders.clock import ensure_aware, local
from reminders.domain import Channel
from reminders.feeds.model import ItemKind
from reminders.feeds.render import item_link
from reminders.feeds.text import one_line, shorten
from reminders.links import Action, LinkClaim, LinkSigner, expiry_for
from reminders.planner.model import ItemFacts, MessageKind, Role
from reminders.planner.report_facts import DigestFacts, NudgeFacts

SUBJECT_LIMIT = 120
ZALO_TEXT_LIMIT = 2000
ZNS_FIELD_LIMIT = 100
WEEKDAYS = ("thứ Hai", "thứ Ba", "thứ Tư", "thứ Năm", "thứ Sáu", "thứ Bảy", "Chủ nhật")
ROLE_LABELS = {Role.LEAD: "Đơn vị chủ trì", Role.PARTNER: "Đơn vị phối hợp",
               Role.REPORTER: "Đơn vị báo cáo"}
CHANNEL_LABELS = {Channel.EMAIL: "thư điện tử", Channel.ZALO: "Zalo",
                  Channel.WEBHOOK: "webhook"}
UNKNOWN = "chưa xác định"


@dataclass(frozen=True, slots=True, kw_only=True)
class Entry:
    """One item in a message: the item as planned, its stage, and for changes what it was."""

    item: ItemFacts
    stage: int | None  # days before the item; None for change messages
    previous: ItemFacts | None = None
    nudge: NudgeFacts | None = None  # nudges: which one, how overdue


@dataclass(frozen=True, slots=True, kw_only=True)
class Change:
    """One fact that changed: "Địa điểm: A → B"."""

    field: str  # "title", "time", "time_text", "location", "role", "status"
    label: str
    before: str
    after: str


@dataclass(frozen=True, slots=True, kw_only=True)
class EntryView:
    """What the templates show of one entry."""

    number: int
    item: ItemFacts
    previous: ItemFacts | None
    stage: int | None
    deadline: bool
    kind_label: str  # "Hoạt động" / "Hạn báo cáo"
    role_label: str
    countdown: str | None  # "còn 7 ngày", "ngày mai", "hôm nay"; None when cancelled
    changes: tuple[Change, ...]
    item_url: str
    seen_url: str
    submitted_url: str | None  # deadlines that still stand
    nudge: NudgeFacts | None = None


def vn_date(day: date) -> str:
    """'thứ Hai, 12/12/2022'."""
    return f"{WEEKDAYS[day.weekday()]}, {day:%d/%m/%Y}"


def vn_day(day: date) -> str:
    """'12/12/2022'."""
    return f"{day:%d/%m/%Y}"


def vn_time(value: str | time | datetime) -> str:
    """'07:00', from "7:00", a time, or an aware datetime (shown in Việt Nam)."""
    if isinstance(value, datetime):
        value = local(value).time()
    if isinstance(value, str):
        hours, _, minutes = value.partition(":")
        value = time(int(hours), int(minutes or 0))
    return f"{value:%H:%M}"


def when(item: ItemFacts) -> str:
    """'07:00, thứ Hai, 12/12/2022', or the day alone when the plan gives no hour."""
    day = vn_date(item.day)
    return f"{vn_time(item.start_time)}, {day}" if item.start_time else day


def countdown(day: date, today: date, *, deadline: bool) -> str:
    """How far the day is: 'còn 7 ngày', 'ngày mai', 'hôm nay', 'đã quá hạn 2 ngày'."""
    days = (day - today).days
    if days > 1:
        return f"còn {days} ngày"
    if days == 1:
        return "ngày mai"
    if days == 0:
        return "hôm nay"
    if deadline:
        return f"đã quá hạn {-days} ngày"
    return "hôm qua" if days == -1 else f"đã qua {-days} ngày"


def names(values: Iterable[str]) -> str:
    return "; ".join(values)


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


# Message templates get an environment of their own (the web's autoescapes everything):
# autoescape for .html only, StrictUndefined so a misspelt name fails the golden tests.
ENV = Environment(
    loader=PackageLoader("reminders", "templates"),
    autoescape=select_autoescape(enabled_extensions=("html",), default_for_string=False,
                                 default=False),
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
    keep_trailing_newline=True,
)
ENV.filters.update(vn_date=vn_date, vn_day=vn_day, vn_time=vn_time, when=when, names=names,
                   shorten=shorten, json=_json, **rr.FILTERS)


class Renderer:
    """Renders messages; links point at `base_url` and are signed to stay valid
    `link_valid_days` after the item's day."""

    def __init__(self, *, base_url: str, signer: LinkSigner, link_valid_days: int) -> None:
        if link_valid_days < 0:
            raise ValueError("link_valid_days must not be negative")
        self._base = base_url.rstrip("/")
        self._signer = signer
        self._valid_days = link_valid_days

    def render(self, *, kind: MessageKind, channel: Channel, key: str, recipient: Recipient,
               feed_token: str | None, entries: Sequence[Entry], now: datetime,
               digest: DigestFacts | None = None) -> Outgoing:
        """One message for `recipient` on `channel`.

        Reminders, changes and nudges need at least one entry; a test message takes none,
        a digest none but its `digest`. Raises ValueError otherwise, and jinja2 errors if a
        template is broken.
        """
        kind, channel = MessageKind(kind), Channel(channel)
        bare = kind in (MessageKind.TEST, MessageKind.DIGEST)
        if bare and entries:
            raise ValueError(f"a {kind} message carries no entries")
        if not bare and not entries:
            raise ValueError(f"a {kind} message needs at least one entry")
        if (kind is MessageKind.DIGEST) != (digest is not None):
            raise ValueError("a digest message, and only one, needs its digest")
        sent_at = local(ensure_aware(now))
        views = self._views(entries, recipient.unit_id, sent_at.date())
        unit = replace(recipient, name=one_line(recipient.name))
        context: dict[str, Any] = {
            "kind": kind.value, "key": key, "unit": unit, "channel": channel.value,
            "channel_label": CHANNEL_LABELS[channel], "entries": views,
            "subscribe_url": f"{self._base}/lich/{feed_token}/" if feed_token else None,
            "today": sent_at.date(), "sent_at": sent_at,
            "all_cancelled": bool(views) and all(v.item.cancelled for v in views),
            "digest": rr.digest_view(digest, self._base) if digest else None,
        }
        context["subject"] = subject = _subject(_render(f"email/{kind}.subject.txt", context))
        if channel is Channel.EMAIL:
            return Outgoing(key=key, kind=kind.value, recipient=recipient, subject=subject,
                            text=_render(f"email/{kind}.body.txt", context),
                            html=_render(f"email/{kind}.body.html", context))
        text = _zalo_text(kind, context)
        if channel is Channel.ZALO:
            return Outgoing(key=key, kind=kind.value, recipient=recipient, subject=subject,
                            text=text, fields=_zns_fields(kind, unit.name, views, sent_at,
                                                          context["digest"]))
        document = json.loads(_render(f"webhook/{kind}.json", context))
        body = json.dumps(document, ensure_ascii=False, sort_keys=True)
        return Outgoing(key=key, kind=kind.value, recipient=recipient, subject=subject,
                        text=text, body=body)

    def _views(self, entries: Sequence[Entry], unit_id: str,
               today: date) -> tuple[EntryView, ...]:
        tidy = [replace(e, item=_tidy_item(e.item),
                        previous=_tidy_item(e.previous) if e.previous else None)
                for e in entries]
        tidy.sort(key=lambda e: (e.item.day, e.item.start_time or "", e.item.kind,
                                 e.item.title, e.item.uid))
        return tuple(self._view(number, entry, unit_id, today)
                     for number, entry in enumerate(tidy, start=1))

    def _view(self, number: int, entry: Entry, unit_id: str, today: date) -> EntryView:
        item, nudge = entry.item, entry.nudge
        deadline = item.kind == ItemKind.DEADLINE.value
        # A nudge may go out long after the deadline: its links count from the day it goes.
        valid_from = max(item.day, today) if nudge else item.day
        return EntryView(
            number=number, item=item, previous=entry.previous, stage=entry.stage,
            deadline=deadline, kind_label="Hạn báo cáo" if deadline else "Hoạt động",
            role_label=ROLE_LABELS[item.role],
            countdown=None if item.cancelled else rr.overdue_text(nudge) or countdown(
                nudge.due if nudge else item.day, today, deadline=deadline),
            changes=_changes(entry.previous, item) if entry.previous else (),
            item_url=item_link(self._base, item.uid),
            seen_url=self._link(unit_id, item, Action.SEEN, valid_from),
            submitted_url=(self._link(unit_id, item, Action.SUBMITTED, valid_from)
                           if deadline and not item.cancelled else None),
            nudge=nudge,
        )

    def _link(self, unit_id: str, item: ItemFacts, action: Action, valid_from: date) -> str:
        claim = LinkClaim(unit_id=unit_id, item_uid=item.uid, occurrence=item.day,
                          action=action, expires=expiry_for(valid_from, self._valid_days))
        return self._signer.url(self._base, claim)


def _render(name: str, context: dict[str, Any]) -> str:
    return unicodedata.normalize("NFC", ENV.get_template(name).render(context))


def _tidy_item(item: ItemFacts) -> ItemFacts:
    """The item with every text one NFC line: a stray newline must not break a layout."""
    def opt(value: str | None) -> str | None:
        return one_line(value) if value and value.strip() else None

    return replace(
        item, plan_label=one_line(item.plan_label), plan_title=one_line(item.plan_title),
        code=opt(item.code), title=one_line(item.title), time_text=one_line(item.time_text),
        location=opt(item.location), receiver=opt(item.receiver),
        lead_names=tuple(one_line(n) for n in item.lead_names if n.strip()),
        partner_names=tuple(one_line(n) for n in item.partner_names if n.strip()),
    )


def _changes(before: ItemFacts, after: ItemFacts) -> tuple[Change, ...]:
    """What a unit acts on that differs, old → new."""
    states = {True: "dự kiến", False: "chính thức"}
    pairs = (
        ("title", "Nội dung", before.title, after.title),
        ("time", "Thời gian", when(before), when(after)),
        ("time_text", "Thời gian theo kế hoạch", before.time_text, after.time_text),
        ("location", "Địa điểm", before.location or UNKNOWN, after.location or UNKNOWN),
        ("role", "Vai trò của đơn vị", ROLE_LABELS[before.role], ROLE_LABELS[after.role]),
        ("status", "Tình trạng", states[before.tentative], states[after.tentative]),
    )
    return tuple(Change(field=field, label=label, before=old, after=new)
                 for field, label, old, new in pairs if old != new)


def _subject(text: str) -> str:
    """One line of at most 120 characters, whatever the titles held."""
    return shorten(text, SUBJECT_LIMIT)


def _zalo_text(kind: MessageKind, context: dict[str, Any]) -> str:
    """The Zalo text. When it would be too long, it first drops what the item page also
    shows (compact), then leaves the last entries out and counts them."""
    views: tuple[EntryView, ...] = context["entries"]
    tries = [(False, len(views))] + [(True, shown) for shown in range(len(views), 0, -1)]
    if not views:  # a digest: its compact form leaves the units' names out
        tries.append((True, 0))
    text = ""
    for compact, shown in tries:
        text = _render(f"zalo/{kind}.txt", {**context, "entries": views[:shown],
                                            "more": len(views) - shown, "compact": compact})
        if len(text) <= ZALO_TEXT_LIMIT:
            return text
    return text[: ZALO_TEXT_LIMIT - 1] + "…"  # one entry alone too long: titles are cut short


def _zns_fields(kind: MessageKind, unit_name: str, views: Sequence[EntryView],
                sent_at: datetime, digest: rr.DigestView | None) -> dict[str, str]:
    """The flat parameters of a ZNS template, each at most 100 characters."""
    if digest is not None:
        fields = rr.digest_fields(digest, f"{vn_time(sent_at)}, {vn_date(sent_at.date())}")
    elif kind is MessageKind.TEST:
        fields = {"noi_dung": "Thử kênh nhắc việc",
                  "thoi_gian": f"{vn_time(sent_at)}, {vn_date(sent_at.date())}",
                  "ke_hoach": "Tin thử, không thuộc kế hoạch nào", "han": "Không có"}
    else:
        first = views[0]
        if len(views) == 1:
            title = first.item.title
        else:
            title = f"{len(views)} việc: " + "; ".join(v.item.title for v in views)
        if kind is MessageKind.NUDGE:
            title = "Đôn đốc báo cáo: " + title
        if kind is MessageKind.CHANGE:
            title = ("Hủy: " if first.item.cancelled and len(views) == 1
                     else "Thay đổi lịch: ") + title
        labels = {v.item.plan_label for v in views}
        moment = (vn_date(first.nudge.due) if first.nudge  # the deadline after the day-off rule
                  else when(first.item) + (" (dự kiến)" if first.item.tentative else ""))
        fields = {"noi_dung": title, "thoi_gian": moment,
                  "ke_hoach": first.item.plan_label if len(labels) == 1
                  else f"{len(labels)} kế hoạch",
                  "han": "Đã hủy" if first.countdown is None else first.countdown}
    fields["ten_don_vi"] = unit_name
    return {name: shorten(value, ZNS_FIELD_LIMIT) for name, value in sorted(fields.items())}
