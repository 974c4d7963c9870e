"""The Starlette application and its lifespan (the scheduler runs inside it)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from reminders import __version__
from reminders.scheduler import Heartbeat, start_scheduler
from reminders.services import Services


def create_app(services: Services, *, run_scheduler: bool = True) -> Starlette:
    """Build the app over ready services; `run_scheduler` is off for request-only tests."""
    heartbeat = Heartbeat()

    @asynccontextmanager
    async def lifespan(_app: Starlette) -> AsyncIterator[None]:
        scheduler = None
        if run_scheduler:
            scheduler = start_scheduler(
                heartbeat, services.clock, services.settings.reminders.tick_seconds
            )
        try:
            yield
        finally:
            if scheduler is not None:
                scheduler.shutdown(wait=False)

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

    app = Starlette(routes=[Route("/healthz", healthz, methods=["GET", "HEAD"])],
                    lifespan=lifespan)
    app.state.services = services
    app.state.heartbeat = heartbeat
    return app
