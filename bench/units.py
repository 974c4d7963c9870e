"""Benchmark: unit-name resolution, in process and through `reminders units resolve --batch`.

Prints names per second for a mixed list of real plan spellings (the seed table when present,
else every official name and its abbreviations) repeated to N lines, then how many of the
real spellings in tests/data/unit_spellings/ resolve right and how many wrong. Run: `make bench`.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from reminders.units import Resolver, load_registry  # noqa: E402

REGISTRY = ROOT / "config" / "units.toml"
SEED_NAMES = ROOT / "tests" / "data" / "seed_unit_names.toml"
SPELLINGS = ROOT / "tests" / "data" / "unit_spellings"
N = 10_000


def requests() -> list[dict[str, object]]:
    if SEED_NAMES.exists():
        names = tomllib.loads(SEED_NAMES.read_text(encoding="utf-8"))["name"]
        base = [{"text": n["text"], "context": n.get("context", [])} for n in names]
    else:
        base = [{"text": u.name, "context": []} for u in load_registry(REGISTRY).units]
    return [base[i % len(base)] for i in range(N)]


def main() -> None:
    lines = requests()
    distinct = len({(str(r["text"]), tuple(r["context"])) for r in lines})  # type: ignore[arg-type]

    started = time.perf_counter()
    resolver = Resolver(load_registry(REGISTRY))
    build = time.perf_counter() - started

    started = time.perf_counter()
    for request in lines:
        resolver._resolve(str(request["text"]), tuple(request["context"]))  # type: ignore[arg-type]
    cold = time.perf_counter() - started

    payload = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in lines)
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "reminders", "units", "resolve", "--batch", "--registry",
         str(REGISTRY)],
        input=payload, capture_output=True, text=True, check=True, cwd=ROOT,
    )
    batch = time.perf_counter() - started
    assert len(done.stdout.splitlines()) == len(lines)

    print(f"registry: {REGISTRY.relative_to(ROOT)}; {len(lines)} lines, {distinct} distinct")
    print(f"build resolver:            {build * 1000:8.1f} ms")
    print(f"in process, no result cache: {len(lines) / cold:6.0f} names/s")
    print(f"--batch (process start):   {len(lines) / batch:8.0f} names/s ({batch:.2f} s)")
    score_real_spellings()


def score_real_spellings() -> None:
    """Right, wrong and unresolved over the real spellings (tests/data/unit_spellings/)."""
    table = SPELLINGS / "spellings.toml"
    if not table.exists():
        return
    names = tomllib.loads(table.read_text(encoding="utf-8"))["name"]
    resolvers: dict[str, Resolver] = {}
    right = wrong = 0
    for name in names:
        registry = name["registry"]
        if registry not in resolvers:
            resolvers[registry] = Resolver(load_registry(SPELLINGS / registry))
        answer = resolvers[registry].resolve(name["text"], tuple(name["context"]))
        got = answer.unit_id or answer.group_id or "none"
        right += got == name["expect"]
        wrong += got not in ("none", name["expect"])
    total = len(names)
    print(f"real spellings: {right}/{total} right ({100 * right / total:.1f}%), "
          f"{wrong} wrong ({100 * wrong / total:.1f}%), {total - right - wrong} unresolved")


if __name__ == "__main__":
    main()
