"""Composition root: builds the real clock, store and scheduler once, from settings."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import timedelta
from pathlib import Path

from sqlalchemy.engine import Engine

from reminders.channels.base import Sender
from reminders.clock import Clock, SystemClock
from reminders.config import Settings
from reminders.dispatch import Dispatcher, RetryPolicy
from reminders.domain import Channel
from reminders.errors import StoreError
from reminders.links import LinkSigner
from reminders.planner.reach import Reach
from reminders.render import Renderer
from reminders.store import make_engine, sync_registry
from reminders.store.meta import LINK_SECRET, secret
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


def worker_name() -> str:
    """Who holds a lease: host, process and a random tail (a restarted pid is a new worker)."""
    import os
    import secrets
    import socket

    return f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(3)}"


def build_senders(settings: Settings, engine: Engine, clock: Clock) -> dict[Channel, Sender]:
    """The real channel senders the settings ask for; email always (to files without SMTP)."""
    from reminders.channels.email import email_sender
    from reminders.channels.webhook import WebhookSender
    from reminders.channels.zalo import ZaloSender

    smtp = settings.smtp
    if not smtp.host:
        smtp = replace(smtp, mail_dir=settings.resolve_path(smtp.mail_dir))
    senders: dict[Channel, Sender] = {Channel.EMAIL: email_sender(smtp, clock=clock)}
    if settings.zalo.enabled:
        zalo = replace(settings.zalo,
                       tokens_file=settings.resolve_path(settings.zalo.tokens_file))
        senders[Channel.ZALO] = ZaloSender(zalo, engine=engine, clock=clock)
    if settings.webhook.secret:
        senders[Channel.WEBHOOK] = WebhookSender(settings.webhook, clock=clock)
    return senders


def build_renderer(settings: Settings, engine: Engine, clock: Clock) -> Renderer:
    """Messages with links signed by the installation's own secret (kept in the store)."""
    with engine.begin() as conn:
        key = secret(conn, LINK_SECRET, clock.now())
    return Renderer(base_url=settings.service.public_base_url, signer=LinkSigner(key),
                    link_valid_days=settings.reminders.link_valid_days)


def build_dispatcher(settings: Settings, engine: Engine, clock: Clock,
                     senders: Mapping[Channel, Sender] | None = None) -> Dispatcher:
    """A dispatcher with the configured channels, lease and retry policy."""
    r = settings.reminders
    return Dispatcher(
        engine=engine, senders=senders if senders is not None
        else build_senders(settings, engine, clock),
        renderer=build_renderer(settings, engine, clock), reach=Reach.from_settings(settings),
        worker=worker_name(), lease=timedelta(seconds=r.lease_seconds),
        retry=RetryPolicy(max_attempts=r.max_attempts,
                          base=timedelta(seconds=r.backoff_base_seconds),
                          cap=timedelta(seconds=r.backoff_max_seconds)))
