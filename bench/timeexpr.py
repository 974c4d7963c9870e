"""Benchmark: reading time expressions, in process and through `reminders time --batch`.

Prints expressions per second for a mixed set of 10,000 lines (the test table's texts and
the seed plans' time cells, repeated) through `--batch` with process start included, and in
process without any cache. If dateparser is installed (it is not a dependency:
`pip install dateparser`), it is timed on the same lines, and both readers are scored on the
table's cases: how often the first date found equals the expected start (or end, for
deadlines). Then the real expressions of tests/data/timeexpr_real_cases.toml and the held-out
timeexpr_heldout_cases.toml are scored field by field. Run: `python bench/timeexpr.py`.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
import tomllib
import warnings
from datetime import date
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from reminders.timeexpr import parse  # noqa: E402

N = 10_000
TODAY = date(2026, 11, 24)


def cases() -> list[dict[str, Any]]:
    table = ROOT / "tests" / "data" / "timeexpr_cases.toml"
    return list(tomllib.loads(table.read_text(encoding="utf-8"))["case"])


def requests(table: list[dict[str, Any]]) -> list[dict[str, Any]]:
    base = [{k: c[k] for k in ("text", "year", "ref_date") if k in c} for c in table]
    return [base[i % len(base)] for i in range(N)]


def expected_day(case: dict[str, Any]) -> str | None:
    value = case.get("start")
    if value in (None, "null"):
        value = case.get("end")
    return None if value in (None, "null") else str(value)


def main() -> None:
    table = cases()
    lines = requests(table)

    started = time.perf_counter()
    for request in lines:
        ref = request.get("ref_date")
        parse(request["text"], year=request.get("year"),
              ref_date=date.fromisoformat(ref) if ref else None, today=TODAY)
    in_process = time.perf_counter() - started

    payload = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in lines)
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "reminders", "time", "--batch"],
                          input=payload, capture_output=True, text=True, check=True, cwd=ROOT)
    batch = time.perf_counter() - started
    assert len(done.stdout.splitlines()) == len(lines)

    scored = [c for c in table if expected_day(c)]
    ours = sum(1 for c in scored if expected_day(c) in (
        (a := _ours(c))["start"], a["end"]))
    print(f"{len(lines)} lines ({len(table)} distinct cases)")
    print(f"reminders, in process, no cache: {len(lines) / in_process:9.0f} lines/s")
    print(f"reminders --batch, process start: {len(lines) / batch:9.0f} lines/s "
          f"({batch:.2f} s for {len(lines)})")
    print(f"reminders: first day right on {ours}/{len(scored)} dated cases "
          f"({100 * ours / len(scored):.0f}%)")
    for name in REAL_TABLES:
        path = ROOT / "tests" / "data" / name
        if path.exists():
            real = list(tomllib.loads(path.read_text(encoding="utf-8"))["case"])
            exact = sum(_exact(c) for c in real)
            print(f"{name}: {exact}/{len(real)} read exactly ({100 * exact / len(real):.1f}%)")
    try:
        import dateparser  # type: ignore[import-not-found]
    except ImportError:
        print("dateparser: not installed (pip install dateparser) — skipped")
        return
    settings = {"PREFER_DATES_FROM": "current_period", "DATE_ORDER": "DMY"}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        started = time.perf_counter()
        for request in lines[:2000]:
            dateparser.parse(request["text"], languages=["vi"], settings=settings)
        theirs_speed = 2000 / (time.perf_counter() - started)
        right = 0
        for case in scored:
            found = dateparser.parse(case["text"], languages=["vi"], settings=settings)
            right += bool(found and found.date().isoformat() == expected_day(case))
    print(f"dateparser.parse (vi):            {theirs_speed:9.0f} lines/s (first 2,000 lines)")
    print(f"dateparser: first day right on {right}/{len(scored)} dated cases "
          f"({100 * right / len(scored):.0f}%)")


# Real expressions with independent answer keys: every field the key states must agree.
REAL_TABLES = ("timeexpr_real_cases.toml", "timeexpr_heldout_cases.toml")
_KEY_FIELDS = ("start", "end", "time", "deadline", "undetermined", "rrule", "tentative")


def _exact(case: dict[str, Any]) -> bool:
    answer = _ours(case)
    return all(answer[f] == (None if case[f] == "null" else case[f])
               for f in _KEY_FIELDS if f in case)


def _ours(case: dict[str, Any]) -> dict[str, Any]:
    ref = case.get("ref_date")
    return parse(case["text"], year=case.get("year"),
                 ref_date=date.fromisoformat(ref) if ref else None, today=TODAY).as_json()


if __name__ == "__main__":
    main()
