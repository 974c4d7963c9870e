"""Typed values of the settings, and the parsers that turn TOML or environment values into them.

A parser takes what TOML gave (or what an environment converter made of a string) and
returns the typed value, or raises InvalidValue with a Vietnamese reason; the loader adds
the file and line, or the variable's name.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time
from email.utils import parseaddr
from pathlib import Path
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

_TIME = re.compile(r"^(\d{1,2}):(\d{2})$")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_STAGE = re.compile(r"^(\d{1,3})d$")
DATABASE_SCHEMES = ("sqlite:///", "postgresql+psycopg://")


class InvalidValue(Exception):
    """A value of the wrong type or outside its range; ``text`` is the offending part."""

    def __init__(self, reason: str, text: str | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.text = text


@dataclass(frozen=True, slots=True, repr=False)
class Secret:
    """A password or key: kept out of repr(), str() and logs; ``reveal()`` where it is used."""

    _value: str = field(default="")

    def reveal(self) -> str:
        return self._value

    def __bool__(self) -> bool:
        return bool(self._value)

    def __repr__(self) -> str:
        return "Secret('••••')" if self._value else "Secret('')"

    __str__ = __repr__


@dataclass(frozen=True, slots=True, kw_only=True, order=True)
class Stage:
    """A reminder moment, so many days before the item ("7d"); 0 is the morning of the day."""

    days_before: int

    def __str__(self) -> str:
        return f"{self.days_before}d"


def same(value: str) -> object:
    return value


def env_int(value: str) -> object:
    try:
        return int(value.strip())
    except ValueError:
        raise InvalidValue("phải là số nguyên", value) from None


def env_bool(value: str) -> object:
    word = value.strip().lower()
    if word in ("true", "1", "yes"):
        return True
    if word in ("false", "0", "no"):
        return False
    raise InvalidValue("phải là true/false, 1/0 hoặc yes/no", value)


def env_list(value: str) -> object:
    return [part.strip() for part in value.split(",") if part.strip()]


def text(value: object) -> str:
    if not isinstance(value, str):
        raise InvalidValue("phải là một chuỗi (đặt trong dấu ngoặc kép)", _show(value))
    return value


def required_text(value: object) -> str:
    if not text(value).strip():
        raise InvalidValue("không được để trống")
    return str(value).strip()


def path(value: object) -> Path:
    return Path(required_text(value))


def secret(value: object) -> Secret:
    if not isinstance(value, str):
        raise InvalidValue("phải là một chuỗi (đặt trong dấu ngoặc kép)")
    return Secret(value)


def boolean(value: object) -> bool:
    if not isinstance(value, bool):
        raise InvalidValue("phải là true hoặc false", _show(value))
    return value


def integer(low: int, high: int) -> Callable[[object], int]:
    def parse(value: object) -> int:
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            raise InvalidValue(f"phải là số nguyên từ {low} đến {high}", _show(value))
        return value

    return parse


def choice(*options: str) -> Callable[[object], str]:
    def parse(value: object) -> str:
        if value not in options:
            raise InvalidValue(f"phải là một trong: {', '.join(options)}", _show(value))
        return str(value)

    return parse


def timezone(value: object) -> str:
    key = text(value)
    try:
        ZoneInfo(key)
    except (ValueError, KeyError, OSError):
        raise InvalidValue("không phải múi giờ hợp lệ (ví dụ 'Asia/Ho_Chi_Minh')", key) from None
    return key


def clock_time(value: object) -> time:
    if isinstance(value, time) and value.tzinfo is None:
        return value  # TOML's own local time (07:30:00)
    match = _TIME.match(value) if isinstance(value, str) else None
    if not match or int(match.group(1)) > 23 or int(match.group(2)) > 59:
        raise InvalidValue("phải là giờ dạng HH:MM (ví dụ \"07:30\")", _show(value))
    return time(int(match.group(1)), int(match.group(2)))


def dates(value: object) -> tuple[date, ...]:
    if not isinstance(value, list):
        raise InvalidValue("phải là danh sách ngày dạng YYYY-MM-DD", _show(value))
    found: list[date] = []
    for item in value:
        if isinstance(item, date) and not isinstance(item, datetime):
            found.append(item)  # TOML's own local date (2025-01-02, unquoted)
            continue
        try:
            if not isinstance(item, str) or not _DATE.match(item):
                raise ValueError
            found.append(date.fromisoformat(item))
        except ValueError:
            raise InvalidValue("phải là danh sách ngày dạng YYYY-MM-DD", _show(item)) from None
    return tuple(sorted(set(found)))


def stages(value: object) -> tuple[Stage, ...]:
    if not isinstance(value, list):
        raise InvalidValue("phải là danh sách mốc nhắc như [\"7d\", \"1d\", \"0d\"]", _show(value))
    found: list[Stage] = []
    for item in value:
        match = _STAGE.match(item) if isinstance(item, str) else None
        if not match or int(match.group(1)) > 366:
            raise InvalidValue(
                "mốc nhắc phải có dạng \"7d\", \"1d\", \"0d\" (số ngày trước, tối đa 366)",
                _show(item),
            )
        stage = Stage(days_before=int(match.group(1)))
        if stage in found:
            raise InvalidValue("mốc nhắc bị lặp lại", _show(item))
        found.append(stage)
    return tuple(sorted(found, reverse=True))


def http_url(value: object) -> str:
    """An http(s) base URL; a trailing "/" is dropped so paths can be appended."""
    url = text(value)
    parts = urlsplit(url)
    if not url.lower().startswith(("http://", "https://")) or not parts.hostname:
        raise InvalidValue("phải là địa chỉ bắt đầu bằng http:// hoặc https://", url)
    if parts.query or parts.fragment:
        raise InvalidValue("không được có phần ?... hoặc #...", url)
    return url.rstrip("/")


def database_url(value: object) -> str:
    url = text(value)
    scheme = next((s for s in DATABASE_SCHEMES if url.startswith(s)), None)
    if scheme is None or len(url) == len(scheme):
        raise InvalidValue(
            "phải bắt đầu bằng sqlite:/// hoặc postgresql+psycopg://", mask_url(url)
        )
    return url


def mailbox(value: object) -> str:
    """A sender such as "Nhắc việc <nhacviec@example.org>"."""
    written = required_text(value)
    _, address = parseaddr(written)
    if "@" not in address or any(c.isspace() for c in address):
        raise InvalidValue("phải là địa chỉ email, ví dụ \"Nhắc việc <nhacviec@...>\"", written)
    return written


def mask_url(url: str) -> str:
    """The URL with its password, if any, replaced by "••••"."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    user = parts.username or ""
    host = parts.netloc.rsplit("@", 1)[1]
    return parts._replace(netloc=f"{user}:••••@{host}").geturl()


def _show(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)
