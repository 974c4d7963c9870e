"""Small named values kept in the `meta` table (e.g. the secret that signs report links)."""

from __future__ import annotations

import secrets
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection

from reminders.store.tables import meta

LINK_SECRET = "link_secret"


def get_value(conn: Connection, key: str) -> str | None:
    return conn.execute(select(meta.c.value).where(meta.c.key == key)).scalar_one_or_none()


def secret(conn: Connection, key: str, now: datetime) -> bytes:
    """A random secret made once and kept; every worker and web process reads the same one.

    Made here rather than configured so that a new installation signs links at once;
    if two processes race, the first insert wins and both read it back.
    """
    found = get_value(conn, key)
    if found is None:
        dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
        conn.execute(dialect.insert(meta).values(
            key=key, value=secrets.token_hex(32), updated_at=now,
        ).on_conflict_do_nothing(index_elements=["key"]))
        found = get_value(conn, key)
    assert found is not None
    return bytes.fromhex(found)
