"""The draft follow-up letter ("công văn đôn đốc") to units that have not reported (.docx).

Laid out as Nghị định 30/2020/NĐ-CP, Phụ lục I has it: the issuer and the national motto
side by side, number and date left blank for the office's clerk (văn thư) to fill in,
"Kính gửi" the units still owing the report, the body, then "Nơi nhận" and the signer.
Names are passed as normally written ("Phòng Văn hóa và Thông tin"); the header upper-cases
them. Units' names are written exactly as stored.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from datetime import UTC, datetime

from docx.document import Document as DocxDocument

from reminders.clock import local
from reminders.documents import docx_layout as layout
from reminders.documents.docx_layout import CENTER, LEFT_ALIGN, Look
from reminders.documents.wording import day, state_phrase, xml_safe
from reminders.reports import PlanView
from reminders.status import Cell, OccurrenceStatus
from reminders.units.names import fold

HEADER_WIDTHS = (75.0, 100.0)  # mm: 5 mm into each margin, as the usual templates do
FOOTER_WIDTHS = (80.0, 85.0)
BLANK_DATE = "…/…/…"
NUMBER_PLACEHOLDER = "Số:        /…"
MOTTO_TOP = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
MOTTO = "Độc lập - Tự do - Hạnh phúc"

_BODY = Look(first_indent=12.7, after=6)


def follow_up_letter(view: PlanView, occurrence: OccurrenceStatus, *, issuer_parent: str,
                     issuer_name: str, place: str, now: datetime,
                     signer_title: str = "TRƯỞNG PHÒNG") -> bytes:
    """The .docx draft asking the units that have not reported for `occurrence` to report.

    Raises ValueError when every unit has reported (or is exempt): there is nobody to ask.
    """
    missing = occurrence.missing()
    if not missing:
        raise ValueError("Tất cả đơn vị đã báo cáo hạn này; không có đơn vị nào cần đôn đốc.")
    doc = layout.new_document()
    subject = letter_subject(view, occurrence)
    _header(doc, issuer_parent=issuer_parent, issuer_name=issuer_name, place=place,
            year=local(now).year, subject=subject)
    _addressees(doc, [c.unit_name for c in missing])
    for text in body(view, occurrence, issuer_parent=issuer_parent, issuer_name=issuer_name,
                     now=now):
        layout.paragraph(doc, text, _BODY)
    _footer(doc, issuer_parent=issuer_parent, signer_title=signer_title)
    props = doc.core_properties
    props.title = xml_safe(subject)
    props.author = props.last_modified_by = xml_safe(issuer_name)
    props.created = props.modified = now.astimezone(UTC)  # python-docx writes it as UTC
    props.revision = 1
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def letter_subject(view: PlanView, occurrence: OccurrenceStatus) -> str:
    """The letter's trích yếu: 'V/v đôn đốc báo cáo kết quả theo Kế hoạch số 249/KH-UBND'."""
    ref = f"Kế hoạch số {view.plan.number}" if view.plan.number else "Kế hoạch"
    repeats = sum(o.occurrence.deadline_id == occurrence.occurrence.deadline_id
                  for o in view.reports.occurrences)
    if repeats > 1:  # a periodic report: name the period by its due day
        ref += f" (kỳ hạn {day(occurrence.occurrence.due_date)})"
    title = occurrence.occurrence.title
    if _is_report(title):
        return f"V/v đôn đốc {_lower_first(title)} theo {ref}"
    return f"V/v đôn đốc báo cáo theo {ref}"


def body(view: PlanView, occurrence: OccurrenceStatus, *, issuer_parent: str,
         issuer_name: str, now: datetime) -> list[str]:
    """The paragraphs between "Kính gửi" and the signature."""
    deadline = occurrence.occurrence
    missing = occurrence.missing()
    who = "các đơn vị" if len(missing) > 1 else "đơn vị"
    what = (_lower_first(deadline.title) if _is_report(deadline.title)
            else f"báo cáo “{deadline.title}”")
    due = f"hạn cuối của kỳ báo cáo này là ngày {day(deadline.due_date)}"
    if occurrence.moved:
        due += f", do trùng ngày nghỉ nên lùi sang ngày {day(occurrence.due)}"
    return [
        f"Thực hiện {view.plan.label} về {_lower_first(view.plan.title)}, {who} có trách "
        f"nhiệm gửi {what} về {deadline.receiver or issuer_name} {deadline.time_text}; "
        f"{due}.",
        f"Tuy nhiên, tính đến ngày {day(local(now).date())}, {issuer_name} chưa nhận được "
        f"báo cáo của {_late_units(missing)}.",
        f"Để kịp thời tổng hợp, báo cáo {issuer_parent}, {issuer_name} đề nghị {who} khẩn "
        f"trương hoàn thành và gửi báo cáo về {issuer_name} trước ngày {BLANK_DATE}.",
        "Thông tin chi tiết xin liên hệ: đồng chí …………………, số điện thoại: …………………, "
        "thư điện tử: …………………",
        f"Rất mong nhận được sự quan tâm, phối hợp của {who}./.",
    ]


def _late_units(missing: Sequence[Cell]) -> str:
    """'các đơn vị nêu trên (quá hạn 4 ngày làm việc)', or each unit with its own delay."""
    phrases = {_lower_first(state_phrase(c)) for c in missing}
    if len(missing) == 1:
        return f"{missing[0].unit_name} ({phrases.pop()})"
    if len(phrases) == 1:
        return f"các đơn vị nêu trên ({phrases.pop()})"
    return "các đơn vị nêu trên: " + "; ".join(
        f"{c.unit_name} ({_lower_first(state_phrase(c))})" for c in missing)


def _header(doc: DocxDocument, *, issuer_parent: str, issuer_name: str, place: str,
            year: int, subject: str) -> None:
    left, right = layout.borderless_table(doc, HEADER_WIDTHS).rows[0].cells
    layout.paragraph(left, issuer_parent.upper(), Look(size=13, align=CENTER))
    layout.paragraph(left, issuer_name.upper(), Look(size=13, bold=True, align=CENTER))
    # ND30: a line a third to a half as long as the name above it (≈ 2.6 mm a letter).
    name_mm = min(len(issuer_name) * 2.6, HEADER_WIDTHS[0] - 4)
    layout.rule(left, length_mm=max(15.0, name_mm * 0.4), width_mm=HEADER_WIDTHS[0])
    layout.paragraph(left, NUMBER_PLACEHOLDER, Look(size=13, align=CENTER, before=6))
    layout.paragraph(left, subject, Look(size=12, align=CENTER, before=2))
    layout.paragraph(right, MOTTO_TOP, Look(size=12, bold=True, align=CENTER))
    layout.paragraph(right, MOTTO, Look(size=13, bold=True, align=CENTER))
    layout.rule(right, length_mm=62, width_mm=HEADER_WIDTHS[1])  # as long as the motto
    layout.paragraph(right, f"{place}, ngày      tháng      năm {year}",
                     Look(size=14, italic=True, align=CENTER, before=8))


def _addressees(doc: DocxDocument, names: Sequence[str]) -> None:
    if len(names) == 1:
        layout.paragraph(doc, f"Kính gửi: {names[0]}.", Look(align=CENTER, before=18, after=12))
        return
    layout.paragraph(doc, "Kính gửi:", Look(align=LEFT_ALIGN, before=18, left_indent=20))
    for n, name in enumerate(names, start=1):
        end = "." if n == len(names) else ";"
        layout.paragraph(doc, f"- {name}{end}",
                         Look(align=LEFT_ALIGN, left_indent=40,
                              after=12 if n == len(names) else 0))


def _footer(doc: DocxDocument, *, issuer_parent: str, signer_title: str) -> None:
    left, right = layout.borderless_table(doc, FOOTER_WIDTHS).rows[0].cells
    layout.paragraph(left, "Nơi nhận:", Look(size=12, bold=True, italic=True,
                                             align=LEFT_ALIGN, before=6))
    for line in ("- Như trên;", f"- {issuer_parent} (để b/c);", "- Lưu: VT."):
        layout.paragraph(left, line, Look(size=11, align=LEFT_ALIGN))
    layout.paragraph(right, signer_title.upper(), Look(size=14, bold=True, align=CENTER,
                                                       before=6))
    layout.paragraph(right, "", Look(align=CENTER, before=72))  # room for the signature
    layout.paragraph(right, "………………………………", Look(size=14, bold=True, align=CENTER))


def _is_report(title: str) -> bool:
    return fold(title).startswith("bao cao")


def _lower_first(text: str) -> str:
    """'Tổ chức…' → 'tổ chức…' mid-sentence; 'UBND…' and other acronyms stay."""
    if len(text) > 1 and text[0].isupper() and text[1].islower():
        return text[0].lower() + text[1:]
    return text
