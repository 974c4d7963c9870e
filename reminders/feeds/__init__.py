"""Calendar feeds: stored plans → deterministic iCalendar bytes per unit, plan and office."""
