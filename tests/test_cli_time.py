"""`reminders time` and `--batch`: the contract's command line."""

from __future__ import annotations

import io
import json
import sys

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reminders.cli import main


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_one_text_as_json(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "time", "trước ngày 27/12/2022", "--json")
    answer = json.loads(out)
    assert code == 0
    assert (answer["start"], answer["end"], answer["deadline"]) == (None, "2022-12-26", True)
    assert set(answer) == {"text", "start", "end", "time", "end_time", "part_of_day",
                           "deadline", "tentative", "undetermined", "rrule", "lunar",
                           "warnings", "spans"}


def test_year_and_ref_date(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "time", "tháng 12", "--year", "2022", "--json")
    assert code == 0 and json.loads(out)["end"] == "2022-12-31"
    code, out, _ = run(capsys, "time", "08h30", "--ref-date", "2024-11-20", "--json")
    assert json.loads(out)["start"] == "2024-11-20" and json.loads(out)["time"] == "08:30"


def test_no_date_still_exits_0(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "time", "Theo tiến độ của dự án", "--json")
    assert code == 0 and json.loads(out)["undetermined"] is True


@pytest.mark.parametrize("args", [
    ("time", "x", "--ref-date", "2024-13-01"),
    ("time", "x", "--year", "abc"),
    ("time",),
], ids=["bad ref date", "bad year", "no text"])
def test_unusable_arguments_exit_2(capsys: pytest.CaptureFixture[str],
                                   args: tuple[str, ...]) -> None:
    assert run(capsys, *args)[0] == 2


def test_batch_answers_in_order_and_goes_on_after_a_bad_line(
        capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    lines = ['{"text": "Quý III-IV/2024"}', "not json", '{"text": 5}',
             '{"text": "08h30", "ref_date": "2024-11-20"}',
             '{"text": "tháng 12", "year": 2022}', '{"text": "x", "ref_date": "hôm qua"}']
    monkeypatch.setattr(sys, "stdin", io.StringIO("\n".join(lines) + "\n"))
    code, out, _ = run(capsys, "time", "--batch")
    answers = [json.loads(line) for line in out.splitlines()]
    assert code == 0
    assert len(answers) == 6
    assert answers[0]["end"] == "2024-12-31"
    assert "error" in answers[1] and answers[1]["text"] == "not json"
    assert "error" in answers[2]
    assert answers[3]["time"] == "08:30"
    assert answers[4]["start"] == "2022-12-01"
    assert "error" in answers[5] and answers[5]["text"] == "x"


@settings(max_examples=30, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(texts=st.lists(st.text(max_size=40), max_size=25))
def test_batch_of_n_lines_gives_n_answers(texts: list[str],
                                          capsys: pytest.CaptureFixture[str],
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    payload = "".join(json.dumps({"text": t}, ensure_ascii=False) + "\n" for t in texts)
    monkeypatch.setattr(sys, "stdin", io.StringIO(payload))
    code, out, _ = run(capsys, "time", "--batch")
    assert code == 0
    assert [json.loads(line)["text"] for line in out.splitlines()] == texts
