"""Load and check the unit registry (config/units.toml): units, groups, parents, membership."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from reminders.config.values import InvalidValue, stages
from reminders.domain import Channel, Contacts, Group, ReminderPrefs, Unit, UnitKind
from reminders.errors import RegistryError
from reminders.tomlfile import TomlLines, load_toml, parse_toml

_UNIT_FIELDS = {
    "id", "name", "kind", "aliases", "parent", "groups",
    "emails", "zalo_user_ids", "phones", "webhook_url", "zalo_chat_ids",
    "activity_stages", "deadline_stages", "partner_reminders", "channels",
}
_GROUP_FIELDS = {"id", "name", "aliases", "parent"}
_TOP_LEVEL = {"unit", "group"}
_T = TypeVar("_T")


@dataclass(frozen=True, slots=True)
class Registry:
    """Every known unit and group, with lookups by id; built once, then read-only."""

    units: tuple[Unit, ...]
    groups: tuple[Group, ...]
    source: str = "<registry>"
    _unit_by_id: dict[str, Unit] = field(init=False, repr=False, compare=False)
    _group_by_id: dict[str, Group] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_unit_by_id", {u.id: u for u in self.units})
        object.__setattr__(self, "_group_by_id", {g.id: g for g in self.groups})

    def unit(self, unit_id: str) -> Unit | None:
        return self._unit_by_id.get(unit_id)

    def group(self, group_id: str) -> Group | None:
        return self._group_by_id.get(group_id)

    def members(self, group_id: str) -> tuple[Unit, ...]:
        """The units of a group, in registry order."""
        return tuple(u for u in self.units if group_id in u.groups)

    def ancestors(self, unit_id: str) -> tuple[Unit, ...]:
        """Parent, grandparent, ... of a unit (nearest first)."""
        chain: list[Unit] = []
        current = self.unit(unit_id)
        while current is not None and current.parent:
            current = self.unit(current.parent)
            if current is None or current in chain:
                break
            chain.append(current)
        return tuple(chain)


def load_registry(path: Path) -> Registry:
    """Read a registry file; any problem raises RegistryError naming the file and line."""
    data, lines = load_toml(path, error=RegistryError)
    return _build(data, lines, str(path))


def parse_registry(text: str, *, name: str = "<registry>") -> Registry:
    """Read a registry from TOML text (tests, the API)."""
    data, lines = parse_toml(text, name=name, error=RegistryError)
    return _build(data, lines, name)


def _build(data: Mapping[str, Any], lines: TomlLines, source: str) -> Registry:
    for key in data:
        if key not in _TOP_LEVEL:
            raise RegistryError(
                f"mục '{key}' không được hỗ trợ (chỉ có [[unit]] và [[group]])",
                file=source, line=lines.key("", key) or lines.table(key),
            )
    raw_units = _table_list(data, "unit", source, lines)
    raw_groups = _table_list(data, "group", source, lines)
    groups = [_group(raw, i, source, lines) for i, raw in enumerate(raw_groups)]
    units = [_unit(raw, i, source, lines) for i, raw in enumerate(raw_units)]
    _check_ids(units, groups, source, lines)
    _check_references(units, groups, source, lines)
    return Registry(units=tuple(units), groups=tuple(groups), source=source)


def _table_list(data: Mapping[str, Any], name: str, source: str, lines: TomlLines) -> list[Any]:
    value = data.get(name, [])
    if not isinstance(value, list):
        raise RegistryError(
            f"'{name}' phải là một danh sách bảng [[{name}]]", file=source, line=lines.key("", name)
        )
    return value


def _unit(raw: Any, index: int, source: str, lines: TomlLines) -> Unit:
    fields = _fields(raw, "unit", index, _UNIT_FIELDS, source, lines)
    kind_text = _text(fields, "kind", "unit", index, source, lines, required=False) or "other"
    try:
        kind = UnitKind(kind_text)
    except ValueError:
        allowed = ", ".join(k.value for k in UnitKind)
        raise RegistryError(
            f"loại đơn vị '{kind_text}' không hợp lệ (chọn một trong: {allowed})",
            file=source, line=lines.key("unit", "kind", index),
        ) from None
    contacts = Contacts(
        emails=_texts(fields, "emails", "unit", index, source, lines),
        zalo_user_ids=_texts(fields, "zalo_user_ids", "unit", index, source, lines),
        phones=_texts(fields, "phones", "unit", index, source, lines),
        webhook_url=_text(fields, "webhook_url", "unit", index, source, lines, required=False),
        zalo_chat_ids=_texts(fields, "zalo_chat_ids", "unit", index, source, lines),
    )
    for email in contacts.emails:
        if "@" not in email or any(c.isspace() for c in email):
            raise RegistryError(
                "địa chỉ email không hợp lệ", file=source,
                line=lines.key("unit", "emails", index), text=email,
            )
    return _construct(
        lambda: Unit(
            id=_text(fields, "id", "unit", index, source, lines) or "",
            name=_text(fields, "name", "unit", index, source, lines) or "",
            kind=kind,
            aliases=_texts(fields, "aliases", "unit", index, source, lines),
            parent=_text(fields, "parent", "unit", index, source, lines, required=False),
            groups=_texts(fields, "groups", "unit", index, source, lines),
            contacts=contacts,
            reminders=_prefs(fields, index, source, lines),
        ),
        "unit", index, fields, source, lines,
    )


def _prefs(fields: Mapping[str, Any], index: int, source: str,
           lines: TomlLines) -> ReminderPrefs:
    """A unit's own reminder settings (stages per kind, partner reminders, channels)."""
    found: dict[str, Any] = {}
    for key in ("activity_stages", "deadline_stages"):
        if key in fields:
            try:
                found[key] = tuple(s.days_before for s in stages(fields[key]))
            except InvalidValue as exc:
                raise RegistryError(f"trường '{key}': {exc.reason}", file=source,
                                    line=lines.key("unit", key, index), text=exc.text) from None
    if "partner_reminders" in fields:
        if not isinstance(fields["partner_reminders"], bool):
            raise RegistryError("trường 'partner_reminders' phải là true hoặc false",
                                file=source, line=lines.key("unit", "partner_reminders", index))
        found["partner_reminders"] = fields["partner_reminders"]
    if "channels" in fields:
        names = _texts(fields, "channels", "unit", index, source, lines)
        allowed = {c.value for c in Channel}
        for name in names:
            if name not in allowed:
                raise RegistryError(
                    f"kênh '{name}' không hợp lệ (chọn trong: {', '.join(sorted(allowed))})",
                    file=source, line=lines.key("unit", "channels", index), text=name)
        found["channels"] = tuple(Channel(n) for n in names)
    return ReminderPrefs(**found)


def _group(raw: Any, index: int, source: str, lines: TomlLines) -> Group:
    fields = _fields(raw, "group", index, _GROUP_FIELDS, source, lines)
    return _construct(
        lambda: Group(
            id=_text(fields, "id", "group", index, source, lines) or "",
            name=_text(fields, "name", "group", index, source, lines) or "",
            aliases=_texts(fields, "aliases", "group", index, source, lines),
            parent=_text(fields, "parent", "group", index, source, lines, required=False),
        ),
        "group", index, fields, source, lines,
    )


def _construct(build: Callable[[], _T], table: str, index: int, fields: Mapping[str, Any],
               source: str, lines: TomlLines) -> _T:
    try:
        return build()
    except ValueError:
        raise RegistryError(
            "mã (id) phải viết thường, không dấu, nối bằng gạch ngang (ví dụ 'vhtt-thanh-xuan')",
            file=source, line=lines.key(table, "id", index), text=str(fields.get("id")),
        ) from None


def _fields(raw: Any, table: str, index: int, allowed: set[str], source: str,
            lines: TomlLines) -> Mapping[str, Any]:
    if not isinstance(raw, dict):
        raise RegistryError(f"mỗi [[{table}]] phải là một bảng", file=source,
                            line=lines.table(table, index))
    for key in raw:
        if key not in allowed:
            raise RegistryError(
                f"trường '{key}' không được hỗ trợ trong [[{table}]]",
                file=source, line=lines.key(table, key, index),
            )
    return raw


def _text(fields: Mapping[str, Any], key: str, table: str, index: int, source: str,
          lines: TomlLines, *, required: bool = True) -> str | None:
    value = fields.get(key)
    if value is None:
        if required:
            raise RegistryError(f"[[{table}]] thiếu trường bắt buộc '{key}'",
                                file=source, line=lines.table(table, index))
        return None
    if not isinstance(value, str) or (required and not value.strip()):
        raise RegistryError(f"trường '{key}' phải là một chuỗi không rỗng",
                            file=source, line=lines.key(table, key, index))
    return value.strip()


def _texts(fields: Mapping[str, Any], key: str, table: str, index: int, source: str,
           lines: TomlLines) -> tuple[str, ...]:
    value = fields.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise RegistryError(f"trường '{key}' phải là danh sách chuỗi không rỗng",
                            file=source, line=lines.key(table, key, index))
    return tuple(v.strip() for v in value)


def _check_ids(units: Sequence[Unit], groups: Sequence[Group], source: str,
               lines: TomlLines) -> None:
    seen: dict[str, str] = {}
    tables: tuple[tuple[str, list[str]], ...] = (
        ("group", [g.id for g in groups]), ("unit", [u.id for u in units]),
    )
    for table, ids in tables:
        for index, item_id in enumerate(ids):
            if item_id in seen:
                raise RegistryError(
                    f"mã '{item_id}' bị trùng (đã dùng cho một [[{seen[item_id]}]] khác)",
                    file=source, line=lines.key(table, "id", index),
                )
            seen[item_id] = table


def _check_references(units: list[Unit], groups: list[Group], source: str,
                      lines: TomlLines) -> None:
    unit_ids = {u.id for u in units}
    group_ids = {g.id for g in groups}
    for index, unit in enumerate(units):
        if unit.parent and unit.parent not in unit_ids:
            raise RegistryError(f"đơn vị cấp trên '{unit.parent}' không có trong danh mục",
                                file=source, line=lines.key("unit", "parent", index))
        for group_id in unit.groups:
            if group_id not in group_ids:
                raise RegistryError(f"nhóm '{group_id}' không có trong danh mục",
                                    file=source, line=lines.key("unit", "groups", index))
    for index, group in enumerate(groups):
        if group.parent and group.parent not in unit_ids:
            raise RegistryError(f"đơn vị cấp trên '{group.parent}' không có trong danh mục",
                                file=source, line=lines.key("group", "parent", index))
    by_id = {u.id: u for u in units}
    for index, unit in enumerate(units):
        seen = {unit.id}
        current = unit
        while current.parent:
            if current.parent in seen:
                raise RegistryError(f"quan hệ cấp trên của '{unit.id}' tạo thành vòng lặp",
                                    file=source, line=lines.key("unit", "parent", index))
            seen.add(current.parent)
            current = by_id[current.parent]
