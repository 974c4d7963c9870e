"""Real documents as offices find them on the web, against keys written apart from the code.

tests/data/real_docs/ holds web copies saved from public repositories: a district's weekly
work schedule (an HTML table inside Markdown), a provincial decision issuing an action
programme (a crawl: breadcrumbs, one paragraph a line), a city decision issuing a plan with
its annex table written one cell per line, a plan of Cần Thơ and two công văn. The keys
(expected_*.toml) were written from the contracts and the documents alone; bench/generalise.py
prints the full figures. These tests hold the line: nothing rejected, nothing lost.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
_spec = importlib.util.spec_from_file_location("generalise", ROOT / "bench" / "generalise.py")
assert _spec and _spec.loader
generalise = importlib.util.module_from_spec(_spec)
sys.modules["generalise"] = generalise
_spec.loader.exec_module(generalise)

SCORES = {s.name: s for s in generalise.score_real_docs()}
# (activities right, deadlines right, imported items the key does not hold) when measured;
# the key leaves out items it found ambiguous, so some "invented" ones are such items.
FLOOR = {
    "daknong_daksong_lich_cong_tac_2019-11-11.md": (23, 0, 1),
    "kontum_qd_435_2020_chuong_trinh_hanh_dong_ct37.txt": (8, 2, 4),
    "vpcp_cv_2739_2019_quan_tri_doanh_nghiep.txt": (0, 0, 0),
    "bhxh_cv_296_2021_dieu_22_luat_bhyt.txt": (0, 0, 0),
    "plan_cantho_165-KH-UBND_2025_dan_so.md": (0, 0, 0),
    "plan_hcm_2820-QD-UBND_2025.md": (29, 2, 1),
}


def test_every_keyed_document_is_scored() -> None:
    assert set(SCORES) == set(FLOOR)


@pytest.mark.parametrize("name", sorted(FLOOR))
def test_no_real_document_is_rejected_and_none_reads_worse(name: str) -> None:
    score = SCORES[name]
    assert score.rejected == ""
    right, deadlines, invented = FLOOR[name]
    assert (score.right, score.deadlines_right) >= (right, deadlines), score.misses
    assert score.invented <= invented


def test_the_weekly_schedule_gives_each_meeting_its_day_and_hour() -> None:
    score = SCORES["daknong_daksong_lich_cong_tac_2019-11-11.md"]
    assert score.right == score.activities == 23


def test_a_letter_that_sets_nothing_is_kept_with_a_warning() -> None:
    from tests.ingest_support import import_files

    plan = import_files(ROOT / "tests" / "data" / "real_docs"
                        / "vpcp_cv_2739_2019_quan_tri_doanh_nghiep.txt").as_json()
    assert plan["plan"]["number"] == "2739/VPCP-ĐMDN"
    assert plan["plan"]["issued"] == "2019-04-05"
    assert plan["activities"] == [] and plan["deadlines"] == []
    assert "no_items" in {w["code"] for w in plan["warnings"]}
