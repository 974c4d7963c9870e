"""Unit names as real documents write them, against registries of official names only.

tests/data/unit_spellings/ holds five registries (Lào Cai, Đắk Song, Bắc Sơn, Quảng Ninh
after 2025, Nghệ An) and 287 spellings taken from real plans, calendars, "Nơi nhận" lists
and portals, labelled by someone who had not read the resolver; 93 of them are near misses
whose right answer is no unit. A wrong unit is worse than none: no case may resolve wrong.
The rest test each rule on a registry of our own.
"""

from __future__ import annotations

import tomllib
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reminders.units import Resolver, load_registry
from reminders.units.registry import parse_registry

SPELLINGS = Path(__file__).parent / "data" / "unit_spellings"
NAMES: list[dict[str, Any]] = tomllib.loads(
    (SPELLINGS / "spellings.toml").read_text(encoding="utf-8"))["name"]

# Not read yet (each gives no unit, never a wrong one): unit lists without their "trực
# thuộc Sở", a truncated abbreviation ("Phòng LĐ"), a typo three letters off ("UBND hỏi"),
# a level with no place in a registry without parent links, villages as a level, and
# "thn" for "thôn" where the registry says "các thôn".
NOT_YET = {
    ("Các phòng, đơn vị", "registry_lao_cai_sct.toml"),
    ("các phòng chuyên môn thuộc Sở", "registry_lao_cai_sct.toml"),
    ("Phòng LĐ", "registry_dak_song.toml"),
    ("UBND hỏi", "registry_bac_son.toml"),
    ("BTT Ủy ban MTTQ Việt Nam tỉnh", "registry_quang_ninh_2025.toml"),
    ("- BTT Ủy ban MTTQ tỉnh", "registry_quang_ninh_2025.toml"),
    ("Ban công tác Mặt trận thôn", "registry_quang_ninh_2025.toml"),
    ("- Ban CTMT thn", "registry_quang_ninh_2025.toml"),
    ("Ban Cng tc Mặt trận thn", "registry_quang_ninh_2025.toml"),
    ("- Cc tổ chức thnh vin Ủy MTTQVN x", "registry_quang_ninh_2025.toml"),
}


@cache
def _resolver(registry: str) -> Resolver:
    return Resolver(load_registry(SPELLINGS / registry))


def _not_yet(name: dict[str, Any]) -> bool:
    return (name["text"], name["registry"]) in NOT_YET


@pytest.mark.parametrize(
    "name",
    [pytest.param(n, marks=pytest.mark.xfail(strict=True, reason="chưa đọc được"))
     if _not_yet(n) else n for n in NAMES],
    ids=[f"{n['text']} @ {n['registry']} {n['context']}" for n in NAMES],
)
def test_real_spelling(name: dict[str, Any]) -> None:
    answer = _resolver(name["registry"]).resolve(name["text"], tuple(name["context"]))
    assert (answer.unit_id or answer.group_id or "none") == name["expect"]


def test_no_real_spelling_resolves_to_a_wrong_unit() -> None:
    wrong = []
    for name in NAMES:
        answer = _resolver(name["registry"]).resolve(name["text"], tuple(name["context"]))
        got = answer.unit_id or answer.group_id
        if got is not None and got != name["expect"]:
            wrong.append((name["text"], got, name["expect"]))
    assert wrong == []
    assert sum(n["expect"] == "none" for n in NAMES) >= 90


# --- each rule on a registry of our own ------------------------------------------------------

REGISTRY = parse_registry("""
[[unit]]
id = "ubnd-tinh"
name = "Ủy ban nhân dân tỉnh Bắc Giang"
[[unit]]
id = "so-tc"
name = "Sở Tài chính tỉnh Bắc Giang"
parent = "ubnd-tinh"
[[unit]]
id = "so-ct"
name = "Sở Công Thương tỉnh Bắc Giang"
parent = "ubnd-tinh"
[[unit]]
id = "tt-so-ct"
name = "Thanh tra Sở Công Thương tỉnh Bắc Giang"
parent = "so-ct"
[[unit]]
id = "qltt"
name = "Chi cục Quản lý thị trường tỉnh Bắc Giang"
parent = "so-ct"
[[unit]]
id = "bcd-389"
name = "Ban Chỉ đạo 389 tỉnh Bắc Giang"
[[unit]]
id = "ubnd-tan-yen"
name = "Ủy ban nhân dân huyện Tân Yên"
parent = "ubnd-tinh"
[[unit]]
id = "vp-tan-yen"
name = "Văn phòng Hội đồng nhân dân và Ủy ban nhân dân huyện Tân Yên"
parent = "ubnd-tan-yen"
[[unit]]
id = "noivu-tan-yen"
name = "Phòng Nội vụ"
parent = "ubnd-tan-yen"
[[unit]]
id = "ubnd-tan-hung"
name = "Ủy ban nhân dân xã Tân Hưng"
parent = "ubnd-tan-yen"
groups = ["xa-tt-tan-yen"]
[[unit]]
id = "ubnd-cao-thuong"
name = "Ủy ban nhân dân thị trấn Cao Thượng"
parent = "ubnd-tan-yen"
groups = ["xa-tt-tan-yen"]
[[unit]]
id = "ubnd-ea-sup"
name = "Ủy ban nhân dân xã Ea Súp"
[[unit]]
id = "ubnd-dak-mil"
name = "Ủy ban nhân dân xã Đắk Mil"
[[group]]
id = "xa-tt-tan-yen"
name = "Ủy ban nhân dân các xã, thị trấn"
parent = "ubnd-tan-yen"
""")
SO_CT = ("Sở Công Thương tỉnh Bắc Giang",)
TAN_YEN = ("UBND huyện Tân Yên",)


@pytest.fixture(scope="module")
def resolver() -> Resolver:
    return Resolver(REGISTRY)


@pytest.mark.parametrize(("text", "context", "expected"), [
    # letters split apart by PDF extraction, rebuilt from the registry's own words
    ("S ở T à i c h í nh", (), "so-tc"),
    ("Ủ y b a n n h â n d â n huyện Tân Yên", (), "ubnd-tan-yen"),
    ("S ở C ô ng Th ư ơ ng", (), "so-ct"),
    # one letter off outside place names
    ("UBND huyệ Tân Yên", (), "ubnd-tan-yen"),
    ("Sở Tài chinh", (), "so-tc"),
    # words that lost their marked vowels in a bad conversion
    ("Văn phng HĐND&UBND huyện Tân Yên", (), "vp-tan-yen"),
    ("Phng Nội vụ", TAN_YEN, "noivu-tan-yen"),
    # names relative to the issuer, and the issuer's own short name
    ("Thanh tra Sở", SO_CT, "tt-so-ct"),
    ("VP UBND", TAN_YEN, "vp-tan-yen"),
    ("UBND", TAN_YEN, "ubnd-tan-yen"),
    # heads plans leave out, codes, bracketed names
    ("QLTT", SO_CT, "qltt"),
    ("Quản lý thị trường tỉnh", (), "qltt"),
    ("BCĐ 389", (), "bcd-389"),
    ("Ban Chỉ đạo 389 tỉnh Bắc Giang", (), "bcd-389"),
    ("Ban Chỉ đạo chống buôn lậu tỉnh (Ban Chỉ đạo 389)", (), "bcd-389"),
    # lists of levels name their group; a spelled level before a place
    ("UBND cấp xã, thị trấn", TAN_YEN, "xa-tt-tan-yen"),
    ("Ủy ban nhân dân thị trấn, xã", TAN_YEN, "xa-tt-tan-yen"),
    ("TT Cao Thượng", (), "ubnd-cao-thuong"),
    # a heading that is a place alone; Central Highlands place words
    ("UBND xã", (*TAN_YEN, "Tân Hưng"), "ubnd-tan-hung"),
    ("UBND xã Ea Súp", (), "ubnd-ea-sup"),
    ("UBND xã Đắk Mil", (), "ubnd-dak-mil"),
    # glued to the abbreviation after it
    ("phòngNV huyện Tân Yên", (), "noivu-tan-yen"),
])
def test_rule(resolver: Resolver, text: str, context: tuple[str, ...],
              expected: str | None) -> None:
    answer = resolver.resolve(text, context)
    assert (answer.unit_id or answer.group_id) == expected


@pytest.mark.parametrize(("text", "context"), [
    ("Sở Nội vụ", ()),                       # only a Phòng Nội vụ exists
    ("Phòng Tài chính", ()),                 # a Sở Tài chính is not a Phòng
    ("UBND phường Tân Hưng", ()),            # the xã, not a phường
    ("UBND xã Tân Hương", ()),               # one letter off, but in the place name
    ("Thanh tra Sở", TAN_YEN),               # the issuer is no Sở
    ("Thanh tra Sở Tài chính", ()),          # that Thanh tra is not in the registry
    ("Ban Chỉ đạo 138", ()),                 # another code
    ("TX Cao Thượng", ()),                   # a thị xã, not the thị trấn
    ("UBND cấp huyện, xã", TAN_YEN),         # no group of those levels
    ("S ở N ộ i v ụ", ()),                   # split letters of a body not in the registry
])
def test_near_miss_resolves_to_nothing(resolver: Resolver, text: str,
                                       context: tuple[str, ...]) -> None:
    answer = resolver.resolve(text, context)
    assert (answer.unit_id, answer.group_id) == (None, None)


_OFFICIAL = [u for u in REGISTRY.units if len(u.name.split()) >= 2]


@settings(max_examples=150, deadline=None)
@given(unit=st.sampled_from(_OFFICIAL), data=st.data())
def test_any_word_split_into_letters_still_resolves(unit: Any, data: st.DataObject) -> None:
    words = unit.name.split()
    which = data.draw(st.integers(0, len(words) - 1))
    if len(words[which]) < 3 or not words[which].isalpha():
        return
    words[which] = " ".join(words[which])
    answer = Resolver(REGISTRY).resolve(" ".join(words))
    assert answer.unit_id == unit.id
