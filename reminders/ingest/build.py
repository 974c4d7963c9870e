"""Documents → one ImportedPlan: the importer's composition of readers and extractors.

Pure given the file bytes, the resolver and `today` (only for a plan with no year).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, time

from reminders.errors import InputError
from reminders.ingest.assignments import AssignmentReading, read_assignments
from reminders.ingest.deadlines import FoundDeadline, find_deadlines
from reminders.ingest.document import Document, Paragraph
from reminders.ingest.headers import Role
from reminders.ingest.metadata import Metadata, read_metadata
from reminders.ingest.model import (
    Activity,
    Assignment,
    Deadline,
    ImportedPlan,
    PlanInfo,
    SourceFile,
    UnitRef,
    Warning,
)
from reminders.ingest.outline import Line, PartKind, outline
from reminders.ingest.prose import (
    ProseItem,
    read_blocks,
    read_events,
    read_given_tasks,
    read_prose,
    read_tasks,
)
from reminders.ingest.read import InputFile, Tools, read_document
from reminders.ingest.tables import TableRow, read_table
from reminders.ingest.textutil import fold
from reminders.ingest.unitcells import UnitReader, looks_like_unit
from reminders.timeexpr import parse
from reminders.timeexpr.spec import TimeSpec
from reminders.units.resolve import Resolver

_STANDING = re.compile(
    r"(?:giao\s+)?(?P<who>(?:UBND|Ủy ban|Sở|Phòng|phòng|Ban|Văn phòng|Trung tâm)[^;,.()]{2,80}?)"
    r"\s*(?:\(\s*(?:là\s+)?|,?\s*là\s+|\s+làm\s+)(?:cơ quan|đơn vị)\s+(?:thường trực|đầu mối)",
    re.I,
)
_SIGNED_BY_COUNCIL = re.compile(r"^TM\.?\s*(?:ỦY|UỶ) BAN NHÂN DÂN", re.I)
_CLOCK = re.compile(r"(\d{1,2})\s*(?:h|giờ|:)\s*(\d{0,2})")


@dataclass(slots=True)
class _Doc:
    document: Document
    lines: list[Line]
    tables: list[list[TableRow]]
    order: dict[str, int]  # where → position in the document, for document order
    meta: Metadata


@dataclass(slots=True)
class _Collector:
    activities: list[tuple[tuple[int, int], Activity]] = field(default_factory=list)
    warnings: list[Warning] = field(default_factory=list)
    codes: set[str] = field(default_factory=set)
    tables: int = 0
    table_prefix: str = ""

    def code(self, code: str) -> str:
        self.codes.add(code)
        return code


def import_plan(files: Sequence[InputFile], *, resolver: Resolver, today: date,
                tools: Tools | None = None) -> ImportedPlan:
    """Read `files` (a plan and its annexes) as one plan. Raises InputError.

    `tools`: the OCR and conversion programs (None: those installed, found when needed).
    """
    docs = [_read(f, tools) for f in files]
    main = next((d for d in docs if d.meta.title and not d.meta.is_annex), docs[0])
    info, warnings = _plan_info(main, docs, resolver, today)
    reader = UnitReader(resolver, tuple(x for x in (info.issuer,) if x))
    out = _Collector(warnings=warnings)
    assignments = [read_assignments(d.lines, reader) for d in docs]
    standing = next((a.standing for a in assignments if a.standing), None)
    standing = standing or _standing_in_text(docs, reader)
    found_deadlines = _deadlines(docs, assignments, reader, info, standing)
    deadlines = [d for d in found_deadlines if d.readable]
    unread = [d for d in found_deadlines if not d.readable]
    if standing is None and deadlines and deadlines[0].to_unit and deadlines[0].to_unit.unit_id:
        standing = deadlines[0].to_unit
    info = replace(info, standing_unit=standing)
    issuer_ref = UnitRef(name=info.issuer, unit_id=info.issuer_unit_id) if info.issuer else None
    for index, doc in enumerate(docs):
        _table_activities(index, doc, reader, info, out)
        _prose_activities(index, doc, reader, info, out, issuer_ref)
    for found in assignments:
        out.warnings.extend(found.warnings)
    _assigned_tasks(deadlines, docs, out)
    plan = ImportedPlan(
        plan=info,
        activities=_unique_codes(a for _, a in sorted(out.activities, key=lambda p: p[0])),
        assignments=tuple(
            Assignment(unit=unit, tasks=tuple(block.tasks), source=block.where)
            for found in assignments for block in found.blocks for unit in block.units
        ),
        deadlines=tuple(
            Deadline(title=d.title, time=d.time, to_unit=d.to_unit, from_units=d.from_units,
                     text=d.text, source=d.where) for d in deadlines
        ),
        warnings=tuple(_unique(out.warnings + _deadline_warnings(deadlines, unread)
                               + _ocr_warnings(docs, out.activities, deadlines))),
        sources=tuple(SourceFile(name=f.name, sha256=f.sha256, size=len(f.data)) for f in files),
    )
    return _check_every_file_holds_plan(plan, docs)


def _check_every_file_holds_plan(plan: ImportedPlan, docs: list[_Doc]) -> ImportedPlan:
    """A file that gives nothing (no activity, task, deadline, title) is not a plan.

    An official document (its number or its date line is read) that sets nothing dated
    (a công văn that only informs) is kept, with a warning, so the office sees it was read.
    """
    used = {where.rsplit(":", 1)[0] for where in (
        [a.source for a in plan.activities] + [a.source for a in plan.assignments]
        + [d.source for d in plan.deadlines])}
    empty: list[Warning] = []
    for doc in docs:
        if doc.document.name in used or (doc.meta.title and (plan.activities or plan.deadlines)):
            continue
        if doc.meta.number or doc.meta.issued:
            empty.append(Warning(
                code="no_items", where=f"{doc.document.name}:1",
                message="Văn bản không có hoạt động, nhiệm vụ hay hạn báo cáo nào có thời gian: "
                        "hãy kiểm tra lại hoặc thêm bằng tay"))
            continue
        raise InputError(
            "không tìm thấy kế hoạch trong tệp: không có hoạt động, phân công hay thời hạn nào",
            file=doc.document.name,
        )
    return replace(plan, warnings=plan.warnings + tuple(empty)) if empty else plan


def _ocr_warnings(docs: list[_Doc], activities: list[tuple[tuple[int, int], Activity]],
                  deadlines: Sequence[FoundDeadline]) -> list[Warning]:
    """Every item read through OCR says so: the office checks it against the scan."""
    scanned = frozenset().union(*(d.document.ocr for d in docs))
    if not scanned:
        return []
    sources = [a.source for _, a in activities] + [d.where for d in deadlines]
    return [Warning(code="ocr", where=where,
                    message="đọc từ ảnh quét bằng nhận dạng chữ (OCR): hãy đối chiếu với bản gốc")
            for where in dict.fromkeys(sources) if where in scanned]


def _read(source: InputFile, tools: Tools | None = None) -> _Doc:
    document = read_document(source, tools)
    paragraphs: list[Paragraph] = []
    tables: list[list[TableRow]] = []
    order: dict[str, int] = {}
    for block in document.blocks:
        if isinstance(block, Paragraph):
            paragraphs.append(block)
            order.setdefault(block.where, len(order))
            continue
        table_rows = read_table(block)
        if table_rows is None:
            # A layout table (letterhead, signature, form): its text is prose.
            cells = list(Document(name=document.name, blocks=(block,)).paragraphs())
            paragraphs.extend(cells)
            for cell in cells:
                order.setdefault(cell.where, len(order))
        else:
            tables.append(table_rows)
            for row in block.rows:
                order.setdefault(row.where, len(order))
    lines = outline(paragraphs)
    lines.sort(key=lambda ln: order.get(ln.where, 0))
    return _Doc(document, lines, [t for t in tables if t], order, read_metadata(lines))


def _plan_info(main: _Doc, docs: list[_Doc], resolver: Resolver,
               today: date) -> tuple[PlanInfo, list[Warning]]:
    meta = main.meta
    where = f"{main.document.name}:1"
    warnings: list[Warning] = []
    year = meta.year or next((d.meta.year for d in docs if d.meta.year), None)
    if year is None:
        year = today.year
        warnings.append(Warning(code="no_year", where=where, message=(
            f"Không tìm thấy năm của kế hoạch; các ngày không ghi năm được hiểu là năm {year}")))
    issuer = meta.issuer or _issuer_from_signature(main, meta.place)
    issuer_id = None
    if issuer:
        found = resolver.resolve(issuer, ((f"UBND {meta.place}",) if meta.place else ()))
        issuer_id = found.unit_id
    else:
        warnings.append(Warning(code="no_issuer", where=where,
                                message="Không xác định được cơ quan ban hành kế hoạch"))
    if meta.number is None:
        warnings.append(Warning(code="draft", where=where,
                                message="Kế hoạch chưa có số (bản dự thảo)"))
    if meta.issued is None:
        warnings.append(Warning(code="no_date", where=where,
                                message="Kế hoạch chưa ghi đủ ngày ban hành"))
    info = PlanInfo(number=meta.number, issued=meta.issued, place=meta.place, issuer=issuer,
                    issuer_unit_id=issuer_id, title=meta.title, standing_unit=None,
                    implements=meta.implements, year=year)
    return info, warnings


def _issuer_from_signature(doc: _Doc, place: str | None) -> str | None:
    for line in doc.lines:
        if _SIGNED_BY_COUNCIL.match(line.full) and place:
            return f"UBND {place}"
    return None


def _standing_in_text(docs: list[_Doc], reader: UnitReader) -> UnitRef | None:
    for doc in docs:
        for line in doc.lines:
            match = _STANDING.search(line.full)
            if match:
                ref = reader.ref(match.group("who"))
                if ref.unit_id:
                    return ref
    return None


def _deadlines(docs: list[_Doc], assignments: list[AssignmentReading], reader: UnitReader,
               info: PlanInfo, standing: UnitRef | None) -> list[FoundDeadline]:
    owners: dict[str, tuple[UnitRef, ...]] = {}
    for found in assignments:
        for block in found.blocks:
            for where in [block.where, *block.task_where]:
                owners.setdefault(where, tuple(block.units))
    issuer = UnitRef(name=info.issuer, unit_id=info.issuer_unit_id) if info.issuer else None
    result: list[FoundDeadline] = []
    seen: set[tuple[str, str]] = set()
    for doc in docs:
        addressed = _addressees(doc, reader)
        for line in doc.lines:
            if line.part in (PartKind.CLOSING, PartKind.PURPOSE, PartKind.PREAMBLE,
                             PartKind.ADDRESSEES):
                continue
            owner = owners.get(line.where, ()) or addressed
            for deadline in find_deadlines(
                line.full, where=line.where, reader=reader, year=info.year,
                ref_date=info.issued, default_from=owner, default_to=standing or issuer,
                completion=bool(owner),
            ):
                key = (deadline.text, deadline.where)
                if key not in seen:
                    seen.add(key)
                    result.append(deadline)
    return result


_TASK_LIMIT = re.compile(r"[,;]?\s*(?:hoàn\s+(?:thành|tất)|xong|chậm\s+nhất|thời\s+hạn)\b.*$",
                         re.I)


def _task_title(found: FoundDeadline) -> str:
    """"1. Phòng VH&TT: Xây dựng kế hoạch …, hoàn thành trong tháng 9" → the task alone."""
    text = _TASK_LIMIT.sub("", found.text).strip(" ,;.")
    head, colon, rest = text.partition(":")
    if colon and rest.strip() and any(fold(u.name) in fold(head) for u in found.from_units):
        text = rest.strip()
    return text or found.text


def _assigned_tasks(deadlines: Sequence[FoundDeadline], docs: list[_Doc],
                   out: _Collector) -> None:
    """A task given to a unit with its own due date ("Phòng X: … hoàn thành trong tháng
    9/2026") is an activity of that unit too, so its calendar and reminders show it."""
    taken = {a.source for _, a in out.activities}
    for number, found in enumerate(
            (d for d in deadlines if d.title.startswith("Hoàn thành") and d.from_units
             and d.where not in taken), start=1):
        index = next((i for i, d in enumerate(docs) if found.where in d.order), 0)
        activity = Activity(
            code=out.code(f"PC.{number}"), section="Phân công thực hiện",
            title=_task_title(found),
            lead=found.from_units, partners=(), location=None, time=found.time,
            expected_result=None, source=found.where)
        out.activities.append(((index, docs[index].order.get(found.where, 0)), activity))


def _addressees(doc: _Doc, reader: UnitReader) -> tuple[UnitRef, ...]:
    """A công văn's "Kính gửi:" list: who "các đơn vị" in its body are."""
    names: list[str] = []
    for line in doc.lines:
        if line.part is not PartKind.ADDRESSEES:
            continue
        text = re.sub(r"^kính\s+gửi\s*:?\s*", "", line.full, flags=re.I).strip(" -;.")
        if text:
            names.append(text)
    if not names:
        return ()
    return tuple(reader.read_cell("\n".join(names), scan=False).units)


def _deadline_warnings(deadlines: list[FoundDeadline],
                       unread: Sequence[FoundDeadline] = ()) -> list[Warning]:
    return [
        Warning(code="deadline_no_units", where=d.where,
                message=f"Không xác định được đơn vị phải báo cáo: “{d.text}”")
        for d in deadlines if not d.from_units
    ] + [Warning(code="deadline_check", where=d.where, message=d.problem)
         for d in deadlines if d.problem] + [
        Warning(code="deadline_unreadable", where=d.where, message=d.problem) for d in unread]


def _table_activities(index: int, doc: _Doc, reader: UnitReader, info: PlanInfo,
                      out: _Collector) -> None:
    for rows in doc.tables:
        if any(r.code in out.codes for r in rows):
            # A second annex table numbers from 1 again: its codes get the table's number.
            out.table_prefix = f"T{out.tables + 1}."
        else:
            out.table_prefix = ""
        out.tables += 1
        _rows(index, doc, rows, reader, info, out)


def _rows(index: int, doc: _Doc, rows: list[TableRow], reader: UnitReader, info: PlanInfo,
          out: _Collector) -> None:
    timeless = not any(row.has_time_column for row in rows)
    if timeless:
        out.warnings.append(Warning(code="time_undetermined", where=rows[0].where, message=(
            f"Bảng không có cột thời gian: {len(rows)} nhiệm vụ chưa có thời gian")))
    for row in rows:
        lead = reader.read_cell(row.get(Role.LEAD), sections=row.sections, where=row.where)
        partners = reader.read_cell(row.get(Role.PARTNER), sections=row.sections,
                                    where=row.where)
        out.warnings.extend(lead.warnings + partners.warnings)
        spec = _time(row.get(Role.TIME), info, row.where, out, deadline=row.deadline_column,
                     quiet=timeless)
        people = tuple(p.strip() for p in row.get(Role.PEOPLE).split("\n") if p.strip())
        activity = Activity(
            code=out.code(out.table_prefix + row.code), section=row.section, title=row.title,
            lead=tuple(lead.units), partners=tuple(lead.partners + partners.units),
            location=row.get(Role.PLACE) or None, time=spec,
            expected_result=row.get(Role.RESULT) or None, source=row.where, people=people,
        )
        out.activities.append(((index, doc.order.get(row.where, 0)), activity))


def _prose_activities(index: int, doc: _Doc, reader: UnitReader, info: PlanInfo,
                      out: _Collector, issuer: UnitRef | None) -> None:
    items = read_blocks(doc.lines)
    taken = {i.where for i in items} | {where for i in items for where in i.uses}
    items += [i for i in read_prose(doc.lines, has_table=bool(doc.tables)) if i.where not in taken]
    items += [i for i in read_tasks(doc.lines) if i.where not in taken]
    items += [i for i in read_events(doc.lines) if i.where not in taken]
    taken |= {i.where for i in items}
    items += [i for i in read_given_tasks(doc.lines) if i.where not in taken]
    for item in items:
        if item.needs_lead:
            found = reader.read_cell(item.lead, sections=_sections(item), scan=False)
            if not found.units or not all(u.unit_id or looks_like_unit(u.name)
                                          for u in found.units):
                continue
        lead = reader.read_cell(item.lead, sections=_sections(item), where=item.where)
        if not item.lead and item.subject:
            lead.units = reader.subject(item.subject, _sections(item))
        partners = reader.read_cell(item.partners, sections=_sections(item), where=item.where)
        out.warnings.extend(lead.warnings + partners.warnings)
        spec = _time(item.time_text, info, item.where, out, deadline=False)
        title, leads, partner_refs = item.title, list(lead.units), lead.partners + partners.units
        if item.event:
            title = " – ".join(x for x in (info.title or "Hoạt động của kế hoạch", item.title) if x)
            spec = _with_programme(spec, item.programme)
            owner = info.standing_unit or issuer
            leads = leads or ([owner] if owner else [])
        activity = Activity(
            code=out.code(item.code), section=item.section, title=title, lead=tuple(leads),
            partners=tuple(partner_refs), location=item.place or None, time=spec,
            expected_result=item.result or None, source=item.where,
        )
        out.activities.append(((index, doc.order.get(item.where, 0)), activity))


def _sections(item: ProseItem) -> tuple[str, ...]:
    return (item.section,) if item.section else ()


_ONE_SESSION = re.compile(r"\b(?:0?1|một)\s+(?:buổi|ngày)\b", re.I)


def _time(text: str, info: PlanInfo, where: str, out: _Collector, *, deadline: bool,
          quiet: bool = False) -> TimeSpec:
    spec = parse(text, year=info.year, ref_date=info.issued)
    if (_ONE_SESSION.search(text) and spec.start and spec.end and spec.end > spec.start
            and not spec.deadline):
        # "01 buổi sáng trong thời gian từ ngày 18-25/11/2024": one morning somewhere in the
        # window, not known yet: the window is shown as tentative.
        spec = replace(spec, tentative=True)
    if deadline and not spec.deadline and not spec.undetermined and not spec.rrule:
        # Under "Thời hạn" / "Thời gian hoàn thành" a month is the month to finish by.
        spec = replace(spec, deadline=True,
                       spans=tuple(replace(s, deadline=True) for s in spec.spans))
    if spec.undetermined and not quiet:
        shown = f"“{text}”" if text.strip() else "(để trống)"
        out.warnings.append(Warning(code="time_undetermined", where=where,
                                    message=f"Không xác định được thời gian {shown}"))
    for message in spec.warnings:
        out.warnings.append(Warning(code="time_warning", where=where, message=message))
    if info.issued and spec.end and spec.end < info.issued:
        out.warnings.append(Warning(code="date_before_plan", where=where, message=(
            f"Thời gian “{text}” kết thúc trước ngày ban hành kế hoạch "
            f"({info.issued.strftime('%d/%m/%Y')})")))
    return spec


def _with_programme(spec: TimeSpec, programme: list[str]) -> TimeSpec:
    """"08h30: Khai mạc … 10h30: Kết thúc" gives the event its hours."""
    clocks = [c for c in (_clock(p) for p in programme) if c is not None]
    if not clocks or spec.time is not None:
        return spec
    end = clocks[-1] if len(clocks) > 1 else None
    spans = tuple(replace(s, time=s.time or clocks[0]) for s in spec.spans)
    return replace(spec, time=clocks[0], end_time=spec.end_time or end, spans=spans)


def _clock(text: str) -> time | None:
    match = _CLOCK.search(text)
    if not match:
        return None
    hour, minute = int(match.group(1)), int(match.group(2) or 0)
    return time(hour, minute) if hour < 24 and minute < 60 else None


def _unique_codes(activities: Iterable[Activity]) -> tuple[Activity, ...]:
    """Codes unique in document order: a later repeat gets "-2", "-3"."""
    used: set[str] = set()
    result = []
    for activity in activities:
        code, n = activity.code, 1
        while code in used:
            n += 1
            code = f"{activity.code}-{n}"
        used.add(code)
        result.append(activity if code == activity.code else replace(activity, code=code))
    return tuple(result)


def _unique(warnings: list[Warning]) -> list[Warning]:
    seen: set[tuple[str, str, str]] = set()
    result = []
    for w in warnings:
        key = (w.code, w.message, w.where)
        if key not in seen:
            seen.add(key)
            result.append(w)
    return result


