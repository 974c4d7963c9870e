"""The delivery commands through `main([...])`: import --publish, outbox preview / list /
retry, dispatch --once, notify test; a SQLite file, a real SMTP server on 127.0.0.1."""

from __future__ import annotations

import email.policy
import json
import os
import re
from collections.abc import Iterator
from datetime import UTC, datetime
from email.parser import BytesParser
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine

from reminders.cli import main
from reminders.config import Settings
from reminders.replan import replan
from reminders.store import make_engine, upgrade
from reminders.store.outbox import DeliveryRow, list_deliveries
from tests.feed_support import seed_plan, store_plans
from tests.ingest_support import ROOT, seed
from tests.smtp_server import SmtpServer

# The seed of Kế hoạch 249/KH-UBND (December 2022), planned as of Friday 2 December 09:00:
# what is due on Monday 5 December 08:00 is the week-before reminders of the next Monday.
PLANNED_AT = datetime(2022, 12, 2, 2, 0, tzinfo=UTC)
MONDAY = "2022-12-05T08:00+07:00"
MONDAY_UTC = datetime(2022, 12, 5, 1, 0, tzinfo=UTC)
LEAD = "hoi-ccb-phuong-phuong-liet"
LEAD_EMAIL = "ccb.phuongliet@example.invalid"
LEAD_NAME = "Hội Cựu chiến binh phường Phương Liệt"
TALK = "Nói chuyện chuyên đề về Chiến thắng"
NO_CONTACTS = "bo-vhttdl"  # a central body: no address in the example registry
_PARSER = BytesParser(policy=email.policy.default)


@pytest.fixture
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Commands run in an empty folder, on a SQLite file, with the bundled registry."""
    monkeypatch.chdir(tmp_path)
    for name in [n for n in os.environ if n.startswith("REMINDERS_")]:
        monkeypatch.delenv(name)
    monkeypatch.setenv("REMINDERS_DATABASE_URL", f"sqlite:///{tmp_path / 'db.sqlite3'}")
    monkeypatch.setenv("REMINDERS_SERVICE_REGISTRY", str(ROOT / "config" / "units.toml"))
    monkeypatch.setenv("REMINDERS_SMTP_MAIL_DIR", str(tmp_path / "thu"))
    return tmp_path


@pytest.fixture
def planned(workdir: Path) -> Iterator[Engine]:
    """The database with seed 000 published and its reminders planned at PLANNED_AT."""
    engine = make_engine(f"sqlite:///{workdir / 'db.sqlite3'}")
    try:
        upgrade(engine)
        store_plans(engine, (seed_plan("000"),))
        with engine.begin() as conn:
            replan(conn, Settings(), now=PLANNED_AT)
        yield engine
    finally:
        engine.dispose()


@pytest.fixture
def smtp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, workdir: Path) -> Iterator[SmtpServer]:
    """A plain SMTP server (no TLS, no AUTH) that the configuration points at."""
    server = SmtpServer(cert_dir=tmp_path / "certs", tls=False, auth=False)
    server.start()
    monkeypatch.setenv("REMINDERS_SMTP_HOST", server.host)
    monkeypatch.setenv("REMINDERS_SMTP_PORT", str(server.port))
    monkeypatch.setenv("REMINDERS_SMTP_TLS", "none")
    try:
        yield server
    finally:
        server.stop()


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def _rows(engine: Engine) -> list[DeliveryRow]:
    with engine.connect() as conn:
        return list(list_deliveries(conn, limit=100_000))


def _due_monday(engine: Engine) -> list[DeliveryRow]:
    return [r for r in _rows(engine) if r.due_at == MONDAY_UTC]


# --- import --------------------------------------------------------------------------------

def test_import_publish_plans_the_reminders_and_says_how_many(
        workdir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # `import` plans as of the real clock: the seed is moved to 2099 so that it lies ahead.
    plan = workdir / "kh-249.txt"
    plan.write_text(seed("000").read_text(encoding="utf-8").replace("2022", "2099"),
                    encoding="utf-8")

    code, out, err = run(capsys, "import", "--publish", str(plan))

    assert code == 0, err
    assert "Đã lưu và công bố kế hoạch mới #1; các đơn vị thấy trên lịch." in out
    found = re.search(r"^Tin nhắc: thêm (\d+), dời giờ 0, hủy 0 "
                      r"\(xem `reminders outbox preview`\)\.$", out, re.MULTILINE)
    assert found is not None, out
    added = int(found.group(1))
    assert added > 100
    code, out, _ = run(capsys, "outbox", "list", "--json", "--limit", "10000")
    listed = json.loads(out)
    assert len(listed) == added
    assert {(r["status"], r["kind"], r["channel"]) for r in listed} == {
        ("pending", "reminder", "email")}

    code, out, _ = run(capsys, "import", "--publish", str(plan))
    assert code == 0
    assert "Kế hoạch #1 đã có, không có gì thay đổi." in out
    assert "Tin nhắc" not in out  # nothing to plan again


# --- outbox preview --------------------------------------------------------------------------

def test_outbox_preview_lists_messages_as_json(
        planned: Engine, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "outbox", "preview", "--from", "2022-12-01", "--to",
                         "2022-12-15", "--json")

    assert code == 0, err
    messages = json.loads(out)
    lead = [m for m in messages if m["unit_id"] == LEAD]
    assert [m["due_at"] for m in lead] == ["2022-12-02T08:00:00+07:00",
                                           "2022-12-05T08:00:00+07:00",
                                           "2022-12-09T08:00:00+07:00"]
    # Friday's stage was due an hour before the outbox was planned: never a row.
    assert [i["status"] for i in lead[0]["items"]] == ["chưa xếp"]
    monday = lead[1]
    assert {k: monday[k] for k in ("unit_name", "channel", "kind", "to")} == {
        "unit_name": LEAD_NAME, "channel": "email", "kind": "reminder", "to": [LEAD_EMAIL]}
    talk = next(i for i in monday["items"] if i["title"].startswith(TALK))
    assert {k: talk[k] for k in ("status", "stage", "day", "role")} == {
        "status": "pending", "stage": 7, "day": "2022-12-12", "role": "lead"}
    assert talk["key"] == f"r:{talk['uid']}:2022-12-12:{LEAD}:7d:email"
    assert talk["uid"].endswith("@reminders")
    # Every outbox row due in the window is in the preview, in its message.
    stored = {(r.key, r.status.value) for r in _rows(planned)
              if datetime(2022, 11, 30, 17, tzinfo=UTC) <= r.due_at
              < datetime(2022, 12, 15, 17, tzinfo=UTC)}
    shown = {(i["key"], i["status"]) for m in messages for i in m["items"]}
    assert stored and stored <= shown
    # Stages due before the outbox was planned were never rows; the rest all are.
    assert {s for _, s in shown - stored} == {"chưa xếp"}
    assert {datetime.fromisoformat(m["due_at"]) < PLANNED_AT for m in messages
            if any(i["status"] == "chưa xếp" for i in m["items"])} == {True}
    assert {datetime.fromisoformat(m["due_at"]) < PLANNED_AT for m in messages
            if any(i["status"] != "chưa xếp" for i in m["items"])} == {False}

    code, out, _ = run(capsys, "outbox", "preview", "--from", "2022-12-01", "--to",
                       "2022-12-15", "--unit", LEAD, "--json")
    assert code == 0
    assert json.loads(out) == lead


def test_outbox_preview_reads_as_text(planned: Engine,
                                      capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "outbox", "preview", "--from", "2022-12-05", "--to",
                       "2022-12-05", "--unit", LEAD)

    assert code == 0
    lines = out.splitlines()
    assert lines[0] == f"05/12/2022 08:00  email    {LEAD_NAME} ({LEAD_EMAIL})"
    assert (f"    • {TALK} “Hà Nội - Điện Biên Phủ trên không” (18/12/1972 -18/12/2022) — "
            "07h00 ngày 12/12/2022 (Thứ 2) [trước 7 ngày; pending]") in lines
    assert len(lines) == 3  # the message and its two items

    code, out, _ = run(capsys, "outbox", "preview", "--from", "2023-01-01", "--to",
                       "2023-01-31")
    assert (code, out.strip()) == (0, "Không có tin nhắc nào từ 01/01/2023 đến 31/01/2023.")


@pytest.mark.parametrize(("args", "message"), [
    pytest.param(("--from", "2022-13-01", "--to", "2022-12-15"),
                 "Lỗi: --from '2022-13-01' phải là ngày dạng YYYY-MM-DD", id="bad-from"),
    pytest.param(("--from", "2022-12-01", "--to", "15/12/2022"),
                 "Lỗi: --to '15/12/2022' phải là ngày dạng YYYY-MM-DD", id="bad-to"),
    pytest.param(("--from", "2022-12-15", "--to", "2022-12-01"),
                 "Lỗi: --to phải không trước --from", id="backwards"),
])
def test_outbox_preview_refuses_bad_dates(workdir: Path, capsys: pytest.CaptureFixture[str],
                                          args: tuple[str, ...], message: str) -> None:
    code, out, err = run(capsys, "outbox", "preview", *args)
    assert (code, out, err.strip()) == (2, "", message)


# --- dispatch --------------------------------------------------------------------------------

def test_dispatch_once_sends_what_is_due_and_says_so(
        planned: Engine, smtp: SmtpServer, capsys: pytest.CaptureFixture[str]) -> None:
    due = _due_monday(planned)
    units = {r.unit_id for r in due}
    assert len(due) > len(units) > 10  # one unit has two items due: one message

    code, out, err = run(capsys, "dispatch", "--once", "--now", MONDAY)

    assert code == 0, err
    assert out.strip() == (f"05/12/2022 08:00: đã gửi {len(units)} tin ({len(due)} mục nhắc), "
                           "hẹn gửi lại 0, lỗi hẳn 0.")
    assert smtp.count() == len(units)
    assert sorted(smtp.keys()) == sorted(min((r for r in due if r.unit_id == u),
                                             key=lambda r: r.id).key for u in units)
    lead = next(m for m in smtp.messages if m["To"].addresses[0].addr_spec == LEAD_EMAIL)
    assert lead["Subject"] == "Nhắc việc: 2 việc sắp tới (05/12/2022)"
    statuses = {r.id: r.status.value for r in _rows(planned)}
    assert {statuses[r.id] for r in due} == {"sent"}
    assert set(statuses.values()) == {"sent", "pending"}  # later ones wait

    code, out, _ = run(capsys, "dispatch", "--once", "--now", MONDAY, "--json")
    assert code == 0
    again = json.loads(out)
    assert datetime.fromisoformat(again.pop("now")) == MONDAY_UTC
    assert again == {"claimed": 0, "messages": 0, "sent": 0, "retried": 0, "failed": 0,
                     "fallbacks": 0, "lost": 0, "errors": []}  # nothing twice
    code, out, _ = run(capsys, "dispatch", "--once", "--now", "2022-12-09T08:00+07:00",
                       "--json")
    report = json.loads(out)
    assert (code, report["claimed"], report["sent"], report["messages"]) == (0, 2, 2, 2)
    assert smtp.count() == len(units) + 2


def test_dispatch_without_smtp_writes_eml_files(
        planned: Engine, workdir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "dispatch", "--once", "--now", MONDAY)

    assert code == 0, err
    files = sorted((workdir / "thu").glob("*.eml"))
    units = {r.unit_id for r in _due_monday(planned)}
    assert len(files) == len(units)
    assert out.startswith(f"05/12/2022 08:00: đã gửi {len(units)} tin")
    [path] = [f for f in files if f"-{LEAD}-" in f.name]
    message = _PARSER.parsebytes(path.read_bytes())
    assert message["Subject"] == "Nhắc việc: 2 việc sắp tới (05/12/2022)"
    assert message["To"].addresses[0].addr_spec == LEAD_EMAIL
    body = message.get_body(("plain",))
    assert body is not None and TALK in body.get_content()
    sent = [r for r in _rows(planned) if r.unit_id == LEAD and r.status.value == "sent"]
    assert {r.provider_message_id for r in sent} == {f"eml:{path.name}"}


def test_a_refused_address_fails_and_can_be_retried(
        planned: Engine, smtp: SmtpServer, capsys: pytest.CaptureFixture[str]) -> None:
    smtp.reject(LEAD_EMAIL, 550, "5.1.1 Hộp thư không tồn tại")
    code, out, err = run(capsys, "dispatch", "--once", "--now", MONDAY)
    assert code == 0
    assert ", lỗi hẳn 2." in out  # both of its rows, in one message
    assert "550" in err

    code, out, _ = run(capsys, "outbox", "list", "--status", "failed")
    lines = out.splitlines()
    assert code == 0 and len(lines) == 2
    assert all(re.match(rf"#\d+  05/12/2022 08:00  {LEAD}  email  reminder  \[failed, 1 lần\] "
                        r"— lỗi: .*550", line) for line in lines), lines
    failed: list[dict[str, Any]] = json.loads(
        run(capsys, "outbox", "list", "--status", "failed", "--json")[1])
    assert {r["unit_id"] for r in failed} == {LEAD}
    first = failed[0]["id"]

    code, out, _ = run(capsys, "outbox", "retry", str(first))
    assert code == 0
    assert out.splitlines()[0] == f"Tin #{first} sẽ được gửi lại ở lượt gửi tới."
    assert "[pending, 0 lần]" in out.splitlines()[1]
    row = next(r for r in _rows(planned) if r.id == first)
    assert (row.status.value, row.attempts) == ("pending", 0)

    sent = next(r for r in _rows(planned) if r.status.value == "sent")
    code, out, err = run(capsys, "outbox", "retry", str(sent.id))
    assert (code, out) == (2, "")
    assert err.strip() == (f"Lỗi: tin #{sent.id} đang ở trạng thái sent; chỉ gửi lại được tin "
                           "lỗi (failed) hoặc đã hủy (cancelled)")
    code, _, err = run(capsys, "outbox", "retry", "999999")
    assert (code, err.strip()) == (2, "Lỗi: không có tin #999999 trong hộp thư đi")
    assert run(capsys, "outbox", "list", "--status", "claimed")[1].strip() == (
        "Không có tin nào ở trạng thái claimed.")


@pytest.mark.parametrize("args", [
    pytest.param(("dispatch",), id="no-once"),
    pytest.param(("dispatch", "--now", MONDAY), id="now-without-once"),
])
def test_dispatch_without_once_exits_2(workdir: Path, capsys: pytest.CaptureFixture[str],
                                       args: tuple[str, ...]) -> None:
    code, out, err = run(capsys, *args)
    assert (code, out) == (2, "")
    assert "reminders dispatch --once" in err and "reminders worker" in err


def test_dispatch_refuses_a_moment_it_cannot_read(
        workdir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "dispatch", "--once", "--now", "thứ Hai")
    assert (code, out) == (2, "")
    assert err.strip() == ("Lỗi: thời điểm 'thứ Hai' không đúng dạng ISO "
                           "(ví dụ 2022-12-05T08:00+07:00)")


# --- notify test -----------------------------------------------------------------------------

def test_notify_test_sends_through_each_channel_and_logs_it(
        planned: Engine, smtp: SmtpServer, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "notify", "test", "--unit", LEAD)

    assert code == 0, err
    [line] = out.splitlines()
    assert line.startswith(f"email: đã gửi tới {LEAD_EMAIL} (mã <")
    [message] = smtp.messages
    assert message["Subject"] == "Thử kênh nhắc việc"
    assert [a.addr_spec for a in message["To"].addresses] == [LEAD_EMAIL]
    [logged] = [r for r in _rows(planned) if r.kind == "test"]
    assert (logged.unit_id, logged.channel.value, logged.status.value) == (LEAD, "email", "sent")
    assert logged.provider_message_id == message["Message-ID"]
    assert line.endswith(f"(mã {message['Message-ID']})")

    code, out, _ = run(capsys, "notify", "test", "--unit", LEAD, "--json")
    [result] = json.loads(out)
    assert (code, result["channel"], result["to"], result["ok"], result["error"]) == (
        0, "email", [LEAD_EMAIL], True, None)
    assert smtp.count() == 2


def test_notify_test_with_the_server_down_exits_1(
        planned: Engine, smtp: SmtpServer, capsys: pytest.CaptureFixture[str]) -> None:
    smtp.stop()

    code, out, _ = run(capsys, "notify", "test", "--unit", LEAD)

    assert code == 1
    [line] = out.splitlines()
    assert line.startswith(f"email: KHÔNG gửi được tới {LEAD_EMAIL}: lỗi tạm thời: ")
    assert "máy chủ thư" in line
    [logged] = [r for r in _rows(planned) if r.kind == "test"]
    assert logged.status.value == "failed" and "máy chủ thư" in (logged.last_error or "")


@pytest.mark.parametrize(("unit", "message"), [
    pytest.param(NO_CONTACTS, f"Lỗi: đơn vị '{NO_CONTACTS}' chưa có kênh nhận tin nào (thư "
                 "điện tử, Zalo hoặc webhook) trong danh mục đơn vị", id="no-channel"),
    pytest.param("khong-co", "Lỗi: không có đơn vị 'khong-co' trong danh mục", id="unknown"),
])
def test_notify_test_refuses_a_unit_it_cannot_reach(
        planned: Engine, capsys: pytest.CaptureFixture[str], unit: str, message: str) -> None:
    code, out, err = run(capsys, "notify", "test", "--unit", unit)
    assert (code, out, err.strip()) == (2, "", message)
    assert not [r for r in _rows(planned) if r.kind == "test"]
