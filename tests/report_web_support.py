"""Shared helpers for the confirm page and API tests: the seeds published with their
expected reports, services over them with a FixedClock, signed links, the app."""

from __future__ import annotations

from contextlib import ExitStack
from datetime import UTC, date, datetime
from functools import partial
from typing import Any

import httpx
from anyio.from_thread import start_blocking_portal
from sqlalchemy import Engine, select
from starlette.types import ASGIApp

from reminders.clock import FixedClock
from reminders.config import Settings
from reminders.links import Action, LinkClaim, LinkSigner, expiry_for
from reminders.replan import replan
from reminders.services import Services
from reminders.store.meta import LINK_SECRET, secret
from reminders.store.tables import deadline_occurrences, deadlines, submissions
from reminders.units import load_registry
from reminders.web.app import create_app
from tests.feed_support import store_seeds
from tests.ingest_support import ROOT

# Thursday 1 December 2022, 10:00 in Việt Nam: plan 249's report (due Monday 26 December)
# is still open; the monthly reports of 2024 lie ahead.
NOW = datetime(2022, 12, 1, 3, 0, tzinfo=UTC)
PLAN_249 = 1
DUE_249 = date(2022, 12, 26)
UNIT = "ubnd-phuong-khuong-mai"
UNIT_NAME = "Ủy ban nhân dân phường Khương Mai"
OTHER_UNIT = "tu-phap-thanh-xuan"
NOT_EXPECTED = "so-noi-vu-ha-noi"  # in the registry, but not asked by plan 249
BASE = "http://testserver"  # what TestClient calls itself


def seeded(engine: Engine, at: datetime = NOW) -> Services:
    """Services over `engine` (migrated) with the seeds published and expected reports set."""
    store_seeds(engine)
    settings = Settings()
    with engine.begin() as conn:
        replan(conn, settings, now=at)
    return Services(settings=settings, clock=FixedClock(at),
                    engine=engine, registry=load_registry(ROOT / "config" / "units.toml"))


class AppClient:
    """A blocking client of the whole app in process (httpx's ASGI transport on an event
    loop in a thread); no lifespan: nothing these tests ask for needs the feeds."""

    def __init__(self, app: ASGIApp, base_url: str = BASE) -> None:
        self._stack = ExitStack()
        self._portal = self._stack.enter_context(start_blocking_portal())
        self._client = httpx.AsyncClient(transport=httpx.ASGITransport(app=app),
                                         base_url=base_url, follow_redirects=False)

    def request(self, method: str, url: str, **kwargs: Any) -> httpx.Response:
        return self._portal.call(partial(self._client.request, method, url, **kwargs))

    def get(self, url: str, **kwargs: Any) -> httpx.Response:
        return self.request("GET", url, **kwargs)

    def head(self, url: str, **kwargs: Any) -> httpx.Response:
        return self.request("HEAD", url, **kwargs)

    def post(self, url: str, **kwargs: Any) -> httpx.Response:
        return self.request("POST", url, **kwargs)

    def close(self) -> None:
        self._portal.call(self._client.aclose)
        self._stack.close()

    def __enter__(self) -> AppClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def client(services: Services) -> AppClient:
    return AppClient(create_app(services, run_scheduler=False, run_feed_loop=False))


def deadline_uid(engine: Engine, plan_id: int = PLAN_249) -> str:
    with engine.connect() as conn:
        uid: str = conn.execute(select(deadlines.c.uid).where(deadlines.c.plan_id == plan_id)
                                .order_by(deadlines.c.id)).scalars().first()
    return uid


def occurrence_id(engine: Engine, plan_id: int = PLAN_249, due: date = DUE_249) -> int:
    with engine.connect() as conn:
        found: int = conn.execute(
            select(deadline_occurrences.c.id)
            .join(deadlines, deadlines.c.id == deadline_occurrences.c.deadline_id)
            .where(deadlines.c.plan_id == plan_id, deadline_occurrences.c.due_date == due)
        ).scalar_one()
    return found


def signer(engine: Engine) -> LinkSigner:
    """A signer with the store's own secret (the one the dispatcher signs with)."""
    with engine.begin() as conn:
        return LinkSigner(secret(conn, LINK_SECRET, NOW))


def link(engine: Engine, *, unit: str = UNIT, action: Action = Action.SUBMITTED,
         uid: str | None = None, occurrence: date = DUE_249, valid_days: int = 60) -> str:
    """The path of a signed link, as a reminder carries it."""
    claim = LinkClaim(unit_id=unit, item_uid=uid or deadline_uid(engine),
                      occurrence=occurrence, action=action,
                      expires=expiry_for(occurrence, valid_days))
    return signer(engine).url("", claim)


def submission_rows(engine: Engine) -> list[dict[str, object]]:
    with engine.connect() as conn:
        return [dict(r) for r in conn.execute(select(submissions).order_by(submissions.c.id))
                .mappings()]
