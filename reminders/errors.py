"""The error hierarchy; the CLI and the web app turn these into exit codes or HTTP at the edge.

Messages are Vietnamese because people read them; code and attribute names stay English.
"""

from __future__ import annotations


class RemindersError(Exception):
    """Base of every error the project raises on purpose."""

    exit_code = 1


class InputError(RemindersError):
    """A file or text the user gave us cannot be used.

    Carries where the problem is (file, line or table row) and the offending text,
    so the message can point at it: ``units.toml, dòng 7: ...: 'Quý V/2024'``.
    """

    exit_code = 1

    def __init__(
        self,
        message: str,
        *,
        file: str | None = None,
        line: int | None = None,
        text: str | None = None,
    ) -> None:
        self.message = message
        self.file = file
        self.line = line
        self.text = text
        super().__init__(self.__str__())

    def __str__(self) -> str:
        where = ""
        if self.file and self.line:
            where = f"{self.file}, dòng {self.line}: "
        elif self.file:
            where = f"{self.file}: "
        elif self.line:
            where = f"dòng {self.line}: "
        tail = f": '{self.text}'" if self.text else ""
        return f"{where}{self.message}{tail}"


class RegistryError(InputError):
    """The unit registry (config/units.toml) is malformed or inconsistent."""


class ConfigError(InputError):
    """The settings file or a REMINDERS_* variable is wrong."""

    exit_code = 3


class UsageError(RemindersError):
    """A command was called with arguments it cannot use."""

    exit_code = 2


class StoreError(RemindersError):
    """The database cannot be reached or is not in the expected state."""

    exit_code = 4
