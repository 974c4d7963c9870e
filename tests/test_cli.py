"""The command line: contracts of `units resolve`, config and db commands, exit codes."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

from reminders import __version__
from reminders.cli import main

DATA = Path(__file__).parent / "data"
REGISTRY = DATA / "registry_quang_ninh.toml"


@pytest.fixture
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Run commands from an empty folder with a throwaway database and the test registry."""
    monkeypatch.chdir(tmp_path)
    for name in [n for n in __import__("os").environ if n.startswith("REMINDERS_")]:
        monkeypatch.delenv(name)
    monkeypatch.setenv("REMINDERS_DATABASE_URL", f"sqlite:///{tmp_path / 'db.sqlite3'}")
    monkeypatch.setenv("REMINDERS_SERVICE_REGISTRY", str(REGISTRY))
    return tmp_path


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "--version")
    assert code == 0
    assert out.strip() == f"reminders {__version__}"


def test_resolve_json_follows_the_contract(workdir: Path,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "units", "resolve", "Phòng TN&MT", "--context",
                       "UBND huyện Hải Hà", "--registry", str(REGISTRY), "--json")
    assert code == 0
    assert json.loads(out) == {"text": "Phòng TN&MT", "unit_id": "tnmt-hai-ha",
                               "group_id": None, "score": 0.85, "suggestions": []}


def test_resolve_uses_the_configured_registry(workdir: Path,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "units", "resolve", "Hội CCB phường", "--json")
    data = json.loads(out)
    assert code == 0
    assert data["unit_id"] is None and data["group_id"] is None
    assert {s["unit_id"] for s in data["suggestions"]} == {
        "hoi-ccb-phuong-hong-gai", "hoi-ccb-phuong-bach-dang"}


def test_resolve_batch_answers_every_line_in_order(workdir: Path,
                                                   monkeypatch: pytest.MonkeyPatch,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    lines = [
        {"text": "UBND xã", "context": ["Xã Quảng Long"]},
        {"text": "Sở Công Thương"},
        "not json",
        {"text": "UBND các xã, thị trấn", "context": ["UBND huyện Hải Hà"]},
        {"context": ["x"]},
    ]
    stdin = "\n".join(x if isinstance(x, str) else json.dumps(x, ensure_ascii=False)
                      for x in lines) + "\n"
    monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
    code, out, _ = run(capsys, "units", "resolve", "--batch")
    answers = [json.loads(line) for line in out.splitlines()]
    assert code == 0
    assert len(answers) == 5
    assert answers[0]["unit_id"] == "ubnd-xa-quang-long"
    assert answers[1]["unit_id"] is None
    assert "error" in answers[2] and answers[2]["text"] == "not json"
    assert answers[3]["group_id"] == "ubnd-xa-hai-ha"
    assert "error" in answers[4]


def test_units_show_and_list(workdir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "units", "show", "vhtt-hai-ha", "--json")
    assert code == 0
    assert json.loads(out)["parent"] == "ubnd-hai-ha"
    code, out, _ = run(capsys, "units", "show", "ubnd-xa-hai-ha")
    assert code == 0 and "Ủy ban nhân dân xã Quảng Long" in out
    code, out, _ = run(capsys, "units", "list", "--json")
    assert code == 0
    assert len(json.loads(out)["units"]) == 34
    code, _, err = run(capsys, "units", "show", "khong-co")
    assert code == 2 and "khong-co" in err


def test_bad_registry_exits_1_naming_file_and_line(workdir: Path,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    bad = workdir / "units.toml"
    bad.write_text('[[unit]]\nid = "a"\nname = "A"\nmau = "do"\n', encoding="utf-8")
    code, out, err = run(capsys, "units", "list", "--registry", str(bad))
    assert code == 1
    assert out == ""
    assert f"{bad}, dòng 4: trường 'mau' không được hỗ trợ" in err


def test_config_check(workdir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "config", "check")
    assert code == 0, out
    assert "Cấu hình hợp lệ" in out
    assert "SMTP" in out  # no SMTP: says mail goes to .eml files
    broken = workdir / "reminders.toml"
    broken.write_text("[smtp]\nprot = 25\n", encoding="utf-8")
    code, _, err = run(capsys, "--config", str(broken), "config", "check")
    assert code == 3
    assert f"{broken}, dòng 2" in err and "prot" in err


def test_db_upgrade_sync_and_empty_lists(workdir: Path,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "db", "upgrade")
    assert code == 0 and "Đã nâng cấp" in out
    code, out, _ = run(capsys, "db", "upgrade")
    assert code == 0 and "mới nhất" in out
    code, out, _ = run(capsys, "units", "sync")
    assert code == 0 and "thêm 34" in out
    code, out, _ = run(capsys, "units", "sync")
    assert code == 0 and "thêm 0, cập nhật 0" in out
    assert run(capsys, "plans", "list")[1].strip() == "Chưa có kế hoạch nào."
    assert run(capsys, "outbox", "list")[1].strip() == "Hộp thư đi trống."
    assert json.loads(run(capsys, "outbox", "list", "--json")[1]) == []


def test_unusable_arguments_exit_2(workdir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, _ = run(capsys, "units", "resolve")
    assert code == 2
    code, _, _ = run(capsys, "no-such-command")
    assert code == 2


def test_console_script_runs(workdir: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-c", "from reminders.cli import run; run()", "units", "resolve",
         "Huyện đoàn Hải Hà", "--json"],
        capture_output=True, text=True, check=False, timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["unit_id"] == "huyen-doan-hai-ha"
