"""Invariants of the importer: spacing, Unicode form and tone placement change nothing;
no bytes crash it; bad input is a clear error with nothing stored."""

from __future__ import annotations

import json
import random
import unicodedata
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reminders.cli.app import main
from reminders.errors import InputError
from tests.ingest_support import REAL_PLANS, import_bytes, seed

SEED_TEXT = seed("000").read_text(encoding="utf-8")
SEED_002 = seed("002").read_text(encoding="utf-8")
# Old-style tone placement ("hoá", "thuỷ") as many Word files still have it.
OLD_TONES = {"hóa": "hoá", "Hóa": "Hoá", "thủy": "thuỷ", "Thủy": "Thuỷ", "khỏe": "khoẻ",
             "Ủy": "Uỷ", "ủy": "uỷ"}


def _as_written(text: str | None) -> str | None:
    """Titles stay as written; compare them with tone placement and form undone."""
    if text is None:
        return None
    text = unicodedata.normalize("NFC", text)
    for new, old in OLD_TONES.items():
        text = text.replace(old, new)
    return text


def _essence(plan: dict[str, Any]) -> Any:
    activities = [(a["code"], _as_written(a["section"]), _as_written(a["title"]),
                   [u["unit_id"] for u in a["lead"]], [u["unit_id"] for u in a["partners"]],
                   a["time"]["start"], a["time"]["end"], a["time"]["time"])
                  for a in plan["activities"]]
    deadlines = [(d["time"]["end"], d["time"]["rrule"], [u["unit_id"] for u in d["from_units"]])
                 for d in plan["deadlines"]]
    return activities, deadlines, [a["unit"]["unit_id"] for a in plan["assignments"]]


BASELINE = {name: _essence(import_bytes((name, text.encode())).as_json())
            for name, text in (("000.txt", SEED_TEXT), ("002.txt", SEED_002))}


def _respace(text: str, rnd: random.Random) -> str:
    lines = []
    for line in text.split("\n"):
        cells = line.split("\t")
        cells = [" " * rnd.randint(0, 2) + c.replace(" ", " " * rnd.randint(1, 3))
                 + " " * rnd.randint(0, 2) for c in cells]
        lines.append("\t".join(cells))
    return ("\r\n" if rnd.random() < 0.5 else "\n").join(lines)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed_value=st.integers(0, 10_000), form=st.sampled_from(["NFC", "NFD"]),
       old_tones=st.booleans(), name=st.sampled_from(["000.txt", "002.txt"]))
def test_spacing_unicode_form_and_tone_placement_change_nothing(
        seed_value: int, form: str, old_tones: bool, name: str) -> None:
    text = SEED_TEXT if name == "000.txt" else SEED_002
    rnd = random.Random(seed_value)
    changed = _respace(text, rnd)
    if old_tones:
        for new, old in OLD_TONES.items():
            changed = changed.replace(new, old)
    changed = unicodedata.normalize(form, changed)
    assert _essence(import_bytes((name, changed.encode())).as_json()) == BASELINE[name]


@settings(max_examples=60, deadline=None)
@given(data=st.binary(max_size=3000), suffix=st.sampled_from([".txt", ".docx", ".xlsx", ".csv"]))
def test_random_bytes_never_crash(data: bytes, suffix: str) -> None:
    try:
        import_bytes((f"rac{suffix}", data))
    except InputError as exc:
        assert f"rac{suffix}" in str(exc)


DOCX = next(REAL_PLANS.glob("KH-3024*.docx")).read_bytes()


@settings(max_examples=25, deadline=None)
@given(cut=st.integers(1, len(DOCX) - 1), text_cut=st.integers(1, len(SEED_TEXT.encode()) - 1))
def test_truncated_files_never_crash(cut: int, text_cut: int) -> None:
    for name, data in (("kh.docx", DOCX[:cut]), ("kh.txt", SEED_TEXT.encode()[:text_cut])):
        try:
            import_bytes((name, data))
        except InputError as exc:
            assert name in str(exc)


@pytest.fixture()
def config(tmp_path: Path) -> Path:
    path = tmp_path / "reminders.toml"
    root = Path(__file__).resolve().parent.parent
    path.write_text(f'[service]\nregistry = "{root / "config/units.toml"}"\n'
                    f'[database]\nurl = "sqlite:///{tmp_path / "db.sqlite"}"\n', encoding="utf-8")
    return path


def _plans(config: Path, capsys: pytest.CaptureFixture[str]) -> str:
    assert main(["-c", str(config), "plans", "list"]) == 0
    return capsys.readouterr().out


@pytest.mark.parametrize(("name", "content", "message"), [
    ("thieu.docx", None, "không tìm thấy tệp"),
    ("kehoach.pdf", b"%PDF-1.4", "không đọc được tệp PDF"),
    ("kehoach.doc", b"\xd0\xcf\x11\xe0", "tệp .doc hỏng"),
    ("kehoach.rtf", "Kế hoạch".encode(), "tệp .rtf hỏng"),
    ("kehoach.pages", b"PK\x03\x04", "định dạng tệp không được hỗ trợ"),
    ("anh.png", b"\x89PNG\r\n", "không đọc được ảnh"),
    ("trang.html", "<html><body><div class='menu'>Trang chủ</div></body></html>".encode(),
     "không có nội dung"),
    ("hong.docx", b"PK\x03\x04 not really a zip", "không đọc được tệp Word"),
    ("trong.txt", "Kính gửi các đồng chí.\nXin cảm ơn.".encode(), "không tìm thấy kế hoạch"),
    ("latin1.txt", "Kế hoạch".encode("utf-16-le"), "không đọc được tệp văn bản"),
])
def test_bad_input_is_a_clear_error_and_stores_nothing(
        tmp_path: Path, config: Path, capsys: pytest.CaptureFixture[str], name: str,
        content: bytes | None, message: str) -> None:
    path = tmp_path / name
    if content is not None:
        path.write_bytes(content)
    good = seed("000")
    assert main(["-c", str(config), "import", str(good), str(path)]) == 1
    err = capsys.readouterr().err
    assert message in err and name in err
    assert "#" not in _plans(config, capsys)  # the good file of the same import was not stored


def test_dry_run_json_stores_nothing(config: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["-c", str(config), "import", str(seed("001")), str(seed("002")),
                 "--dry-run", "--json"]) == 0
    plan = json.loads(capsys.readouterr().out)
    assert plan["plan"]["standing_unit"]["unit_id"] == "vhtt-thanh-xuan"
    assert set(plan) == {"plan", "activities", "assignments", "deadlines", "warnings"}
    assert "#" not in _plans(config, capsys)


def test_reimport_changes_nothing_then_an_edit_keeps_identity(
        tmp_path: Path, config: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["-c", str(config), "import", str(seed("000"))]) == 0
    out = capsys.readouterr().out
    assert "Đã lưu thành kế hoạch mới #1" in out and "16 hoạt động" in out
    assert main(["-c", str(config), "import", str(seed("000"))]) == 0
    assert "không có gì thay đổi" in capsys.readouterr().out
    edited = tmp_path / "249.txt"
    edited.write_text(SEED_TEXT.replace("01 buổi, tuần 2 tháng 12/2022", "01 buổi, tuần 3 tháng "
                                        "12/2022"), encoding="utf-8")
    assert main(["-c", str(config), "import", str(edited)]) == 0
    out = capsys.readouterr().out
    assert "Đã cập nhật kế hoạch #1" in out and "sửa hoạt động A.1 (thời gian)" in out
    assert main(["-c", str(config), "plans", "show", "1", "--json"]) == 0
    shown = json.loads(capsys.readouterr().out)
    assert shown["activities"][0]["time"]["start"] == "2022-12-12"
