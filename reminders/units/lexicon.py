"""The words that resolution treats specially: levels of government, fillers, rewrites.

Grow resolution by adding words here, not by special-casing names elsewhere.
"""

from __future__ import annotations

from reminders.units.names import syllable_key


def keys(words: str) -> tuple[str, ...]:
    return tuple(syllable_key(w) for w in words.split())


# Level words of administrative units; what follows them in an official name is the place.
LEVELS: tuple[tuple[str, ...], ...] = tuple(
    keys(w) for w in ("thành phố", "thị xã", "thị trấn", "quận", "huyện", "phường", "xã", "tỉnh",
                      "đặc khu")
)
# "xã hội" (social) is not the level word "xã".
NOT_LEVEL_AFTER: dict[tuple[str, ...], frozenset[str]] = {
    keys("xã"): frozenset(keys("hội")),
}
# "Quận ủy Thanh Xuân", "Đảng ủy phường ...": the place after a party committee is optional.
COMMITTEE_LEVELS = frozenset(keys("quận huyện thành tỉnh đảng thị"))
COMMITTEE = syllable_key("ủy")

# Words that join parts of a name and never distinguish one body from another
# (compared without marks, so "va" in text typed without diacritics counts too).
CONNECTORS = frozenset({"va"})
# Qualifiers of groups that plans add or leave out freely. ("liên quan" is not one:
# "the units concerned" is a narrower set than "the units of the district".)
FILLERS: tuple[tuple[str, ...], ...] = (
    keys("đóng trên địa bàn"),
    keys("trên địa bàn"),
    keys("trực thuộc"),
    keys("thuộc"),
)
# Wordings that mean the same: (written, read as).
SYNONYMS: tuple[tuple[tuple[str, ...], tuple[str, ...]], ...] = (
    (keys("có liên quan"), keys("liên quan")),
    (keys("đơn vị thành viên"), keys("cơ quan thành viên")),
)
# "Các đơn vị liên quan của Thành phố": a place qualifier after the name.
OF = syllable_key("của")
PLURAL = syllable_key("các")
LEVEL_WORD = syllable_key("cấp")  # "UBND cấp xã": the UBND of every commune
NUMBER_WORD = syllable_key("số")  # "Trường số 1": the number is part of the name

# "Quận đoàn" is the district's Đoàn TNCS Hồ Chí Minh, "Huyện đội" the district's military
# command; likewise for other levels: (level word as written, the level it stands for).
LEVEL_PREFIXES: dict[str, tuple[str, ...]] = {
    syllable_key("quận"): keys("quận"),
    syllable_key("huyện"): keys("huyện"),
    syllable_key("thành"): keys("thành phố"),
    syllable_key("tỉnh"): keys("tỉnh"),
    syllable_key("thị"): keys("thị xã"),
}
LEVEL_BODIES: dict[str, tuple[str, ...]] = {
    syllable_key("đoàn"): keys("đoàn thanh niên cộng sản hồ chí minh"),
    syllable_key("đội"): keys("ban chỉ huy quân sự"),
}

# Parts of official names that plans commonly leave out: (what precedes, the optional words).
OPTIONAL_AFTER: tuple[tuple[tuple[str, ...], tuple[str, ...]], ...] = (
    (keys("thanh niên"), keys("cộng sản hồ chí minh")),
    (keys("tổ quốc"), keys("việt nam")),
    (keys("kho bạc"), keys("nhà nước")),
    # "Văn phòng UBND huyện" for "Văn phòng HĐND và UBND huyện" (the connector is dropped)
    (keys("văn phòng"), keys("hội đồng nhân dân")),
)
# (the optional words, what must follow them)
OPTIONAL_BEFORE: tuple[tuple[tuple[str, ...], tuple[str, ...]], ...] = (
    (keys("ủy ban"), keys("mặt trận")),
    (keys("liên hiệp"), keys("phụ nữ")),  # "Hội Phụ nữ huyện"
    (keys("bộ chỉ huy"), keys("bộ đội biên phòng")),  # "Bộ đội Biên phòng tỉnh"
)
# Head nouns of departments that lists drop: "Các đơn vị: Nội vụ; Tài chính - Kế hoạch".
# "Chi cục Quản lý thị trường" is written "Quản lý thị trường", "QLTT".
OPTIONAL_HEADS: tuple[tuple[str, ...], ...] = (
    keys("chi cục"), keys("phòng"), keys("sở"), keys("cục"))
