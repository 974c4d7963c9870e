"""What every command gets from the root: the chosen config file and the environment."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

import typer

from reminders.config import Settings, load_settings

# How a configuration finding's level reads to a person.
LEVEL_LABELS = {"error": "LỖI", "warning": "CẢNH BÁO", "info": "LƯU Ý"}


@dataclass(slots=True)
class CliState:
    config_path: Path | None
    environ: dict[str, str]
    _settings: Settings | None = field(default=None, repr=False)

    def settings(self) -> Settings:
        """Settings are read once per command, on first use (a bad file fails here)."""
        if self._settings is None:
            self._settings = load_settings(self.config_path, self.environ)
        return self._settings


def state(ctx: typer.Context) -> CliState:
    root = ctx.find_root()
    if not isinstance(root.obj, CliState):  # called without the root callback (tests)
        root.obj = CliState(config_path=None, environ=dict(os.environ))
    return root.obj
