"""Load the settings from one TOML file plus REMINDERS_* variables; the environment is passed in."""

from __future__ import annotations

import difflib
from collections.abc import Callable, Iterable, Mapping
from dataclasses import MISSING, Field, dataclass, fields
from pathlib import Path
from typing import Any

from reminders.config.schema import SECTIONS, OfficeSettings, OfficeUser, Settings
from reminders.config.values import InvalidValue
from reminders.errors import ConfigError
from reminders.tomlfile import TomlLines, load_toml

DEFAULT_FILE = Path("config/reminders.toml")
CONFIG_VAR = "REMINDERS_CONFIG"
PREFIX = "REMINDERS_"


def env_name(section: str, option: str) -> str:
    """The variable that overrides ``[section] option``: REMINDERS_SMTP_HOST."""
    return f"{PREFIX}{section}_{option}".upper()


def load_settings(
    path: Path | None, environ: Mapping[str, str], *, cwd: Path | None = None
) -> Settings:
    """Read the settings file and apply REMINDERS_* overrides from ``environ``.

    ``path`` None means $REMINDERS_CONFIG, else config/reminders.toml if it exists, else
    the defaults. Relative paths (the file, *_FILE secrets) are taken from ``cwd``
    (default: the process's). Raises ConfigError naming the file and line, or the variable.
    """
    chosen = _choose_file(path, environ, cwd)
    data: Mapping[str, Any] = {}
    lines = TomlLines()
    if chosen is not None:
        data, lines = load_toml(chosen, error=ConfigError)
    reader = _Reader(str(chosen) if chosen else None, lines, environ, cwd)
    reader.check_top_level(data)
    reader.check_environment()
    sections = {name: reader.section(name, cls, data.get(name, {}))
                for name, cls in SECTIONS.items()}
    return Settings(**sections, office=reader.office(data.get("office", {})), source=chosen)


def _choose_file(path: Path | None, environ: Mapping[str, str], cwd: Path | None) -> Path | None:
    def place(p: Path) -> Path:
        return p if cwd is None or p.is_absolute() else cwd / p

    if path is not None:
        return place(path)  # a missing file is reported by load_toml
    named = environ.get(CONFIG_VAR, "").strip()
    if named:
        if not place(Path(named)).is_file():
            raise ConfigError(f"biến môi trường {CONFIG_VAR} trỏ tới tệp không tồn tại", text=named)
        return place(Path(named))
    default = place(DEFAULT_FILE)
    return default if default.is_file() else None


def _hint(word: str, choices: Iterable[str], form: str = "'{}'") -> str:
    close = difflib.get_close_matches(word, list(choices), n=1)
    return f" (có phải {form.format(close[0])}?)" if close else ""


def _is_table(value: object) -> bool:
    return isinstance(value, dict) or (
        isinstance(value, list) and bool(value) and all(isinstance(i, dict) for i in value)
    )


@dataclass(slots=True)
class _Reader:
    source: str | None
    lines: TomlLines
    environ: Mapping[str, str]
    cwd: Path | None

    def fail(self, message: str, line: int | None, text: str | None = None) -> ConfigError:
        return ConfigError(message, file=self.source, line=line, text=text)

    def key_line(self, table: str, key: str) -> int | None:
        return (
            self.lines.keys.get((table, 0, key))
            or self.lines.table(f"{table}.{key}")
            or self.lines.key(table, key)
            or self.lines.key("", table)
        )

    def table_line(self, name: str) -> int | None:
        nested = (n for (t, _), n in sorted(self.lines.tables.items()) if t.startswith(name + "."))
        return self.lines.table(name) or next(nested, None) or self.lines.key("", name)

    def check_top_level(self, data: Mapping[str, Any]) -> None:
        known = [*SECTIONS, "office"]
        for name, value in data.items():
            if name in known:
                if not isinstance(value, dict):
                    raise self.fail(f"[{name}] phải là một mục (bảng TOML)",
                                    self.key_line("", name))
            elif _is_table(value):
                raise self.fail(
                    f"mục không tồn tại [{name}]{_hint(name, known, '[{}]')}", self.table_line(name)
                )
            else:
                owner = next((s for s, cls in SECTIONS.items() if name in _names(cls)), None)
                hint = f" (tùy chọn này thuộc mục [{owner}]?)" if owner else ""
                raise self.fail(f"tùy chọn '{name}' nằm ngoài mọi mục{hint}",
                                self.key_line("", name))

    def check_environment(self) -> None:
        known = {CONFIG_VAR}
        for section, cls in SECTIONS.items():
            for f in fields(cls):
                known.add(env_name(section, f.name))
                if f.metadata["from_file"]:
                    known.add(env_name(section, f.name) + "_FILE")
        for var in sorted(self.environ):
            if var.startswith(PREFIX) and var not in known:
                raise ConfigError(
                    f"biến môi trường {var} không tương ứng với tùy chọn nào"
                    + _hint(var, sorted(known), "{}")
                )

    def check_keys(self, raw: Mapping[str, Any], cls: type[Any], label: str,
                   line_of: Callable[[str], int | None]) -> None:
        for key in raw:
            if key not in _names(cls):
                raise self.fail(
                    f"tùy chọn không tồn tại '{key}' trong mục {label}{_hint(key, _names(cls))}",
                    line_of(key),
                )

    def section(self, name: str, cls: type[Any], raw: Mapping[str, Any]) -> Any:
        self.check_keys(raw, cls, f"[{name}]", lambda key: self.key_line(name, key))
        values: dict[str, Any] = {}
        for f in fields(cls):
            var = env_name(name, f.name)
            if var in self.environ or (f.metadata["from_file"] and var + "_FILE" in self.environ):
                values[f.name] = self.from_env(var, f)
            elif f.name in raw:
                values[f.name] = self.from_toml(
                    raw[f.name], f, f"'{f.name}' trong mục [{name}]", self.key_line(name, f.name)
                )
        return cls(**values)

    def from_toml(self, value: object, f: Field[Any], label: str, line: int | None) -> Any:
        try:
            return f.metadata["parse"](value)
        except InvalidValue as exc:
            raise self.fail(f"tùy chọn {label} {exc.reason}", line, exc.text) from None

    def from_env(self, var: str, f: Field[Any]) -> Any:
        file_var = var + "_FILE"
        if var in self.environ and file_var in self.environ:
            raise ConfigError(f"chỉ được đặt một trong hai biến môi trường {var} và {file_var}")
        named = var if var in self.environ else file_var
        raw = self.environ[var] if var in self.environ else self.read_secret(file_var)
        try:
            return f.metadata["parse"](f.metadata["env"](raw))
        except InvalidValue as exc:
            raise ConfigError(f"biến môi trường {named} {exc.reason}", text=exc.text) from None

    def read_secret(self, var: str) -> str:
        named = self.environ[var]
        path = Path(named)
        if self.cwd is not None and not path.is_absolute():
            path = self.cwd / path
        try:
            return path.read_text(encoding="utf-8").rstrip("\r\n")
        except FileNotFoundError:
            raise ConfigError(f"biến môi trường {var} trỏ tới tệp không tồn tại",
                              text=named) from None
        except UnicodeDecodeError:
            raise ConfigError(f"tệp của biến môi trường {var} không phải văn bản UTF-8",
                              text=named) from None
        except OSError as exc:
            raise ConfigError(f"không đọc được tệp của biến môi trường {var} ({exc.strerror})",
                              text=named) from None

    def office(self, raw: Mapping[str, Any]) -> OfficeSettings:
        self.check_keys(raw, OfficeSettings, "[office]", lambda key: self.key_line("office", key))
        users = raw.get("users", [])
        if not isinstance(users, list) or not all(isinstance(u, dict) for u in users):
            raise self.fail("'users' trong mục [office] phải là các bảng [[office.users]]",
                            self.key_line("office", "users"))
        return OfficeSettings(users=tuple(self.user(u, i) for i, u in enumerate(users)))

    def user(self, raw: Mapping[str, Any], index: int) -> OfficeUser:
        label = "[[office.users]]"

        def line(key: str) -> int | None:
            return self.lines.key("office.users", key, index)

        self.check_keys(raw, OfficeUser, label, line)
        values: dict[str, Any] = {}
        for f in fields(OfficeUser):
            if f.name in raw:
                values[f.name] = self.from_toml(raw[f.name], f, f"'{f.name}' trong {label}",
                                                line(f.name))
            elif f.default is MISSING:
                raise self.fail(f"{label} thiếu tùy chọn '{f.name}'",
                                self.lines.table("office.users", index))
        return OfficeUser(**values)


def _names(cls: type[Any]) -> list[str]:
    return [f.name for f in fields(cls)]
