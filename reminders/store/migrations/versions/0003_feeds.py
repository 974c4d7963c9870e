"""Feeds: a secret token per plan for its feed, and what each feed last looked like.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-24

Written by hand to match reminders/store/tables.py. `plans.feed_token` is nullable only
because SQLite cannot add a NOT NULL column without a default; every existing plan gets
a fresh token here and every new plan one at insert.
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("plans", sa.Column("feed_token", sa.String(length=64), nullable=True))
    conn = op.get_bind()
    plans = sa.table("plans", sa.column("id", sa.Integer()),
                     sa.column("feed_token", sa.String()))
    for (plan_id,) in conn.execute(sa.select(plans.c.id)).all():
        conn.execute(sa.update(plans).where(plans.c.id == plan_id)
                     .values(feed_token=secrets.token_urlsafe(24)))
    op.create_index(op.f("ix_plans_feed_token"), "plans", ["feed_token"], unique=True)

    op.create_table(
        "feed_states",
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("etag", sa.String(length=80), nullable=False),
        sa.Column("last_modified", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_feed_states")),
    )
    op.create_index(op.f("ix_feed_fetches_feed_fetched_at"), "feed_fetches",
                    ["feed", "fetched_at"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_feed_fetches_feed_fetched_at"), table_name="feed_fetches")
    op.drop_table("feed_states")
    op.drop_index(op.f("ix_plans_feed_token"), table_name="plans")
    op.drop_column("plans", "feed_token")
