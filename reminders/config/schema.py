"""The settings' shape: one frozen dataclass per section; each field knows how to parse itself.

The section classes are the schema: the loader reads every field's parser from its
metadata, the environment variable is ``REMINDERS_<SECTION>_<OPTION>``, and
config/reminders.example.toml documents the same names with the same defaults.
"""

# option() wraps dataclasses.field, which ruff cannot see through; the defaults are immutable.
# ruff: noqa: RUF009

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, time
from enum import StrEnum
from pathlib import Path
from typing import Any, TypeVar, cast

from reminders.config import values as v
from reminders.config.values import Secret, Stage

T = TypeVar("T")


def option(
    default: T,
    parse: Callable[[object], T],
    *,
    env: Callable[[str], object] = v.same,
    from_file: bool = False,
) -> T:
    """A setting with its default, its parser and how an environment string is read.

    ``from_file`` allows ``REMINDERS_<SECTION>_<OPTION>_FILE`` (secrets).
    """
    return field(default=default, metadata={"parse": parse, "env": env, "from_file": from_file})


def required(parse: Callable[[object], T], *, show: bool = True) -> T:
    """A setting without a default (only in [[office.users]])."""
    return cast(T, field(repr=show, metadata={"parse": parse, "env": v.same, "from_file": False}))


def _int(default: int, low: int, high: int) -> int:
    return option(default, v.integer(low, high), env=v.env_int)


def _bool(default: bool) -> bool:
    return option(default, v.boolean, env=v.env_bool)


def _secret() -> Secret:
    return option(Secret(), v.secret, from_file=True)


def _url(default: str) -> str:
    return option(default, v.http_url)


_DAY = 24 * 3600
_STAGES = (Stage(days_before=7), Stage(days_before=1), Stage(days_before=0))


@dataclass(frozen=True, slots=True, kw_only=True)
class ServiceSettings:
    timezone: str = option("Asia/Ho_Chi_Minh", v.timezone)
    public_base_url: str = _url("http://127.0.0.1:8080")
    host: str = option("127.0.0.1", v.required_text)
    port: int = _int(8080, 1, 65535)
    data_dir: Path = option(Path("var"), v.path)
    registry: Path = option(Path("config/units.toml"), v.path)
    log_level: str = option("info", v.choice("debug", "info", "warning", "error"))


@dataclass(frozen=True, slots=True, kw_only=True, repr=False)
class DatabaseSettings:
    url: str = option("sqlite:///var/reminders.sqlite3", v.database_url, from_file=True)
    echo: bool = _bool(False)

    @property
    def sqlite_path(self) -> Path | None:
        """The database file of a sqlite:/// URL, as written; None for PostgreSQL or memory."""
        rest = self.url.removeprefix("sqlite:///")
        if rest == self.url or rest.startswith(":memory:"):
            return None
        return Path(rest.split("?", 1)[0])

    def __repr__(self) -> str:  # the URL may carry a password
        return f"DatabaseSettings(url={v.mask_url(self.url)!r}, echo={self.echo!r})"


@dataclass(frozen=True, slots=True, kw_only=True)
class SmtpSettings:
    host: str = option("", v.text)  # empty: messages are written as .eml files to mail_dir
    port: int = _int(587, 1, 65535)
    tls: str = option("starttls", v.choice("starttls", "tls", "none"))
    user: str = option("", v.text)
    password: Secret = _secret()
    from_address: str = option("Nhắc việc <nhacviec@example.invalid>", v.mailbox)
    timeout_seconds: int = _int(30, 1, 600)
    mail_dir: Path = option(Path("var/mail"), v.path)
    connections: int = _int(4, 1, 64)
    # A PEM bundle to trust (an office's own mail server CA); empty: the system's store.
    ca_file: str = option("", v.text)


@dataclass(frozen=True, slots=True, kw_only=True)
class ZaloSettings:
    enabled: bool = _bool(False)
    app_id: str = option("", v.text)
    secret_key: Secret = _secret()
    tokens_file: Path = option(Path("var/zalo-tokens.json"), v.path)
    oa_base_url: str = _url("https://openapi.zalo.me")
    oauth_base_url: str = _url("https://oauth.zaloapp.com")
    zns_base_url: str = _url("https://business.openapi.zalo.me")
    bot_token: Secret = _secret()
    bot_base_url: str = _url("https://bot-api.zaloplatforms.com")
    oa_message_type: str = option("cs", v.choice("cs", "transaction"))
    zns_template_id: str = option("", v.text)  # empty: no ZNS messages by phone
    timeout_seconds: int = _int(10, 1, 600)


@dataclass(frozen=True, slots=True, kw_only=True)
class WebhookSettings:
    secret: Secret = _secret()
    timeout_seconds: int = _int(10, 1, 600)
    max_concurrency: int = _int(8, 1, 256)


@dataclass(frozen=True, slots=True, kw_only=True)
class ReminderSettings:
    activity_stages: tuple[Stage, ...] = option(_STAGES, v.stages, env=v.env_list)
    deadline_stages: tuple[Stage, ...] = option(_STAGES, v.stages, env=v.env_list)
    morning_time: time = option(time(8, 0), v.clock_time)
    partner_reminders: bool = _bool(True)
    late_change_hours: int = _int(48, 0, 30 * 24)
    tick_seconds: int = _int(30, 1, 3600)
    lease_seconds: int = _int(300, 1, _DAY)
    max_attempts: int = _int(8, 1, 100)
    backoff_base_seconds: int = _int(60, 1, _DAY)
    backoff_max_seconds: int = _int(21600, 1, 7 * _DAY)
    link_valid_days: int = _int(60, 1, 3650)


@dataclass(frozen=True, slots=True, kw_only=True)
class WorkdaySettings:
    work_start: time = option(time(8, 0), v.clock_time)
    work_end: time = option(time(17, 0), v.clock_time)
    days_off: tuple[date, ...] = option((), v.dates, env=v.env_list)
    working_days: tuple[date, ...] = option((), v.dates, env=v.env_list)
    deadline_on_day_off: str = option("as_written", v.choice("as_written", "next_working_day"))


@dataclass(frozen=True, slots=True, kw_only=True)
class FeedSettings:
    days_back: int = _int(30, 0, 36500)
    days_ahead: int = _int(400, 0, 36500)
    refresh_hours: int = _int(12, 1, 24 * 7)
    poll_seconds: int = _int(5, 1, 3600)
    # Empty: no folder; otherwise `serve` keeps this folder in step with the feeds.
    export_dir: str = option("", v.text)


@dataclass(frozen=True, slots=True, kw_only=True)
class ReportSettings:
    nudge_first_after_days: int = _int(1, 0, 365)
    nudge_every_working_days: int = _int(2, 1, 365)
    nudge_max: int = _int(3, 0, 100)
    digest_time: time = option(time(8, 0), v.clock_time)


class Role(StrEnum):
    ADMIN = "admin"  # everything, including users and settings
    OFFICE = "office"  # the standing office: imports, registry, reports, nudges
    LEADER = "leader"  # read-only overview


@dataclass(frozen=True, slots=True, kw_only=True)
class OfficeUser:
    """One login of the office dashboard ([[office.users]])."""

    username: str = required(v.required_text)
    full_name: str = option("", v.text)
    role: Role = option(Role.OFFICE, lambda value: Role(v.choice(*Role)(value)))
    password_hash: str = required(v.required_text, show=False)


@dataclass(frozen=True, slots=True, kw_only=True)
class OfficeSettings:
    users: tuple[OfficeUser, ...] = ()


# Section name in the file → its class, in the order of the example file.
SECTIONS: dict[str, type[Any]] = {
    "service": ServiceSettings,
    "database": DatabaseSettings,
    "smtp": SmtpSettings,
    "zalo": ZaloSettings,
    "webhook": WebhookSettings,
    "reminders": ReminderSettings,
    "workdays": WorkdaySettings,
    "feeds": FeedSettings,
    "reports": ReportSettings,
}


@dataclass(frozen=True, slots=True, kw_only=True)
class Settings:
    """Everything the service reads at start; built by load_settings, never changed after."""

    service: ServiceSettings = field(default_factory=ServiceSettings)
    database: DatabaseSettings = field(default_factory=DatabaseSettings)
    smtp: SmtpSettings = field(default_factory=SmtpSettings)
    zalo: ZaloSettings = field(default_factory=ZaloSettings)
    webhook: WebhookSettings = field(default_factory=WebhookSettings)
    reminders: ReminderSettings = field(default_factory=ReminderSettings)
    workdays: WorkdaySettings = field(default_factory=WorkdaySettings)
    feeds: FeedSettings = field(default_factory=FeedSettings)
    reports: ReportSettings = field(default_factory=ReportSettings)
    office: OfficeSettings = field(default_factory=OfficeSettings)
    source: Path | None = field(default=None, compare=False)  # the file read, if any

    def sections(self) -> tuple[tuple[str, Any], ...]:
        """(name, section) for every plain section, in file order (not [[office.users]])."""
        return tuple((name, getattr(self, name)) for name in SECTIONS)

    def resolve_path(self, p: str | Path, *, base: Path | None = None) -> Path:
        """A path from the settings, made absolute against ``base`` (default: the cwd)."""
        written = Path(p)
        return written if written.is_absolute() else (base or Path.cwd()) / written
