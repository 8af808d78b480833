"""Read-only links to a pupil's e-profile (the Mini App's "share with a parent or teacher").

Only the SHA-256 of a link's token is stored; a link expires (`expires_at`) or is revoked
(`revoked_at`), and goes with its user.

Revision ID: 0016_webapp_shares
Revises: 0015_certs
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0016_webapp_shares"
down_revision = "0015_certs"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "webapp_shares",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("user_id", sa.BigInteger(),
                  sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
        sa.Column("token_hash", sa.String(64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.UniqueConstraint("token_hash", name="uq_webapp_shares_token_hash"),
    )
    op.create_index("ix_webapp_shares_user_id", "webapp_shares", ["user_id"])


def downgrade() -> None:
    op.drop_index("ix_webapp_shares_user_id", table_name="webapp_shares")
    op.drop_table("webapp_shares")
