"""The ASGI application: feeds in front, Starlette behind, and the background loops."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import datetime
from typing import Any

import anyio.to_thread
from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from reminders import __version__
from reminders.config import Settings
from reminders.feeds.export import Exporter
from reminders.feeds.fetchlog import FetchLog
from reminders.feeds.hub import FeedHub, FeedSettingsView
from reminders.nudging import NudgeStep
from reminders.replan import Replanner
from reminders.scheduler import Heartbeat, Step, start_scheduler
from reminders.services import Services, build_dispatcher
from reminders.store.feed_states import last_fetches
from reminders.web.api import JsonApi
from reminders.web.confirm import ConfirmPages
from reminders.web.dashboard import dashboard_mount
from reminders.web.dashboard.downloads import Downloads
from reminders.web.feeds import FeedRoutes

log = logging.getLogger(__name__)


def hub_for(settings: Settings, engine: Engine, *, everything: bool = False,
            persist: bool | None = None) -> FeedHub:
    """The feeds of a store with the configured window, or with every event (`everything`,
    which then leaves the served feeds' Last-Modified alone)."""
    f = settings.feeds
    view = FeedSettingsView(base_url=settings.service.public_base_url,
                            refresh_hours=f.refresh_hours,
                            days_back=None if everything else f.days_back,
                            days_ahead=None if everything else f.days_ahead)
    return FeedHub(engine, view, persist=not everything if persist is None else persist)


def delivery_steps(services: Services) -> list[tuple[str, Step]]:
    """The tick's work: plan what changed, nudge overdue reports and write the office's
    digest, then send what is due (each in the tick's thread)."""
    replanner = Replanner(services.engine, services.settings)
    nudger = NudgeStep(services.engine, services.settings)
    dispatcher = build_dispatcher(services.settings, services.engine, services.clock)

    def dispatch(now: datetime) -> object:
        return asyncio.run(dispatcher.run_due(now))

    return [("lập lịch nhắc", replanner.step), ("đôn đốc báo cáo", nudger.step),
            ("gửi tin nhắc", dispatch)]


def create_app(services: Services, *, run_scheduler: bool = True,
               run_feed_loop: bool = True) -> FeedRoutes:
    """Build the app over ready services.

    `run_scheduler` and `run_feed_loop` are off for request-only tests, which call
    `app.state.feeds.refresh(now)` and `app.state.fetch_log.flush(engine)` themselves.
    """
    heartbeat = Heartbeat()
    hub = hub_for(services.settings, services.engine)
    fetch_log = FetchLog()
    settings = services.settings
    exporter = (Exporter(hub, settings.resolve_path(settings.feeds.export_dir))
                if settings.feeds.export_dir else None)

    def refresh_feeds() -> None:
        now = services.clock.now()
        if exporter is not None:
            exporter.sync(now)
        else:
            hub.refresh(now)

    async def feed_loop() -> None:
        # Picks up imports and edits made by other processes (the CLI) and the new day.
        while True:
            await asyncio.sleep(settings.feeds.poll_seconds)
            try:
                await anyio.to_thread.run_sync(refresh_feeds)
                await anyio.to_thread.run_sync(fetch_log.flush, services.engine)
            except (SQLAlchemyError, OSError):
                log.exception("làm mới lịch thất bại; thử lại sau")

    @asynccontextmanager
    async def lifespan(_app: Starlette) -> AsyncIterator[None]:
        await anyio.to_thread.run_sync(refresh_feeds)
        scheduler = None
        if run_scheduler:
            heartbeat.steps[:] = delivery_steps(services)
            scheduler = start_scheduler(
                heartbeat, services.clock, settings.reminders.tick_seconds
            )
        loop = asyncio.create_task(feed_loop()) if run_feed_loop else None
        try:
            yield
        finally:
            if loop is not None:
                loop.cancel()
            if scheduler is not None:
                scheduler.shutdown(wait=False)
            await anyio.to_thread.run_sync(fetch_log.flush, services.engine)

    async def healthz(_request: Request) -> JSONResponse:
        database = "ok"
        try:
            with services.engine.connect() as conn:
                conn.execute(text("SELECT 1"))
        except SQLAlchemyError:
            database = "lỗi"
        body = {
            "status": "ok" if database == "ok" else "degraded",
            "version": __version__,
            "database": database,
            "units": len(services.registry.units),
            "scheduler": {
                "running": run_scheduler,
                "ticks": heartbeat.ticks,
                "last_tick": heartbeat.last_tick.isoformat() if heartbeat.last_tick else None,
                "last_error": heartbeat.last_error,
            },
        }
        return JSONResponse(body, status_code=200 if database == "ok" else 503)

    def fetches(feeds: list[str]) -> dict[str, Any]:
        with services.engine.connect() as conn:
            return last_fetches(conn, feeds=feeds)

    app = Starlette(routes=[Route("/healthz", healthz, methods=["GET", "HEAD"]),
                            *ConfirmPages(services).routes(),
                            *JsonApi(services).routes(),
                            dashboard_mount(services, hub,
                                            extra=lambda dash: Downloads(dash).routes())],
                    lifespan=lifespan)
    app.state.services = services
    app.state.heartbeat = heartbeat
    app.state.feeds = hub
    app.state.fetch_log = fetch_log
    return FeedRoutes(app, hub, fetch_log, services.clock, settings.service.public_base_url,
                      fetches, state=app.state)

