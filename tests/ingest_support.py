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


FORMATS = ROOT / "tests" / "data" / "formats"  # the real plans as PDF, scan, .doc, .odt, .rtf


def reading(plan: ImportedPlan) -> dict[str, Any]:
    """What a plan says, without where it was read from: for comparing two copies of it."""
    data = plan.as_json()
    info = {k: data["plan"][k] for k in ("number", "issued", "title", "issuer", "year")}
    activities = [(a["title"], a["time"]["start"], a["time"]["end"], a["time"]["time"],
                   [u["name"] for u in a["lead"]], [u["name"] for u in a["partners"]])
                  for a in data["activities"]]
    deadlines = [(d["text"], d["time"]["end"], d["time"]["rrule"],
                  [u["name"] for u in d["from_units"]]) for d in data["deadlines"]]
    assignments = [(a["unit"]["name"], a["tasks"]) for a in data["assignments"]]
    return {"plan": info, "activities": activities, "deadlines": deadlines,
            "assignments": assignments}
