"""Who signs the follow-up letter: the plan's standing office under its parent body.

Nghị định 30/2020 heads a letter with the governing body ("cơ quan chủ quản") above the
issuing one; the issuing office is named without the locality its parent already gives
("PHÒNG VĂN HÓA VÀ THÔNG TIN" under "UBND QUẬN THANH XUÂN").
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy.engine import Connection

from reminders.store.reports import ReportPlan
from reminders.store.units import get_unit

_LOCALITY = re.compile(r"\s+(?:quận|huyện|thị xã|thành phố|tỉnh|phường|xã|thị trấn)\b.*$",
                       re.IGNORECASE)


@dataclass(frozen=True, slots=True, kw_only=True)
class Letterhead:
    parent: str  # "UBND quận Thanh Xuân"
    name: str  # "Phòng Văn hóa và Thông tin"
    place: str  # "Thanh Xuân", for "<place>, ngày … tháng … năm …"


def short_name(name: str) -> str:
    """The office's name without its locality tail, when something is left."""
    short = _LOCALITY.sub("", name).strip()
    return short or name


def letterhead(conn: Connection, plan: ReportPlan) -> Letterhead:
    """From the registry when the plan's standing office is known, else as the plan writes."""
    office = get_unit(conn, plan.standing_unit_id) if plan.standing_unit_id else None
    parent_name = plan.issuer
    if office is not None and office.unit.parent:
        parent = get_unit(conn, office.unit.parent)
        if parent is not None:
            parent_name = parent.unit.name
    name = office.unit.name if office is not None else (plan.standing_name or "")
    return Letterhead(parent=parent_name, name=short_name(name) or "Đơn vị thường trực",
                      place=plan.place or "")
