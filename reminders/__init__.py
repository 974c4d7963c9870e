"""reminders: Vietnamese public bodies' plans as calendars, reminders and report tracking."""

__version__ = "0.1.0"
