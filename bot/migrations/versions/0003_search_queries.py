"""search_queries: what users searched, so result buttons can refer to it by id.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-21
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "search_queries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("text", sa.String(length=512), nullable=False),
        sa.Column("language", sa.String(length=8), nullable=True),
        sa.Column("only_language", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("search_queries") as batch:
        batch.create_index("ix_search_queries_user_id", ["user_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("search_queries") as batch:
        batch.drop_index("ix_search_queries_user_id")
    op.drop_table("search_queries")
