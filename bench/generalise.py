"""Score the importer on the held-out plans of tests/data/plans_other (prints figures).

An expected activity counts as right when an imported activity has its title, the
same start and end dates, and the same lead units (registry ids, ignoring names the
registry lacks). Run: python bench/generalise.py [-v]
"""

from __future__ import annotations

import sys
import tomllib
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from reminders.ingest.build import import_plan
from reminders.ingest.read import load
from reminders.ingest.textutil import fold
from reminders.units import Resolver, load_registry

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "tests" / "data" / "plans_other"


@dataclass
class Score:
    activities: int = 0
    found: int = 0
    right: int = 0
    deadlines: int = 0
    deadlines_right: int = 0
    misses: list[str] = field(default_factory=list)


def score_plan(entry: dict[str, Any], score: Score) -> None:
    resolver = Resolver(load_registry(ROOT / entry["registry"]))
    plan = import_plan([load(CORPUS / entry["file"])], resolver=resolver,
                       today=date(2026, 11, 24)).as_json()
    got = plan["activities"]
    for expected in entry.get("activity", []):
        score.activities += 1
        key = fold(expected["title_starts"])
        match = next((a for a in got if fold(a["title"]).startswith(key)), None)
        if match is None:
            score.misses.append(f"{entry['file']}: không thấy “{expected['title_starts']}”")
            continue
        score.found += 1
        dates = (match["time"]["start"] or "", match["time"]["end"] or "")
        lead = {u["unit_id"] for u in match["lead"] if u["unit_id"]}
        if dates == (expected["start"], expected["end"]) and lead == set(expected["lead"]):
            score.right += 1
        else:
            score.misses.append(
                f"{entry['file']} {match['code']}: {dates} {sorted(lead)} ≠ "
                f"{(expected['start'], expected['end'])} {sorted(expected['lead'])}")
    for expected in entry.get("deadline", []):
        score.deadlines += 1
        match = next((d for d in plan["deadlines"] if expected["text_contains"] in d["text"]),
                     None)
        if match and (match["time"]["end"] or "") == expected["end"] and (
                match["time"]["rrule"] or "") == expected["rrule"]:
            score.deadlines_right += 1
        else:
            score.misses.append(f"{entry['file']}: hạn “{expected['text_contains']}” "
                                f"{'không thấy' if match is None else match['time']}")


def score_all() -> Score:
    key = tomllib.loads((CORPUS / "expected.toml").read_text(encoding="utf-8"))
    score = Score()
    for entry in key["plan"]:
        score_plan(entry, score)
    return score


def main() -> int:
    score = score_all()
    print(f"activities: {score.found}/{score.activities} found, "
          f"{score.right}/{score.activities} right "
          f"({100 * score.right / max(score.activities, 1):.0f}%)")
    print(f"deadlines: {score.deadlines_right}/{score.deadlines} right")
    if "-v" in sys.argv:
        for miss in score.misses:
            print("  " + miss)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
