"""The shape of a plan's prose: parts ("I. ..."), numbered headings, bullets, text.

Plans number their parts I, II, III; headings inside them 1, 1.1; items with "-" or
"+". Each paragraph gets its kind, level and the part it stands in, so extractors can
ask "is this in TỔ CHỨC THỰC HIỆN?" without re-reading the text.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from reminders.ingest.document import Paragraph
from reminders.ingest.textutil import fold

_PART = re.compile(r"^(?P<num>[IVXLC]{1,5})\s*[.)/-]\s*(?P<text>\S.*)$")
_HEADING = re.compile(r"^(?P<num>\d{1,2}(?:\.\d{1,2}){0,3})\s*[.)/]?\s+(?P<text>\S.*)$")
_LETTER = re.compile(r"^(?P<num>[a-zđ])\s*[)]\s*(?P<text>\S.*)$")
_BULLET = re.compile(r"^(?P<num>[-–+•*])\s*(?P<text>\S.*)$")
_STEP = re.compile(r"^(?P<num>Bước\s+\d{1,2})\s*[:.)-]?\s*(?P<text>.*)$", re.I)


class Kind(StrEnum):
    PART = "part"  # I. MỤC ĐÍCH, YÊU CẦU
    HEADING = "heading"  # 1. / 1.1. / a)
    STEP = "step"  # Bước 1
    BULLET = "bullet"  # - / +
    TEXT = "text"


class PartKind(StrEnum):
    PREAMBLE = "preamble"  # before the first part: number, date, title, "Thực hiện ..."
    PURPOSE = "purpose"  # mục đích, yêu cầu, mục tiêu: no activities
    CONTENT = "content"  # nội dung, nhiệm vụ, hoạt động, thời gian - địa điểm...
    ASSIGNMENT = "assignment"  # phân công / tổ chức / trách nhiệm thực hiện
    OTHER = "other"  # kinh phí, giải pháp, thành phần, chế độ báo cáo...
    CLOSING = "closing"  # Nơi nhận, signature
    ADDRESSEES = "addressees"  # a công văn's "Kính gửi:" list


@dataclass(frozen=True, slots=True, kw_only=True)
class Line:
    """One paragraph in its place in the outline."""

    kind: Kind
    number: str  # "II", "1.2", "a", "-", "Bước 1" or ""
    text: str  # without the number
    full: str  # as written
    part: PartKind
    part_title: str
    where: str
    part_number: str = ""  # "II" of the part this line stands in

    @property
    def depth(self) -> int:
        """Nesting of a heading: "1" is 1, "1.2" is 2, "a)" is 3."""
        if self.kind is Kind.HEADING:
            return self.number.count(".") + 1 if self.number[:1].isdigit() else 3
        return 0


_ASSIGNMENT = re.compile(
    r"^(?:phan cong|to chuc thuc hien|trach nhiem|nhiem vu cua cac|giao nhiem vu|"
    r"trach nhiem thuc hien|phan cong nhiem vu|to chuc trien khai)"
)
_PURPOSE = re.compile(r"^(?:muc dich|yeu cau|muc tieu|quan diem|chi tieu)")
_OTHER = re.compile(
    r"^(?:kinh phi|giai phap|thanh phan|danh nghia|tieu de|che do bao cao|can cu|"
    r"hieu luc|dieu khoan|to chuc tuyen truyen$)"
)
_CLOSING = re.compile(r"^(?:noi nhan|tm\.|kt\.|q\. ?|tl\.|tuq\.)")
# The title of a document attached after a signature, as it is written: in capitals.
_ATTACHED = re.compile(r"^(?:KẾ HOẠCH|CHƯƠNG TRÌNH|PHỤ LỤC|ĐỀ ÁN|DANH MỤC|LỊCH|QUY CHẾ)\b")


def _part_kind(title: str) -> PartKind:
    folded = fold(title)
    if _ASSIGNMENT.match(folded):
        return PartKind.ASSIGNMENT
    if _PURPOSE.match(folded):
        return PartKind.PURPOSE
    if _OTHER.match(folded):
        return PartKind.OTHER
    return PartKind.CONTENT


def outline(paragraphs: Iterable[Paragraph]) -> list[Line]:
    lines: list[Line] = []
    part, part_title, part_number = PartKind.PREAMBLE, "", ""
    addressees = False  # within a letter's "Kính gửi:" list
    for paragraph in paragraphs:
        text = paragraph.text.strip()
        if not text:
            continue
        folded = fold(text)
        if part is PartKind.PREAMBLE and folded.startswith("kinh gui"):
            # A công văn: its addressees, then its body, which is what the letter asks.
            part, part_title, addressees = PartKind.ADDRESSEES, "Kính gửi", True
        elif addressees and not _BULLET.match(text):
            part, part_title, addressees = PartKind.CONTENT, "", False
        if _CLOSING.match(folded):
            part, part_title = PartKind.CLOSING, text
        elif part is PartKind.CLOSING and _ATTACHED.match(text):
            # "Ban hành kèm theo Quyết định này Kế hoạch …": after the decision is signed,
            # the plan it issues begins, with parts of its own.
            part, part_title, part_number = PartKind.PREAMBLE, "", ""
        kind, number, body = _classify(text)
        if kind is Kind.PART and part is not PartKind.CLOSING:
            part, part_title, part_number = _part_kind(body), body, number
        elif kind is Kind.PART:
            kind = Kind.HEADING
        lines.append(Line(kind=kind, number=number, text=body, full=text, part=part,
                          part_title=part_title, where=paragraph.where,
                          part_number=part_number))
    return lines


def _classify(text: str) -> tuple[Kind, str, str]:
    for kind, pattern in ((Kind.STEP, _STEP), (Kind.PART, _PART), (Kind.HEADING, _HEADING),
                          (Kind.HEADING, _LETTER), (Kind.BULLET, _BULLET)):
        match = pattern.match(text)
        if match:
            return kind, match.group("num").strip(), match.group("text").strip()
    return Kind.TEXT, "", text
