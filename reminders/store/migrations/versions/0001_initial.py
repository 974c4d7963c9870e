"""The first schema: units and groups, plans and their items, reports, the outbox, feed fetches.

Revision ID: 0001
Revises:
Create Date: 2025-01-01

Written by hand to match reminders/store/tables.py; it uses plain SQLAlchemy types
(never the package's own) so it keeps working as the package changes.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_TABLES = (
    "units", "unit_groups", "group_members", "plans", "plan_sources", "activities",
    "activity_units", "deadlines", "deadline_units", "deadline_occurrences",
    "expected_reports", "submissions", "deliveries", "feed_fetches", "meta",
)


def _ts(name: str, *, nullable: bool = False) -> sa.Column[Any]:
    """An instant: timestamptz on PostgreSQL, naive UTC on SQLite (see types.UTCDateTime)."""
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def _json(name: str) -> sa.Column[Any]:
    return sa.Column(name, sa.JSON().with_variant(postgresql.JSONB(), "postgresql"),
                     nullable=False)


def _big_id() -> sa.Column[Any]:
    return sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
                     autoincrement=True, nullable=False)


def _int_id() -> sa.Column[Any]:
    return sa.Column("id", sa.Integer(), autoincrement=True, nullable=False)


def _text(name: str, *, nullable: bool = False) -> sa.Column[Any]:
    return sa.Column(name, sa.Text(), nullable=nullable)


def _str(name: str, length: int, *, nullable: bool = False) -> sa.Column[Any]:
    return sa.Column(name, sa.String(length=length), nullable=nullable)


def _int(name: str) -> sa.Column[Any]:
    return sa.Column(name, sa.Integer(), nullable=False)


def _date(name: str, *, nullable: bool = False) -> sa.Column[Any]:
    return sa.Column(name, sa.Date(), nullable=nullable)


def _flag(name: str, *, default: bool) -> sa.Column[Any]:
    return sa.Column(name, sa.Boolean(), server_default=sa.true() if default else sa.false(),
                     nullable=False)


def _revision() -> sa.Column[Any]:
    return sa.Column("revision", sa.Integer(), server_default=sa.text("1"), nullable=False)


def _ref(name: str, *, nullable: bool = True) -> sa.Column[Any]:
    """A column holding a unit or group slug."""
    return sa.Column(name, sa.String(length=100), nullable=nullable)


def _fk(table: str, column: str, target: str, ondelete: str | None) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        [column], [f"{target}.id"], name=op.f(f"fk_{table}_{column}_{target}"), ondelete=ondelete
    )


def _pk(table: str, *columns: str) -> sa.PrimaryKeyConstraint:
    return sa.PrimaryKeyConstraint(*columns, name=op.f(f"pk_{table}"))


def _uq(table: str, *columns: str) -> sa.UniqueConstraint:
    return sa.UniqueConstraint(*columns, name=op.f(f"uq_{table}_{'_'.join(columns)}"))


def _ck(table: str, column: str, values: Sequence[str]) -> sa.CheckConstraint:
    allowed = ", ".join(f"'{v}'" for v in values)
    return sa.CheckConstraint(f"{column} IN ({allowed})", name=op.f(f"ck_{table}_{column}"))


def _index(table: str, *columns: str) -> None:
    op.create_index(op.f(f"ix_{table}_{'_'.join(columns)}"), table, list(columns), unique=False)


def upgrade() -> None:
    op.create_table(
        "units",
        _str("id", 100), _text("name"), _str("kind", 40), _ref("parent_id"),
        _json("aliases"), _json("emails"), _json("zalo_user_ids"), _json("phones"),
        _text("webhook_url", nullable=True), _str("feed_token", 64),
        _flag("active", default=True), _ts("created_at"), _ts("updated_at"),
        _fk("units", "parent_id", "units", "SET NULL"),
        _pk("units", "id"), _uq("units", "feed_token"),
    )
    _index("units", "parent_id")

    op.create_table(
        "unit_groups",
        _str("id", 100), _text("name"), _json("aliases"), _ref("parent_id"),
        _flag("active", default=True), _ts("created_at"), _ts("updated_at"),
        _fk("unit_groups", "parent_id", "units", "SET NULL"),
        _pk("unit_groups", "id"),
    )

    op.create_table(
        "group_members",
        _ref("group_id", nullable=False), _ref("unit_id", nullable=False),
        _fk("group_members", "group_id", "unit_groups", "CASCADE"),
        _fk("group_members", "unit_id", "units", "CASCADE"),
        _pk("group_members", "group_id", "unit_id"),
    )
    _index("group_members", "unit_id")

    op.create_table(
        "plans",
        _int_id(), _str("number", 100, nullable=True),
        _text("issuer"), _ref("issuer_unit_id"), _date("issued", nullable=True),
        _text("place"), _text("title"), _int("year"), _ref("standing_unit_id"),
        _json("implements"),
        sa.Column("status", sa.String(length=20), server_default="draft", nullable=False),
        _revision(),
        _ts("created_at"), _ts("updated_at"), _ts("published_at", nullable=True),
        _ck("plans", "status", ("draft", "published", "archived")),
        _fk("plans", "issuer_unit_id", "units", "SET NULL"),
        _fk("plans", "standing_unit_id", "units", "SET NULL"),
        _pk("plans", "id"),
    )
    _index("plans", "status")

    op.create_table(
        "plan_sources",
        _int_id(), _int("plan_id"), _text("filename"), _str("sha256", 64),
        sa.Column("size", sa.BigInteger(), nullable=False), _ts("imported_at"),
        _fk("plan_sources", "plan_id", "plans", "CASCADE"),
        _pk("plan_sources", "id"),
    )
    _index("plan_sources", "plan_id")
    _index("plan_sources", "sha256")

    op.create_table(
        "activities",
        _int_id(), _str("uid", 200), _int("plan_id"), _str("code", 50),
        _text("section", nullable=True), _text("title"), _text("location", nullable=True),
        _text("time_text"), _json("time_json"),
        _date("start_date", nullable=True), _date("end_date", nullable=True),
        _ts("start_at", nullable=True), _ts("end_at", nullable=True),
        _flag("tentative", default=False), _flag("undetermined", default=False),
        _text("expected_result", nullable=True), _text("source"), _revision(),
        _ts("updated_at"), _ts("removed_at", nullable=True),
        _fk("activities", "plan_id", "plans", "CASCADE"),
        _pk("activities", "id"), _uq("activities", "uid"),
    )
    _index("activities", "plan_id")
    _index("activities", "start_date", "end_date")

    op.create_table(
        "activity_units",
        _int_id(), _int("activity_id"), _str("role", 10), _text("name"),
        _ref("unit_id"), _ref("group_id"), _int("position"),
        _ck("activity_units", "role", ("lead", "partner")),
        _fk("activity_units", "activity_id", "activities", "CASCADE"),
        _fk("activity_units", "group_id", "unit_groups", "SET NULL"),
        _fk("activity_units", "unit_id", "units", "SET NULL"),
        _pk("activity_units", "id"),
        _uq("activity_units", "activity_id", "role", "position"),
    )
    _index("activity_units", "group_id")
    _index("activity_units", "unit_id")

    op.create_table(
        "deadlines",
        _int_id(), _str("uid", 200), _int("plan_id"),
        _text("title"), _text("text"), _text("time_text"), _json("time_json"),
        _text("rrule", nullable=True),
        _date("start_date", nullable=True), _date("end_date", nullable=True),
        _ref("to_unit_id"), _text("to_name", nullable=True), _text("source"), _revision(),
        _ts("updated_at"), _ts("removed_at", nullable=True),
        _fk("deadlines", "plan_id", "plans", "CASCADE"),
        _fk("deadlines", "to_unit_id", "units", "SET NULL"),
        _pk("deadlines", "id"), _uq("deadlines", "uid"),
    )
    _index("deadlines", "plan_id")

    op.create_table(
        "deadline_units",
        _int("deadline_id"), _int("position"), _text("name"), _ref("unit_id"), _ref("group_id"),
        _fk("deadline_units", "deadline_id", "deadlines", "CASCADE"),
        _fk("deadline_units", "group_id", "unit_groups", "SET NULL"),
        _fk("deadline_units", "unit_id", "units", "SET NULL"),
        _pk("deadline_units", "deadline_id", "position"),
    )
    _index("deadline_units", "group_id")
    _index("deadline_units", "unit_id")

    op.create_table(
        "deadline_occurrences",
        _int_id(), _int("deadline_id"), _date("due_date"),
        _fk("deadline_occurrences", "deadline_id", "deadlines", "CASCADE"),
        _pk("deadline_occurrences", "id"),
        _uq("deadline_occurrences", "deadline_id", "due_date"),
    )
    _index("deadline_occurrences", "due_date")

    op.create_table(
        "expected_reports",
        _int_id(), _int("occurrence_id"), _ref("unit_id", nullable=False),
        _flag("exempt", default=False), _text("exempt_reason", nullable=True),
        _flag("added_by_office", default=False),
        _fk("expected_reports", "occurrence_id", "deadline_occurrences", "CASCADE"),
        _fk("expected_reports", "unit_id", "units", None),
        _pk("expected_reports", "id"),
        _uq("expected_reports", "occurrence_id", "unit_id"),
    )
    _index("expected_reports", "unit_id")

    op.create_table(
        "submissions",
        _int_id(), _int("occurrence_id"), _ref("unit_id", nullable=False),
        _str("kind", 20), _str("via", 20), _ts("at"), _text("by_user", nullable=True),
        _str("document_number", 100, nullable=True), _date("document_date", nullable=True),
        _text("note", nullable=True), _ts("withdrawn_at", nullable=True),
        _text("withdrawn_by", nullable=True), _text("withdrawn_reason", nullable=True),
        _ck("submissions", "kind", ("seen", "submitted")),
        _ck("submissions", "via", ("link", "dashboard", "api")),
        _fk("submissions", "occurrence_id", "deadline_occurrences", None),
        _fk("submissions", "unit_id", "units", None),
        _pk("submissions", "id"),
    )
    _index("submissions", "occurrence_id", "unit_id")
    _index("submissions", "unit_id")

    op.create_table(
        "deliveries",
        _big_id(), _str("idempotency_key", 255), _ref("unit_id", nullable=False),
        _str("channel", 20), _str("kind", 40), _ts("due_at"),
        sa.Column("status", sa.String(length=20), server_default="pending", nullable=False),
        sa.Column("attempts", sa.Integer(), server_default=sa.text("0"), nullable=False),
        _ts("next_attempt_at"), _ts("lease_until", nullable=True),
        _str("claimed_by", 200, nullable=True), _text("last_error", nullable=True),
        _str("provider_message_id", 255, nullable=True), _json("payload"),
        _ts("created_at"), _ts("sent_at", nullable=True),
        _ck("deliveries", "channel", ("email", "zalo", "webhook")),
        _ck("deliveries", "status", ("pending", "claimed", "sent", "failed", "cancelled")),
        _fk("deliveries", "unit_id", "units", None),
        _pk("deliveries", "id"), _uq("deliveries", "idempotency_key"),
    )
    _index("deliveries", "status", "next_attempt_at")
    _index("deliveries", "unit_id")

    op.create_table(
        "feed_fetches",
        _big_id(), _ref("unit_id"), _str("feed", 40), _ts("fetched_at"),
        _str("client", 40), _int("status_code"),
        _fk("feed_fetches", "unit_id", "units", "SET NULL"),
        _pk("feed_fetches", "id"),
    )
    _index("feed_fetches", "unit_id", "fetched_at")

    op.create_table(
        "meta",
        _str("key", 100), _text("value"), _ts("updated_at"),
        _pk("meta", "key"),
    )


def downgrade() -> None:
    # Dropping a table drops its indexes; children go before their parents.
    for table in reversed(_TABLES):
        op.drop_table(table)
