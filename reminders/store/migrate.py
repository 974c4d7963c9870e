"""Schema migrations: Alembic driven from code, with no alembic.ini at the top of the repository."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, text
from sqlalchemy.exc import SQLAlchemyError

from reminders.errors import StoreError

MIGRATIONS = Path(__file__).resolve().parent / "migrations"

# Several workers may start at once on PostgreSQL; one upgrades, the others wait for it.
_PG_LOCK_KEY = 0x7265_6D69  # "remi"


def alembic_config(connection: Connection | None = None) -> Config:
    """An Alembic Config pointing at the package's migrations, optionally bound to a connection."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS).replace("%", "%%"))
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def head() -> str:
    """The newest revision the code knows."""
    revision = ScriptDirectory.from_config(alembic_config()).get_current_head()
    if revision is None:  # pragma: no cover - the package always ships migrations
        raise StoreError("không tìm thấy bản nâng cấp cơ sở dữ liệu nào trong gói")
    return revision


def current(engine: Engine) -> str | None:
    """The revision the database is at; None for an empty database."""
    try:
        with engine.connect() as conn:
            return MigrationContext.configure(conn).get_current_revision()
    except SQLAlchemyError as exc:
        raise StoreError(f"không đọc được phiên bản cơ sở dữ liệu: {exc}") from exc


def needs_upgrade(engine: Engine) -> bool:
    """True when the database is behind the code (or empty)."""
    return current(engine) != head()


def upgrade(engine: Engine) -> str:
    """Bring the database to the newest revision in one transaction; returns that revision.

    Running it on an up-to-date database changes nothing. Raises StoreError if a
    migration fails (the transaction is rolled back on PostgreSQL).
    """
    try:
        with engine.begin() as conn:
            if conn.dialect.name == "postgresql":
                conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _PG_LOCK_KEY})
            command.upgrade(alembic_config(conn), "head")
            revision = MigrationContext.configure(conn).get_current_revision()
    except SQLAlchemyError as exc:
        raise StoreError(f"nâng cấp cơ sở dữ liệu thất bại: {exc}") from exc
    if revision is None:  # pragma: no cover - upgrade to head always stamps a revision
        raise StoreError("nâng cấp xong nhưng cơ sở dữ liệu không có phiên bản")
    return revision
