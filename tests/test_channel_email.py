"""Email channel through a real SMTP server on 127.0.0.1 (STARTTLS, AUTH), and the .eml fallback."""

from __future__ import annotations

import asyncio
import email.policy
import logging
import re
import socket
import ssl
import unicodedata
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from email.parser import BytesParser
from pathlib import Path
from typing import Any, cast

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reminders.channels.base import Outgoing, Recipient, SendError
from reminders.channels.email import EmlSender, SmtpSender, email_sender
from reminders.channels.mime import build_email, message_id_for
from reminders.clock import FixedClock
from reminders.config.schema import SmtpSettings
from reminders.config.values import Secret
from reminders.domain import Channel
from reminders.errors import ConfigError
from tests.smtp_server import SmtpServer, smtp_server_fixture  # noqa: F401

pytestmark = pytest.mark.anyio

NOW = datetime(2024, 2, 5, 1, 0, tzinfo=UTC)  # 08:00 in Hà Nội
FROM = "Nhắc việc <nhacviec@example.vn>"
UNIT = Recipient(unit_id="vhtt-thanh-xuan", name="Phòng Văn hóa và Thông tin",
                 emails=("vhtt@thanhxuan.example.vn", "truongphong@thanhxuan.example.vn"))
SUBJECT = "Nhắc việc: hạn báo cáo kết quả tuyên truyền kỷ niệm 94 năm thành lập Đảng (còn 7 ngày)"
TEXT = ("Kính gửi Phòng Văn hóa và Thông tin,\n\n"
        "Hạn nộp báo cáo: thứ Hai, 12/02/2024.\n"
        "Xác nhận đã gửi: https://nhacviec.example.vn/r/abc\n")
HTML = "<p>Kính gửi <b>Phòng Văn hóa và Thông tin</b>,</p>\n<p>Hạn nộp: 12/02/2024.</p>\n"
HEADERS = ["From", "To", "Subject", "Date", "Message-ID", "X-Reminders-Key", "Auto-Submitted",
           "MIME-Version", "Content-Type"]
PARSER = BytesParser(policy=email.policy.default)
_BREAKS = re.compile(r"[\t\n\v\f\r\x1c-\x1f\x85\u2028\u2029]+")


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(NOW)


def outgoing(key: str = "act-17:2024-02-12:vhtt-thanh-xuan:7d:email", *,
             recipient: Recipient = UNIT, subject: str = SUBJECT, text: str = TEXT,
             html: str = HTML) -> Outgoing:
    return Outgoing(key=key, kind="deadline", recipient=recipient, subject=subject, text=text,
                    html=html)


def parse(raw: bytes) -> EmailMessage:
    return cast(EmailMessage, PARSER.parsebytes(raw))


def body(part: EmailMessage) -> str:
    return cast(str, part.get_content()).replace("\r\n", "\n")


def expected_text(value: str) -> str:
    """What a header should give back: breaks as one space, control characters gone, NFC."""
    value = _BREAKS.sub(" ", value)
    value = "".join(c for c in value if unicodedata.category(c) not in ("Cc", "Cs"))
    return unicodedata.normalize("NFC", value)


# --- through the server ------------------------------------------------------------------


async def test_message_arrives_with_its_parts_and_headers(smtp_server: SmtpServer,
                                                          clock: FixedClock) -> None:
    message = outgoing()
    async with SmtpSender(smtp_server.settings(), clock=clock) as sender:
        provider_id = await sender.send(message)

    [envelope] = smtp_server.envelopes
    assert envelope.mail_from == "nhacviec@example.vn"
    assert envelope.rcpt_tos == UNIT.emails
    [msg] = smtp_server.messages
    assert list(msg.keys()) == HEADERS
    assert msg["From"].addresses[0].display_name == "Nhắc việc"
    assert msg["From"].addresses[0].addr_spec == "nhacviec@example.vn"
    assert [(a.display_name, a.addr_spec) for a in msg["To"].addresses] == [
        (UNIT.name, address) for address in UNIT.emails]
    assert str(msg["Subject"]) == SUBJECT
    assert msg["Date"] == "Mon, 05 Feb 2024 08:00:00 +0700"
    assert msg["Date"].datetime == NOW
    assert msg["Message-ID"] == provider_id == message_id_for(message.key, "example.vn")
    assert re.fullmatch(r"<[0-9a-f]{32}@example\.vn>", provider_id)
    assert msg["X-Reminders-Key"] == message.key
    assert msg["Auto-Submitted"] == "auto-generated"
    assert msg.get_content_type() == "multipart/alternative"
    plain, html = msg.iter_parts()
    assert (plain.get_content_type(), plain.get_content_charset()) == ("text/plain", "utf-8")
    assert (html.get_content_type(), html.get_content_charset()) == ("text/html", "utf-8")
    assert body(cast(EmailMessage, plain)) == TEXT
    assert body(cast(EmailMessage, html)) == HTML
    assert unicodedata.is_normalized("NFC", body(cast(EmailMessage, plain)))
    assert smtp_server.keys() == [message.key]


async def test_a_resend_carries_the_same_message_id(smtp_server: SmtpServer,
                                                    clock: FixedClock) -> None:
    async with SmtpSender(smtp_server.settings(), clock=clock) as sender:
        first = await sender.send(outgoing())
    clock.advance(timedelta(hours=1))
    async with SmtpSender(smtp_server.settings(), clock=clock) as sender:
        again = await sender.send(outgoing())
    assert first == again
    assert [m["Message-ID"] for m in smtp_server.messages] == [first, first]


async def test_sends_in_one_batch_reuse_connections(smtp_server: SmtpServer,
                                                    clock: FixedClock) -> None:
    sender = SmtpSender(smtp_server.settings(connections=2), clock=clock)
    assert (sender.channel, sender.concurrency) == (Channel.EMAIL, 2)
    async with sender:
        for n in range(5):
            await sender.send(outgoing(f"seq-{n}"))
        await asyncio.gather(*(sender.send(outgoing(f"par-{n}")) for n in range(12)))
    assert smtp_server.count() == 17
    assert 1 <= smtp_server.connections <= 2
    assert smtp_server.keys()[:5] == [f"seq-{n}" for n in range(5)]
    assert sorted(smtp_server.keys()[5:]) == sorted(f"par-{n}" for n in range(12))


async def test_wrong_password_is_transient_and_says_so(smtp_server: SmtpServer,
                                                       clock: FixedClock) -> None:
    settings = smtp_server.settings(password=Secret("sai-mật-khẩu"))
    async with SmtpSender(settings, clock=clock) as sender:
        with pytest.raises(SendError) as caught:
            await sender.send(outgoing())
    assert not caught.value.permanent
    assert "từ chối đăng nhập tài khoản 'nhacviec'" in caught.value.message
    assert "535" in caught.value.message
    assert smtp_server.count() == 0


@pytest.mark.parametrize(("code", "permanent"), [
    pytest.param(550, True, id="550 không có hộp thư"),
    pytest.param(451, False, id="451 thử lại sau"),
])
async def test_refused_recipient(smtp_server: SmtpServer, clock: FixedClock, code: int,
                                 permanent: bool) -> None:
    one = Recipient(unit_id="u", name="Đơn vị", emails=("khongco@example.vn",))
    smtp_server.reject("khongco@example.vn", code)
    async with SmtpSender(smtp_server.settings(), clock=clock) as sender:
        with pytest.raises(SendError) as caught:
            await sender.send(outgoing(recipient=one))
        # The refusal left the connection usable: the next message goes through it.
        await sender.send(outgoing("next"))
    assert caught.value.permanent is permanent
    assert caught.value.message.startswith(
        f"máy chủ thư từ chối địa chỉ khongco@example.vn: {code} ")
    assert smtp_server.keys() == ["next"]
    assert smtp_server.connections == 1


async def test_one_refused_address_of_two_still_delivers(smtp_server: SmtpServer,
                                                         clock: FixedClock,
                                                         caplog: pytest.LogCaptureFixture) -> None:
    smtp_server.reject(UNIT.emails[1])
    async with SmtpSender(smtp_server.settings(), clock=clock) as sender:
        await sender.send(outgoing())
    assert smtp_server.envelopes[0].rcpt_tos == UNIT.emails[:1]
    assert f"máy chủ thư từ chối địa chỉ {UNIT.emails[1]}: 550" in caplog.text


@pytest.mark.parametrize(("code", "permanent"), [
    pytest.param(554, True, id="554 nội dung bị từ chối"),
    pytest.param(452, False, id="452 hết chỗ"),
])
async def test_refused_data(smtp_server: SmtpServer, clock: FixedClock, code: int,
                            permanent: bool) -> None:
    smtp_server.reject_data(code, "refused by policy")
    async with SmtpSender(smtp_server.settings(), clock=clock) as sender:
        with pytest.raises(SendError) as caught:
            await sender.send(outgoing())
    assert caught.value.permanent is permanent
    assert caught.value.message == (
        f"máy chủ thư {smtp_server.host}:{smtp_server.port} không nhận thư: "
        f"{code} refused by policy")


async def test_server_down_is_transient_and_back_delivers(smtp_server: SmtpServer,
                                                          clock: FixedClock) -> None:
    sender = SmtpSender(smtp_server.settings(), clock=clock)
    async with sender:
        await sender.send(outgoing("before"))
        smtp_server.stop()
        with pytest.raises(SendError) as caught:
            await sender.send(outgoing("while-down"))
    assert not caught.value.permanent
    assert caught.value.message == (
        f"máy chủ thư 127.0.0.1:{smtp_server.port} từ chối kết nối (máy chủ không chạy?)")
    smtp_server.start()
    async with sender:
        await sender.send(outgoing("after"))
    assert smtp_server.keys() == ["before", "after"]


async def test_a_connection_dropped_between_sends_is_replaced(smtp_server: SmtpServer,
                                                              clock: FixedClock) -> None:
    async with SmtpSender(smtp_server.settings(), clock=clock) as sender:
        await sender.send(outgoing("first"))
        smtp_server.stop()
        smtp_server.start()
        await sender.send(outgoing("second"))
    assert smtp_server.keys() == ["first", "second"]


async def test_silent_server_times_out(clock: FixedClock) -> None:
    with socket.socket() as silent:  # accepts connections (backlog) but never greets
        silent.bind(("127.0.0.1", 0))
        silent.listen()
        port = silent.getsockname()[1]
        settings = SmtpSettings(host="127.0.0.1", port=port, tls="none", timeout_seconds=1)
        async with SmtpSender(settings, clock=clock) as sender:
            with pytest.raises(SendError) as caught:
                await sender.send(outgoing())
    assert not caught.value.permanent
    assert caught.value.message == (
        f"máy chủ thư 127.0.0.1:{port} không trả lời (hết thời gian chờ 1 giây)")


async def test_untrusted_certificate_is_transient_and_names_ca_file(
        smtp_server: SmtpServer, clock: FixedClock) -> None:
    async with SmtpSender(smtp_server.settings(ca_file=""), clock=clock) as sender:
        with pytest.raises(SendError) as caught:
            await sender.send(outgoing())
    assert not caught.value.permanent
    assert "chứng chỉ TLS" in caught.value.message
    assert "smtp.ca_file" in caught.value.message


async def test_tls_context_passed_in_is_used(smtp_server: SmtpServer, clock: FixedClock) -> None:
    context = ssl.create_default_context(cafile=str(smtp_server.ca_file))
    async with SmtpSender(smtp_server.settings(ca_file=""), clock=clock,
                          tls_context=context) as sender:
        await sender.send(outgoing())
    assert smtp_server.count() == 1


async def test_unit_without_address_is_permanent(smtp_server: SmtpServer,
                                                 clock: FixedClock) -> None:
    nobody = Recipient(unit_id="hoi-cct", name="Hội Cựu chiến binh")
    async with SmtpSender(smtp_server.settings(), clock=clock) as sender:
        with pytest.raises(SendError) as caught:
            await sender.send(outgoing(recipient=nobody))
    assert caught.value.permanent
    assert caught.value.message == "đơn vị 'Hội Cựu chiến binh' không có địa chỉ thư"
    assert smtp_server.connections == 0


async def test_malformed_address_is_permanent(smtp_server: SmtpServer,
                                              clock: FixedClock) -> None:
    odd = Recipient(unit_id="u", name="Đơn vị", emails=("a@b.vn>\r\nRCPT TO:<x@y.vn",))
    async with SmtpSender(smtp_server.settings(), clock=clock) as sender:
        with pytest.raises(SendError) as caught:
            await sender.send(outgoing(recipient=odd))
    assert caught.value.permanent
    assert caught.value.message.startswith("địa chỉ thư không hợp lệ: ")
    assert smtp_server.count() == 0


async def test_injected_headers_stay_text(smtp_server: SmtpServer, clock: FixedClock) -> None:
    evil = Recipient(unit_id="u", name="Phòng A\r\nBcc: evil@x.example",
                     emails=("a@example.vn",))
    message = outgoing("k\r\nBcc: evil@x.example", recipient=evil,
                       subject="Nhắc việc\r\nBcc: evil@x.example\n\nthân thư giả")
    async with SmtpSender(smtp_server.settings(), clock=clock) as sender:
        await sender.send(message)
    [envelope] = smtp_server.envelopes
    assert envelope.rcpt_tos == ("a@example.vn",)
    [msg] = smtp_server.messages
    assert list(msg.keys()) == HEADERS
    assert str(msg["Subject"]) == "Nhắc việc Bcc: evil@x.example thân thư giả"
    assert msg["To"].addresses[0].display_name == "Phòng A Bcc: evil@x.example"
    assert msg["X-Reminders-Key"] == "k Bcc: evil@x.example"


async def test_implicit_tls(tmp_path: Path, clock: FixedClock) -> None:
    server = SmtpServer(cert_dir=tmp_path, implicit_tls=True)
    server.start()
    try:
        settings = server.settings()
        assert settings.tls == "tls"
        async with SmtpSender(settings, clock=clock) as sender:
            await sender.send(outgoing())
    finally:
        server.stop()
    assert server.keys() == [outgoing().key]


async def test_plain_smtp_without_tls(tmp_path: Path, clock: FixedClock) -> None:
    server = SmtpServer(cert_dir=tmp_path, tls=False, auth=False)
    dotted = ".\n..two dots\n.one dot\nend.\n"  # ASCII goes 7bit: SMTP doubles leading dots
    server.start()
    try:
        async with SmtpSender(server.settings(), clock=clock) as sender:
            await sender.send(outgoing(text=dotted, html=""))
    finally:
        server.stop()
    assert server.settings().tls == "none"
    [msg] = server.messages
    assert msg["Content-Transfer-Encoding"] == "7bit"
    assert body(msg) == dotted
    assert server.envelopes[0].raw == build_email(
        outgoing(text=dotted, html=""), from_address=FROM, date=NOW,
        message_id=message_id_for(outgoing().key, "example.vn"))


async def test_sink_without_parsing_still_lists_keys(tmp_path: Path, clock: FixedClock) -> None:
    server = SmtpServer(cert_dir=tmp_path, tls=False, auth=False, parse=False)
    server.start()
    try:
        async with SmtpSender(server.settings(connections=1), clock=clock) as sender:
            await asyncio.gather(*(sender.send(outgoing(f"k-{n}")) for n in range(20)))
    finally:
        server.stop()
    assert server.count() == 20
    assert server.keys() == [f"k-{n}" for n in range(20)]  # one connection keeps the order
    assert server.connections == 1
    assert server.messages[3]["X-Reminders-Key"] == "k-3"


# --- .eml files --------------------------------------------------------------------------


async def test_eml_file_holds_what_smtp_sends(smtp_server: SmtpServer, clock: FixedClock,
                                              tmp_path: Path,
                                              caplog: pytest.LogCaptureFixture) -> None:
    mail_dir = tmp_path / "var" / "mail"
    caplog.set_level(logging.INFO, logger="reminders.channels.email")
    async with SmtpSender(smtp_server.settings(), clock=clock) as sender:
        smtp_id = await sender.send(outgoing())
    async with EmlSender(mail_dir, from_address=FROM, clock=clock) as eml:
        provider_id = await eml.send(outgoing())

    [path] = mail_dir.iterdir()  # nothing else: no temporary file left behind
    digest = message_id_for(outgoing().key, "x")[1:9]
    assert path.name == f"20240205-080000-vhtt-thanh-xuan-{digest}.eml"
    assert provider_id == f"eml:{path.name}"
    assert path.read_bytes() == smtp_server.envelopes[0].raw
    msg = parse(path.read_bytes())
    assert msg["Message-ID"] == smtp_id
    assert str(msg["Subject"]) == SUBJECT
    assert str(path) in caplog.text
    assert "đã ghi thư" in caplog.text


async def test_eml_write_failure_leaves_nothing(tmp_path: Path, clock: FixedClock,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: Any) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("reminders.channels.email.os.replace", refuse)
    async with EmlSender(tmp_path, from_address=FROM, clock=clock) as eml:
        with pytest.raises(SendError) as caught:
            await eml.send(outgoing())
    assert not caught.value.permanent
    assert caught.value.message.startswith(f"không ghi được thư vào {tmp_path}")
    assert list(tmp_path.iterdir()) == []


def test_unreadable_ca_file_stops_at_start(tmp_path: Path, clock: FixedClock) -> None:
    missing = tmp_path / "khong-co.pem"
    with pytest.raises(ConfigError) as caught:
        SmtpSender(SmtpSettings(host="127.0.0.1", ca_file=str(missing)), clock=clock)
    assert str(caught.value).startswith("không đọc được tệp chứng chỉ smtp.ca_file")
    assert caught.value.text == str(missing)


def test_email_sender_picks_files_without_a_host(tmp_path: Path, clock: FixedClock) -> None:
    assert isinstance(email_sender(SmtpSettings(mail_dir=tmp_path), clock=clock), EmlSender)
    smtp = email_sender(SmtpSettings(host="127.0.0.1", tls="none", connections=3), clock=clock)
    assert isinstance(smtp, SmtpSender)
    assert smtp.concurrency == 3


# --- the bytes ---------------------------------------------------------------------------


def test_text_only_when_html_is_empty() -> None:
    raw = build_email(outgoing(html=""), from_address=FROM, date=NOW, message_id="<a@b>")
    msg = parse(raw)
    assert msg.get_content_type() == "text/plain"
    assert msg.get_content_charset() == "utf-8"
    assert body(msg) == TEXT


def test_nfd_input_is_sent_in_nfc() -> None:
    nfd = unicodedata.normalize("NFD", SUBJECT)
    raw = build_email(outgoing(subject=nfd, text=unicodedata.normalize("NFD", TEXT)),
                      from_address=FROM, date=NOW, message_id="<a@b>")
    msg = parse(raw)
    assert str(msg["Subject"]) == SUBJECT
    assert body(cast(EmailMessage, next(msg.iter_parts()))) == TEXT


def test_naive_date_is_refused() -> None:
    with pytest.raises(ValueError, match="naive"):
        build_email(outgoing(), from_address=FROM, date=NOW.replace(tzinfo=None),
                    message_id="<a@b>")


def test_message_id_depends_only_on_the_key() -> None:
    assert message_id_for("k", "example.vn") == message_id_for("k", "example.vn")
    assert message_id_for("k", "example.vn") != message_id_for("k2", "example.vn")
    punycode = "bộ.vn".encode("idna").decode()
    assert message_id_for("k", "Bộ.vn\r\n") == message_id_for("k", punycode)


ANY_CHAR = st.characters(exclude_categories=())  # lone surrogates too
ANY_TEXT = st.text(ANY_CHAR)


def _lines(raw: bytes) -> Iterator[bytes]:
    assert raw.count(b"\n") == raw.count(b"\r\n") and raw.count(b"\r") == raw.count(b"\r\n")
    yield from raw.split(b"\r\n")


@settings(max_examples=300)
@given(name=ANY_TEXT, subject=ANY_TEXT, key=st.text(ANY_CHAR, min_size=1), text=ANY_TEXT,
       html=ANY_TEXT)
def test_any_name_or_subject_makes_only_our_headers(name: str, subject: str, key: str,
                                                    text: str, html: str) -> None:
    recipient = Recipient(unit_id="u", name=name, emails=("a@example.vn", "b@example.vn"))
    raw = build_email(outgoing(key, recipient=recipient, subject=subject, text=text, html=html),
                      from_address=FROM, date=NOW, message_id=message_id_for(key, "example.vn"))
    assert all(len(line) <= 998 for line in _lines(raw))
    subject_lines = re.search(rb"\r\nSubject:.*?\r\n(?! )", raw, re.DOTALL)
    assert subject_lines is not None
    assert all(len(line) <= 78 for line in subject_lines.group().split(b"\r\n"))
    msg = parse(raw)
    assert list(msg.keys()) == HEADERS + ([] if html else ["Content-Transfer-Encoding"])
    assert not msg.defects
    assert str(msg["Subject"]) == expected_text(subject)
    assert msg["X-Reminders-Key"] == expected_text(key)
    want = " ".join(expected_text(name).split())
    got = [a.display_name for a in msg["To"].addresses]
    assert [a.addr_spec for a in msg["To"].addresses] == ["a@example.vn", "b@example.vn"]
    if len(want.encode()) <= 450:
        assert got == [want, want]
    else:  # very long names are cut on a character boundary
        assert all(want.startswith(g) and len(g.encode()) > 400 for g in got)
    assert raw.endswith(b"\r\n")
    if html:
        plain, rich = msg.iter_parts()
        assert body(cast(EmailMessage, plain)) == _expected_body(text)
        assert body(cast(EmailMessage, rich)) == _expected_body(html)
    else:  # a single 7bit part gets the line end SMTP would add
        assert body(msg) in (_expected_body(text), _expected_body(text) + "\n")


def _expected_body(value: str) -> str:
    value = unicodedata.normalize("NFC", value).replace("\r\n", "\n").replace("\r", "\n")
    return "".join("?" if unicodedata.category(c) == "Cs" else c for c in value)
