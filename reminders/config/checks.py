"""What is wrong or missing in loaded settings for running the service, and how to show them."""

from __future__ import annotations

import importlib.util
import ipaddress
from dataclasses import dataclass, fields
from datetime import date, time
from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit

from reminders.config.schema import Settings
from reminders.config.values import Secret, Stage, mask_url

Level = Literal["error", "warning", "info"]
_HASH_PREFIXES = ("scrypt$", "$argon2")
MASK = "••••"


@dataclass(frozen=True, slots=True, kw_only=True)
class Finding:
    """One remark about the settings; any "error" means the service must not start."""

    level: Level
    message: str
    option: str = ""  # "smtp.password", when one option is to blame


def check_settings(settings: Settings, *, base: Path | None = None) -> list[Finding]:
    """Findings for ``settings``, errors first; relative paths are taken from ``base`` (cwd)."""
    found = [
        *_smtp(settings),
        *_zalo(settings),
        *_service(settings, base),
        *_database(settings),
        *_timing(settings),
        *_office(settings),
    ]
    order: dict[str, int] = {"error": 0, "warning": 1, "info": 2}
    return sorted(found, key=lambda f: order[f.level])


def _is_local(host: str | None) -> bool:
    if not host:
        return False
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def _smtp(s: Settings) -> list[Finding]:
    smtp = s.smtp
    if not smtp.host:
        return [Finding(level="info", option="smtp.host", message=(
            f"Chưa cấu hình SMTP: thư sẽ được ghi thành tệp .eml trong {smtp.mail_dir}/"
            " thay vì gửi đi"))]
    found: list[Finding] = []
    if smtp.user and not smtp.password:
        found.append(Finding(level="error", option="smtp.password", message=(
            "smtp.user đã đặt nhưng thiếu smtp.password (đặt trong tệp, REMINDERS_SMTP_PASSWORD"
            " hoặc REMINDERS_SMTP_PASSWORD_FILE)")))
    if smtp.password and not smtp.user:
        found.append(Finding(level="warning", option="smtp.user", message=(
            "smtp.password đã đặt nhưng smtp.user trống: mật khẩu sẽ không được dùng")))
    if smtp.tls == "none" and not _is_local(smtp.host):
        found.append(Finding(level="warning", option="smtp.tls", message=(
            f"smtp.tls = \"none\" với máy chủ {smtp.host}: mật khẩu và thư đi qua mạng"
            " không được mã hóa")))
    if (smtp.tls, smtp.port) in (("tls", 587), ("starttls", 465)):
        found.append(Finding(level="warning", option="smtp.tls", message=(
            f"smtp.tls = \"{smtp.tls}\" với cổng {smtp.port}: thường cổng 587 dùng \"starttls\""
            " và cổng 465 dùng \"tls\"")))
    if smtp.from_address.rstrip(">").endswith(".invalid"):
        found.append(Finding(level="warning", option="smtp.from_address", message=(
            f"smtp.from_address vẫn là địa chỉ mẫu ({smtp.from_address}): máy chủ thư"
            " có thể từ chối hoặc đánh dấu thư rác")))
    return found


def _zalo(s: Settings) -> list[Finding]:
    zalo, found = s.zalo, []
    if zalo.enabled:
        pairs = (("zalo.app_id", bool(zalo.app_id)), ("zalo.secret_key", bool(zalo.secret_key)))
        missing = [name for name, present in pairs if not present]
        if missing:
            found.append(Finding(level="error", option=missing[0], message=(
                f"Zalo đã bật (zalo.enabled) nhưng thiếu {', '.join(missing)}")))
        if not zalo.bot_token:
            found.append(Finding(level="info", option="zalo.bot_token", message=(
                "Chưa đặt zalo.bot_token: không gửi tin qua Zalo Bot, chỉ qua OA và ZNS")))
    if not s.webhook.secret:
        found.append(Finding(level="warning", option="webhook.secret", message=(
            "Chưa đặt webhook.secret: tin webhook không ký được nên sẽ không được gửi"
            " tới đơn vị nào dùng webhook")))
    return found


def _service(s: Settings, base: Path | None) -> list[Finding]:
    found: list[Finding] = []
    url = s.service.public_base_url
    if url.lower().startswith("http://") and not _is_local(urlsplit(url).hostname):
        found.append(Finding(level="warning", option="service.public_base_url", message=(
            f"service.public_base_url dùng http:// ({url}): Google, Outlook và Apple cần"
            " https:// để đăng ký lịch")))
    registry = s.resolve_path(s.service.registry, base=base)
    if not registry.is_file():
        found.append(Finding(level="error", option="service.registry", message=(
            f"Không tìm thấy danh mục đơn vị {s.service.registry} (service.registry)")))
    if s.service.timezone == "Asia/Saigon":
        found.append(Finding(level="info", option="service.timezone", message=(
            "Asia/Saigon là tên cũ; nên dùng Asia/Ho_Chi_Minh")))
    return found


def _database(s: Settings) -> list[Finding]:
    if s.database.url.startswith("postgresql+psycopg://") and not importlib.util.find_spec(
        "psycopg"
    ):
        return [Finding(level="error", option="database.url", message=(
            "database.url chỉ tới PostgreSQL nhưng chưa cài psycopg"
            " (pip install 'reminders[postgres]')"))]
    return []


def _timing(s: Settings) -> list[Finding]:
    found: list[Finding] = []
    work = s.workdays
    both = sorted(set(work.days_off) & set(work.working_days))
    if both:
        found.append(Finding(level="error", option="workdays.days_off", message=(
            "Ngày vừa là ngày nghỉ bù (days_off) vừa là ngày làm bù (working_days): "
            + ", ".join(d.isoformat() for d in both))))
    if work.work_start >= work.work_end:
        found.append(Finding(level="error", option="workdays.work_start", message=(
            "workdays.work_start phải sớm hơn workdays.work_end")))
    r = s.reminders
    if r.backoff_max_seconds < r.backoff_base_seconds:
        found.append(Finding(level="error", option="reminders.backoff_max_seconds", message=(
            "reminders.backoff_max_seconds phải lớn hơn hoặc bằng backoff_base_seconds")))
    slowest = max(s.smtp.timeout_seconds, s.zalo.timeout_seconds, s.webhook.timeout_seconds)
    if r.lease_seconds <= slowest:
        found.append(Finding(level="warning", option="reminders.lease_seconds", message=(
            f"reminders.lease_seconds ({r.lease_seconds}) không dài hơn thời gian chờ gửi"
            f" ({slowest} giây): một tin có thể bị gửi hai lần")))
    return found


def _office(s: Settings) -> list[Finding]:
    users = s.office.users
    if not users:
        return [Finding(level="warning", option="office.users", message=(
            "Chưa có người dùng nào trong [[office.users]]: không ai đăng nhập được"
            " trang quản lý"))]
    found: list[Finding] = []
    seen: set[str] = set()
    for user in users:
        if not user.password_hash.startswith(_HASH_PREFIXES):
            found.append(Finding(level="error", option="office.users", message=(
                f"Người dùng '{user.username}': password_hash không phải mã băm (phải bắt đầu"
                " bằng 'scrypt$' hoặc '$argon2'); không ghi mật khẩu trần vào tệp")))
        key = user.username.casefold()
        if key in seen:
            found.append(Finding(level="error", option="office.users", message=(
                f"Tên đăng nhập '{user.username}' bị trùng trong [[office.users]]")))
        seen.add(key)
    return found


def describe_settings(settings: Settings) -> list[tuple[str, str]]:
    """(option, value) for every setting, secrets shown as "••••", for `config show`."""
    pairs: list[tuple[str, str]] = []
    for name, section in settings.sections():
        for f in fields(section):
            value = getattr(section, f.name)
            shown = mask_url(value) if (name, f.name) == ("database", "url") else _show(value)
            pairs.append((f"{name}.{f.name}", shown))
    for index, user in enumerate(settings.office.users):
        hashed = MASK if user.password_hash else ""
        pairs.append((f"office.users[{index}]",
                      f"{user.username} ({user.role}) {user.full_name} password_hash={hashed}"))
    return pairs


def _show(value: object) -> str:
    if isinstance(value, Secret):
        return MASK if value else ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, time):
        return value.strftime("%H:%M")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, tuple):
        return ", ".join(_show(item) for item in value)
    if isinstance(value, Stage | Path):
        return str(value)
    return str(value)
