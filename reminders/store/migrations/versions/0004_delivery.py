"""Delivery: units' Zalo Bot chats and reminder settings; outbox rows know their plan and item.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-24

Written by hand to match reminders/store/tables.py. SQLite cannot add a foreign key to an
existing table, so the deliveries columns are added in batch mode (the table is copied).
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def upgrade() -> None:
    op.add_column("units", sa.Column("zalo_chat_ids", JSON, nullable=False,
                                     server_default=sa.text("'[]'")))
    op.add_column("units", sa.Column("reminder_prefs", JSON, nullable=True))
    with op.batch_alter_table("deliveries") as batch:
        batch.add_column(sa.Column("plan_id", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("item_uid", sa.String(length=200), nullable=True))
        batch.add_column(sa.Column("occurrence", sa.Date(), nullable=True))
        batch.create_foreign_key(op.f("fk_deliveries_plan_id_plans"), "plans", ["plan_id"],
                                 ["id"], ondelete="SET NULL")
        batch.create_index(op.f("ix_deliveries_plan_id"), ["plan_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("deliveries") as batch:
        batch.drop_index(op.f("ix_deliveries_plan_id"))
        batch.drop_constraint(op.f("fk_deliveries_plan_id_plans"), type_="foreignkey")
        batch.drop_column("occurrence")
        batch.drop_column("item_uid")
        batch.drop_column("plan_id")
    op.drop_column("units", "reminder_prefs")
    op.drop_column("units", "zalo_chat_ids")
