"""Score the importer on held-out documents (prints figures): recall, and what it invents.

tests/data/plans_other holds eight plans in other layouts; tests/data/real_docs holds real
documents (web copies of plans, decisions, letters, a weekly schedule) keyed by someone
who had not read the importer.

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

from reminders.errors import InputError
from reminders.ingest.build import import_plan
from reminders.ingest.read import load
from reminders.ingest.textutil import fold
from reminders.units import Resolver, load_registry

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "tests" / "data" / "plans_other"
_RESOLVER = Resolver(load_registry(ROOT / "config" / "units.toml"))


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


REAL_DOCS = ROOT / "tests" / "data" / "real_docs"


@dataclass
class RealScore:
    """Per document: the key's items found and right, and what the import invented."""

    name: str
    rejected: str = ""
    activities: int = 0
    found: int = 0
    right: int = 0
    deadlines: int = 0
    deadlines_right: int = 0
    imported: int = 0
    invented: int = 0
    misses: list[str] = field(default_factory=list)


def score_real_doc(entry: dict[str, Any]) -> RealScore:
    """Score one real document of tests/data/real_docs against its key (names, not ids).

    An activity is found when an imported one starts with its title, right when its dates
    (and clock time, where the key gives one) agree and every lead the key names is among
    the imported leads. Every imported activity or deadline that matches nothing in the
    key counts as invented.
    """
    score = RealScore(entry["file"])
    try:
        plan = import_plan([load(REAL_DOCS / entry["file"])], resolver=_RESOLVER,
                           today=date(2026, 11, 24)).as_json()
    except InputError as exc:
        score.rejected = str(exc)
        score.activities = len(entry.get("activity", []))
        score.deadlines = len(entry.get("deadline", []))
        return score
    got = plan["activities"]
    used: set[int] = set()
    for expected in entry.get("activity", []):
        score.activities += 1
        key = fold(expected["title_starts"])[:40]
        index = next((i for i, a in enumerate(got)
                      if i not in used and fold(a["title"]).startswith(key)), None)
        if index is None:
            score.misses.append(f"không thấy “{expected['title_starts']}”")
            continue
        used.add(index)
        score.found += 1
        match = got[index]
        dates = (match["time"]["start"] or "", match["time"]["end"] or "")
        leads = {fold(u["name"]) for u in match["lead"]}
        clock_ok = not expected.get("time") or match["time"]["time"] == expected["time"]
        if (dates == (expected["start"], expected["end"]) and clock_ok
                and all(fold(n) in leads for n in expected["lead"])):
            score.right += 1
        else:
            score.misses.append(f"“{expected['title_starts'][:30]}”: {dates} "
                                f"{match['time']['time']} {sorted(leads)} ≠ "
                                f"{(expected['start'], expected['end'])} {expected['lead']}")
    deadlines_used: set[int] = set()
    for expected in entry.get("deadline", []):
        score.deadlines += 1
        index = next((i for i, d in enumerate(plan["deadlines"])
                      if fold(expected["text_contains"]) in fold(d["text"])), None)
        if index is None:
            score.misses.append(f"hạn “{expected['text_contains']}” không thấy")
            continue
        deadlines_used.add(index)
        found = plan["deadlines"][index]["time"]
        end_ok = not expected["end"] or (found["end"] or "") == expected["end"]
        if end_ok and (found["rrule"] or "") == expected["rrule"]:
            score.deadlines_right += 1
        else:
            score.misses.append(f"hạn “{expected['text_contains']}”: {found['end']} "
                                f"{found['rrule']}")
    score.imported = len(got) + len(plan["deadlines"])
    score.invented = (len(got) - len(used)) + (len(plan["deadlines"]) - len(deadlines_used))
    return score


def score_real_docs() -> list[RealScore]:
    entries = []
    for key in sorted(REAL_DOCS.glob("expected_*.toml")):
        entries.extend(tomllib.loads(key.read_text(encoding="utf-8"))["doc"])
    return [score_real_doc(e) for e in entries]


def main() -> int:
    score = score_all()
    print("tests/data/plans_other (8 held-out plans in the seeds' text form):")
    print(f"activities: {score.found}/{score.activities} found, "
          f"{score.right}/{score.activities} right "
          f"({100 * score.right / max(score.activities, 1):.0f}%)")
    print(f"deadlines: {score.deadlines_right}/{score.deadlines} right")
    if "-v" in sys.argv:
        for miss in score.misses:
            print("  " + miss)
    real = score_real_docs()
    if real:
        print(f"\ntests/data/real_docs ({len(real)} real documents, keys written apart):")
        for doc in real:
            state = "BỊ TỪ CHỐI" if doc.rejected else (
                f"{doc.right}/{doc.activities} hoạt động đúng, {doc.deadlines_right}/"
                f"{doc.deadlines} hạn đúng, {doc.invented}/{doc.imported} tự thêm")
            print(f"  {doc.name}: {state}")
            if "-v" in sys.argv:
                for miss in doc.misses + ([doc.rejected] if doc.rejected else []):
                    print("      " + miss)
        acts = sum(d.activities for d in real)
        right = sum(d.right for d in real)
        dls = sum(d.deadlines for d in real)
        dls_right = sum(d.deadlines_right for d in real)
        imported = sum(d.imported for d in real)
        invented = sum(d.invented for d in real)
        print(f"  in all: {right}/{acts} activities right ({100 * right / max(acts, 1):.0f}%), "
              f"{dls_right}/{dls} deadlines right, {sum(bool(d.rejected) for d in real)} "
              f"rejected, {invented}/{imported} imported items not in the key "
              f"({100 * invented / max(imported, 1):.0f}%)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
