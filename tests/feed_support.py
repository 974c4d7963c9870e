"""Shared helpers for feed tests: the seed plans published in a store, a hub over it."""

from __future__ import annotations

from datetime import UTC, datetime
from functools import cache

from sqlalchemy import Engine

from reminders.domain import PlanStatus
from reminders.feeds.hub import FeedHub, FeedSettingsView
from reminders.ingest.model import ImportedPlan
from reminders.store import sync_registry
from reminders.store.plan_import import save_imported_plan
from reminders.store.plans import set_status
from reminders.units import load_registry
from tests.ingest_support import ROOT, import_files, seed

# The seeds are plans of 2022–2024; imports happen at T0, feeds are read as of NOW.
T0 = datetime(2022, 11, 1, 2, 0, tzinfo=UTC)
NOW = datetime(2022, 12, 1, 3, 0, tzinfo=UTC)
BASE_URL = "https://lich.example.gov.vn"
SEED_PLANS = (("000",), ("001", "002"), ("003",), ("004",))


@cache
def seed_plan(*prefixes: str) -> ImportedPlan:
    return import_files(*(seed(p) for p in prefixes))


def store_plans(engine: Engine, plans: tuple[ImportedPlan, ...], *, at: datetime = T0,
                publish: bool = True) -> list[int]:
    """Save plans into a migrated store with the bundled registry; publish them."""
    registry = load_registry(ROOT / "config" / "units.toml")
    ids = []
    with engine.begin() as conn:
        sync_registry(conn, registry, at)
        for plan in plans:
            result = save_imported_plan(conn, plan, now=at)
            if publish:
                set_status(conn, result.plan_id, PlanStatus.PUBLISHED, now=at)
            ids.append(result.plan_id)
    return ids


def store_seeds(engine: Engine, *, at: datetime = T0) -> list[int]:
    return store_plans(engine, tuple(seed_plan(*p) for p in SEED_PLANS), at=at)


def hub(engine: Engine, *, days_back: int | None = 30, days_ahead: int | None = 400,
        persist: bool = True) -> FeedHub:
    return FeedHub(engine, FeedSettingsView(base_url=BASE_URL, refresh_hours=12,
                                            days_back=days_back, days_ahead=days_ahead),
                   persist=persist)
