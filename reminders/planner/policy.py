"""The office's reminder policy: stages, the time messages go out, working hours and days."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from reminders.config.schema import Settings
from reminders.workdays import WorkCalendar

_DEFAULT_STAGES = (7, 1, 0)


@dataclass(frozen=True, slots=True, kw_only=True)
class Policy:
    """When reminders go out, unless a unit says otherwise (PlannerUnit overrides stages and
    partner reminders). Times are local (Asia/Ho_Chi_Minh)."""

    activity_stages: tuple[int, ...] = _DEFAULT_STAGES  # days before the item
    deadline_stages: tuple[int, ...] = _DEFAULT_STAGES
    send_time: time = time(8, 0)  # the time of day every stage is sent
    work_start: time = time(8, 0)
    work_end: time = time(17, 0)
    partner_reminders: bool = True
    late_change_hours: int = 48  # a change this close to an item is pushed at once
    calendar: WorkCalendar = field(default_factory=WorkCalendar)

    def __post_init__(self) -> None:
        if self.work_start >= self.work_end:
            raise ValueError(f"work_start {self.work_start} must be before work_end "
                             f"{self.work_end}")
        if any(n < 0 for n in self.activity_stages + self.deadline_stages):
            raise ValueError("stages are days before the item and cannot be negative")
        if self.late_change_hours < 0:
            raise ValueError("late_change_hours cannot be negative")

    @classmethod
    def from_settings(cls, settings: Settings) -> Policy:
        """The policy of the [reminders] and [workdays] sections."""
        rem, work = settings.reminders, settings.workdays
        return cls(
            activity_stages=tuple(s.days_before for s in rem.activity_stages),
            deadline_stages=tuple(s.days_before for s in rem.deadline_stages),
            send_time=rem.morning_time, work_start=work.work_start, work_end=work.work_end,
            partner_reminders=rem.partner_reminders, late_change_hours=rem.late_change_hours,
            calendar=WorkCalendar.from_settings(work),
        )

    @property
    def stage_time(self) -> time:
        """`send_time` clamped into working hours [work_start, work_end): no message is sent
        outside them; a send time at or after the end becomes the last minute of the day."""
        if self.send_time < self.work_start:
            return self.work_start
        if self.send_time >= self.work_end:
            last = datetime.combine(date(2000, 1, 1), self.work_end) - timedelta(minutes=1)
            return max(last.time(), self.work_start)
        return self.send_time
