"""The store: SQLAlchemy tables, queries and Alembic migrations; the only package that knows SQL."""

from reminders.store.engine import make_engine
from reminders.store.migrate import current, head, needs_upgrade, upgrade
from reminders.store.tables import metadata
from reminders.store.types import UTCDateTime
from reminders.store.units import (
    StoredUnit,
    SyncReport,
    feed_token,
    get_unit,
    list_units,
    rotate_feed_token,
    sync_registry,
    unit_for_feed_token,
)

__all__ = [
    "StoredUnit",
    "SyncReport",
    "UTCDateTime",
    "current",
    "feed_token",
    "get_unit",
    "head",
    "list_units",
    "make_engine",
    "metadata",
    "needs_upgrade",
    "rotate_feed_token",
    "sync_registry",
    "unit_for_feed_token",
    "upgrade",
]
