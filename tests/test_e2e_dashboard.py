"""End to end in headless Chromium against `reminders serve` on 127.0.0.1.

Seed 000 (249/KH-UBND, report due Monday 26/12/2022) is stored and published; the service
runs as of Wednesday 28/12/2022 09:00 (`serve --now`) and sends mail to a real aiosmtpd
server. The office logs in, opens the plan, sees the matrix, marks a unit's report received,
presses the nudge button; the nudge is dispatched (`reminders dispatch --once`) and found
at the SMTP server; a unit opens the signed link from that mail and confirms.
Screenshots of the main pages go to test-artifacts/screenshots/ (or $REMINDERS_ARTIFACTS).
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest

from reminders.config import Settings
from reminders.replan import replan
from reminders.store import make_engine, upgrade
from reminders.web.passwords import hash_password
from tests.feed_support import seed_plan, store_plans
from tests.ingest_support import ROOT
from tests.smtp_server import SmtpServer

CHROMIUM = "/usr/bin/chromium"
NOW = "2022-12-28T09:00+07:00"
LATER = "2022-12-28T10:00+07:00"  # dispatch after the button was pressed
USER, PASSWORD = "vanphong", "Mật-khẩu-thử-2022"
MARKED = "gddt-thanh-xuan"  # marked received by the office
CONFIRMING = "vhtt-thanh-xuan"  # confirms through its signed link
CONFIRMING_EMAIL = "vhtt.thanhxuan@example.invalid"

pytestmark = pytest.mark.skipif(not Path(CHROMIUM).exists(),
                                reason="Debian's chromium is not installed (.ci/run installs it)")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _artifacts() -> Path:
    folder = Path(os.environ.get("REMINDERS_ARTIFACTS", ROOT / "test-artifacts")) / "screenshots"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@dataclass(frozen=True)
class Service:
    base: str
    env: dict[str, str]
    cwd: Path
    smtp: SmtpServer

    def dispatch(self, now: str) -> str:
        done = subprocess.run([sys.executable, "-m", "reminders", "dispatch", "--once",
                               "--now", now], cwd=self.cwd, env=self.env, capture_output=True,
                              text=True, timeout=120, check=False)
        assert done.returncode == 0, done.stderr
        return done.stdout


def _config(tmp: Path, port: int, smtp: SmtpServer) -> Path:
    config = tmp / "reminders.toml"
    config.write_text(f"""
[service]
public_base_url = "http://127.0.0.1:{port}"
host = "127.0.0.1"
port = {port}
data_dir = "{tmp / 'var'}"
registry = "{ROOT / 'config' / 'units.toml'}"

[database]
url = "sqlite:///{tmp / 'reminders.sqlite3'}"

[smtp]
host = "{smtp.host}"
port = {smtp.port}
tls = "none"

[reminders]
# One tick at start; after that the test dispatches itself, so nothing waits on a timer.
tick_seconds = 3600

[[office.users]]
username = "{USER}"
full_name = "Văn phòng thường trực"
role = "office"
password_hash = "{hash_password(PASSWORD, n=2**14)}"
""", encoding="utf-8")
    return config


@pytest.fixture
def service(tmp_path: Path) -> Iterator[Service]:
    smtp = SmtpServer(cert_dir=tmp_path / "certs", tls=False, auth=False)
    smtp.start()
    port = _free_port()
    config = _config(tmp_path, port, smtp)
    engine = make_engine(f"sqlite:///{tmp_path / 'reminders.sqlite3'}")
    upgrade(engine)
    stored_at = datetime(2022, 11, 1, 2, 0, tzinfo=UTC)
    store_plans(engine, (seed_plan("000"),), at=stored_at)
    with engine.begin() as conn:
        replan(conn, Settings(), now=stored_at)
    engine.dispose()
    env = {k: v for k, v in os.environ.items() if not k.startswith("REMINDERS_")}
    env["REMINDERS_CONFIG"] = str(config)
    process = subprocess.Popen([sys.executable, "-m", "reminders", "serve", "--now", NOW],
                               cwd=tmp_path, env=env, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True)
    base = f"http://127.0.0.1:{port}"
    try:
        limit = time.monotonic() + 30
        while True:  # wait for the server to listen (not for a reminder)
            if process.poll() is not None:
                raise AssertionError(f"serve exited: {process.stderr.read()}")  # type: ignore[union-attr]
            try:
                if httpx.get(f"{base}/healthz", timeout=1).json()["scheduler"]["ticks"] >= 1:
                    break
            except httpx.TransportError:
                pass
            assert time.monotonic() < limit, "serve did not answer within 30 s"
            time.sleep(0.1)
        yield Service(base=base, env=env, cwd=tmp_path, smtp=smtp)
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.communicate(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.communicate()
        smtp.stop()


def _link(body: str, label: str) -> str:
    """The signed link after `label` in a plain-text mail body."""
    found = re.search(rf"{label}[^\n]*?(http://\S+/xac-nhan/\S+)", body)
    if found is None:
        found = re.search(r"(http://\S+/xac-nhan/\S+)", body)
    assert found is not None, body
    return found.group(1).rstrip(").,>")


@pytest.mark.slow
def test_office_and_unit_end_to_end(service: Service) -> None:
    from playwright.sync_api import expect, sync_playwright

    shots = _artifacts()
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True,
                                    args=["--no-sandbox"])
        page = browser.new_page(viewport={"width": 1280, "height": 900}, locale="vi-VN")
        page.goto(f"{service.base}/quan-ly/")
        expect(page.locator("#login-form")).to_be_visible()
        page.screenshot(path=shots / "01-dang-nhap.png", full_page=True)
        page.fill("#ten_dang_nhap", USER)
        page.fill("#mat_khau", PASSWORD)
        page.click("#login-submit")
        expect(page.get_by_text("249/KH-UBND").first).to_be_visible()
        page.screenshot(path=shots / "02-ke-hoach.png", full_page=True)

        page.get_by_text("249/KH-UBND").first.click()
        expect(page.locator("#matrix")).to_be_visible()
        cells = page.locator("#matrix td.cell[data-occurrence]")
        expect(cells).to_have_count(25)
        expect(page.locator('#matrix td[data-state="overdue"]')).to_have_count(25)
        page.screenshot(path=shots / "03-bang-theo-doi.png", full_page=True)

        # Mark one unit's report received, with its document number.
        page.locator("#matrix th.occ a").first.click()
        expect(page.locator("#occurrence-title")).to_be_visible()
        page.locator(f"#don-vi-{MARKED} summary", has_text="Ghi nhận đã nhận báo cáo").click()
        page.fill(f"#nhan-{MARKED}-so", "15/BC-GDĐT")
        page.locator(f"#nhan-{MARKED} button[type=submit]").click()
        entry = page.locator(f"#don-vi-{MARKED}")
        expect(entry).to_have_attribute("data-state", "late")
        expect(entry).to_contain_text("15/BC-GDĐT")
        page.screenshot(path=shots / "04-han-bao-cao.png", full_page=True)

        # The nudge button: one message now to every unit still owing the report.
        before = set(service.smtp.keys())
        page.click("#nhac")
        expect(page.locator(".flash").first).to_contain_text("24")
        service.dispatch(LATER)
        new = [m for m in service.smtp.messages
               if m["X-Reminders-Key"] not in before and "manual" in m["X-Reminders-Key"]]
        recipients = {a.addr_spec for m in new for a in m["To"].addresses}
        assert CONFIRMING_EMAIL in recipients
        assert not any(MARKED in m["X-Reminders-Key"] for m in new)  # it has reported
        mail = next(m for m in new if CONFIRMING_EMAIL in str(m["To"]))
        body = mail.get_body(preferencelist=("plain",)).get_content()
        link = _link(body, "Đã gửi báo cáo")

        # The unit opens its signed link (a fresh browser: no office session) and confirms.
        unit_page = browser.new_page(viewport={"width": 390, "height": 844})
        unit_page.goto(link)
        expect(unit_page.locator("form")).to_be_visible()
        unit_page.screenshot(path=shots / "05-xac-nhan.png", full_page=True)
        unit_page.locator("form button[type=submit]").first.click()
        expect(unit_page.locator("body")).to_contain_text("Đã ghi nhận")
        unit_page.screenshot(path=shots / "06-da-ghi-nhan.png", full_page=True)
        # Opening the same link again records nothing more.
        unit_page.goto(link)
        expect(unit_page.locator("body")).to_contain_text("đã xác nhận")

        page.reload()
        expect(page.locator(f"#don-vi-{CONFIRMING}")).to_have_attribute("data-state", "late")
        page.goto(f"{service.base}/quan-ly/don-vi/{CONFIRMING}")
        page.screenshot(path=shots / "07-don-vi.png", full_page=True)
        page.goto(f"{service.base}/quan-ly/hop-thu-di")
        page.screenshot(path=shots / "08-hop-thu-di.png", full_page=True)
        browser.close()
    assert all((shots / name).stat().st_size > 1000 for name in os.listdir(shots))
    shutil.rmtree(service.cwd / "var", ignore_errors=True)
