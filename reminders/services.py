"""Composition root: builds the real clock, store and scheduler once, from settings."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.engine import Engine

from reminders.clock import Clock, SystemClock
from reminders.config import Settings
from reminders.errors import StoreError
from reminders.store import make_engine, sync_registry
from reminders.store.migrate import current, head, needs_upgrade, upgrade
from reminders.store.units import SyncReport
from reminders.units import Registry, load_registry


@contextmanager
def open_store(settings: Settings) -> Iterator[Engine]:
    """An engine for the configured database, disposed when the block ends."""
    engine = make_engine(settings.database.url, echo=settings.database.echo)
    try:
        yield engine
    finally:
        engine.dispose()


def prepare_store(engine: Engine) -> str:
    """Migrate an empty database; refuse to run on one that is behind (the admin upgrades it).

    Returns the schema revision in use.
    """
    revision = current(engine)
    if revision is None:
        return upgrade(engine)
    if needs_upgrade(engine):
        raise StoreError(
            f"cơ sở dữ liệu đang ở phiên bản {revision}, cần {head()}: "
            "chạy `reminders db upgrade` trước (nên sao lưu trước khi nâng cấp)"
        )
    return revision


def sync_units(engine: Engine, registry: Registry, clock: Clock | None = None) -> SyncReport:
    """Load the registry into the store in one transaction."""
    now = (clock or SystemClock()).now()
    with engine.begin() as conn:
        return sync_registry(conn, registry, now)


@dataclass(frozen=True, slots=True)
class Services:
    """Everything a running service needs, built once."""

    settings: Settings
    clock: Clock
    engine: Engine
    registry: Registry


def build(settings: Settings, clock: Clock | None = None) -> Services:
    """Open the store, migrate it if empty, and load the unit registry into it."""
    registry = load_registry(Path(settings.service.registry))
    engine = make_engine(settings.database.url, echo=settings.database.echo)
    try:
        prepare_store(engine)
        real_clock = clock or SystemClock()
        sync_units(engine, registry, real_clock)
    except BaseException:
        engine.dispose()
        raise
    return Services(settings=settings, clock=real_clock, engine=engine, registry=registry)
