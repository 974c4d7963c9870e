"""Settings: defaults, the example files, overrides, strict errors, secrets and checks."""

from __future__ import annotations

import dataclasses
import textwrap
import tomllib
from collections.abc import Callable
from datetime import date, time
from pathlib import Path
from typing import Any

import pytest

from reminders.config import (
    Finding,
    Role,
    Secret,
    Settings,
    Stage,
    check_settings,
    describe_settings,
    env_name,
    load_settings,
)
from reminders.config.schema import SECTIONS, OfficeUser
from reminders.errors import ConfigError

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "config" / "reminders.example.toml"
QUICKSTART = ROOT / "config" / "quickstart.toml"


def load(tmp_path: Path, text: str | None = None, env: dict[str, str] | None = None) -> Settings:
    """Load ``text`` written to tmp_path/reminders.toml (or no file) with ``env``."""
    path = None
    if text is not None:
        path = tmp_path / "reminders.toml"
        path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return load_settings(path, env or {}, cwd=tmp_path)


# --- defaults and the files shipped in config/ -------------------------------------------


def test_defaults_without_a_file(tmp_path: Path) -> None:
    settings = load(tmp_path)
    assert settings == Settings()
    assert settings.source is None
    assert settings.service.port == 8080
    assert settings.reminders.activity_stages == (
        Stage(days_before=7), Stage(days_before=1), Stage(days_before=0),
    )
    assert settings.reminders.morning_time == time(8, 0)
    assert settings.office.users == ()


def test_example_file_loads_to_exactly_the_defaults(tmp_path: Path) -> None:
    settings = load_settings(EXAMPLE, {}, cwd=tmp_path)
    assert settings == Settings()
    assert settings.source == EXAMPLE


def test_example_file_lists_every_option() -> None:
    data = tomllib.loads(EXAMPLE.read_text(encoding="utf-8"))
    for name, cls in SECTIONS.items():
        assert set(data[name]) == {f.name for f in dataclasses.fields(cls)}, name
    assert set(data) == set(SECTIONS)  # [[office.users]] is shown commented out


def test_quickstart_widens_the_feed_window_only(tmp_path: Path) -> None:
    settings = load_settings(QUICKSTART, {}, cwd=tmp_path)
    assert settings.feeds.days_back == 1500
    assert settings.feeds.days_ahead == 1500
    assert dataclasses.replace(settings, feeds=Settings().feeds) == Settings()


# --- which file is read -------------------------------------------------------------------


def test_config_toml_in_the_working_directory_is_found(tmp_path: Path) -> None:
    (tmp_path / "config").mkdir()
    (tmp_path / "config" / "reminders.toml").write_text("[service]\nport = 9000\n")
    settings = load_settings(None, {}, cwd=tmp_path)
    assert settings.service.port == 9000
    assert settings.source == tmp_path / "config" / "reminders.toml"


def test_reminders_config_names_the_file(tmp_path: Path) -> None:
    (tmp_path / "other.toml").write_text("[service]\nport = 9001\n")
    settings = load_settings(None, {"REMINDERS_CONFIG": "other.toml"}, cwd=tmp_path)
    assert settings.service.port == 9001


def test_reminders_config_pointing_nowhere_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="REMINDERS_CONFIG") as caught:
        load_settings(None, {"REMINDERS_CONFIG": "missing.toml"}, cwd=tmp_path)
    assert caught.value.text == "missing.toml"


def test_a_given_path_that_is_missing_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="không tìm thấy tệp") as caught:
        load_settings(tmp_path / "nope.toml", {})
    assert caught.value.file == str(tmp_path / "nope.toml")


def test_toml_syntax_error_names_the_line(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="cú pháp TOML") as caught:
        load(tmp_path, '[service]\nport = 80\nhost = "a\n')
    assert caught.value.line == 3


# --- environment overrides ------------------------------------------------------------------


ENV_OVERRIDES: list[tuple[str, str, Callable[[Settings], Any], Any]] = [
    ("REMINDERS_DATABASE_URL", "postgresql+psycopg://u@db/rem",
     lambda s: s.database.url, "postgresql+psycopg://u@db/rem"),
    ("REMINDERS_DATABASE_ECHO", "yes", lambda s: s.database.echo, True),
    ("REMINDERS_SMTP_HOST", "mail.example.gov.vn", lambda s: s.smtp.host,
     "mail.example.gov.vn"),
    ("REMINDERS_SERVICE_PORT", " 9090 ", lambda s: s.service.port, 9090),
    ("REMINDERS_SERVICE_DATA_DIR", "/srv/reminders", lambda s: s.service.data_dir,
     Path("/srv/reminders")),
    ("REMINDERS_FEEDS_DAYS_AHEAD", "1500", lambda s: s.feeds.days_ahead, 1500),
    ("REMINDERS_ZALO_ENABLED", "1", lambda s: s.zalo.enabled, True),
    ("REMINDERS_REMINDERS_PARTNER_REMINDERS", "False",
     lambda s: s.reminders.partner_reminders, False),
    ("REMINDERS_REMINDERS_DEADLINE_STAGES", "3d, 14d,0d", lambda s: s.reminders.deadline_stages,
     (Stage(days_before=14), Stage(days_before=3), Stage(days_before=0))),
    ("REMINDERS_WORKDAYS_DAYS_OFF", "2025-05-02,2025-09-01", lambda s: s.workdays.days_off,
     (date(2025, 5, 2), date(2025, 9, 1))),
    ("REMINDERS_WORKDAYS_WORKING_DAYS", "", lambda s: s.workdays.working_days, ()),
    ("REMINDERS_REPORTS_DIGEST_TIME", "7:05", lambda s: s.reports.digest_time, time(7, 5)),
    ("REMINDERS_SMTP_TLS", "tls", lambda s: s.smtp.tls, "tls"),
]


@pytest.mark.parametrize(
    ("var", "value", "get", "expected"),
    ENV_OVERRIDES,
    ids=[var.removeprefix("REMINDERS_") for var, *_ in ENV_OVERRIDES],
)
def test_environment_overrides_with_conversion(
    tmp_path: Path, var: str, value: str, get: Callable[[Settings], Any], expected: Any
) -> None:
    assert get(load(tmp_path, env={var: value})) == expected


def test_environment_wins_over_the_file(tmp_path: Path) -> None:
    settings = load(tmp_path, "[smtp]\nhost = 'a.example'\nport = 25\n",
                    {"REMINDERS_SMTP_HOST": "b.example"})
    assert (settings.smtp.host, settings.smtp.port) == ("b.example", 25)


def test_env_name() -> None:
    assert env_name("feeds", "days_ahead") == "REMINDERS_FEEDS_DAYS_AHEAD"


def test_other_variables_are_ignored(tmp_path: Path) -> None:
    assert load(tmp_path, env={"HOME": "/root", "REMINDERSX": "1"}) == Settings()


@pytest.mark.parametrize(
    ("var", "hint"),
    [
        ("REMINDERS_DATABSE_URL", "REMINDERS_DATABASE_URL"),
        ("REMINDERS_SMTP_HOST_FILE", "REMINDERS_SMTP_HOST"),  # only secrets have *_FILE
        ("REMINDERS_OFFICE_USERS", None),
    ],
    ids=["typo", "file-of-non-secret", "users-only-in-file"],
)
def test_unknown_environment_variable(tmp_path: Path, var: str, hint: str | None) -> None:
    with pytest.raises(ConfigError) as caught:
        load(tmp_path, env={var: "x"})
    message = str(caught.value)
    assert message.startswith(f"biến môi trường {var} không tương ứng với tùy chọn nào")
    if hint:
        assert f"(có phải {hint}?)" in message


@pytest.mark.parametrize(
    ("var", "value", "reason"),
    [
        ("REMINDERS_SERVICE_PORT", "80a", "phải là số nguyên"),
        ("REMINDERS_SERVICE_PORT", "0", "phải là số nguyên từ 1 đến 65535"),
        ("REMINDERS_DATABASE_ECHO", "maybe", "true/false"),
        ("REMINDERS_SMTP_TLS", "ssl", "starttls, tls, none"),
        ("REMINDERS_REMINDERS_ACTIVITY_STAGES", "7d,1w", "mốc nhắc"),
        ("REMINDERS_WORKDAYS_DAYS_OFF", "2025-13-01", "YYYY-MM-DD"),
        ("REMINDERS_DATABASE_URL", "mysql://x", "sqlite:///"),
    ],
    ids=["int-text", "port-range", "bool", "tls", "stage", "date", "database-url"],
)
def test_bad_environment_value_names_the_variable(
    tmp_path: Path, var: str, value: str, reason: str
) -> None:
    with pytest.raises(ConfigError) as caught:
        load(tmp_path, env={var: value})
    error = caught.value
    assert error.file is None and error.line is None
    assert str(error).startswith(f"biến môi trường {var} ")
    assert reason in str(error)


# --- unknown names and wrong values in the file ---------------------------------------------


def case(id_: str, *values: object) -> Any:
    return pytest.param(*values, id=id_)


def test_unknown_option_names_section_file_line_and_suggestion(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "config").mkdir()
    (tmp_path / "config" / "reminders.toml").write_text(textwrap.dedent("""\
        # cấu hình
        [service]
        host = "0.0.0.0"

        [database]
        echo = false

        [feeds]
        days_back = 1

        [smtp]
        prot = 25
    """))
    monkeypatch.chdir(tmp_path)
    with pytest.raises(ConfigError) as caught:
        load_settings(None, {})
    assert str(caught.value) == (
        "config/reminders.toml, dòng 12: tùy chọn không tồn tại 'prot' trong mục [smtp]"
        " (có phải 'port'?)"
    )


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        ("[service]\nport = 1\n\n[smpt]\nhost = 'x'\n", 4,
         "mục không tồn tại [smpt] (có phải [smtp]?)"),
        ("[service]\nport = 1\n[service.extra]\na = 1\n", 3, "tùy chọn không tồn tại 'extra'"),
        ("port = 8080\n", 1,
         "tùy chọn 'port' nằm ngoài mọi mục (tùy chọn này thuộc mục [service]?)"),
        ("[[zalos]]\nx = 1\n", 1, "mục không tồn tại [zalos] (có phải [zalo]?)"),
        ("[feeds]\ndays_back = 1\ndays_ahaed = 2\n", 3,
         "tùy chọn không tồn tại 'days_ahaed' trong mục [feeds] (có phải 'days_ahead'?)"),
        ("smtp = 1\n", 1, "[smtp] phải là một mục"),
        ("[office]\nuser = 1\n", 2, "tùy chọn không tồn tại 'user' trong mục [office]"),
    ],
    ids=["section", "subtable", "top-level-option", "array-table", "option", "section-not-table",
         "office-option"],
)
def test_unknown_names_in_the_file(tmp_path: Path, text: str, line: int, message: str) -> None:
    with pytest.raises(ConfigError) as caught:
        load(tmp_path, text)
    assert caught.value.line == line
    assert caught.value.file == str(tmp_path / "reminders.toml")
    assert message in str(caught.value)


@pytest.mark.parametrize(
    ("section", "assignment", "reason", "text"),
    [
        case("port-range", "service", "port = 70000", "số nguyên từ 1 đến 65535", "70000"),
        case("port-as-text", "service", 'port = "8080"', "phải là số nguyên", "8080"),
        case("port-as-bool", "service", "port = true", "phải là số nguyên", "true"),
        case("timezone-unknown", "service", 'timezone = "Asia/Hanoi"', "múi giờ", "Asia/Hanoi"),
        case("timezone-a-folder", "service", 'timezone = "Asia"', "múi giờ", "Asia"),
        case("url-without-scheme", "service", 'public_base_url = "lich.example.vn"',
             "http:// hoặc https://", "lich.example.vn"),
        case("log-level", "service", 'log_level = "verbose"', "debug, info, warning, error",
             "verbose"),
        case("empty-path", "service", 'data_dir = ""', "không được để trống", None),
        case("database-scheme", "database", 'url = "postgres://u@h/db"',
             "sqlite:/// hoặc postgresql+psycopg://", "postgres://u@h/db"),
        case("database-password-masked", "database", 'url = "mysql://u:pw@h/db"', "sqlite:///",
             "mysql://u:••••@h/db"),
        case("bool-as-text", "database", 'echo = "yes"', "phải là true hoặc false", "yes"),
        case("tls", "smtp", 'tls = "ssl"', "starttls, tls, none", "ssl"),
        case("string-as-int", "smtp", "host = 1", "phải là một chuỗi", "1"),
        case("sender-without-address", "smtp", 'from_address = "Nhắc việc"', "địa chỉ email",
             "Nhắc việc"),
        case("connections-range", "smtp", "connections = 0", "từ 1 đến 64", "0"),
        case("zalo-url-ftp", "zalo", 'oa_base_url = "ftp://zalo"', "http:// hoặc https://",
             "ftp://zalo"),
        case("time-with-h", "reminders", 'morning_time = "7h30"', "HH:MM", "7h30"),
        case("time-24h", "reminders", 'morning_time = "24:00"', "HH:MM", "24:00"),
        case("stage-in-words", "reminders", 'activity_stages = ["7d", "1 ngày"]', "mốc nhắc",
             "1 ngày"),
        case("stage-repeated", "reminders", 'deadline_stages = ["1d", "1d"]', "bị lặp lại", "1d"),
        case("stages-not-a-list", "reminders", 'deadline_stages = "7d"', "danh sách mốc nhắc",
             "7d"),
        case("date-dd-mm-yyyy", "workdays", 'days_off = ["02/09/2025"]', "YYYY-MM-DD",
             "02/09/2025"),
        case("date-basic-iso", "workdays", 'working_days = ["20250927"]', "YYYY-MM-DD",
             "20250927"),
        case("day-off-rule", "workdays", 'deadline_on_day_off = "next"',
             "as_written, next_working_day", "next"),
        case("negative-days", "feeds", "days_back = -1", "từ 0 đến 36500", "-1"),
        case("float", "reports", "nudge_max = 1.5", "phải là số nguyên", "1.5"),
    ],
)
def test_wrong_value_names_option_file_and_line(
    tmp_path: Path, section: str, assignment: str, reason: str, text: str | None
) -> None:
    source = f"# đầu tệp\n\n[{section}]\n# chú thích\n{assignment}\n"
    with pytest.raises(ConfigError) as caught:
        load(tmp_path, source)
    error = caught.value
    option = assignment.split(" = ")[0]
    assert (error.file, error.line, error.text) == (str(tmp_path / "reminders.toml"), 5, text)
    assert f"tùy chọn '{option}' trong mục [{section}] " in error.message
    assert reason in error.message


def test_toml_native_dates_and_times_are_accepted(tmp_path: Path) -> None:
    settings = load(tmp_path, """
        [workdays]
        days_off = [2025-09-01, "2025-05-02", 2025-09-01]
        work_start = 07:30:00
    """)
    assert settings.workdays.days_off == (date(2025, 5, 2), date(2025, 9, 1))
    assert settings.workdays.work_start == time(7, 30)


def test_trailing_slash_of_a_base_url_is_dropped(tmp_path: Path) -> None:
    settings = load(tmp_path, '[service]\npublic_base_url = "https://lich.example.vn/nhac/"\n')
    assert settings.service.public_base_url == "https://lich.example.vn/nhac"


# --- office users -----------------------------------------------------------------------------

USERS = """
    [[office.users]]
    username = "vanphong"
    full_name = "Văn phòng thường trực"
    password_hash = "scrypt$16384$8$1$c2FsdA$aGFzaA"

    [[office.users]]
    username = "lanhdao"
    role = "leader"
    password_hash = "$argon2id$v=19$m=65536,t=3,p=4$c2FsdA$aGFzaA"
"""


def test_office_users(tmp_path: Path) -> None:
    users = load(tmp_path, USERS).office.users
    assert [(u.username, u.role) for u in users] == [
        ("vanphong", Role.OFFICE), ("lanhdao", Role.LEADER),
    ]
    assert users[0].full_name == "Văn phòng thường trực"
    assert "scrypt$" not in repr(users[0])


@pytest.mark.parametrize(
    ("extra", "line", "message"),
    [
        ('rol = "admin"', 10,
         "tùy chọn không tồn tại 'rol' trong mục [[office.users]] (có phải 'role'?)"),
        ('[[office.users]]\nusername = "x"\nrole = "boss"', 12,
         "tùy chọn 'role' trong [[office.users]] phải là một trong: admin"),
    ],
    ids=["unknown-option", "bad-role"],
)
def test_office_user_errors_point_at_the_right_table(
    tmp_path: Path, extra: str, line: int, message: str
) -> None:
    with pytest.raises(ConfigError) as caught:
        load(tmp_path, textwrap.dedent(USERS).lstrip("\n") + extra + "\n")
    assert caught.value.line == line
    assert message in str(caught.value)


def test_office_user_without_username(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="thiếu tùy chọn 'username'") as caught:
        load(tmp_path, '[service]\nport = 1\n[[office.users]]\npassword_hash = "scrypt$x"\n')
    assert caught.value.line == 3


# --- secrets ----------------------------------------------------------------------------------

SECRETS = [
    ("smtp", "password"),
    ("zalo", "secret_key"),
    ("zalo", "bot_token"),
    ("webhook", "secret"),
]
SECRET_IDS = [f"{s}.{o}" for s, o in SECRETS]


def _secret(settings: Settings, section: str, option: str) -> Secret:
    value = getattr(getattr(settings, section), option)
    assert isinstance(value, Secret)
    return value


@pytest.mark.parametrize(("section", "option"), SECRETS, ids=SECRET_IDS)
def test_secret_from_the_file(tmp_path: Path, section: str, option: str) -> None:
    settings = load(tmp_path, f'[{section}]\n{option} = "tu-tep"\n')
    assert _secret(settings, section, option).reveal() == "tu-tep"


@pytest.mark.parametrize(("section", "option"), SECRETS, ids=SECRET_IDS)
def test_secret_from_the_environment(tmp_path: Path, section: str, option: str) -> None:
    settings = load(tmp_path, f'[{section}]\n{option} = "tu-tep"\n',
                    {env_name(section, option): "tu-moi-truong"})
    assert _secret(settings, section, option).reveal() == "tu-moi-truong"


@pytest.mark.parametrize(("section", "option"), SECRETS, ids=SECRET_IDS)
def test_secret_from_a_file_variable(tmp_path: Path, section: str, option: str) -> None:
    (tmp_path / "secret.txt").write_text("bí-mật\n", encoding="utf-8")
    settings = load(tmp_path, env={env_name(section, option) + "_FILE": "secret.txt"})
    assert _secret(settings, section, option).reveal() == "bí-mật"


def test_missing_secret_file_is_an_error_naming_it(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="REMINDERS_SMTP_PASSWORD_FILE") as caught:
        load(tmp_path, env={"REMINDERS_SMTP_PASSWORD_FILE": "/run/secrets/khong-co"})
    assert caught.value.text == "/run/secrets/khong-co"


def test_secret_and_its_file_variable_together_are_an_error(tmp_path: Path) -> None:
    (tmp_path / "pw").write_text("a")
    env = {"REMINDERS_SMTP_PASSWORD": "b", "REMINDERS_SMTP_PASSWORD_FILE": "pw"}
    with pytest.raises(ConfigError, match="chỉ được đặt một trong hai"):
        load(tmp_path, env=env)


def test_database_url_from_a_file_variable(tmp_path: Path) -> None:
    (tmp_path / "db").write_text("postgresql+psycopg://u:pw@db/rem\n")
    settings = load(tmp_path, env={"REMINDERS_DATABASE_URL_FILE": "db"})
    assert settings.database.url == "postgresql+psycopg://u:pw@db/rem"


def test_secrets_never_appear_in_repr_or_description(tmp_path: Path) -> None:
    settings = load(tmp_path, """
        [database]
        url = "postgresql+psycopg://nhacviec:matkhau-db@db.local/rem"
        [smtp]
        password = "matkhau-smtp"
        [zalo]
        secret_key = "khoa-zalo"
        bot_token = "token-bot"
        [webhook]
        secret = "khoa-webhook"
    """)
    described = dict(describe_settings(settings))
    for shown in (repr(settings), str(settings), repr(described)):
        for value in ("matkhau-db", "matkhau-smtp", "khoa-zalo", "token-bot", "khoa-webhook"):
            assert value not in shown
    assert described["smtp.password"] == "••••"
    assert described["zalo.bot_token"] == "••••"
    assert described["database.url"] == "postgresql+psycopg://nhacviec:••••@db.local/rem"
    assert described["smtp.user"] == ""


def test_describe_settings_lists_every_option(tmp_path: Path) -> None:
    described = describe_settings(load(tmp_path, USERS))
    names = [name for name, _ in described]
    expected = [f"{s}.{f.name}" for s, cls in SECTIONS.items() for f in dataclasses.fields(cls)]
    assert names == [*expected, "office.users[0]", "office.users[1]"]
    values = dict(described)
    assert values["reminders.activity_stages"] == "7d, 1d, 0d"
    assert values["reminders.morning_time"] == "08:00"
    assert values["database.echo"] == "false"
    assert "scrypt" not in values["office.users[0]"]


# --- frozen values and helpers ----------------------------------------------------------------


def test_settings_are_frozen(tmp_path: Path) -> None:
    settings = load(tmp_path)
    with pytest.raises(dataclasses.FrozenInstanceError):
        settings.smtp = settings.smtp  # type: ignore[misc]
    with pytest.raises(dataclasses.FrozenInstanceError):
        settings.smtp.port = 25  # type: ignore[misc]


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("sqlite:///var/reminders.sqlite3", Path("var/reminders.sqlite3")),
        ("sqlite:////srv/rem.db", Path("/srv/rem.db")),
        ("sqlite:///:memory:", None),
        ("postgresql+psycopg://u@h/db", None),
    ],
    ids=["relative", "absolute", "memory", "postgres"],
)
def test_sqlite_path(url: str, expected: Path | None) -> None:
    assert dataclasses.replace(Settings().database, url=url).sqlite_path == expected


def test_resolve_path(tmp_path: Path) -> None:
    settings = Settings()
    assert settings.resolve_path(settings.service.data_dir, base=tmp_path) == tmp_path / "var"
    assert settings.resolve_path("/abs/x", base=tmp_path) == Path("/abs/x")


# --- check_settings ---------------------------------------------------------------------------

HEALTHY = """
    [service]
    public_base_url = "https://lich.example.gov.vn"
    registry = "units.toml"
    [smtp]
    host = "mail.example.gov.vn"
    user = "nhacviec"
    password = "pw"
    from_address = "Nhắc việc <nhacviec@example.gov.vn>"
    [webhook]
    secret = "khoa"
""" + USERS


@pytest.fixture
def healthy(tmp_path: Path) -> Settings:
    (tmp_path / "units.toml").write_text("")
    return load(tmp_path, HEALTHY)


def _with(section: str, **changes: Any) -> Callable[[Settings], Settings]:
    def change(settings: Settings) -> Settings:
        return dataclasses.replace(
            settings, **{section: dataclasses.replace(getattr(settings, section), **changes)}
        )

    return change


def _user(username: str, password_hash: str) -> OfficeUser:
    return OfficeUser(username=username, password_hash=password_hash)


def test_healthy_settings_have_no_findings(healthy: Settings, tmp_path: Path) -> None:
    assert check_settings(healthy, base=tmp_path) == []


@pytest.mark.parametrize(
    ("change", "level", "fragment"),
    [
        (_with("smtp", host=""), "info",
         "Chưa cấu hình SMTP: thư sẽ được ghi thành tệp .eml trong var/mail/ thay vì gửi đi"),
        (_with("smtp", password=Secret()), "error", "thiếu smtp.password"),
        (_with("smtp", user=""), "warning", "smtp.user trống"),
        (_with("smtp", tls="none"), "warning", "không được mã hóa"),
        (_with("smtp", port=465), "warning", "cổng 465"),
        (_with("smtp", from_address="Nhắc việc <nhacviec@example.invalid>"), "warning",
         "địa chỉ mẫu"),
        (_with("zalo", enabled=True, app_id="123", secret_key=Secret("k"), bot_token=Secret("t")),
         None, None),
        (_with("zalo", enabled=True, bot_token=Secret("t")), "error",
         "thiếu zalo.app_id, zalo.secret_key"),
        (_with("zalo", enabled=True, app_id="1", secret_key=Secret("k")), "info",
         "zalo.bot_token"),
        (_with("webhook", secret=Secret()), "warning", "webhook.secret"),
        (_with("service", public_base_url="http://lich.example.gov.vn"), "warning", "https://"),
        (_with("service", public_base_url="http://localhost:8080"), None, None),
        (_with("service", registry=Path("khong-co.toml")), "error", "khong-co.toml"),
        (_with("service", timezone="Asia/Saigon"), "info", "Asia/Ho_Chi_Minh"),
        (_with("office", users=()), "warning", "Chưa có người dùng"),
        (_with("office", users=(_user("a", "matkhau123"),)), "error", "không phải mã băm"),
        (_with("office", users=(_user("a", "scrypt$x"), _user("A", "scrypt$y"))), "error",
         "bị trùng"),
        (_with("workdays", days_off=(date(2025, 9, 27),), working_days=(date(2025, 9, 27),)),
         "error", "2025-09-27"),
        (_with("workdays", work_start=time(17, 0)), "error", "work_start"),
        (_with("reminders", backoff_max_seconds=30), "error", "backoff_max_seconds"),
        (_with("reminders", lease_seconds=30), "warning", "gửi hai lần"),
    ],
    ids=[
        "no-smtp", "smtp-user-without-password", "smtp-password-without-user", "smtp-plain-text",
        "smtp-port-tls-mismatch", "smtp-example-sender", "zalo-complete", "zalo-missing-keys",
        "zalo-no-bot", "webhook-unsigned", "public-url-http", "public-url-localhost",
        "registry-missing", "old-timezone-name", "no-users", "plain-password", "duplicate-users",
        "day-off-and-working-day", "work-hours-reversed", "backoff-reversed", "short-lease",
    ],
)
def test_check_settings_findings(
    healthy: Settings, tmp_path: Path, change: Callable[[Settings], Settings],
    level: str | None, fragment: str | None,
) -> None:
    findings = check_settings(change(healthy), base=tmp_path)
    if level is None:
        assert findings == []
    else:
        assert [f.level for f in findings] == [level], findings
        assert fragment is not None and fragment in findings[0].message


def test_errors_come_first(tmp_path: Path) -> None:
    findings = check_settings(Settings(), base=tmp_path)
    levels = [f.level for f in findings]
    assert levels == sorted(levels, key=["error", "warning", "info"].index)
    assert Finding(level="error", option="service.registry",
                   message="Không tìm thấy danh mục đơn vị config/units.toml (service.registry)"
                   ) in findings
