"""Reading Vietnamese time expressions (contracts/time-expressions.md).

The table tests/data/timeexpr_cases.toml was written from the contract alone, apart from
the reader; each case checks the fields it states. Property tests cover rule 10 and the
invariants every answer keeps.
"""

from __future__ import annotations

import tomllib
import unicodedata
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reminders.timeexpr import parse

DATA = Path(__file__).parent / "data"
TODAY = date(2026, 11, 24)  # the "current year" for texts with no year and no --year
CASES: list[dict[str, Any]] = tomllib.loads(
    (DATA / "timeexpr_cases.toml").read_text(encoding="utf-8"))["case"]
FIELDS = ("start", "end", "time", "end_time", "part_of_day", "deadline", "tentative",
          "undetermined", "rrule", "lunar")


def _read(case: dict[str, Any]) -> dict[str, Any]:
    ref = case.get("ref_date")
    return parse(case["text"], year=case.get("year"),
                 ref_date=date.fromisoformat(ref) if ref else None, today=TODAY).as_json()


def _case_id(case: dict[str, Any]) -> str:
    extra = "".join(f" [{k}={case[k]}]" for k in ("year", "ref_date") if k in case)
    return case["text"] + extra


@pytest.mark.parametrize("case", CASES, ids=[_case_id(c) for c in CASES])
def test_case(case: dict[str, Any]) -> None:
    answer = _read(case)
    expected = {f: (None if case[f] == "null" else case[f]) for f in FIELDS if f in case}
    assert {f: answer[f] for f in expected} == expected
    if "spans" in case:
        assert len(answer["spans"]) == case["spans"]
    if "warnings" in case:
        assert bool(answer["warnings"]) is case["warnings"], answer["warnings"]
    assert answer["text"] == case["text"]


def test_table_is_large_and_covers_the_seeds() -> None:
    assert len(CASES) >= 300
    assert {c["source"].split(":")[0] for c in CASES if c["source"][:1].isdigit()} == {
        "000", "001", "002", "003", "004"}


# --- rule 10: writing variants read alike --------------------------------------------------

_OLD = {"óa": "oá", "òa": "oà", "ỏa": "oả", "õa": "oã", "ọa": "oạ", "úy": "uý", "ủy": "uỷ"}


def _old_tones(text: str) -> str:
    for new, old in _OLD.items():
        text = text.replace(new, old)
    return text


VARIANTS: list[Callable[[str], str]] = [
    lambda s: unicodedata.normalize("NFD", s),
    str.upper,
    str.lower,
    _old_tones,
    lambda s: f"<i>{s}</i>",
    lambda s: f"<b>{s}</b>&nbsp;",
    lambda s: "  " + s.replace(" ", "  ") + "  ",
]
DATED = [c for c in CASES if c.get("start", "null") != "null" or c.get("end", "null") != "null"]


@settings(max_examples=400, deadline=None)
@given(case=st.sampled_from(DATED), change=st.sampled_from(VARIANTS))
def test_writing_variants_read_alike(case: dict[str, Any],
                                     change: Callable[[str], str]) -> None:
    plain = _read(case)
    varied = _read({**case, "text": change(case["text"])})
    for field in ("start", "end", "time", "deadline", "tentative", "rrule", "lunar"):
        assert varied[field] == plain[field], field


@settings(max_examples=500, deadline=None)
@given(text=st.text(max_size=120), year=st.none() | st.integers(1990, 2100))
def test_any_text_answers(text: str, year: int | None) -> None:
    answer = parse(text, year=year, today=TODAY).as_json()
    assert answer["text"] == text
    if answer["start"] and answer["end"]:
        assert answer["start"] <= answer["end"]
    for span in answer["spans"]:
        if span["start"] and span["end"]:
            assert span["start"] <= span["end"]


_PIECES = st.sampled_from([
    "ngày", "tháng", "năm", "quý", "tuần", "từ", "đến", "trước", "-", "/", ",", ";", "và",
    "đầu", "cuối", "giữa", "hàng", "âm lịch", "rằm", "giêng", "chạp", "thứ", "h", "(", ")",
    "dự kiến", "hoàn thành", "iii", "iv", "2024", "12", "31", "0", "29", "30", "7", "99",
])


@settings(max_examples=500, deadline=None)
@given(words=st.lists(_PIECES, max_size=12))
def test_date_like_noise_keeps_start_before_end(words: list[str]) -> None:
    answer = parse(" ".join(words), year=2024, today=TODAY).as_json()
    if answer["start"] and answer["end"]:
        assert answer["start"] <= answer["end"]
    assert answer["undetermined"] == (not answer["spans"])
