"""Email channel: SMTP through a small pool of reused connections, or .eml files without SMTP.

Inside one ``async with sender:`` up to ``settings.connections`` connections are opened as
sends need them and reused for the rest of the batch: opening one (TCP, STARTTLS, AUTH)
costs more than sending a message over it. A connection that fails is dropped; the next
send opens a new one. Errors become SendError with a Vietnamese text the office reads.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import os
import re
import socket
import ssl
import tempfile
from pathlib import Path
from types import TracebackType
from typing import Any, Self

import aiosmtplib

from reminders.channels.base import Outgoing, Sender, SendError
from reminders.channels.mime import build_email, clean_name, mailbox_address, message_id_for
from reminders.clock import Clock, local
from reminders.config.schema import SmtpSettings
from reminders.domain import Channel
from reminders.errors import ConfigError

log = logging.getLogger(__name__)


class SmtpSender:
    """Sends each message to all of its recipient's addresses; returns its Message-ID.

    Raises ConfigError at construction when ``settings.ca_file`` cannot be read.
    """

    channel = Channel.EMAIL

    def __init__(self, settings: SmtpSettings, *, clock: Clock,
                 tls_context: ssl.SSLContext | None = None) -> None:
        self.concurrency = settings.connections
        self._settings = settings
        self._clock = clock
        self._where = f"{settings.host}:{settings.port}"
        self._from = settings.from_address
        self._envelope_from = mailbox_address(settings.from_address)
        self._domain = self._envelope_from.rpartition("@")[2]
        if tls_context is None and settings.tls != "none":
            # Built now, so a wrong ca_file stops the service at start, not at the first send.
            try:
                tls_context = ssl.create_default_context(cafile=settings.ca_file or None)
            except OSError as exc:  # ssl.SSLError is one too
                raise ConfigError(f"không đọc được tệp chứng chỉ smtp.ca_file ({exc})",
                                  text=settings.ca_file) from exc
        self._tls_context = tls_context
        self._local_hostname: str | None = None
        self._idle: list[aiosmtplib.SMTP] = []
        self._slots: asyncio.Semaphore | None = None

    async def __aenter__(self) -> Self:
        self._idle = []
        self._slots = asyncio.Semaphore(self.concurrency)
        return self

    async def __aexit__(self, exc_type: type[BaseException] | None,
                        exc: BaseException | None, tb: TracebackType | None) -> Any:
        idle, self._idle, self._slots = self._idle, [], None
        await asyncio.gather(*(self._quit(client) for client in idle))

    async def send(self, message: Outgoing) -> str:
        """Send ``message``; return its Message-ID, or raise SendError."""
        if self._slots is None:
            raise RuntimeError("SmtpSender.send() outside `async with sender:`")
        recipient = message.recipient
        if not recipient.emails:
            raise SendError(f"đơn vị {clean_name(recipient.name)!r} không có địa chỉ thư",
                            permanent=True)
        message_id = message_id_for(message.key, self._domain)
        try:
            raw = build_email(message, from_address=self._from, date=self._clock.now(),
                              message_id=message_id)
        except ValueError as exc:
            raise SendError(str(exc), permanent=True) from exc
        async with self._slots:
            while self._idle:
                client = self._idle.pop()
                if not client.is_connected:  # the server closed it while it sat idle
                    await _discard(client)
                    continue
                try:
                    await self._transact(client, recipient.emails, raw, reused=True)
                    return message_id
                except _Stale:
                    break  # the line died between two sends: one new connection may help
            client = await self._open()
            await self._transact(client, recipient.emails, raw, reused=False)
        return message_id

    async def _open(self) -> aiosmtplib.SMTP:
        s = self._settings
        if self._local_hostname is None:
            self._local_hostname = await asyncio.to_thread(socket.getfqdn)
        client = _Client(
            hostname=s.host, port=s.port, timeout=s.timeout_seconds,
            use_tls=s.tls == "tls", start_tls=s.tls == "starttls",
            tls_context=self._tls_context, local_hostname=self._local_hostname,
            username=s.user or None, password=s.password.reveal() if s.user else None)
        try:
            await self._connect(client)
        except BaseException:
            await _discard(client)
            raise
        return client

    async def _connect(self, client: aiosmtplib.SMTP) -> None:
        s = self._settings
        try:
            await client.connect()
        except aiosmtplib.SMTPAuthenticationError as exc:
            # A configuration problem, not the message's: transient, so it goes out once the
            # office fixes the password, and worded so that they know what to fix.
            raise SendError(
                f"máy chủ thư {self._where} từ chối đăng nhập tài khoản '{s.user}': "
                f"{_reply(exc)} (kiểm tra smtp.user và smtp.password)", permanent=False) from exc
        except (aiosmtplib.SMTPException, OSError, TimeoutError) as exc:
            raise self._connect_error(exc) from exc

    async def _transact(self, client: aiosmtplib.SMTP, to: tuple[str, ...], raw: bytes, *,
                        reused: bool) -> None:
        """One MAIL/RCPT/DATA; the connection goes back to the pool unless it broke."""
        keep = False
        try:
            refused, _ = await client.sendmail(self._envelope_from, list(to), raw)
            keep = True
        except aiosmtplib.SMTPRecipientsRefused as exc:
            keep = client.is_connected
            permanent = all(r.code >= 500 for r in exc.recipients)
            raise SendError("; ".join(
                f"máy chủ thư từ chối địa chỉ {r.recipient}: {_reply(r)}" for r in exc.recipients
            ), permanent=permanent) from exc
        except aiosmtplib.SMTPSenderRefused as exc:
            keep = client.is_connected
            raise SendError(f"máy chủ thư {self._where} không nhận địa chỉ gửi "
                            f"{exc.sender}: {_reply(exc)} (kiểm tra smtp.from_address)",
                            permanent=False) from exc
        except aiosmtplib.SMTPResponseException as exc:
            keep = client.is_connected
            raise SendError(f"máy chủ thư {self._where} không nhận thư: {_reply(exc)}",
                            permanent=exc.code >= 500) from exc
        except ValueError as exc:  # an address aiosmtplib will not put on a command line
            keep = client.is_connected
            raise SendError(f"địa chỉ thư không hợp lệ: {exc}", permanent=True) from exc
        except ConnectionError as exc:  # SMTPServerDisconnected, or a reset while writing
            if reused:
                raise _Stale from exc
            raise SendError(f"máy chủ thư {self._where} ngắt kết nối giữa chừng: {exc}",
                            permanent=False) from exc
        except (aiosmtplib.SMTPException, OSError, TimeoutError) as exc:
            raise self._connect_error(exc) from exc
        finally:
            if keep:
                self._idle.append(client)
            else:
                await _discard(client)
        for address, reply in refused.items():
            log.warning("máy chủ thư từ chối địa chỉ %s: %s %s (thư vẫn gửi tới địa chỉ khác)",
                        address, reply.code, reply.message)

    def _connect_error(self, exc: BaseException) -> SendError:
        """A failure of the line itself, always transient: the server may answer later."""
        seconds = self._settings.timeout_seconds
        if isinstance(exc, TimeoutError):  # aiosmtplib's timeouts are TimeoutErrors too
            text = f"máy chủ thư {self._where} không trả lời (hết thời gian chờ {seconds} giây)"
        elif isinstance(exc.__cause__, ConnectionRefusedError):
            text = f"máy chủ thư {self._where} từ chối kết nối (máy chủ không chạy?)"
        elif isinstance(exc, ssl.SSLCertVerificationError) or isinstance(
                exc.__cause__, ssl.SSLCertVerificationError):
            text = (f"không xác minh được chứng chỉ TLS của máy chủ thư {self._where}: "
                    f"{exc} (máy chủ dùng chứng chỉ riêng thì đặt smtp.ca_file)")
        elif isinstance(exc, aiosmtplib.SMTPServerDisconnected):
            text = f"máy chủ thư {self._where} ngắt kết nối giữa chừng: {exc}"
        elif isinstance(exc, aiosmtplib.SMTPResponseException):
            text = f"máy chủ thư {self._where} không nhận kết nối: {_reply(exc)}"
        else:
            text = f"không kết nối được máy chủ thư {self._where}: {exc}"
        return SendError(text, permanent=False)

    async def _quit(self, client: aiosmtplib.SMTP) -> None:
        try:
            await client.quit()
        except (aiosmtplib.SMTPException, OSError, TimeoutError):
            pass  # the batch is over either way
        finally:
            await _discard(client)


class EmlSender:
    """Writes each message as an .eml file (what SMTP would send) when no server is set."""

    channel = Channel.EMAIL
    concurrency = 1

    def __init__(self, mail_dir: Path, *, from_address: str, clock: Clock) -> None:
        self._dir = mail_dir
        self._from = from_address
        self._domain = mailbox_address(from_address).rpartition("@")[2]
        self._clock = clock

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(self, exc_type: type[BaseException] | None,
                        exc: BaseException | None, tb: TracebackType | None) -> Any:
        return None

    async def send(self, message: Outgoing) -> str:
        """Write ``message`` to ``<mail_dir>/<time>-<unit>-<hash>.eml``; return "eml:<name>"."""
        recipient = message.recipient
        if not recipient.emails:
            raise SendError(f"đơn vị {clean_name(recipient.name)!r} không có địa chỉ thư",
                            permanent=True)
        now = self._clock.now()
        try:
            raw = build_email(message, from_address=self._from, date=now,
                              message_id=message_id_for(message.key, self._domain))
        except ValueError as exc:
            raise SendError(str(exc), permanent=True) from exc
        digest = hashlib.sha256(message.key.encode("utf-8", "surrogatepass")).hexdigest()
        unit = re.sub(r"[^A-Za-z0-9_.-]", "_", recipient.unit_id) or "_"
        name = f"{local(now):%Y%m%d-%H%M%S}-{unit}-{digest[:8]}.eml"
        try:
            path = _write_atomically(self._dir, name, raw)
        except OSError as exc:
            raise SendError(f"không ghi được thư vào {self._dir}: {exc}", permanent=False) from exc
        log.info("chưa cấu hình SMTP: đã ghi thư gửi %s (%s) vào %s",
                 clean_name(recipient.name), ", ".join(recipient.emails), path)
        return f"eml:{name}"


def email_sender(settings: SmtpSettings, *, clock: Clock,
                 tls_context: ssl.SSLContext | None = None) -> Sender:
    """SMTP when ``settings.host`` is set, else .eml files in ``settings.mail_dir``."""
    if settings.host:
        return SmtpSender(settings, clock=clock, tls_context=tls_context)
    return EmlSender(settings.mail_dir, from_address=settings.from_address, clock=clock)


class _Stale(Exception):
    """A reused connection turned out dead before the server answered."""


class _Client(aiosmtplib.SMTP):
    """aiosmtplib's client, closing at once: abort instead of a TLS goodbye.

    aiosmtplib closes a TLS line politely (close_notify, then wait for the peer) and forgets
    it meanwhile; a loop that ends soon after (asyncio.run in a command, a test) leaves that
    socket open. After QUIT or an error there is nothing left to say on the line.
    """

    def close(self) -> None:
        transport = self.transport
        super().close()
        if isinstance(transport, asyncio.Transport):
            transport.abort()


async def _discard(client: aiosmtplib.SMTP) -> None:
    client.close()
    await asyncio.sleep(0)  # one turn of the loop runs the socket's close callback


def _reply(exc: aiosmtplib.SMTPResponseException) -> str:
    return f"{exc.code} {exc.message}".strip()


def _write_atomically(directory: Path, name: str, data: bytes) -> Path:
    """Write to a temporary file beside the target, then rename: no reader sees half a file."""
    directory.mkdir(parents=True, exist_ok=True)
    fd, temp = tempfile.mkstemp(dir=directory, prefix=".", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
        target = directory / name
        os.replace(temp, target)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise
    return target
