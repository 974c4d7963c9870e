"""What nudge and digest templates show beyond a reminder's: overdue words, digest views.

render.py builds the messages; this module gives it the words of a nudge ("Đôn đốc lần
2", "đã quá hạn 3 ngày làm việc") as filters, and the digest as a ready view with the
dashboard's links and the counts its subject and Zalo fields need.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from reminders.planner.report_facts import DigestFacts, DigestPlan, NudgeFacts
from reminders.status import percent


def overdue_text(nudge: NudgeFacts | None) -> str | None:
    """'đã quá hạn 3 ngày làm việc'; None when not overdue by a working day (yet)."""
    if nudge is None or nudge.working_days_overdue <= 0:
        return None
    return f"đã quá hạn {nudge.working_days_overdue} ngày làm việc"


def nudge_label(nudge: NudgeFacts) -> str:
    """'Đôn đốc lần 2', or the office's own nudge."""
    if nudge.number is None:
        return "Đôn đốc theo đề nghị của đơn vị thường trực"
    return f"Đôn đốc lần {nudge.number}"


@dataclass(frozen=True, slots=True, kw_only=True)
class DigestPlanView:
    plan: DigestPlan
    url: str  # the plan's page on the office dashboard
    overdue_units: int
    due_soon_units: int
    reporting_rate: str  # "87,5 %" or "—"
    on_time_rate: str


@dataclass(frozen=True, slots=True, kw_only=True)
class DigestView:
    day: date
    plans: tuple[DigestPlanView, ...]
    overdue_units: int  # unit × occurrence pairs, over every plan
    due_soon_units: int


def digest_view(digest: DigestFacts, base_url: str) -> DigestView:
    """The digest with each plan's dashboard link and counts."""
    base = base_url.rstrip("/")
    plans = tuple(
        DigestPlanView(plan=p, url=f"{base}/quan-ly/ke-hoach/{p.plan_id}",
                       overdue_units=sum(len(d.units) for d in p.overdue),
                       due_soon_units=sum(len(d.units) for d in p.due_soon),
                       reporting_rate=percent(p.figures.reporting_rate),
                       on_time_rate=percent(p.figures.on_time_rate))
        for p in digest.plans)
    return DigestView(day=digest.day, plans=plans,
                      overdue_units=sum(p.overdue_units for p in plans),
                      due_soon_units=sum(p.due_soon_units for p in plans))


def digest_fields(view: DigestView, when: str) -> dict[str, str]:
    """The flat parameters of a ZNS template for a digest (the caller adds the unit)."""
    plans = view.plans
    return {"noi_dung": "Tổng hợp tình hình báo cáo", "thoi_gian": when,
            "ke_hoach": plans[0].plan.label if len(plans) == 1 else f"{len(plans)} kế hoạch",
            "han": f"{view.overdue_units} quá hạn, {view.due_soon_units} sắp đến hạn"}


FILTERS = {"overdue": overdue_text, "nudge_label": nudge_label, "percent": percent}
