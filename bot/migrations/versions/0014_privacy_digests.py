"""The entries each verification digest listed, so "Approve all" approves exactly those.

Revision ID: 0014_privacy
Revises: 0013
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0014_privacy"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "verification_digests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organizer_id", sa.BigInteger(), nullable=False),
        sa.Column("entry_ids", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["organizer_id"], ["users.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_verification_digests_organizer_id", "verification_digests",
                    ["organizer_id"])


def downgrade() -> None:
    op.drop_index("ix_verification_digests_organizer_id", table_name="verification_digests")
    op.drop_table("verification_digests")
