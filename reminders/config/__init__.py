"""Settings: typed, frozen, from one TOML file plus REMINDERS_* variables (environment passed in).

``load_settings`` reads and validates them (ConfigError naming file and line, or the
variable); ``check_settings`` says what keeps the service from running well;
``describe_settings`` lists them with secrets masked. Every option, with its default,
is documented in config/reminders.example.toml.
"""

from reminders.config.checks import Finding, check_settings, describe_settings
from reminders.config.loader import CONFIG_VAR, DEFAULT_FILE, env_name, load_settings
from reminders.config.schema import (
    DatabaseSettings,
    FeedSettings,
    OfficeSettings,
    OfficeUser,
    ReminderSettings,
    ReportSettings,
    Role,
    ServiceSettings,
    Settings,
    SmtpSettings,
    WebhookSettings,
    WorkdaySettings,
    ZaloSettings,
)
from reminders.config.values import Secret, Stage

__all__ = [
    "CONFIG_VAR",
    "DEFAULT_FILE",
    "DatabaseSettings",
    "FeedSettings",
    "Finding",
    "OfficeSettings",
    "OfficeUser",
    "ReminderSettings",
    "ReportSettings",
    "Role",
    "Secret",
    "ServiceSettings",
    "Settings",
    "SmtpSettings",
    "Stage",
    "WebhookSettings",
    "WorkdaySettings",
    "ZaloSettings",
    "check_settings",
    "describe_settings",
    "env_name",
    "load_settings",
]
