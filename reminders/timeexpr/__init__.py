"""Vietnamese time expressions → TimeSpec (contracts/time-expressions.md); pure."""

from reminders.timeexpr.parse import parse
from reminders.timeexpr.spec import Span, TimeSpec

__all__ = ["Span", "TimeSpec", "parse"]
