"""The Vietnamese review summary printed after an import: what to check before publishing."""

from __future__ import annotations

from collections import Counter

from reminders.ingest.model import ImportedPlan

_SUSPICIOUS = ("time_warning", "date_before_plan", "deadline_no_units")


def review(plan: ImportedPlan, *, stored: str | None = None) -> list[str]:
    """Lines for a person: counts, then what could not be read and what looks wrong."""
    info = plan.plan
    lines = [
        f"Kế hoạch: {info.number or '(chưa có số)'} — {info.title or '(chưa rõ tên)'}",
        f"Cơ quan ban hành: {info.issuer or '(chưa rõ)'}; ngày: "
        f"{info.issued.strftime('%d/%m/%Y') if info.issued else '(chưa ghi)'}; năm: {info.year}",
        f"Đơn vị thường trực: {info.standing_unit.name if info.standing_unit else '(không ghi)'}",
        f"Đã đọc: {len(plan.activities)} hoạt động, {len(plan.assignments)} đơn vị được phân "
        f"công, {len(plan.deadlines)} thời hạn báo cáo/hoàn thành.",
    ]
    if stored:
        lines.append(stored)
    for deadline in plan.deadlines:
        when = deadline.time.rrule or (
            deadline.time.end.strftime("%d/%m/%Y") if deadline.time.end else "?")
        who = ", ".join(u.name for u in deadline.from_units) or "(chưa rõ đơn vị)"
        lines.append(f"  • {deadline.title}: hạn {when} — {who}")
    counts = Counter(w.code for w in plan.warnings)
    undetermined = [w for w in plan.warnings if w.code == "time_undetermined"]
    if undetermined:
        lines.append(f"Thời gian chưa xác định ({len(undetermined)}):")
        lines += [f"  • {w.where}: {w.message}" for w in undetermined]
    unresolved = [w for w in plan.warnings if w.code == "unit_unresolved"]
    if unresolved:
        lines.append(f"Đơn vị chưa nhận ra ({len(unresolved)}):")
        lines += [f"  • {w.where}: {w.message}" for w in unresolved]
    suspicious = [w for w in plan.warnings if w.code in _SUSPICIOUS]
    if suspicious:
        lines.append(f"Cần kiểm tra ({len(suspicious)}):")
        lines += [f"  • {w.where}: {w.message}" for w in suspicious]
    others = [w for w in plan.warnings
              if w.code not in _SUSPICIOUS and w.code not in ("time_undetermined",
                                                               "unit_unresolved")]
    lines += [f"Lưu ý: {w.message}" for w in others]
    if not counts:
        lines.append("Không có cảnh báo.")
    return lines
