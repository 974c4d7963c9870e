"""The registry file: what loads, and how a bad file is reported (file, line, Vietnamese)."""

from __future__ import annotations

from pathlib import Path

import pytest

from reminders.domain import UnitKind
from reminders.errors import RegistryError
from reminders.units import load_registry, parse_registry

GOOD = """\
[[unit]]
id = "ubnd-hai-ha"
name = "Ủy ban nhân dân huyện Hải Hà"
kind = "authority"

[[unit]]
id = "vhtt-hai-ha"
name = "Phòng Văn hóa và Thông tin huyện Hải Hà"
kind = "department"
parent = "ubnd-hai-ha"
groups = ["phong-ban-hai-ha"]
emails = ["vhtt.haiha@example.invalid"]
webhook_url = "https://hooks.example.invalid/vhtt"

[[group]]
id = "phong-ban-hai-ha"
name = "Các phòng, ban, đơn vị thuộc huyện"
parent = "ubnd-hai-ha"
"""


def test_good_registry_loads() -> None:
    registry = parse_registry(GOOD, name="units.toml")
    unit = registry.unit("vhtt-hai-ha")
    assert unit is not None
    assert unit.kind is UnitKind.DEPARTMENT
    assert unit.contacts.emails == ("vhtt.haiha@example.invalid",)
    assert [u.id for u in registry.members("phong-ban-hai-ha")] == ["vhtt-hai-ha"]
    assert [u.id for u in registry.ancestors("vhtt-hai-ha")] == ["ubnd-hai-ha"]


def _error(text: str) -> RegistryError:
    with pytest.raises(RegistryError) as caught:
        parse_registry(text, name="units.toml")
    return caught.value


@pytest.mark.parametrize(
    ("broken", "line", "words"),
    [
        pytest.param(GOOD.replace('kind = "department"', 'kind = "department"\ncolour = "x"'),
                     10, "trường 'colour' không được hỗ trợ", id="unknown field"),
        pytest.param(GOOD.replace('id = "vhtt-hai-ha"', 'id = "ubnd-hai-ha"'),
                     7, "mã 'ubnd-hai-ha' bị trùng", id="duplicate id"),
        pytest.param(GOOD.replace('parent = "ubnd-hai-ha"\ngroups', 'parent = "ubnd-x"\ngroups'),
                     10, "đơn vị cấp trên 'ubnd-x' không có", id="unknown parent"),
        pytest.param(GOOD.replace('groups = ["phong-ban-hai-ha"]', 'groups = ["nhom-x"]'),
                     11, "nhóm 'nhom-x' không có", id="unknown group"),
        pytest.param(GOOD.replace('name = "Phòng Văn', 'name = "Phòng Văn\n'),
                     8, "cú pháp TOML không hợp lệ", id="malformed toml"),
        pytest.param(GOOD.replace('id = "vhtt-hai-ha"', 'id = "VHTT Hải Hà"'),
                     7, "mã (id) phải viết thường", id="id not a slug"),
        pytest.param(GOOD.replace('kind = "department"', 'kind = "phong"'),
                     9, "loại đơn vị 'phong' không hợp lệ", id="bad kind"),
        pytest.param(GOOD.replace('name = "Phòng Văn hóa và Thông tin huyện Hải Hà"\n', ""),
                     6, "thiếu trường bắt buộc 'name'", id="missing name"),
        pytest.param(GOOD.replace('"vhtt.haiha@example.invalid"', '"vhtt haiha"'),
                     12, "địa chỉ email không hợp lệ", id="bad email"),
        pytest.param(GOOD + "\n[settings]\nx = 1\n", 20, "mục 'settings' không được hỗ trợ",
                     id="unknown table"),
        pytest.param(
            GOOD.replace('kind = "authority"', 'kind = "authority"\nparent = "vhtt-hai-ha"'),
            5, "vòng lặp", id="parent cycle",
        ),
    ],
)
def test_bad_registry_names_file_and_line(broken: str, line: int, words: str) -> None:
    error = _error(broken)
    assert error.file == "units.toml"
    assert error.line == line
    assert words in str(error)
    assert str(error).startswith(f"units.toml, dòng {line}: ")


def test_missing_file_is_named(tmp_path: Path) -> None:
    with pytest.raises(RegistryError, match="không tìm thấy tệp"):
        load_registry(tmp_path / "khong-co.toml")


def test_shipped_example_registry_loads(repo_root: Path) -> None:
    registry = load_registry(repo_root / "config" / "units.toml")
    assert len(registry.units) > 100
    for unit in registry.units:
        for email in unit.contacts.emails:
            assert email.endswith("@example.invalid"), unit.id
