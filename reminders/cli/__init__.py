"""The `reminders` command: the only place that prints and turns errors into exit codes."""

from reminders.cli.app import app, main, run

__all__ = ["app", "main", "run"]
