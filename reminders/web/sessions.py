"""Signed cookies of the dashboard: the session, the login form's nonce, flash messages, CSRF.

Everything is HMAC-SHA256 under one installation secret kept in the store (so every web
worker agrees), with a label per use so that a value signed for one purpose never
verifies as another. A cookie is ``base64url(JSON) "." base64url(MAC)``. The session holds
no more than who and until when; the user's role and a fingerprint of their password
hash ride along so that a changed role or password ends the session.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from reminders.config.schema import OfficeUser

SESSION_SECRET = "session_secret"  # the key of the secret in the `meta` table
SESSION_TTL = timedelta(hours=12)
FLASH_TTL = timedelta(minutes=5)
_SESSION = b"reminders/session/v1\x00"
_CSRF = b"reminders/csrf/v1\x00"
_LOGIN_CSRF = b"reminders/login-csrf/v1\x00"
_FLASH = b"reminders/flash/v1\x00"
_PASSWORD = b"reminders/password-fingerprint/v1\x00"
_MAX_COOKIE = 3000


@dataclass(frozen=True, slots=True, kw_only=True)
class Session:
    """A logged-in user's session as its cookie says."""

    username: str
    role: str
    password: str  # fingerprint of the password hash at login
    sid: str
    issued: datetime
    expires: datetime


@dataclass(frozen=True, slots=True, kw_only=True)
class Flash:
    """A short message shown once after an action (Post/Redirect/Get)."""

    text: str
    error: bool = False


class Signer:
    """Makes and checks the dashboard's signed values with the installation secret."""

    def __init__(self, secret: bytes) -> None:
        if len(secret) < 16:
            raise ValueError("session secret too short")
        self._secret = secret

    # --- sessions ---------------------------------------------------------------------

    def new_session(self, user: OfficeUser, now: datetime,
                    ttl: timedelta = SESSION_TTL) -> tuple[str, Session]:
        """A fresh session (new random id) for `user` and its cookie value."""
        session = Session(username=user.username, role=user.role.value,
                          password=self.fingerprint(user.password_hash),
                          sid=secrets.token_urlsafe(18), issued=now, expires=now + ttl)
        payload = {"u": session.username, "r": session.role, "h": session.password,
                   "s": session.sid, "i": int(now.timestamp()),
                   "e": int(session.expires.timestamp())}
        return self._sign(_SESSION, payload), session

    def read_session(self, value: str | None, now: datetime) -> Session | None:
        """The session a cookie holds; None if it is missing, altered, malformed or expired."""
        data = self._open(_SESSION, value)
        if data is None:
            return None
        try:
            session = Session(username=str(data["u"]), role=str(data["r"]),
                              password=str(data["h"]), sid=str(data["s"]),
                              issued=_time(data["i"]), expires=_time(data["e"]))
        except (KeyError, TypeError, ValueError, OverflowError):
            return None
        # A little slack on the issue time: web workers' clocks may differ by seconds.
        fresh = session.issued <= now + timedelta(minutes=5) and now < session.expires
        return session if fresh else None

    def matches(self, session: Session, user: OfficeUser) -> bool:
        """Whether the session still fits the configured user (same role, same password)."""
        return (session.role == user.role.value
                and hmac.compare_digest(session.password, self.fingerprint(user.password_hash)))

    def fingerprint(self, password_hash: str) -> str:
        mac = hmac.new(self._secret, _PASSWORD + password_hash.encode(), hashlib.sha256)
        return _b64(mac.digest()[:12])

    # --- CSRF -------------------------------------------------------------------------

    def csrf(self, sid: str) -> str:
        """The token every form of a session carries."""
        return self._mac(_CSRF, sid.encode())

    def login_csrf(self, nonce: str) -> str:
        """The login form's token, bound to the pre-session cookie's random nonce."""
        return self._mac(_LOGIN_CSRF, nonce.encode())

    @staticmethod
    def new_nonce() -> str:
        return secrets.token_urlsafe(18)

    @staticmethod
    def same(given: str | None, expected: str) -> bool:
        return given is not None and hmac.compare_digest(given.encode(), expected.encode())

    # --- flash messages ---------------------------------------------------------------

    def flash(self, flash: Flash, now: datetime) -> str:
        return self._sign(_FLASH, {"t": flash.text[:500], "x": int(flash.error),
                                   "e": int((now + FLASH_TTL).timestamp())})

    def read_flash(self, value: str | None, now: datetime) -> Flash | None:
        data = self._open(_FLASH, value)
        try:
            if data is None or _time(data["e"]) <= now:
                return None
            return Flash(text=str(data["t"]), error=bool(data["x"]))
        except (KeyError, TypeError, ValueError, OverflowError):
            return None

    # --- the format -------------------------------------------------------------------

    def _mac(self, label: bytes, payload: bytes) -> str:
        return _b64(hmac.new(self._secret, label + payload, hashlib.sha256).digest())

    def _sign(self, label: bytes, data: dict[str, Any]) -> str:
        payload = _b64(json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode())
        return f"{payload}.{self._mac(label, payload.encode())}"

    def _open(self, label: bytes, value: str | None) -> dict[str, Any] | None:
        if not value or len(value) > _MAX_COOKIE or value.count(".") != 1:
            return None
        payload, mac = value.split(".")
        if not hmac.compare_digest(mac.encode(), self._mac(label, payload.encode()).encode()):
            return None
        try:
            data = json.loads(_unb64(payload))
        except (ValueError, binascii.Error, UnicodeDecodeError):
            return None
        return data if isinstance(data, dict) else None


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _time(value: object) -> datetime:
    if not isinstance(value, int) or isinstance(value, bool):
        raise TypeError("timestamp")
    return datetime.fromtimestamp(value, UTC)
