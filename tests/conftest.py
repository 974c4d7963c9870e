"""Shared fixtures: the network guard, paths to the repository's data, databases."""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests import netguard

netguard.install()

from sqlalchemy import Engine, text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

from reminders.errors import StoreError  # noqa: E402
from reminders.store import make_engine, upgrade  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "examples" / "plans"  # the shared seeds, bundled


@pytest.fixture(scope="session")
def repo_root() -> Path:
    return ROOT


# --- databases: every store test runs on SQLite and on PostgreSQL --------------------------

PG_ADMIN_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"


@pytest.fixture(scope="session")
def pg_admin() -> Iterator[Engine | str]:
    """An AUTOCOMMIT engine on the server's admin database, or why there is none."""
    url = os.environ.get("REMINDERS_TEST_PG_URL", PG_ADMIN_URL)
    try:
        engine = make_engine(url)
    except StoreError as exc:
        yield str(exc)
        return
    admin = engine.execution_options(isolation_level="AUTOCOMMIT")
    yield admin
    engine.dispose()


@pytest.fixture(
    params=[
        pytest.param("sqlite", id="sqlite"),
        pytest.param("postgres", id="postgres", marks=pytest.mark.postgres),
    ]
)
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """An empty database of its own for one test: a SQLite file or a fresh PostgreSQL database."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'reminders.db'}"
        return
    admin = request.getfixturevalue("pg_admin")
    if isinstance(admin, str):
        where = make_url(os.environ.get("REMINDERS_TEST_PG_URL", PG_ADMIN_URL))
        message = f"PostgreSQL không trả lời tại {where.host}:{where.port or 5432}: {admin}"
        if os.environ.get("CI") == "true":
            pytest.fail(f"{message} (CI phải có PostgreSQL)", pytrace=False)
        pytest.skip(message)
    name = f"reminders_t_{secrets.token_hex(6)}"
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield admin.url.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(
                text(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                    "WHERE datname = :name AND pid <> pg_backend_pid()"
                ),
                {"name": name},
            )
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))


@pytest.fixture
def engine(db_url: str) -> Iterator[Engine]:
    """An engine on a database migrated to head; disposed after the test."""
    eng = make_engine(db_url)
    try:
        upgrade(eng)
        yield eng
    finally:
        eng.dispose()
