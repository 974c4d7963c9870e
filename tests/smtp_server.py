"""A real SMTP server on 127.0.0.1 for tests and benchmarks: aiosmtpd with STARTTLS and AUTH.

The certificate is made here (a small CA and a leaf for 127.0.0.1 / localhost), so clients
verify it the way they verify an office's own mail server: through ``ca_file``. The port is
picked once and kept across ``stop()`` / ``start()``, so "the server went down and came back"
is one object. Received mail is kept raw; parsing happens only when ``messages`` is read
(or on arrival with ``parse=True``), so a benchmark can push 10,000 messages through it.
"""

from __future__ import annotations

import asyncio
import email.policy
import ipaddress
import re
import socket
import ssl
import threading
import weakref
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.header import decode_header, make_header
from email.message import EmailMessage
from email.parser import BytesParser
from pathlib import Path
from typing import Any, cast

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import MISSING, SMTP, AuthResult, Envelope, LoginPassword, Session, syntax
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from reminders.config.schema import SmtpSettings
from reminders.config.values import Secret

HOST = "127.0.0.1"
_PARSER = BytesParser(policy=email.policy.default)
_KEY = re.compile(rb"^X-Reminders-Key:[ \t]*(.*(?:\r?\n[ \t].*)*)", re.MULTILINE | re.IGNORECASE)
_DEFAULT_TEXT = {5: "5.1.1 Mailbox unavailable", 4: "4.3.0 Try again later"}


@dataclass(frozen=True, slots=True)
class Received:
    """One accepted transaction: the envelope and the message bytes as they came."""

    mail_from: str
    rcpt_tos: tuple[str, ...]
    raw: bytes


class SmtpServer:
    """aiosmtpd on 127.0.0.1: ``start()``, ``stop()``, what it received, and refusals on demand."""

    def __init__(self, *, cert_dir: Path, tls: bool = True, auth: bool = True,
                 implicit_tls: bool = False, user: str = "nhacviec",
                 password: str = "mật-khẩu-thử", parse: bool = True) -> None:
        if auth and not tls:
            raise ValueError("AUTH needs TLS here (auth_require_tls): pass tls=True")
        self.host = HOST
        self.port = _free_port()
        self.tls = tls
        self.implicit_tls = implicit_tls and tls
        self.auth = auth
        self.user = user
        self.password = password
        self.parse = parse
        self.ca_file: Path | None = None
        self._server_context: ssl.SSLContext | None = None
        if tls:
            self.ca_file, self._server_context = _make_certificates(cert_dir)
        self._lock = threading.Lock()
        self._received: list[Received] = []
        self._parsed: list[EmailMessage] = []
        self._rejects: dict[str, str] = {}
        self._data_reply: str | None = None
        self._connections = 0
        self._seen: weakref.WeakSet[SMTP] = weakref.WeakSet()
        self._live: weakref.WeakSet[SMTP] = weakref.WeakSet()
        self._controller: _Controller | None = None

    # --- running -----------------------------------------------------------------------

    def start(self) -> None:
        """Listen on ``host:port`` (the same port every time)."""
        if self._controller is not None:
            return
        kwargs: dict[str, Any] = {"server_hostname": "localhost"}
        if self.tls and not self.implicit_tls:
            kwargs.update(tls_context=self._server_context, require_starttls=True)
        if self.auth:
            # Over implicit TLS aiosmtpd does not know the line is encrypted (it only tracks
            # STARTTLS), so AUTH must be allowed without it there.
            kwargs.update(authenticator=self._authenticate, auth_required=not self.implicit_tls,
                          auth_require_tls=not self.implicit_tls)
        controller = _Controller(
            _Handler(self), hostname=self.host, port=self.port, live=self._live,
            ssl_context=self._server_context if self.implicit_tls else None, **kwargs)
        controller.start()
        self._controller = controller

    def stop(self) -> None:
        """Close every open connection and stop listening; clients see the server go away."""
        controller, self._controller = self._controller, None
        if controller is None:
            return
        live = list(self._live)

        async def drop() -> None:
            for smtpd in live:
                for transport in (smtpd.transport, smtpd._original_transport):
                    if transport is not None:
                        transport.abort()
            for _ in range(3):  # let connection_lost run before the loop stops
                await asyncio.sleep(0)

        asyncio.run_coroutine_threadsafe(drop(), controller.loop).result(timeout=5)
        controller.stop()

    @property
    def running(self) -> bool:
        return self._controller is not None

    def settings(self, **overrides: Any) -> SmtpSettings:
        """SmtpSettings that reach this server (trusting its certificate); ``overrides`` win."""
        tls = "tls" if self.implicit_tls else "starttls" if self.tls else "none"
        values: dict[str, Any] = {
            "host": self.host, "port": self.port, "tls": tls,
            "user": self.user if self.auth else "",
            "password": Secret(self.password) if self.auth else Secret(),
            "ca_file": str(self.ca_file or ""),
            "from_address": "Nhắc việc <nhacviec@example.vn>",
            "timeout_seconds": 5, "connections": 2,
        }
        values.update(overrides)
        return SmtpSettings(**values)

    # --- refusals ------------------------------------------------------------------------

    def reject(self, address: str, code: int = 550, text: str | None = None) -> None:
        """Make RCPT TO ``address`` fail with ``code`` (451 for a transient refusal)."""
        with self._lock:
            self._rejects[address.lower()] = f"{code} {text or _DEFAULT_TEXT[code // 100]}"

    def reject_data(self, code: int = 554, text: str = "5.6.0 Message refused") -> None:
        """Make the end of every DATA fail with ``code``; ``accept_data()`` undoes it."""
        with self._lock:
            self._data_reply = f"{code} {text}"

    def accept_data(self) -> None:
        with self._lock:
            self._data_reply = None

    # --- what arrived --------------------------------------------------------------------

    @property
    def envelopes(self) -> list[Received]:
        with self._lock:
            return list(self._received)

    @property
    def messages(self) -> list[EmailMessage]:
        """Every message received, parsed (policy=default), in order."""
        with self._lock:
            for item in self._received[len(self._parsed):]:
                self._parsed.append(cast(EmailMessage, _PARSER.parsebytes(item.raw)))
            return list(self._parsed)

    def count(self) -> int:
        with self._lock:
            return len(self._received)

    def keys(self) -> list[str]:
        """The X-Reminders-Key of every message received, in order (no full parse)."""
        return [_key(item.raw) for item in self.envelopes]

    @property
    def connections(self) -> int:
        """How many client connections said EHLO/HELO (the readiness probe does not count)."""
        with self._lock:
            return self._connections

    # --- handler side (runs on the server's thread) ---------------------------------------

    def _authenticate(self, server: SMTP, session: Session, envelope: Envelope,
                      mechanism: str, auth_data: Any) -> AuthResult:
        ok = (mechanism in ("PLAIN", "LOGIN") and isinstance(auth_data, LoginPassword)
              and auth_data.login == self.user.encode("utf-8")
              and auth_data.password == self.password.encode("utf-8"))
        return AuthResult(success=ok, handled=False)

    def _greeted(self, server: SMTP) -> None:
        with self._lock:
            if server not in self._seen:
                self._seen.add(server)
                self._connections += 1

    def _rcpt(self, address: str) -> str | None:
        with self._lock:
            return self._rejects.get(address.lower())

    def _data(self, envelope: Envelope) -> str:
        raw = envelope.original_content or b""
        parsed = cast(EmailMessage, _PARSER.parsebytes(raw)) if self.parse else None
        with self._lock:
            if self._data_reply is not None:
                return self._data_reply
            self._received.append(Received(envelope.mail_from or "",
                                           tuple(envelope.rcpt_tos), raw))
            if parsed is not None and len(self._parsed) == len(self._received) - 1:
                self._parsed.append(parsed)
            return f"250 2.0.0 OK queued as {len(self._received)}"


class _Handler:
    def __init__(self, owner: SmtpServer) -> None:
        self._owner = owner

    async def handle_EHLO(self, server: SMTP, session: Session, envelope: Envelope,
                          hostname: str, responses: list[str]) -> list[str]:
        session.host_name = hostname  # the 5-argument hook must set it itself
        self._owner._greeted(server)
        return responses

    async def handle_HELO(self, server: SMTP, session: Session, envelope: Envelope,
                          hostname: str) -> str:
        session.host_name = hostname
        self._owner._greeted(server)
        return f"250 {server.hostname}"

    async def handle_RCPT(self, server: SMTP, session: Session, envelope: Envelope,
                          address: str, rcpt_options: list[str]) -> str:
        refusal = self._owner._rcpt(address)
        if refusal is not None:
            return refusal
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        return self._owner._data(envelope)


class _FastSMTP(SMTP):
    """aiosmtpd's SMTP, reading DATA in chunks rather than a line at a time.

    aiosmtpd awaits every line of a message; at 5 kB a message that, and not the client,
    limited a benchmark. The client waits for the reply to DATA (no PIPELINING is offered),
    so nothing follows the final dot in what is read.
    """

    @syntax("DATA")
    async def smtp_DATA(self, arg: str) -> None:
        if await self.check_helo_needed() or await self.check_auth_needed("DATA"):
            return
        assert self.envelope is not None
        if not self.envelope.rcpt_tos:
            await self.push("503 Error: need RCPT command")
            return
        if arg:
            await self.push("501 Syntax: DATA")
            return
        await self.push("354 End data with <CR><LF>.<CR><LF>")
        buffer = bytearray(b"\r\n")  # so that an empty message's lone "." is found too
        searched = 0
        while (end := buffer.find(b"\r\n.\r\n", searched)) < 0:
            searched = max(0, len(buffer) - 4)
            chunk = await self._reader.read(1 << 16)
            if not chunk:
                return  # the client went away in the middle of the message
            buffer += chunk
        # Undo dot-stuffing (RFC 5321 §4.5.2): a line's leading "." was doubled.
        content = bytes(buffer[:end + 2]).replace(b"\r\n.", b"\r\n")[2:]
        self.envelope.content = self.envelope.original_content = content
        status = await self._call_handler_hook("DATA")
        self._set_post_data_state()
        await self.push("250 OK" if status is MISSING else status)


class _Controller(Controller):
    """Makes _FastSMTP protocols and remembers them, so stop() can close their connections."""

    def __init__(self, handler: Any, *, live: weakref.WeakSet[SMTP], **kwargs: Any) -> None:
        super().__init__(handler, **kwargs)
        self._live_set = live

    def factory(self) -> SMTP:
        smtpd = _FastSMTP(self.handler, **self.SMTP_kwargs)
        self._live_set.add(smtpd)
        return smtpd


def _key(raw: bytes) -> str:
    end = raw.find(b"\r\n\r\n")
    found = _KEY.search(raw, 0, end if end >= 0 else len(raw))
    if found is None:
        return ""
    value = re.sub(rb"\r?\n", b"", found.group(1)).rstrip(b"\r").decode("utf-8", "replace")
    return str(make_header(decode_header(value))) if "=?" in value else value


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return int(probe.getsockname()[1])


def _make_certificates(cert_dir: Path) -> tuple[Path, ssl.SSLContext]:
    """A CA (written to ca.pem, what clients trust) and a leaf for 127.0.0.1 / localhost."""
    cert_dir.mkdir(parents=True, exist_ok=True)
    now = datetime.now(UTC)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "reminders test CA")])
    ca_cert = (
        x509.CertificateBuilder()
        .subject_name(ca_name).issuer_name(ca_name)
        .public_key(ca_key.public_key()).serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(hours=1)).not_valid_after(now + timedelta(days=2))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(x509.KeyUsage(
            digital_signature=False, content_commitment=False, key_encipherment=False,
            data_encipherment=False, key_agreement=False, key_cert_sign=True, crl_sign=True,
            encipher_only=False, decipher_only=False), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()),
                       critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    key = ec.generate_private_key(ec.SECP256R1())
    cert = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")]))
        .issuer_name(ca_name)
        .public_key(key.public_key()).serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(hours=1)).not_valid_after(now + timedelta(days=2))
        .add_extension(x509.SubjectAlternativeName([
            x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address(HOST))]),
            critical=False)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()),
                       critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    pem = serialization.Encoding.PEM
    ca_file = cert_dir / "ca.pem"
    ca_file.write_bytes(ca_cert.public_bytes(pem))
    cert_file = cert_dir / "server.pem"
    cert_file.write_bytes(cert.public_bytes(pem) + ca_cert.public_bytes(pem))
    key_file = cert_dir / "server.key"
    key_file.write_bytes(key.private_bytes(pem, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert_file, key_file)
    return ca_file, context


@pytest.fixture(name="smtp_server")
def smtp_server_fixture(tmp_path: Path) -> Iterator[SmtpServer]:
    """A started server with STARTTLS and AUTH; stopped at teardown."""
    server = SmtpServer(cert_dir=tmp_path / "certs")
    server.start()
    try:
        yield server
    finally:
        server.stop()
