"""Password hashes of office users: scrypt (made here) and argon2id (verified), constant time.

A scrypt hash reads "scrypt$<n>$<r>$<p>$<salt b64>$<hash b64>" (standard base64 with
padding), made with hashlib.scrypt; "$argon2id$…" hashes, as other tools make them, are
verified with argon2-cffi. Parameters read from a hash are bounded, so a mistyped
configuration cannot make one login take minutes or gigabytes.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import secrets
from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from reminders.errors import UsageError

SCRYPT_PREFIX = "scrypt$"
ARGON2_PREFIX = "$argon2"
DEFAULT_N = 2**15
DEFAULT_R = 8
DEFAULT_P = 1
SALT_BYTES = 16
KEY_BYTES = 32
MIN_PASSWORD_CHARS = 8
_MAX_N = 2**20
_MAX_R = 32
_MAX_P = 16
_ARGON2 = PasswordHasher()


@dataclass(frozen=True, slots=True)
class _Scrypt:
    n: int
    r: int
    p: int
    salt: bytes
    key: bytes

    def derive(self, password: str) -> bytes:
        return _scrypt(password, self.salt, self.n, self.r, self.p, len(self.key))


def _scrypt(password: str, salt: bytes, n: int, r: int, p: int, length: int) -> bytes:
    # scrypt needs 128·n·r bytes per lane; the default cap (32 MiB) is just too small for
    # n = 2**15, r = 8, so allow what the parameters need plus room for the bookkeeping.
    maxmem = 128 * n * r * (p + 1) + 2**20
    return hashlib.scrypt(password.encode(), salt=salt, n=n, r=r, p=p, maxmem=maxmem,
                          dklen=length)


def hash_password(password: str, *, n: int = DEFAULT_N, r: int = DEFAULT_R,
                  p: int = DEFAULT_P) -> str:
    """A new "scrypt$…" hash of `password` with a random salt."""
    salt = secrets.token_bytes(SALT_BYTES)
    key = _scrypt(password, salt, n, r, p, KEY_BYTES)
    return f"scrypt${n}${r}${p}${_b64(salt)}${_b64(key)}"


def check_new_password(password: str) -> None:
    """Refuse a password too short to be worth hashing (UsageError, in Vietnamese)."""
    if len(password) < MIN_PASSWORD_CHARS:
        raise UsageError(f"Mật khẩu phải dài ít nhất {MIN_PASSWORD_CHARS} ký tự.")


def verify_password(password: str, stored: str) -> bool:
    """Whether `password` matches the stored hash; a malformed hash matches nothing."""
    if stored.startswith(SCRYPT_PREFIX):
        parsed = _parse_scrypt(stored)
        if parsed is None:
            return False
        return hmac.compare_digest(parsed.derive(password), parsed.key)
    if stored.startswith(ARGON2_PREFIX):
        try:
            return _ARGON2.verify(stored, password)
        except (VerificationError, InvalidHashError):
            return False
    return False


def spend_like(stored: str | None, password: str) -> None:
    """Do the work of checking `password` against `stored` and forget the answer.

    A login for an unknown user calls this with a configured user's hash, so that it
    takes as long as a real check and the response time does not say which names exist.
    """
    verify_password(password, stored or _DUMMY)


def _parse_scrypt(stored: str) -> _Scrypt | None:
    parts = stored.split("$")
    if len(parts) != 6:
        return None
    try:
        n, r, p = int(parts[1]), int(parts[2]), int(parts[3])
        salt = base64.b64decode(parts[4], validate=True)
        key = base64.b64decode(parts[5], validate=True)
    except (ValueError, binascii.Error):
        return None
    if not (1 < n <= _MAX_N and n & (n - 1) == 0 and 0 < r <= _MAX_R and 0 < p <= _MAX_P):
        return None
    if len(salt) < 8 or not 16 <= len(key) <= 64:
        return None
    return _Scrypt(n=n, r=r, p=p, salt=salt, key=key)


def _b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode("ascii")


# A well-formed hash of nothing anyone types (the key is random bytes, not a real derivation):
# checking a password against it costs one default scrypt run and never succeeds.
_DUMMY = (f"scrypt${DEFAULT_N}${DEFAULT_R}${DEFAULT_P}${_b64(bytes(SALT_BYTES))}$"
          f"{_b64(secrets.token_bytes(KEY_BYTES))}")
