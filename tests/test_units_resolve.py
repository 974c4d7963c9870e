"""Name resolution rules (contracts/units.md), on a registry from another province.

The registry in tests/data/registry_quang_ninh.toml holds only official names; every
variant below must be derived by rule. The seed plans' names are in test_units_seeds.py.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reminders.units import Resolver, load_registry

DATA = Path(__file__).parent / "data"
HAI_HA = ("UBND huyện Hải Hà",)

# (text as written, context, expected unit or group id or None)
CASES: list[tuple[str, tuple[str, ...], str | None]] = [
    # full names, abbreviations, punctuation
    ("Phòng Văn hóa và Thông tin huyện Hải Hà", (), "vhtt-hai-ha"),
    ("Phòng Văn hoá và Thông tin huyện Hải Hà", (), "vhtt-hai-ha"),
    ("PHÒNG VĂN HÓA VÀ THÔNG TIN HUYỆN HẢI HÀ", (), "vhtt-hai-ha"),
    ("Phòng Văn hóa - Thông tin huyện Hải Hà", (), "vhtt-hai-ha"),
    ("phong van hoa va thong tin huyen hai ha", (), "vhtt-hai-ha"),
    ("(2) Phòng VH&TT huyện;", (), "vhtt-hai-ha"),
    ("Phòng TN&MT huyện", (), "tnmt-hai-ha"),
    ("Phòng TN&MT", HAI_HA, "tnmt-hai-ha"),
    ("P. TNMT", HAI_HA, "tnmt-hai-ha"),
    ("Phòng Tài nguyên và Môi trường", (), "tnmt-hai-ha"),
    ("Các đơn vị: TNMT", (), "tnmt-hai-ha"),
    ("Phòng NN&PTNT huyện Hải Hà", (), "nnptnt-hai-ha"),
    ("Nông nghiệp và PTNT", HAI_HA, "nnptnt-hai-ha"),
    ("Phòng LĐ-TBXH", HAI_HA, "ldtbxh-hai-ha"),
    ("Phòng Lao động, Thương binh và Xã hội huyện Hải Hà", (), "ldtbxh-hai-ha"),
    ("Phòng KT&HT", (), "kthh-hai-ha"),
    ("Phòng Kinh tế - Hạ tầng", (), "kthh-hai-ha"),
    ("Trung tâm VH-TT&TT huyện", (), "ttvhtt-hai-ha"),
    ("TTVH-TT&TT huyện Hải Hà", (), "ttvhtt-hai-ha"),
    ("Văn phòng HĐND&UBND huyện", (), "vp-hdnd-ubnd-hai-ha"),
    ("VP HĐND-UBND huyện", (), "vp-hdnd-ubnd-hai-ha"),
    ("Ban CHQS huyện", (), "chqs-hai-ha"),
    ("BCH Quân sự huyện Hải Hà", (), "chqs-hai-ha"),
    ("Công an huyện", (), "ca-hai-ha"),
    ("UBMTTQ huyện", (), "mttq-hai-ha"),
    ("UB MTTQ Việt Nam huyện Hải Hà", (), "mttq-hai-ha"),
    ("Mặt trận Tổ quốc huyện", (), "mttq-hai-ha"),
    ("Hội LHPN huyện", (), "hlhpn-hai-ha"),
    ("Đề nghị Hội LHPN huyện phối hợp", (), "hlhpn-hai-ha"),
    ("LĐLĐ huyện", (), "ldld-hai-ha"),
    ("Huyện đoàn", HAI_HA, "huyen-doan-hai-ha"),
    ("Huyện đoàn Hải Hà", (), "huyen-doan-hai-ha"),
    ("Đoàn TNCS HCM huyện", (), "huyen-doan-hai-ha"),
    ("Đoàn Thanh niên huyện", (), "huyen-doan-hai-ha"),
    ("Ban Tuyên giáo Huyện ủy", (), "ban-tuyen-giao-hai-ha"),
    # groups, counts instead of "các", fillers
    ("UBND các xã, thị trấn", HAI_HA, "ubnd-xa-hai-ha"),
    ("UBND các xã", HAI_HA, "ubnd-xa-hai-ha"),
    ("Ủy ban nhân dân 3 xã, thị trấn", (), "ubnd-xa-hai-ha"),
    ("Các phòng, ban, đơn vị trực thuộc huyện", (), "phong-ban-hai-ha"),
    ("Các phòng, ban, đơn vị thuộc UBND huyện", (), None),  # "UBND" is not a place
    ("Các phòng, ban, đơn vị của huyện", HAI_HA, "phong-ban-hai-ha"),
    ("Phòng Văn hóa và Thông tin của thành phố", ("UBND thành phố Hạ Long",), "vhtt-ha-long"),
    ("Phòng Tài nguyên và Môi trường của thành phố", ("UBND thành phố Hạ Long",), None),
    # "liên quan" narrows a group: "the units concerned" is not "all the district's units"
    ("Các phòng, ban, đơn vị liên quan", HAI_HA, None),
    ("UBND các phường", ("UBND thành phố Hạ Long",), "ubnd-phuong-ha-long"),
    # localities and their authorities, context
    ("UBND xã Quảng Long", (), "ubnd-xa-quang-long"),
    ("UBND TT Quảng Hà", (), "ubnd-tt-quang-ha"),
    ("Xã Quảng Long", (), "ubnd-xa-quang-long"),
    ("Thị trấn Quảng Hà", (), "ubnd-tt-quang-ha"),
    ("UBND xã", ("Xã Quảng Long",), "ubnd-xa-quang-long"),
    ("UBND xã", (), None),
    ("Trường THCS Quảng Hà", (), "truong-thcs-quang-ha"),
    ("Sở GD&ĐT", (), "so-gddt-quang-ninh"),
    ("Sở GDĐT tỉnh Quảng Ninh", (), "so-gddt-quang-ninh"),
    ("Sở Văn hoá và Thể thao", (), "so-vhtt-quang-ninh"),
    ("Sở VH&TT Quảng Ninh", (), "so-vhtt-quang-ninh"),
    ("Tỉnh đoàn Quảng Ninh", (), "tinh-doan-quang-ninh"),
    ("Tỉnh đoàn", (), "tinh-doan-quang-ninh"),
    ("UBND tỉnh", HAI_HA, "ubnd-quang-ninh"),
    ("UBND tỉnh (B/c)", (), "ubnd-quang-ninh"),
    ("UBND TP Hạ Long", (), "ubnd-ha-long"),
    ("UBND TP. Hạ Long", (), "ubnd-ha-long"),
    ("Phòng GD&ĐT thành phố", ("UBND thành phố Hạ Long",), "gddt-ha-long"),
    ("Hội CCB", ("UBND thành phố Hạ Long",), "hoi-ccb-ha-long"),
    ("Hội CCB", ("UBND thành phố Hạ Long", "Phường Hồng Gai"), "hoi-ccb-phuong-hong-gai"),
    ("Hội CCB", ("Phường Hồng Gai", "UBND thành phố Hạ Long"), "hoi-ccb-phuong-hong-gai"),
    ("Hội CCB phường", ("Phường Bạch Đằng",), "hoi-ccb-phuong-bach-dang"),
    ("Hội Cựu chiến binh", ("UBND thành phố Hạ Long",), "hoi-ccb-ha-long"),
    ("Bảo tàng - Thư viện Quảng Ninh", (), "bao-tang-quang-ninh"),
    # never a guess: ambiguous or absent names give nothing
    ("Hội CCB phường", (), None),
    ("Hội CCB phường", HAI_HA, None),
    ("Hội CCB phường Cao Xanh", (), None),
    ("Hội CCB", ("Phường Cao Xanh",), None),
    ("UBND phường Cao Xanh", (), None),
    ("Phòng Y tế huyện Hải Hà", (), None),
    ("Phòng Tư pháp", HAI_HA, None),
    ("Sở Công Thương", (), None),
    ("Hội Nông dân huyện", (), None),
    ("Phòng Văn hóa và Thông tin", (), None),  # two districts hold one: context needed
    ("Đ.c Bí thư Huyện ủy", (), None),
    ("", (), None),
]


@pytest.fixture(scope="module")
def resolver() -> Resolver:
    return Resolver(load_registry(DATA / "registry_quang_ninh.toml"))


@pytest.mark.parametrize(
    ("text", "context", "expected"),
    CASES,
    ids=[f"{t or '<empty>'} | {' ; '.join(c)}" for t, c, _ in CASES],
)
def test_resolves(resolver: Resolver, text: str, context: tuple[str, ...],
                  expected: str | None) -> None:
    result = resolver.resolve(text, context)
    assert (result.unit_id or result.group_id) == expected
    if expected is None:
        assert result.score == 0
    else:
        assert 0 < result.score <= 1
        assert result.suggestions == ()


def test_group_comes_back_as_group(resolver: Resolver) -> None:
    result = resolver.resolve("UBND các xã, thị trấn", HAI_HA)
    assert result.unit_id is None
    assert result.group_id == "ubnd-xa-hai-ha"


def test_unresolved_name_gets_at_most_three_suggestions(resolver: Resolver) -> None:
    result = resolver.resolve("Hội CCB phường", ())
    assert result.unit_id is None and result.group_id is None
    ids = {s.id for s in result.suggestions}
    assert ids == {"hoi-ccb-phuong-hong-gai", "hoi-ccb-phuong-bach-dang"}
    far = resolver.resolve("Phòng Y tế huyện Hải Hà", ())
    assert 1 <= len(far.suggestions) <= 3
    assert all(0 <= s.score <= 1 for s in far.suggestions)


def test_json_shape(resolver: Resolver) -> None:
    data = resolver.resolve("Hội CCB phường", ()).as_json()
    assert set(data) == {"text", "unit_id", "group_id", "score", "suggestions"}
    assert set(data["suggestions"][0]) >= {"unit_id", "name", "score"}  # type: ignore[index]


# --- invariances (rule 1 and 2): writing variants of one name resolve alike ---------------

RESOLVABLE = [(t, c, e) for t, c, e in CASES if e is not None]
_OLD_TONES = {"óa": "oá", "òa": "oà", "ỏa": "oả", "õa": "oã", "ọa": "oạ", "úy": "uý",
              "ùy": "uỳ", "ủy": "uỷ", "ũy": "uỹ", "ụy": "uỵ", "óe": "oé", "òe": "oè"}


def _old_tone_placement(text: str) -> str:
    for new, old in _OLD_TONES.items():
        text = text.replace(new, old)
    return text


variants: st.SearchStrategy[Callable[[str], str]] = st.sampled_from([
    lambda s: unicodedata.normalize("NFD", s),
    str.upper,
    str.lower,
    _old_tone_placement,
    lambda s: "  " + s.replace(" ", "   ") + " ",
    lambda s: f"<i>{s}</i>",
    lambda s: f"Đề nghị {s}",
    lambda s: f"- {s};",
    lambda s: f"(3) {s}",
    lambda s: s.replace("&", " & ").replace("-", " - "),
])


@settings(max_examples=300, deadline=None)
@given(case=st.sampled_from(RESOLVABLE), change=variants, again=variants)
def test_writing_variants_resolve_alike(
    resolver: Resolver,
    case: tuple[str, tuple[str, ...], str],
    change: Callable[[str], str],
    again: Callable[[str], str],
) -> None:
    text, context, expected = case
    varied = again(change(text))
    result = resolver.resolve(varied, context)
    assert (result.unit_id or result.group_id) == expected, varied


@settings(max_examples=300, deadline=None)
@given(text=st.text(max_size=80), context=st.lists(st.text(max_size=30), max_size=3))
def test_any_text_answers_without_raising(resolver: Resolver, text: str,
                                          context: list[str]) -> None:
    result = resolver.resolve(text, tuple(context))
    assert 0 <= result.score <= 1
    assert len(result.suggestions) <= 3


# --- a registry whose department names carry no place (the parent gives it) -------------

BAC_GIANG: list[tuple[str, tuple[str, ...], str | None]] = [
    ("Phòng VH&TT huyện Yên Thế", (), "vhtt-yen-the"),
    ("Phòng Văn hóa và Thông tin", ("UBND huyện Yên Thế",), "vhtt-yen-the"),
    ("Phòng VHTT huyện", ("UBND huyện Lạng Giang",), "vhtt-lang-giang"),
    ("Phòng Văn hóa và Thông tin", (), None),
    ("Huyện đội", ("UBND huyện Yên Thế",), "chqs-yen-the"),
    ("Huyện đội Yên Thế", (), "chqs-yen-the"),
    ("Hội Phụ nữ huyện", (), "hlhpn-yen-the"),
    ("Kho bạc huyện", (), "kbnn-yen-the"),
    ("KBNN huyện", (), "kbnn-yen-the"),
    ("BHXH huyện", (), "bhxh-yen-the"),
    ("TTYT huyện", (), "ttyt-yen-the"),
    ("TT GDNN - GDTX huyện", (), "gdnn-yen-the"),
    ("Hội ND huyện", (), "hnd-yen-the"),
    ("Phòng LĐTB&XH huyện", (), "ldtbxh-yen-the"),
    ("UBKT Huyện ủy", (), "ubkt-yen-the"),
    ("Hội Chữ thập đỏ huyện", (), None),
]


@pytest.mark.parametrize(
    ("text", "context", "expected"),
    BAC_GIANG,
    ids=[f"{t} | {' ; '.join(c)}" for t, c, _ in BAC_GIANG],
)
def test_resolves_without_places_in_names(text: str, context: tuple[str, ...],
                                          expected: str | None) -> None:
    resolver = _bac_giang()
    result = resolver.resolve(text, context)
    assert (result.unit_id or result.group_id) == expected


@lru_cache(maxsize=1)
def _bac_giang() -> Resolver:
    return Resolver(load_registry(DATA / "registry_bac_giang.toml"))
