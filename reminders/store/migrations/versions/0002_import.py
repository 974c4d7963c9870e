"""Imported plans: plan identity and document, document order, receiving groups, assignments.

Revision ID: 0002
Revises: 0001
Create Date: 2025-01-15

Written by hand to match reminders/store/tables.py, with plain SQLAlchemy types.
SQLite adds a NOT NULL column to an existing table only with a default, and cannot add
a foreign key to one at all (batch mode would copy `plans` and `deadlines`, and dropping
the originals would cascade into their children); hence the server defaults and the
plain `deadlines.to_group_id` column.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _json() -> sa.types.TypeEngine[Any]:
    return sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def _position() -> sa.Column[int]:
    return sa.Column("position", sa.Integer(), server_default=sa.text("0"), nullable=False)


def upgrade() -> None:
    op.add_column("plans", sa.Column("standing_name", sa.Text(), nullable=True))
    op.add_column("plans", sa.Column("identity", sa.String(length=300),
                                     server_default=sa.text("''"), nullable=False))
    op.add_column("plans", sa.Column("document", _json(), nullable=True))
    op.create_index(op.f("ix_plans_identity"), "plans", ["identity"], unique=False)

    op.add_column("activities", _position())
    op.add_column("deadlines", _position())
    op.add_column("deadlines", sa.Column("to_group_id", sa.String(length=100), nullable=True))

    op.create_table(
        "assignments",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("plan_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("unit_id", sa.String(length=100), nullable=True),
        sa.Column("group_id", sa.String(length=100), nullable=True),
        sa.Column("tasks", _json(), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["plan_id"], ["plans.id"], ondelete="CASCADE",
                                name=op.f("fk_assignments_plan_id_plans")),
        sa.ForeignKeyConstraint(["unit_id"], ["units.id"], ondelete="SET NULL",
                                name=op.f("fk_assignments_unit_id_units")),
        sa.ForeignKeyConstraint(["group_id"], ["unit_groups.id"], ondelete="SET NULL",
                                name=op.f("fk_assignments_group_id_unit_groups")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_assignments")),
        sa.UniqueConstraint("plan_id", "position", name=op.f("uq_assignments_plan_id_position")),
    )
    for column in ("plan_id", "unit_id", "group_id"):
        op.create_index(op.f(f"ix_assignments_{column}"), "assignments", [column], unique=False)


def downgrade() -> None:
    # Native DROP COLUMN (SQLite 3.35 and later); an indexed column loses its index first.
    op.drop_table("assignments")
    op.drop_column("deadlines", "to_group_id")
    op.drop_column("deadlines", "position")
    op.drop_column("activities", "position")
    op.drop_index(op.f("ix_plans_identity"), table_name="plans")
    op.drop_column("plans", "document")
    op.drop_column("plans", "identity")
    op.drop_column("plans", "standing_name")
