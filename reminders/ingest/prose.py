"""Activities written as prose: items with a time in brackets, labelled blocks
("Cơ quan chủ trì: …; Thời gian: …"), numbered steps ("Bước 1"), and single events
described by "Thời gian: …" / "Địa điểm: …" with a programme ("08h30: …").
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from reminders.ingest.outline import Kind, Line, PartKind
from reminders.ingest.textutil import fold

_LABELS = {
    "lead": r"(?:cơ quan|đơn vị|bộ phận)\s+(?:chủ\s+trì|thực\s+hiện)(?:\s+tổ\s+chức)?|chủ\s+trì",
    "partners": r"(?:cơ quan|đơn vị|bộ phận)\s+phối\s+hợp(?:\s+thực\s+hiện)?|phối\s+hợp",
    "time": r"thời\s+gian(?:\s+(?:thực\s+hiện|tổ\s+chức|hoàn\s+thành|hoàn\s+tất|"
            r"kiểm\s+tra|triển\s+khai|huấn\s+luyện))?|thời\s+hạn(?:\s+hoàn\s+thành)?",
    "place": r"địa\s+điểm(?:\s+tổ\s+chức)?",
    "result": r"sản\s+phẩm|kết\s+quả(?:\s+dự\s+kiến)?|dự\s+kiến\s+kết\s+quả",
}
_LABEL = re.compile(
    r"(?:^|[;.]\s+|\s[-–]\s|^[-–+]\s*)(?P<label>"
    + "|".join(f"(?P<{k}>{v})" for k, v in _LABELS.items())
    + r")\s*:\s*",
    re.I,
)
_BRACKET_TIME = re.compile(
    r"\(\s*(?:(?:thời\s+gian(?:\s+\w+){0,2}|thời\s+hạn|hoàn\s+thành)\s*:\s*)(?P<time>[^()]+?)"
    r"\s*\)\s*[.;,]?\s*$",
    re.I,
)
_BRACKET_LABELS = re.compile(r"\(\s*(?P<inner>[^()]*:[^()]*)\)\s*[.;,]?\s*$")
_LEAD_CLAUSE = re.compile(
    r"^(?P<lead>.+?)\s+chủ\s+trì(?:\s*,?\s*phối\s+hợp(?:\s+với)?\s+(?P<partners>.+?))?"
    r"(?:\s+(?:thực\s+hiện|tổ\s+chức|triển\s+khai)\b.*)?$",
    re.I,
)
# "Tham mưu ban hành …: Phòng VH&TT huyện thực hiện; hoàn thành trước ngày 20/5/2024".
_TASK = re.compile(
    r"^(?P<title>[^:]{8,}?):\s*(?P<lead>[^;:]+?)\s+(?:chủ\s+trì|thực\s+hiện)"
    r"(?:\s*,?\s*phối\s+hợp(?:\s+với)?\s+(?P<partners>[^;]+?))?\s*;\s*(?P<time>.+)$",
    re.I,
)
_BRACKET_WHEN = re.compile(r"\(\s*(?P<time>khi\s+[^()]+?)\s*\)\s*[.;,]?\s*$", re.I)
_BATCH = re.compile(r"^(?P<name>Đợt\s+\d{1,2})\s*:\s*(?P<time>.+)$", re.I)
_PROGRAMME = re.compile(r"^(?P<time>\d{1,2}\s*(?:h|giờ|:)\s*\d{0,2})\s*[’']?\s*(?:[-–:]|$)\s*"
                        r"(?P<what>.*)$", re.I)
# "Thời gian: …", "Thời gian kiểm tra: …", "Thời gian, đối tượng kiểm tra:" (batches follow).
_TIME_LINE = re.compile(r"^thời\s+gian\b[^:]{0,40}:\s*(?P<value>.*)$", re.I)
_END_WORDS = re.compile(r"kết thúc|bế mạc", re.I)


@dataclass(slots=True, kw_only=True)
class ProseItem:
    """An activity read from prose, before units and times are resolved."""

    code: str
    section: str | None
    title: str
    time_text: str
    where: str
    lead: str = ""
    partners: str = ""
    place: str = ""
    result: str = ""
    subject: str = ""  # a sentence whose leading unit name is the lead ("UBND các phường …")
    needs_lead: bool = False  # an item that is an activity only if its lead is a unit
    event: bool = False  # the plan's own event: its title is the plan's
    programme: list[str] = field(default_factory=list)  # "08h30", "10h30" (start, end)
    uses: tuple[str, ...] = ()  # the labelled lines it was read from (no item of their own)


def labelled(text: str) -> dict[str, str]:
    """"Đơn vị chủ trì: A; Đơn vị phối hợp: B." → {"lead": "A", "partners": "B"}."""
    found: dict[str, str] = {}
    matches = list(_LABEL.finditer(text))
    for i, match in enumerate(matches):
        end = matches[i + 1].start() if i + 1 < len(matches) else len(text)
        key = next(k for k in _LABELS if match.group(k))
        value = text[match.end():end].strip(" ;.")
        if value and key not in found:
            found[key] = value
    return found


@dataclass(slots=True)
class _State:
    part_number: str = ""
    heading: Line | None = None
    counter: int = 0
    waiting: list[ProseItem] = field(default_factory=list)  # items waiting for a shared time


def read_prose(lines: list[Line], *, has_table: bool) -> list[ProseItem]:
    """Prose activities in the content parts of `lines`, in order."""
    items: list[ProseItem] = []
    state = _State()
    for line in lines:
        if line.part is not PartKind.CONTENT:
            state.waiting.clear()
            if line.kind is Kind.PART:
                state.part_number = line.number
            continue
        if line.kind is Kind.PART:
            state = _State(part_number=line.number)
            continue
        if line.kind in (Kind.HEADING, Kind.STEP):
            state.heading, state.counter = line, 0
            state.waiting.clear()
        item = _bracketed(line, state, has_table)
        if item is not None:
            items.append(item)
            continue
        shared = _BRACKET_TIME.match(line.full.strip()) if line.kind is Kind.TEXT else None
        if shared and state.waiting:
            # "(Thời gian thực hiện: quý I, II năm 2024)" under items without their own.
            for waiting in state.waiting:
                waiting.time_text = shared.group("time")
                items.append(waiting)
            state.waiting.clear()
            continue
        if line.kind is Kind.BULLET:
            state.counter += 1
            state.waiting.append(_item(line, state, line.text, ""))
    return items


def _code(state: _State, line: Line) -> str:
    heading = state.heading.number if state.heading is not None else ""
    parts = [p for p in (state.part_number, heading.replace("Bước ", "B")) if p]
    if line.kind is Kind.BULLET or line is not state.heading:
        parts.append(str(state.counter))
    return ".".join(parts) or str(state.counter)


def _item(line: Line, state: _State, title: str, time_text: str) -> ProseItem:
    section = state.heading.text if state.heading is not None and line is not state.heading \
        else (line.part_title or None)
    return ProseItem(code=_code(state, line), section=section, title=title.strip(" ;.-"),
                     time_text=time_text, where=line.where)


def _bracketed(line: Line, state: _State, has_table: bool) -> ProseItem | None:
    if line.kind not in (Kind.BULLET, Kind.HEADING, Kind.TEXT, Kind.STEP):
        return None
    text = line.text
    labels: dict[str, str] = {}
    match = _BRACKET_TIME.search(text)
    if match is None:
        bracket = _BRACKET_LABELS.search(text)
        labels = labelled(bracket.group("inner")) if bracket else {}
        match = bracket if "time" in labels else None
    if match is None and not has_table:
        match = _BRACKET_WHEN.search(text)
    if match is None and line.kind in (Kind.HEADING, Kind.BULLET):
        bare = _BRACKET_BARE.search(text)
        match = bare if bare and _only_a_period(bare.group("time")) else None
    if match is None or match.start() == 0:
        return None
    if line.kind is Kind.BULLET:
        state.counter += 1
    time_text = labels.get("time") or match.group("time")
    item = _item(line, state, text[: match.start()], time_text.strip())
    item.lead, item.partners = labels.get("lead", ""), labels.get("partners", "")
    if not item.lead:
        _lead_clause(item)
    return item


# "1. Hoàn thiện hạ tầng … (2025 - 2026).", "(Quý IV/2025)", "(2026 trở đi)": a bracket
# that holds a period and nothing else. Dates of days ("(10/10/1954 - 10/10/2024)") and
# years before 2000 are anniversaries named in a title, not times.
_BRACKET_BARE = re.compile(r"\(\s*(?P<time>[^()]{2,40}?)\s*\)\s*[.;,]?\s*$")
_PERIOD_WORDS = re.compile(
    r"^(?:\s|[-–/.,]|\d{1,4}|[ivx]+\b|từ|đến|năm|quý|tháng|giai đoạn|xuyên suốt|trở đi"
    r"|dự kiến|trong|và|hằng|hàng|cả)+$", re.I)


def _only_a_period(text: str) -> bool:
    years = [int(y) for y in re.findall(r"\d{4}", text)]
    return (bool(_PERIOD_WORDS.match(text)) and bool(years) and min(years) >= 2000
            and not re.search(r"\d{1,2}/\d{1,2}/\d{4}", text))


def _lead_clause(item: ProseItem) -> None:
    """"…; Hội LHPN huyện chủ trì, phối hợp với X thực hiện" names the lead at the end."""
    head, _, last = item.title.rpartition(";")
    found = _LEAD_CLAUSE.match(last.strip())
    if head and found:
        item.title = head.strip(" ;.-")
        item.lead = found.group("lead")
        item.partners = found.group("partners") or ""


def read_blocks(lines: list[Line]) -> list[ProseItem]:
    """Headings (and steps) followed by labelled lines: "Đơn vị chủ trì: …; Thời gian: …"."""
    items: list[ProseItem] = []
    for index, line in enumerate(lines):
        if line.part is not PartKind.CONTENT or line.kind not in (Kind.HEADING, Kind.STEP):
            continue
        labels = labelled(line.text) if line.kind is Kind.STEP else {}
        uses: list[str] = []
        for following in lines[index + 1:]:
            if following.kind in (Kind.HEADING, Kind.STEP, Kind.PART):
                break
            found = labelled(following.full)
            if found:
                uses.append(following.where)
            for key, value in found.items():
                labels.setdefault(key, value)
        subject = ""
        if line.kind is Kind.STEP and "lead" not in labels:
            subject = next((f.full for f in lines[index + 1:index + 4]
                            if f.kind is Kind.TEXT and not labelled(f.full)), "")
        if "lead" not in labels and not (line.kind is Kind.STEP and "time" in labels):
            continue
        title = line.text
        own = _LABEL.search(title)
        if own:
            title = title[: own.start()]
        items.append(ProseItem(
            code=_heading_code(line), section=line.part_title or None,
            title=title.strip(" ;.:-"), time_text=labels.get("time", ""), where=line.where,
            lead=labels.get("lead", ""), partners=labels.get("partners", ""),
            place=labels.get("place", ""), result=labels.get("result", ""), subject=subject,
            uses=tuple(uses),
        ))
    return items


def read_tasks(lines: list[Line]) -> list[ProseItem]:
    """Numbered items "Title: Unit thực hiện; hoàn thành trước ngày …" in any working part."""
    items: list[ProseItem] = []
    for line in lines:
        if line.part not in (PartKind.CONTENT, PartKind.ASSIGNMENT, PartKind.OTHER):
            continue
        if line.kind not in (Kind.HEADING, Kind.BULLET):
            continue
        match = _TASK.match(line.text)
        if match is None:
            continue
        time_text = re.sub(r"^thời\s+gian\s*:?\s*", "", match.group("time").strip(" ."),
                           flags=re.I)
        code = ".".join(x for x in (line.part_number, line.number) if x and x != "-")
        items.append(ProseItem(
            code=code or str(len(items) + 1), section=line.part_title or None,
            title=match.group("title").strip(), time_text=time_text, where=line.where,
            lead=match.group("lead"), partners=match.group("partners") or "", needs_lead=True,
        ))
    return items


# "Giao Hội LHPN huyện tổng hợp danh sách …, hoàn thành trước ngày 25/11/2025": a task.
_GIVEN = re.compile(
    r"^(?:Giao|Đề nghị|Yêu cầu)\s+(?P<lead>.+?)\s+(?P<title>(?:chủ\s+trì|tổng\s+hợp|thực\s+hiện|"
    r"xây\s+dựng|tổ\s+chức|phối\s+hợp|rà\s+soát|hướng\s+dẫn|theo\s+dõi|triển\s+khai|"
    r"tham\s+mưu|kiểm\s+tra|chuẩn\s+bị|cung\s+cấp|lập|hoàn\s+thiện|báo\s+cáo)\b.+?)"
    r"[,;]?\s*(?P<time>(?:hoàn\s+thành|xong|chậm\s+nhất|trước|trong)\b[^;]*?)\.?$",
    re.I,
)


def read_given_tasks(lines: list[Line]) -> list[ProseItem]:
    """Sentences of a letter or plan that give a unit a task with its own time."""
    items: list[ProseItem] = []
    for line in lines:
        if line.part not in (PartKind.CONTENT, PartKind.ASSIGNMENT):
            continue
        match = _GIVEN.match(line.text)
        if match is None or "báo cáo" in match.group("title").lower()[:9]:
            continue  # "Đề nghị … báo cáo … trước ngày": a reporting deadline, read apart
        items.append(ProseItem(
            code=str(len(items) + 1), section=line.part_title or None,
            title=_capitalised(match.group("title").strip(" ,;.")),
            time_text=match.group("time"),
            where=line.where, lead=match.group("lead"), needs_lead=True,
        ))
    return items


def _capitalised(text: str) -> str:
    return text[:1].upper() + text[1:]


def _heading_code(line: Line) -> str:
    return line.number.replace("Bước ", "B")


def read_events(lines: list[Line]) -> list[ProseItem]:
    """The plan's own event(s): "Thời gian: …" and "Địa điểm: …" lines in a content part.

    A time line with batches under it ("Đợt 1: Từ 13h30’ ngày 02/6/2026") gives one event
    per batch; a programme ("08h30: …", "10h30: Kết thúc") gives the times of day.
    """
    events: list[ProseItem] = []
    place = ""
    lead = ""
    programme: list[str] = []
    for index, line in enumerate(lines):
        if line.part is not PartKind.CONTENT:
            continue
        labels = labelled(line.full) if line.kind is not Kind.TEXT or _starts_label(line) else {}
        if "place" in labels and not place:
            place = labels["place"]
        if "lead" in labels and not lead and _starts_label(line) and "time" not in labels:
            lead = labels["lead"]
        match = _PROGRAMME.match(line.text) if line.kind is Kind.BULLET else None
        if match:
            programme.append(match.group("time"))
            if _END_WORDS.search(match.group("what")):
                break
        time_line = _TIME_LINE.match(line.text) if line.kind is not Kind.TEXT else None
        if time_line is None or "lead" in labels:
            continue
        batches = _batches(lines, index)
        if batches:
            events.extend(batches)
        elif time_line.group("value"):
            number = line.number if line.kind is Kind.HEADING else str(len(events) + 1)
            code = ".".join(x for x in (line.part_number, number) if x)
            events.append(ProseItem(code=code, section=None,
                                    title="", time_text=time_line.group("value").strip(" ."),
                                    where=line.where,
                                    event=True))
    for event in events:
        event.place = event.place or place
        event.lead = event.lead or lead
        event.programme = programme[:1] + programme[-1:] if len(programme) > 1 else programme
    return events


def _starts_label(line: Line) -> bool:
    return bool(re.match(r"^(?:" + "|".join(_LABELS.values()) + r")\b[^:]{0,30}:", line.text,
                         re.I))


def _batches(lines: list[Line], index: int) -> list[ProseItem]:
    batches: list[ProseItem] = []
    parent = lines[index]
    for line in lines[index + 1:]:
        if line.kind is Kind.PART or (line.kind is Kind.HEADING and line.depth <= parent.depth):
            break
        match = _BATCH.match(line.text)
        if match:
            number = line.number or match.group("name")
            batches.append(ProseItem(code=".".join(x for x in (line.part_number, number) if x),
                                     section=None,
                                     title=match.group("name"),
                                     time_text=match.group("time").strip(" ."),
                                     where=line.where, event=True))
    return batches


def is_label_only(text: str) -> bool:
    return bool(fold(text).startswith(("thoi gian", "dia diem")))
