"""Rendered message → RFC 5322 bytes: multipart/alternative text + HTML in UTF-8, built by hand.

Python's ``EmailMessage.as_bytes`` costs a millisecond or more a message; writing the few
headers and parts we need directly is over twenty times faster, and gives the same bytes for
the same input, so a message can be compared to a saved file. Every value that reaches a
header is cleaned of control characters first: a name or subject never starts a header.
"""

from __future__ import annotations

import base64
import hashlib
import re
import unicodedata
from datetime import datetime
from email.utils import format_datetime, parseaddr
from functools import lru_cache

from reminders.channels.base import Outgoing
from reminders.clock import local

# An encoded word is at most 75 characters (RFC 2047 §2): "=?utf-8?b?" + 60 base64 + "?=".
_WORD_BYTES = 45
_NAME_BYTES = 450
_LINE = 76  # where a body's base64 lines and a folded header stop, well under 998
# Characters that end a line somewhere (str.splitlines) become one space; other control
# characters (and lone surrogates, which UTF-8 cannot carry) go.
_BREAKS = re.compile(r"[\t\n\v\f\r\x1c-\x1f\x85\u2028\u2029]+")
_DROP = re.compile(r"[\x00-\x08\x0e-\x1b\x7f-\x84\x86-\x9f\ud800-\udfff]")
_ADDRESS = re.compile(r"[^\x00-\x20\x7f<>()\[\]\\,;:\"@]+@[^\x00-\x20\x7f<>()\[\]\\,;:\"@]+")
_DOMAIN = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?")
_PLAIN_ASCII = re.compile(r"[\x21-\x7e]+(?: [\x21-\x7e]+)*")


def clean_text(value: str) -> str:
    """``value`` with line breaks and tabs turned into one space, other controls removed, in NFC.

    What a header carries of a subject or a name; also what a reader gets back after decoding.
    """
    return unicodedata.normalize("NFC", _DROP.sub("", _BREAKS.sub(" ", value)))


def clean_name(value: str) -> str:
    """A display name: ``clean_text`` with runs of spaces made one, the ends trimmed.

    A name longer than 450 bytes of UTF-8 (ten times a long unit name) is cut there, so its
    one encoded word keeps the header line under 998 characters.
    """
    name = " ".join(clean_text(value).split())
    data = name.encode("utf-8")
    if len(data) <= _NAME_BYTES:
        return name
    return data[:_NAME_BYTES].decode("utf-8", "ignore").rstrip()


def message_id_for(key: str, domain: str) -> str:
    """The Message-ID of the message with idempotency key ``key``: the same for every resend.

    A message sent again after a crash carries the same id, so mail clients show it once.
    """
    digest = hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()
    return f"<{digest[:32]}@{_safe_domain(domain)}>"


def mailbox_address(from_address: str) -> str:
    """The bare address of a mailbox such as "Nhắc việc <nhacviec@x.vn>" (the SMTP sender).

    Raises ValueError when there is no usable address in it.
    """
    return _parse_from(from_address)[1]


def build_email(message: Outgoing, *, from_address: str, date: datetime,
                message_id: str) -> bytes:
    """The bytes of ``message`` as sent to every address of its recipient.

    ``date`` (aware) is written in +0700. An empty ``html`` gives a text/plain message only.
    Raises ValueError (its text in Vietnamese) when the recipient has no address or a
    malformed one.
    """
    recipient = message.recipient
    if not recipient.emails:
        raise ValueError(f"đơn vị {clean_name(recipient.name)!r} không có địa chỉ thư")
    from_header = _parse_from(from_address)[0]
    name = clean_name(recipient.name)
    to = ",\r\n ".join(_mailbox(name, _checked(address)) for address in recipient.emails)
    digest = hashlib.sha256(message.key.encode("utf-8", "surrogatepass")).hexdigest()
    subject = _unstructured(clean_text(message.subject), len("Subject: "))
    key = _unstructured(clean_text(message.key), len("X-Reminders-Key: "))
    head = (
        f"From: {from_header}\r\n"
        f"To: {to}\r\n"
        f"Subject: {subject}\r\n"
        f"Date: {format_datetime(local(date))}\r\n"
        f"Message-ID: {_clean_id(message_id)}\r\n"
        f"X-Reminders-Key: {key}\r\n"
        "Auto-Submitted: auto-generated\r\n"
        "MIME-Version: 1.0\r\n"
    ).encode()
    text = _part("plain", message.text)
    if not message.html:
        # SMTP ends the data with CRLF anyway; an .eml file gets the same bytes.
        return head + text if text.endswith(b"\r\n") else head + text + b"\r\n"
    html = _part("html", message.html)
    boundary = f"=_rem_{digest[32:56]}".encode("ascii")
    # A 7bit part could hold the boundary line itself; then make the boundary longer.
    while b"--" + boundary in text or b"--" + boundary in html:
        boundary += b"_"
    return b"".join((
        head,
        b'Content-Type: multipart/alternative; boundary="', boundary, b'"\r\n\r\n',
        b"--", boundary, b"\r\n", text, b"\r\n",
        b"--", boundary, b"\r\n", html, b"\r\n",
        b"--", boundary, b"--\r\n",
    ))


def _part(subtype: str, body: str) -> bytes:
    """Content headers, an empty line and the body: 7bit when it is plain ASCII, else base64."""
    text = unicodedata.normalize("NFC", body)
    # Text parts travel with CRLF line ends (RFC 2046 §4.1.1), whatever the template used.
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\n", "\r\n")
    data = text.encode("utf-8", "replace")
    if data.isascii() and b"\0" not in data and max(map(len, data.split(b"\r\n"))) <= 998:
        encoding, payload = b"7bit", data
    else:
        encoding, payload = b"base64", base64.encodebytes(data).replace(b"\n", b"\r\n")
    return b"".join((
        b"Content-Type: text/", subtype.encode("ascii"), b'; charset="utf-8"\r\n',
        b"Content-Transfer-Encoding: ", encoding, b"\r\n\r\n", payload,
    ))


@lru_cache(maxsize=16)
def _parse_from(from_address: str) -> tuple[str, str]:
    """(From header value, bare address); cached: a sender sends thousands with one From."""
    name, address = parseaddr(clean_text(from_address))
    return _mailbox(clean_name(name), _checked(address)), address


def _checked(address: str) -> str:
    if len(address) > 254 or not _ADDRESS.fullmatch(address):
        raise ValueError(f"địa chỉ thư không hợp lệ: {address!r}")
    return address


def _mailbox(name: str, address: str) -> str:
    if not name:
        return f"<{address}>"
    if _PLAIN_ASCII.fullmatch(name) and "=?" not in name and len(name) <= _NAME_BYTES:
        quoted = name.replace("\\", "\\\\").replace('"', '\\"')
        phrase = f'"{quoted}"'
    else:
        # One encoded word for the whole name, as email.utils.formataddr writes it: readers
        # disagree on the space between two encoded words of a phrase (CPython keeps it).
        phrase = _word(name.encode("utf-8"))
    if len(phrase) + len(address) <= _LINE - 6:
        return f"{phrase} <{address}>"
    return f"{phrase}\r\n <{address}>"


def _unstructured(value: str, used: int) -> str:
    """A header value: plain ASCII folded at its spaces, or RFC 2047 words, one per line.

    ``used`` is how much of the first line the header's name takes. Plain text must hold
    no "=?" (a reader would decode it) and no doubled or outer spaces (unfolding would not
    give them back); anything else is encoded.
    """
    if not value:
        return ""
    if _PLAIN_ASCII.fullmatch(value) and "=?" not in value:
        lines: list[str] = []
        line, room = "", _LINE + 2 - used
        for word in value.split(" "):
            if line and len(line) + 1 + len(word) > room:
                lines.append(line)
                line, room = word, _LINE + 1
            else:
                line = f"{line} {word}" if line else word
        lines.append(line)
        if max(map(len, lines)) <= _LINE * 4:
            return "\r\n ".join(lines)
    # The first word shares its line with the header's name; 12 = "=?utf-8?b?" + "?=".
    first = max(3, (_LINE + 2 - used - 12) // 4 * 3)
    return "\r\n ".join(_encoded_words(value, first))


def _encoded_words(value: str, first: int = _WORD_BYTES) -> list[str]:
    """``value`` as "=?utf-8?b?…?=" words of 45 bytes (``first`` the first), characters whole."""
    data = value.encode("utf-8")
    words: list[str] = []
    start, size = 0, first
    while start < len(data):
        end = min(start + size, len(data))
        while end < len(data) and data[end] & 0xC0 == 0x80:  # inside a UTF-8 sequence
            end -= 1
        if end == start:  # a 4-byte character does not fit a tiny first word
            end = start + size
            while end < len(data) and data[end] & 0xC0 == 0x80:
                end += 1
        words.append(_word(data[start:end]))
        start, size = end, _WORD_BYTES
    return words


def _word(data: bytes) -> str:
    return f"=?utf-8?b?{base64.b64encode(data).decode('ascii')}?="


def _clean_id(message_id: str) -> str:
    cleaned = re.sub(r"[^\x21-\x7e]", "", message_id)
    return cleaned if cleaned.startswith("<") else f"<{cleaned.strip('<>')}>"


def _safe_domain(domain: str) -> str:
    domain = clean_text(domain).strip().strip(".").lower()
    if not _DOMAIN.fullmatch(domain):
        try:
            domain = domain.encode("idna").decode("ascii")
        except UnicodeError:
            return "reminders.invalid"
    return domain if _DOMAIN.fullmatch(domain) else "reminders.invalid"
