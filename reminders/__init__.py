"""reminders: Vietnamese public bodies' plans turned into calendars, reminders and report tracking."""

__version__ = "0.1.0"
