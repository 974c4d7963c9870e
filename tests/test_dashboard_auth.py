"""Logging in to the dashboard: passwords, sessions, cookies, rate limits, the hash CLI."""

from __future__ import annotations

import io
import sys
from collections.abc import Callable
from datetime import timedelta
from http.cookies import SimpleCookie

import pytest
from argon2 import PasswordHasher
from sqlalchemy import Engine

from reminders.cli import main
from reminders.config.schema import OfficeUser, Role
from reminders.web import passwords
from reminders.web.auth import LoginLimiter, authenticate, find_user, minutes
from reminders.web.passwords import hash_password, verify_password
from reminders.web.sessions import Signer
from tests.dashboard_support import (
    BASE,
    FAST_N,
    NOW,
    PASSWORD,
    USERS,
    csrf_of,
    parse,
    settings_with,
    site,
    with_role,
    without,
)

# --- password hashes ---------------------------------------------------------------------


def test_scrypt_hash_round_trip_and_format() -> None:
    stored = hash_password("một mật khẩu dài", n=FAST_N)
    kind, n, r, p, salt, key = stored.split("$")
    assert (kind, n, r, p) == ("scrypt", str(FAST_N), "8", "1")
    assert len(salt) == 24 and len(key) == 44  # 16 and 32 bytes, standard base64
    assert verify_password("một mật khẩu dài", stored)
    assert not verify_password("một mật khẩu dàI", stored)
    assert hash_password("một mật khẩu dài", n=FAST_N) != stored  # a fresh salt each time


def test_default_parameters_fit_the_memory_cap() -> None:
    stored = hash_password("mat-khau-mac-dinh")  # n = 2**15, r = 8: over hashlib's 32 MiB
    assert stored.startswith("scrypt$32768$8$1$")
    assert verify_password("mat-khau-mac-dinh", stored)


def test_argon2id_hashes_verify() -> None:
    stored = PasswordHasher(time_cost=1, memory_cost=8192).hash("mật khẩu argon")
    assert stored.startswith("$argon2id$")
    assert verify_password("mật khẩu argon", stored)
    assert not verify_password("mật khẩu khác", stored)


@pytest.mark.parametrize("stored", [
    "", "plaintext", "scrypt$", "scrypt$1024$8$1$!!!$AAAA", "scrypt$1000$8$1$c2FsdHNhbHQ=$"
    + "A" * 44, "scrypt$2097152$8$1$c2FsdHNhbHQ=$" + "A" * 44, "$argon2id$v=19$broken",
], ids=["empty", "plain", "short", "bad-base64", "n-not-power-of-two", "n-too-large",
        "argon2-broken"])
def test_malformed_hashes_match_nothing(stored: str) -> None:
    assert not verify_password("", stored) and not verify_password("x", stored)


def test_an_unknown_user_costs_the_same_key_derivation(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[int] = []
    real = passwords._scrypt

    def counting(password: str, salt: bytes, n: int, r: int, p: int, length: int) -> bytes:
        calls.append(n)
        return real(password, salt, n, r, p, length)

    monkeypatch.setattr(passwords, "_scrypt", counting)
    assert authenticate(USERS, "VanPhong", PASSWORD) == USERS[0]  # names ignore case
    assert authenticate(USERS, "vanphong", "sai") is None
    assert authenticate(USERS, "khong-co-ai", PASSWORD) is None
    assert calls == [FAST_N, FAST_N, FAST_N]
    assert authenticate((), "ai-do", PASSWORD) is None
    assert calls[-1] == passwords.DEFAULT_N
    assert find_user(USERS, "LANHDAO") == USERS[1]


def test_limiter_counts_per_name_and_address_within_the_window() -> None:
    limiter = LoginLimiter()
    for i in range(5):
        assert limiter.wait("a", "1.1.1.1", NOW + timedelta(minutes=i)) is None
        limiter.failed("a", "1.1.1.1", NOW + timedelta(minutes=i))
    later = NOW + timedelta(minutes=5)
    assert limiter.wait("a", "2.2.2.2", later) == timedelta(minutes=10)  # by name
    assert limiter.wait("b", "1.1.1.1", later) == timedelta(minutes=10)  # by address
    assert limiter.wait("b", "2.2.2.2", later) is None
    assert minutes(timedelta(minutes=10)) == 10 and minutes(timedelta(seconds=61)) == 2
    # The oldest failure leaves the window at 15 minutes: one more try is allowed.
    assert limiter.wait("a", "2.2.2.2", NOW + timedelta(minutes=15)) is None
    limiter.succeeded("A")
    assert limiter.wait("a", "3.3.3.3", later) is None
    assert limiter.wait("c", "1.1.1.1", later) is not None  # the address keeps its count


def test_limiter_memory_is_bounded() -> None:
    limiter = LoginLimiter(max_keys=10)
    for i in range(50):
        limiter.failed(f"user{i}", None, NOW)
    assert len(limiter._failures) <= 10


# --- sessions over HTTP ------------------------------------------------------------------


def _cookie_attributes(header: str) -> dict[str, str]:
    parsed = SimpleCookie()
    parsed.load(header)
    (morsel,) = parsed.values()
    attrs = {k: str(v) for k, v in morsel.items() if v}
    return {"name": morsel.key, **attrs}


def test_login_sets_a_strict_cookie_and_logout_clears_it(engine: Engine) -> None:
    with site(engine) as s:
        first = s.client.get("/quan-ly/ke-hoach/1")
        assert first.status_code == 303
        assert first.headers["location"] == "/quan-ly/dang-nhap?tiep=%2Fquan-ly%2Fke-hoach%2F1"
        page = s.client.get(first.headers["location"])
        assert page.status_code == 200
        doc = parse(page.text)
        assert doc.find("form", name="login") and doc.find("input", name="tiep",
                                                             value="/quan-ly/ke-hoach/1")
        response = s.client.post("/quan-ly/dang-nhap", data={
            "csrf": csrf_of(page.text), "ten_dang_nhap": "vanphong", "mat_khau": PASSWORD,
            "tiep": "/quan-ly/ke-hoach/1"})
        assert response.status_code == 303
        assert response.headers["location"] == "/quan-ly/ke-hoach/1"
        cookies = [_cookie_attributes(h) for h in response.headers.get_list("set-cookie")]
        session = next(c for c in cookies if c["name"] == "ql_phien")
        assert session["httponly"] and session["secure"]  # public_base_url is https
        assert session["samesite"].lower() == "lax" and session["path"] == "/quan-ly"
        assert session["max-age"] == str(12 * 3600)
        home = s.client.get("/quan-ly/")
        assert home.status_code == 200 and "Văn phòng thường trực" in home.text
        assert home.headers["x-frame-options"] == "DENY"
        assert "frame-ancestors 'none'" in home.headers["content-security-policy"]
        assert "form-action 'self'" in home.headers["content-security-policy"]
        out = s.client.post("/quan-ly/dang-xuat", data={"csrf": csrf_of(home.text)})
        assert out.status_code == 303 and out.headers["location"].startswith("/quan-ly/dang-nhap")
        assert not s.client.cookies.get("ql_phien")
        assert s.client.get("/quan-ly/").status_code == 303
        assert "Bạn đã đăng xuất." in s.client.get(out.headers["location"]).text


def test_plain_http_service_does_not_mark_cookies_secure(engine: Engine) -> None:
    with site(engine, settings_with(base_url="http://127.0.0.1:8080")) as s:
        token = csrf_of(s.client.get("/quan-ly/dang-nhap").text)
        response = s.client.post("/quan-ly/dang-nhap", data={
            "csrf": token, "ten_dang_nhap": "vanphong", "mat_khau": PASSWORD})
        cookies = [_cookie_attributes(h) for h in response.headers.get_list("set-cookie")]
        session = next(c for c in cookies if c["name"] == "ql_phien")
        assert "secure" not in session and session["httponly"]


def test_wrong_password_then_the_sixth_failure_is_429(engine: Engine) -> None:
    with site(engine) as s:
        for _ in range(5):
            response = s.try_login("vanphong", "sai-mat-khau")
            assert response.status_code == 400
            assert "Tên đăng nhập hoặc mật khẩu không đúng." in response.text
            assert "ql_phien" not in response.cookies
        blocked = s.try_login("vanphong", PASSWORD)  # even the right password waits
        assert blocked.status_code == 429
        assert "Đăng nhập sai quá nhiều lần, thử lại sau 15 phút" in blocked.text
        s.clock.advance(timedelta(minutes=6))
        assert "thử lại sau 9 phút" in s.try_login("lanhdao", "sai").text  # same address
        s.clock.advance(timedelta(minutes=9))
        assert s.try_login("vanphong", PASSWORD).status_code == 303


def test_the_login_form_needs_its_csrf_token_and_our_origin(engine: Engine) -> None:
    with site(engine) as s:
        token = csrf_of(s.client.get("/quan-ly/dang-nhap").text)
        data = {"ten_dang_nhap": "vanphong", "mat_khau": PASSWORD}
        for bad in ({}, {"csrf": ""}, {"csrf": "sai"}, {"csrf": token + "x"}):
            response = s.client.post("/quan-ly/dang-nhap", data={**data, **bad})
            assert response.status_code == 403 and "ql_phien" not in response.cookies
        cross = s.client.post("/quan-ly/dang-nhap", headers={"origin": "https://evil.example"},
                              data={**data, "csrf": token})
        assert cross.status_code == 403 and "ql_phien" not in cross.cookies
        own = s.client.post("/quan-ly/dang-nhap", headers={"origin": BASE},
                            data={**data, "csrf": token})
        assert own.status_code == 303
        s.client.cookies.clear()  # the token is bound to this browser's nonce cookie
        response = s.client.post("/quan-ly/dang-nhap", data={**data, "csrf": token})
        assert response.status_code == 403


@pytest.mark.parametrize("mangle", [
    lambda v: v[:-2] + ("AA" if not v.endswith("AA") else "BB"),
    lambda v: "x" + v,
    lambda v: v.split(".")[0],
    lambda v: "",
], ids=["mac", "payload", "no-mac", "empty"])
def test_a_tampered_session_cookie_sends_to_login(engine: Engine,
                                                  mangle: Callable[[str], str]) -> None:
    with site(engine) as s:
        s.login()
        value = s.client.cookies.get("ql_phien")
        assert value
        s.set_cookie("ql_phien", mangle(value))
        response = s.client.get("/quan-ly/")
        assert response.status_code == 303
        assert response.headers["location"].startswith("/quan-ly/dang-nhap")


def test_a_forged_cookie_for_another_user_is_refused(engine: Engine) -> None:
    with site(engine) as s:
        forged, _ = Signer(b"k" * 32).new_session(USERS[2], NOW)
        s.set_cookie("ql_phien", forged)
        assert s.client.get("/quan-ly/").status_code == 303


def test_a_session_ends_after_12_hours(engine: Engine) -> None:
    with site(engine) as s:
        s.login()
        s.clock.advance(timedelta(hours=11, minutes=59))
        assert s.client.get("/quan-ly/").status_code == 200
        s.clock.advance(timedelta(minutes=1))
        assert s.client.get("/quan-ly/").status_code == 303


@pytest.mark.parametrize("change", ["removed", "role", "password"])
def test_a_user_changed_in_the_settings_is_refused(engine: Engine, change: str) -> None:
    with site(engine) as s:
        s.login("vanphong")
        cookie = s.client.cookies.get("ql_phien")
        assert cookie
    if change == "removed":
        users = without(USERS, "vanphong")
    elif change == "role":
        users = with_role(USERS, "vanphong", Role.LEADER)
    else:
        users = tuple(OfficeUser(username=u.username, full_name=u.full_name, role=u.role,
                                 password_hash=hash_password("mat-khau-moi-2", n=FAST_N))
                      if u.username == "vanphong" else u for u in USERS)
    with site(engine) as same, site(engine, settings_with(users)) as changed:
        for current, expected in ((same, 200), (changed, 303)):
            current.set_cookie("ql_phien", cookie)
            assert current.client.get("/quan-ly/").status_code == expected


def test_leader_logs_in_and_out(engine: Engine) -> None:
    with site(engine) as s:
        s.login("lanhdao")
        home = s.client.get("/quan-ly/")
        doc = parse(home.text)
        assert doc.find("span", id="current-user", data_role="leader")
        assert s.client.post("/quan-ly/dang-xuat",
                             data={"csrf": csrf_of(home.text)}).status_code == 303
        assert s.client.get("/quan-ly/").status_code == 303


def test_no_users_configured_says_how_to_add_one(engine: Engine) -> None:
    with site(engine, settings_with(users=())) as s:
        page = s.client.get("/quan-ly/dang-nhap")
        assert page.status_code == 200
        doc = parse(page.text)
        assert doc.find("div", id="no-users") and not doc.find("form", name="login")
        assert "reminders office hash-password" in page.text and "[[office.users]]" in page.text
        assert s.client.get("/quan-ly/").status_code == 303
        assert s.client.get("/healthz").status_code == 200


def test_unknown_dashboard_paths_are_404_and_never_redirect_elsewhere(engine: Engine) -> None:
    with site(engine) as s:
        s.client.get("/quan-ly/dang-nhap")
        token = csrf_of(s.client.get("/quan-ly/dang-nhap").text)
        response = s.client.post("/quan-ly/dang-nhap", data={
            "csrf": token, "ten_dang_nhap": "vanphong", "mat_khau": PASSWORD,
            "tiep": "//evil.example/x"})
        assert response.headers["location"] == "/quan-ly/"
        assert s.client.get("/quan-ly/khong-co").status_code == 404
        assert s.client.get("/quan-ly").headers["location"].endswith("/quan-ly/")
        assert BASE.startswith("https://")


# --- the CLI -----------------------------------------------------------------------------


def test_hash_password_cli_round_trip(monkeypatch: pytest.MonkeyPatch,
                                      capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr(sys, "stdin", io.StringIO("mật khẩu văn phòng\n"))
    assert main(["office", "hash-password", "--stdin"]) == 0
    stored = capsys.readouterr().out.strip()
    assert stored.startswith("scrypt$32768$8$1$")
    assert verify_password("mật khẩu văn phòng", stored)
    assert not verify_password("mật khẩu văn phòng\n", stored)


def test_hash_password_cli_prompts_twice(monkeypatch: pytest.MonkeyPatch,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    answers = iter(["mat-khau-hai-lan", "mat-khau-hai-lan"])
    monkeypatch.setattr("typer.prompt", lambda *a, **k: next(answers))
    assert main(["office", "hash-password"]) == 0
    assert verify_password("mat-khau-hai-lan", capsys.readouterr().out.strip())
    answers = iter(["mat-khau-hai-lan", "mat-khau-khac-nhau"])
    assert main(["office", "hash-password"]) != 0
    assert "không khớp" in capsys.readouterr().err
    monkeypatch.setattr(sys, "stdin", io.StringIO("ngan\n"))
    assert main(["office", "hash-password", "--stdin"]) != 0
    assert "ít nhất 8 ký tự" in capsys.readouterr().err
