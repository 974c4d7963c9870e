"""Every unit name the five seed plans write resolves to the right unit or group (or to none).

The table in tests/data/seed_unit_names.toml lists each name as written, with the issuer and
the heading it stands under as context, and the expected id; `expect = "none"` marks names
that must not resolve (absent from the example registry, or ambiguous without context).
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

import pytest

from reminders.units import Resolver, load_registry

ROOT = Path(__file__).resolve().parent.parent
TABLE: list[dict[str, Any]] = tomllib.loads(
    (ROOT / "tests" / "data" / "seed_unit_names.toml").read_text(encoding="utf-8")
)["name"]


@pytest.fixture(scope="module")
def resolver() -> Resolver:
    return Resolver(load_registry(ROOT / "config" / "units.toml"))


@pytest.mark.parametrize(
    "entry", TABLE,
    ids=[f"{e['text']} | {' ; '.join(e.get('context', []))} [{e['source']}]" for e in TABLE],
)
def test_seed_name_resolves(resolver: Resolver, entry: dict[str, Any]) -> None:
    result = resolver.resolve(entry["text"], tuple(entry.get("context", [])))
    if entry.get("expect") == "none":
        assert (result.unit_id, result.group_id) == (None, None)
        assert len(result.suggestions) <= 3
    else:
        assert result.unit_id == entry.get("unit")
        assert result.group_id == entry.get("group")


def test_table_covers_every_seed() -> None:
    seeds = {e["source"].split(":")[0] for e in TABLE if e["source"] != "invented"}
    assert seeds == {"000", "001", "002", "003", "004"}
    assert sum(1 for e in TABLE if e.get("expect") != "none") >= 150
