"""Shared fixtures: the network guard, paths to the repository's data."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests import netguard

netguard.install()

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT.parent / "shared" / "seeds"


@pytest.fixture(scope="session")
def repo_root() -> Path:
    return ROOT
