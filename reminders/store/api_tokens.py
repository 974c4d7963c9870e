"""Bearer tokens of the JSON API: made random, shown once, kept only as SHA-256 hashes.

A token with a unit belongs to that unit and sees only its data; one without a unit is an
office token and sees everything. Revoked tokens stay (with when) so the list shows them.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import insert, or_, select, update
from sqlalchemy.engine import Connection

from reminders.errors import UsageError
from reminders.store.tables import api_tokens, units

# last_used_at is for people ("is this token still in use?"), so minute precision is
# plenty, and it spares a write on every request of a busy client.
TOUCH_EVERY = timedelta(minutes=1)


@dataclass(frozen=True, slots=True, kw_only=True)
class ApiToken:
    """A stored token (never its secret)."""

    id: int
    unit_id: str | None  # None: an office token
    label: str | None
    created_at: datetime
    last_used_at: datetime | None = None
    revoked_at: datetime | None = None

    @property
    def office(self) -> bool:
        return self.unit_id is None

    @property
    def active(self) -> bool:
        return self.revoked_at is None

    @property
    def who(self) -> str:
        """How records made with this token name who made them."""
        return f"API #{self.id}" + (f" ({self.label})" if self.label else "")


def hash_token(token: str) -> str:
    """The hex SHA-256 of a token as stored: tokens are random, so no salt is needed."""
    return hashlib.sha256(token.encode()).hexdigest()


def create_token(conn: Connection, *, unit_id: str | None, label: str | None,
                 now: datetime) -> tuple[ApiToken, str]:
    """Make a token for a unit (or the office when `unit_id` is None); returns the stored
    token and its secret, which is never kept. Raises UsageError for an unknown unit."""
    if unit_id is not None and conn.execute(
            select(units.c.id).where(units.c.id == unit_id)).first() is None:
        raise UsageError(f"Không có đơn vị '{unit_id}' trong cơ sở dữ liệu "
                         "(chạy `reminders units sync` nếu vừa thêm vào danh mục).")
    secret = secrets.token_urlsafe(32)
    clean_label = (label or "").strip() or None
    token_id = int(conn.execute(insert(api_tokens).values(
        token_hash=hash_token(secret), unit_id=unit_id, label=clean_label, created_at=now,
    ).returning(api_tokens.c.id)).scalar_one())
    return ApiToken(id=token_id, unit_id=unit_id, label=clean_label, created_at=now), secret


def find_token(conn: Connection, secret: str) -> ApiToken | None:
    """The stored token for a presented secret (revoked ones included), or None."""
    wanted = hash_token(secret)
    row = conn.execute(select(api_tokens).where(api_tokens.c.token_hash == wanted)
                       ).mappings().first()
    # The lookup goes through an index; compare again in constant time so that no timing
    # of the match itself depends on how much of a guess was right.
    if row is None or not hmac.compare_digest(row["token_hash"], wanted):
        return None
    return _token(row)


def list_tokens(conn: Connection) -> tuple[ApiToken, ...]:
    """Every token, oldest first."""
    return tuple(_token(r) for r in conn.execute(
        select(api_tokens).order_by(api_tokens.c.id)).mappings())


def revoke_token(conn: Connection, token_id: int, *, now: datetime) -> ApiToken:
    """Revoke a token at once; raises UsageError if there is none or it is revoked."""
    row = conn.execute(select(api_tokens).where(api_tokens.c.id == token_id)
                       ).mappings().first()
    if row is None:
        raise UsageError(f"Không có mã API số {token_id}.")
    if row["revoked_at"] is not None:
        raise UsageError(f"Mã API số {token_id} đã bị thu hồi trước đó.")
    conn.execute(update(api_tokens).where(api_tokens.c.id == token_id).values(revoked_at=now))
    return _token({**row, "revoked_at": now})


def touch(conn: Connection, token: ApiToken, *, now: datetime) -> bool:
    """Note that `token` was used at `now`, at most once per TOUCH_EVERY; True if written.

    The condition is in the UPDATE too, so several workers still write once a minute.
    """
    if token.last_used_at is not None and now - token.last_used_at < TOUCH_EVERY:
        return False
    done = conn.execute(update(api_tokens).where(
        api_tokens.c.id == token.id,
        or_(api_tokens.c.last_used_at.is_(None),
            api_tokens.c.last_used_at <= now - TOUCH_EVERY)).values(last_used_at=now))
    return bool(done.rowcount)


def _token(row: Mapping[Any, Any]) -> ApiToken:
    return ApiToken(id=row["id"], unit_id=row["unit_id"], label=row["label"],
                    created_at=row["created_at"], last_used_at=row["last_used_at"],
                    revoked_at=row["revoked_at"])
