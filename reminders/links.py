"""Signed one-click links: a unit confirms it saw a reminder or sent its report.

A token is ``base64url(payload) + "." + base64url(mac)``, both without padding. The payload
is packed bytes (a link must fit, several times over, in a 2,000-character Zalo message):
flags, the unit id and the item UID with their lengths, the occurrence as a day number,
the action and the expiry in seconds; a UID minted by the store ("<hex>@reminders") packs
to 16 bytes. The MAC is HMAC-SHA256 over a version prefix and the payload, cut to 128 bits.
Decoding is strict (canonical base64 only, exact lengths), so changing any character of a
token makes it fail. The link opens a confirm page (/xac-nhan/<token>): a GET never
changes state, because mail scanners and link previews open every link they see.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum

from reminders.clock import VN_TZ, ensure_aware
from reminders.errors import RemindersError

# Domain separation: a MAC made for anything else with the same secret (or for another
# version of this format) never verifies as a link.
_VERSION = b"reminders/link/v1\x00"
_MAC_BYTES = 16
MIN_SECRET_BYTES = 16
_UID_SUFFIX = "@reminders"  # store.plan_keys.UID_DOMAIN
_HEX = re.compile(r"(?:[0-9a-f]{2})+")
_SUFFIXED, _HEXED = 1, 2  # payload flags
_ACTIONS = ("seen", "submitted")  # position = the action's byte; append only
_MAX_EXPIRES = 2**40  # seconds: five bytes


class Action(StrEnum):
    """What a link confirms."""

    SEEN = "seen"
    SUBMITTED = "submitted"

    @property
    def label(self) -> str:
        """The words on the link: "Đã nhận", "Đã gửi báo cáo"."""
        return _LABELS[self]


_LABELS = {Action.SEEN: "Đã nhận", Action.SUBMITTED: "Đã gửi báo cáo"}


class LinkProblem(StrEnum):
    """Why a token was refused."""

    MALFORMED = "malformed"
    TAMPERED = "tampered"
    EXPIRED = "expired"


_MESSAGES = {
    LinkProblem.MALFORMED: "Đường dẫn xác nhận không đúng định dạng",
    LinkProblem.TAMPERED: "Đường dẫn xác nhận không hợp lệ (đã bị thay đổi)",
    LinkProblem.EXPIRED: "Đường dẫn xác nhận đã hết hạn",
}


class LinkError(RemindersError):
    """A token that cannot be accepted; `reason` says why (the web page words it)."""

    def __init__(self, reason: LinkProblem) -> None:
        super().__init__(_MESSAGES[reason])
        self.reason = reason
        self.message = _MESSAGES[reason]


@dataclass(frozen=True, slots=True, kw_only=True)
class LinkClaim:
    """What a link says: this unit, this item's occurrence, this action, valid until then.

    `expires` is aware and in whole seconds (the token keeps seconds); it is the last
    instant the link is accepted.
    """

    unit_id: str
    item_uid: str
    occurrence: date
    action: Action
    expires: datetime

    def __post_init__(self) -> None:
        if not self.unit_id or not self.item_uid:
            raise ValueError("a link needs a unit id and an item uid")
        if isinstance(self.occurrence, datetime):
            raise ValueError("occurrence is a date, not a datetime")
        ensure_aware(self.expires)
        if self.expires.microsecond:
            raise ValueError(f"expires must be whole seconds: {self.expires!r}")
        object.__setattr__(self, "action", Action(self.action))


class LinkSigner:
    """Signs and verifies link tokens with one secret (at least 16 bytes)."""

    def __init__(self, secret: bytes) -> None:
        if len(secret) < MIN_SECRET_BYTES:
            raise ValueError(f"the link secret must have at least {MIN_SECRET_BYTES} bytes")
        self._secret = bytes(secret)

    def sign(self, claim: LinkClaim) -> str:
        """The URL-safe token for `claim`; ValueError if a field cannot be packed."""
        payload = _pack(claim)
        return f"{_encode(payload)}.{_encode(self._mac(payload))}"

    def verify(self, token: str, *, now: datetime) -> LinkClaim:
        """The claim a token carries; raises LinkError (malformed, tampered, expired).

        A link is accepted up to and including the second `claim.expires`.
        """
        head, dot, tail = token.partition(".")
        if not dot:
            raise LinkError(LinkProblem.MALFORMED)
        payload, mac = _decode(head), _decode(tail)
        if not hmac.compare_digest(mac, self._mac(payload)):
            raise LinkError(LinkProblem.TAMPERED)
        claim = _unpack(payload)
        if ensure_aware(now) > claim.expires:
            raise LinkError(LinkProblem.EXPIRED)
        return claim

    def url(self, base_url: str, claim: LinkClaim) -> str:
        """The link a message carries: {base_url}/xac-nhan/{token}."""
        return f"{base_url.rstrip('/')}/xac-nhan/{self.sign(claim)}"

    def _mac(self, payload: bytes) -> bytes:
        return hmac.new(self._secret, _VERSION + payload, hashlib.sha256).digest()[:_MAC_BYTES]


def expiry_for(occurrence: date, valid_days: int) -> datetime:
    """The last second a link for `occurrence` is valid: 23:59:59 in Việt Nam on the day
    `valid_days` after the occurrence, as UTC. Raises ValueError for negative days."""
    if valid_days < 0:
        raise ValueError("valid_days must not be negative")
    last_day = occurrence + timedelta(days=valid_days)
    return datetime.combine(last_day, time(23, 59, 59), tzinfo=VN_TZ).astimezone(UTC)


def _encode(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _decode(text: str) -> bytes:
    """Strict base64url: only the canonical spelling of some bytes is accepted."""
    try:
        data = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError):
        raise LinkError(LinkProblem.MALFORMED) from None
    # b64decode ignores stray characters and the unused low bits of the last character;
    # re-encoding catches both, so a changed character never decodes to the same bytes.
    if not text or _encode(data) != text:
        raise LinkError(LinkProblem.MALFORMED)
    return data


def _pack(claim: LinkClaim) -> bytes:
    unit = claim.unit_id.encode()
    uid, flags = claim.item_uid, 0
    if uid.endswith(_UID_SUFFIX) and len(uid) > len(_UID_SUFFIX):
        uid, flags = uid.removesuffix(_UID_SUFFIX), flags | _SUFFIXED
    if _HEX.fullmatch(uid):
        uid_bytes, flags = bytes.fromhex(uid), flags | _HEXED
    else:
        uid_bytes = uid.encode()
    expires = int(ensure_aware(claim.expires).timestamp())
    if len(unit) > 255 or len(uid_bytes) > 255 or not 0 <= expires < _MAX_EXPIRES:
        raise ValueError("a link holds ids of at most 255 bytes and an expiry after 1970")
    return b"".join((
        bytes([flags, len(unit)]), unit, bytes([len(uid_bytes)]), uid_bytes,
        claim.occurrence.toordinal().to_bytes(3, "big"),
        bytes([_ACTIONS.index(claim.action.value)]), expires.to_bytes(5, "big"),
    ))


def _unpack(payload: bytes) -> LinkClaim:
    """The claim in a payload we signed; MALFORMED if it is not of this format."""
    try:
        flags, size = payload[0], payload[1]
        unit, rest = payload[2:2 + size], payload[2 + size:]
        uid_bytes, tail = rest[1:1 + rest[0]], rest[1 + rest[0]:]
        exact = len(unit) == size and len(uid_bytes) == rest[0] and len(tail) == 9
        if flags & ~(_SUFFIXED | _HEXED) or not exact:
            raise ValueError("not a link payload")
        uid = uid_bytes.hex() if flags & _HEXED else uid_bytes.decode()
        if flags & _SUFFIXED:
            uid += _UID_SUFFIX
        return LinkClaim(
            unit_id=unit.decode(), item_uid=uid,
            occurrence=date.fromordinal(int.from_bytes(tail[:3], "big")),
            action=Action(_ACTIONS[tail[3]]),
            expires=datetime.fromtimestamp(int.from_bytes(tail[4:], "big"), UTC))
    except (IndexError, ValueError, OverflowError, OSError):
        raise LinkError(LinkProblem.MALFORMED) from None
