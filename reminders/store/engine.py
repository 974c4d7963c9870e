"""Build a SQLAlchemy engine for SQLite (one file, the default) or PostgreSQL (for scale)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, NoSuchModuleError, SQLAlchemyError

from reminders.errors import StoreError

_SQLITE_PRAGMAS = (
    "PRAGMA foreign_keys=ON",
    # WAL lets the web workers read while the dispatcher writes.
    "PRAGMA journal_mode=WAL",
    "PRAGMA busy_timeout=5000",
    # With WAL, NORMAL still survives a crash of the process (only a power cut can lose
    # the last commits) and makes the dispatcher's commit per sent message cheap.
    "PRAGMA synchronous=NORMAL",
)
_PG_CONNECT_TIMEOUT = 10  # seconds; a server that does not answer should fail fast


def make_engine(url: str, *, echo: bool = False) -> Engine:
    """An engine for ``sqlite:///path``, ``sqlite://`` (memory) or ``postgresql+psycopg://...``.

    Connects once to check the database answers. Raises StoreError (in Vietnamese,
    with any password hidden) when the URL is unusable or the server cannot be reached.
    """
    parsed = _parse(url)
    backend = parsed.get_backend_name()
    if backend == "sqlite":
        engine = _sqlite_engine(parsed, echo=echo)
    elif backend == "postgresql":
        engine = _postgres_engine(parsed, echo=echo)
    else:
        raise StoreError(
            f"chỉ hỗ trợ SQLite và PostgreSQL, không dùng được '{_safe(parsed)}'"
        )
    try:
        with engine.connect():
            pass
    except (DBAPIError, SQLAlchemyError, OSError) as exc:
        engine.dispose()
        raise StoreError(
            f"không kết nối được cơ sở dữ liệu {_safe(parsed)}: {_reason(exc, parsed)}"
        ) from None
    return engine


def _parse(url: str) -> URL:
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise StoreError(
            "địa chỉ cơ sở dữ liệu không hợp lệ (ví dụ: 'sqlite:///data/reminders.db' "
            "hoặc 'postgresql+psycopg://user@host/db')"
        ) from None
    # Plain postgresql:// would pick psycopg2, which the project does not install.
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed


def _sqlite_engine(url: URL, *, echo: bool) -> Engine:
    database = url.database or ""
    if database and database != ":memory:" and not database.startswith("file:"):
        path = Path(database).expanduser()
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StoreError(
                f"không tạo được thư mục '{path.parent}' cho cơ sở dữ liệu: {exc.strerror}"
            ) from None
    engine = create_engine(url, echo=echo)
    event.listen(engine, "connect", _set_sqlite_pragmas)
    return engine


def _set_sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    try:
        for pragma in _SQLITE_PRAGMAS:
            cursor.execute(pragma)
    finally:
        cursor.close()


def _postgres_engine(url: URL, *, echo: bool) -> Engine:
    connect_args: dict[str, Any] = {}
    if "connect_timeout" not in url.query:
        connect_args["connect_timeout"] = _PG_CONNECT_TIMEOUT
    try:
        # pre_ping: a long-running service outlives server restarts and idle timeouts.
        return create_engine(url, echo=echo, pool_pre_ping=True, connect_args=connect_args)
    except (NoSuchModuleError, ImportError) as exc:
        raise StoreError(
            f"thiếu trình điều khiển PostgreSQL cho '{_safe(url)}' "
            f"(cài: pip install 'reminders[postgres]'): {exc}"
        ) from None


def _safe(url: URL) -> str:
    return url.render_as_string(hide_password=True)


def _reason(exc: BaseException, url: URL) -> str:
    """The driver's own first line, with the password blotted out should it appear."""
    original = getattr(exc, "orig", None) or exc
    lines = str(original).strip().splitlines()
    reason = lines[0] if lines else type(original).__name__
    if url.password:
        reason = reason.replace(str(url.password), "***")
    return reason
