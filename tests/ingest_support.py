"""Shared helpers for importer tests: the bundled registry's resolver and a one-call import."""

from __future__ import annotations

from datetime import date
from functools import cache
from pathlib import Path
from typing import Any

from reminders.ingest.build import import_plan
from reminders.ingest.model import ImportedPlan
from reminders.ingest.read import InputFile, load
from reminders.units import Resolver, load_registry

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "examples" / "plans"  # the shared seeds, bundled with the quick start
REAL_PLANS = ROOT / "tests" / "data" / "real_plans"  # shared/real-plans, bundled
TODAY = date(2026, 11, 24)


@cache
def resolver(registry: str = "config/units.toml") -> Resolver:
    return Resolver(load_registry(ROOT / registry))


def seed(prefix: str) -> Path:
    return next(SEEDS.glob(f"{prefix}_*.txt"))


def import_files(*paths: Path, registry: str = "config/units.toml") -> ImportedPlan:
    return import_plan([load(p) for p in paths], resolver=resolver(registry), today=TODAY)


def import_bytes(*files: tuple[str, bytes], registry: str = "config/units.toml") -> ImportedPlan:
    return import_plan([InputFile(name, data) for name, data in files],
                       resolver=resolver(registry), today=TODAY)


def ids(refs: list[dict[str, Any]]) -> list[str | None]:
    return [r["unit_id"] for r in refs]


def by_code(plan: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {a["code"]: a for a in plan["activities"]}
