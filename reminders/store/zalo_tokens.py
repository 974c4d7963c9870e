"""The Zalo OA token pair in the `meta` table, refreshed by one process at a time.

Zalo's refresh token is single-use: the exchange that spends it must be stored in the same
transaction, under a row lock, or two workers spend it twice and the OA has to be
authorised again by hand. The stored value is JSON: access_token, refresh_token,
expires_at (ISO, UTC) and a version that goes up by one with every new pair, so a process
can tell that another one refreshed while it waited.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import OperationalError

from reminders.errors import StoreError
from reminders.store.tables import meta

KEY = "zalo_tokens"
# Zalo documents ~25 hours for an OA access token; a tokens file without expires_in is old.
DEFAULT_EXPIRES_IN = 25 * 3600
# SQLite waits this long for another process's refresh (an HTTP call) before giving up.
_SQLITE_WAIT_MS = 60_000


@dataclass(frozen=True, slots=True, kw_only=True)
class ZaloTokens:
    """One OA token pair as stored; ``version`` counts the refreshes."""

    access_token: str = field(repr=False)
    refresh_token: str = field(repr=False)
    expires_at: datetime
    version: int = 1

    def expired(self, now: datetime, *, margin: timedelta = timedelta(seconds=60)) -> bool:
        """Whether the access token is past (or within ``margin`` of) its end."""
        return now + margin >= self.expires_at


@dataclass(frozen=True, slots=True, kw_only=True)
class IssuedTokens:
    """What Zalo's OAuth answers to a refresh: a new pair and its lifetime in seconds."""

    access_token: str = field(repr=False)
    refresh_token: str = field(repr=False)
    expires_in: int


def load(engine: Engine) -> ZaloTokens | None:
    """The stored pair, or None before the OA was authorised."""
    with engine.connect() as conn:
        return _read(conn)


def save_initial(engine: Engine, tokens: ZaloTokens, now: datetime) -> ZaloTokens:
    """Store ``tokens`` unless a pair is already stored; return the pair the store holds.

    Never overwrites: a pair already there may have been refreshed, and the pair given
    here would then hold a spent refresh token. Two processes seeding at once both get
    the first one's pair back.
    """
    with engine.begin() as conn:
        dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
        conn.execute(dialect.insert(meta).values(
            key=KEY, value=_encode(tokens), updated_at=now,
        ).on_conflict_do_nothing(index_elements=["key"]))
        stored = _read(conn)
    assert stored is not None
    return stored


def seed(engine: Engine, tokens_file: Path, now: datetime) -> ZaloTokens | None:
    """The stored pair; when there is none, the pair of ``tokens_file`` stored once.

    The file (JSON with access_token, refresh_token and optional expires_in seconds) is
    how an administrator hands over the first pair. Raises StoreError when it is unusable.
    """
    stored = load(engine)
    if stored is not None or not tokens_file.is_file():
        return stored
    return save_initial(engine, read_tokens_file(tokens_file, now), now)


def read_tokens_file(path: Path, now: datetime) -> ZaloTokens:
    """Parse a tokens file; raises StoreError in Vietnamese naming the file."""
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
        access, refresh = document["access_token"], document["refresh_token"]
        expires_in = int(document.get("expires_in", DEFAULT_EXPIRES_IN))
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise StoreError(f"{path}: tệp token Zalo không đọc được "
                         f"(cần access_token, refresh_token): {exc}") from None
    if not (isinstance(access, str) and isinstance(refresh, str) and access and refresh):
        raise StoreError(f"{path}: access_token và refresh_token phải là chuỗi không rỗng")
    return ZaloTokens(access_token=access, refresh_token=refresh,
                      expires_at=now + timedelta(seconds=expires_in))


def refresh_locked(engine: Engine, now: datetime, exchange: Callable[[str], IssuedTokens], *,
                   seen_version: int) -> ZaloTokens:
    """Refresh the pair unless another process already did; return the pair now stored.

    ``seen_version`` is the version the caller found stale. Inside one transaction the
    row is locked (PostgreSQL ``FOR UPDATE``; on SQLite a no-op UPDATE takes the database's
    write lock) and read again: a newer version is returned as it is, otherwise
    ``exchange(refresh_token)`` runs and its pair is stored with version + 1 before the
    commit. An exception from ``exchange`` rolls back and propagates; StoreError when
    there is no pair or the database stays locked.
    """
    try:
        with engine.connect() as conn:
            # The lock holder makes an HTTP call: SQLite must wait longer than usual for it.
            # Set on the driver's connection, as a statement here would open the transaction.
            raw = conn.connection.driver_connection if conn.dialect.name == "sqlite" else None
            usual = 0
            if raw is not None:
                usual = int(raw.execute("PRAGMA busy_timeout").fetchone()[0])
                raw.execute(f"PRAGMA busy_timeout={_SQLITE_WAIT_MS}")
            try:
                with conn.begin():
                    stored = _lock_and_read(conn)
                    if stored.version > seen_version:
                        return stored
                    issued = exchange(stored.refresh_token)
                    fresh = ZaloTokens(access_token=issued.access_token,
                                       refresh_token=issued.refresh_token,
                                       expires_at=now + timedelta(seconds=issued.expires_in),
                                       version=stored.version + 1)
                    conn.execute(update(meta).where(meta.c.key == KEY)
                                 .values(value=_encode(fresh), updated_at=now))
                    return fresh
            finally:
                if raw is not None:
                    raw.execute(f"PRAGMA busy_timeout={usual}")
    except OperationalError as exc:
        raise StoreError(f"không khóa được token Zalo trong cơ sở dữ liệu: {exc.orig}") from None


def _lock_and_read(conn: Connection) -> ZaloTokens:
    if conn.dialect.name == "postgresql":
        query = select(meta.c.value).where(meta.c.key == KEY).with_for_update()
        value = conn.execute(query).scalar_one_or_none()
    else:
        # pysqlite opens the transaction at the first write; this one takes the write
        # lock before anything is read, so the read below cannot be stale.
        conn.execute(update(meta).where(meta.c.key == KEY)
                     .values(updated_at=meta.c.updated_at))
        value = conn.execute(select(meta.c.value).where(meta.c.key == KEY)).scalar_one_or_none()
    if value is None:
        raise StoreError("chưa có token Zalo OA trong cơ sở dữ liệu: cần cấp quyền cho ứng dụng")
    return _decode(value)


def _read(conn: Connection) -> ZaloTokens | None:
    value = conn.execute(select(meta.c.value).where(meta.c.key == KEY)).scalar_one_or_none()
    return None if value is None else _decode(value)


def _encode(tokens: ZaloTokens) -> str:
    return json.dumps({
        "access_token": tokens.access_token,
        "refresh_token": tokens.refresh_token,
        "expires_at": tokens.expires_at.astimezone(UTC).isoformat(),
        "version": tokens.version,
    })


def _decode(value: str) -> ZaloTokens:
    try:
        document: dict[str, Any] = json.loads(value)
        expires_at = datetime.fromisoformat(document["expires_at"])
        if expires_at.tzinfo is None:
            expires_at = expires_at.replace(tzinfo=UTC)
        return ZaloTokens(access_token=str(document["access_token"]),
                          refresh_token=str(document["refresh_token"]),
                          expires_at=expires_at.astimezone(UTC),
                          version=int(document["version"]))
    except (ValueError, KeyError, TypeError) as exc:
        raise StoreError(f"token Zalo lưu trong cơ sở dữ liệu bị hỏng: {exc}") from None
