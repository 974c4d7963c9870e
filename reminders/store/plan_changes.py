"""What saving an imported plan changed: the list the office reads after each import."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class ChangeKind(StrEnum):
    ADDED = "added"  # new in this import, or back after an import that left it out
    CHANGED = "changed"
    REMOVED = "removed"


class ChangeItem(StrEnum):
    PLAN = "plan"
    ACTIVITY = "activity"
    DEADLINE = "deadline"


# Field names of Change.fields, as a person reads them.
FIELD_LABELS = {
    "number": "số hiệu",
    "issuer": "cơ quan ban hành",
    "issued": "ngày ban hành",
    "place": "địa danh",
    "title": "tên",
    "year": "năm",
    "standing_unit": "đơn vị thường trực",
    "implements": "văn bản thực hiện",
    "assignments": "phân công",
    "code": "số thứ tự",
    "section": "mục",
    "location": "địa điểm",
    "time": "thời gian",
    "expected_result": "kết quả",
    "lead": "đơn vị chủ trì",
    "partners": "đơn vị phối hợp",
    "text": "nội dung",
    "to_unit": "nơi nhận báo cáo",
    "from_units": "đơn vị báo cáo",
}

_KIND_LABELS = {ChangeKind.ADDED: "thêm", ChangeKind.CHANGED: "sửa", ChangeKind.REMOVED: "bỏ"}
_ITEM_LABELS = {ChangeItem.PLAN: "kế hoạch", ChangeItem.ACTIVITY: "hoạt động",
                ChangeItem.DEADLINE: "hạn báo cáo"}


@dataclass(frozen=True, slots=True, kw_only=True)
class Change:
    """One added, changed or removed plan, activity or deadline.

    `code` is the activity's code or the plan's number (None for deadlines and
    unnumbered plans); `fields` names what changed, for CHANGED only.
    """

    kind: ChangeKind
    item: ChangeItem
    code: str | None
    title: str
    fields: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if self.fields and self.kind is not ChangeKind.CHANGED:
            raise ValueError(f"only a changed item names fields, not {self.kind}")
        unknown = [f for f in self.fields if f not in FIELD_LABELS]
        if unknown:
            raise ValueError(f"unknown field names {unknown}")

    def describe(self) -> str:
        """One Vietnamese line: "sửa hoạt động A.1 (tên, thời gian): Hội nghị ..."."""
        code = f" {self.code}" if self.code else ""
        fields = ""
        if self.fields:
            fields = " (" + ", ".join(FIELD_LABELS[f] for f in self.fields) + ")"
        return (f"{_KIND_LABELS[self.kind]} {_ITEM_LABELS[self.item]}{code}{fields}: "
                f"{self.title}")


@dataclass(frozen=True, slots=True, kw_only=True)
class SaveResult:
    """What save_imported_plan did: the plan's id, whether it is new, its revision, the changes.

    An import that changed nothing has no changes and the same revision as before.
    """

    plan_id: int
    created: bool
    revision: int
    changes: tuple[Change, ...]

    @property
    def changed(self) -> bool:
        return bool(self.changes)
