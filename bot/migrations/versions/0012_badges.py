"""badges and badge_awards: Open Badges organisations define and award.

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-21
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "badges",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("criteria", sa.Text(), nullable=False),
        sa.Column("colour", sa.String(length=16), nullable=False),
        sa.Column("emblem", sa.String(length=16), nullable=False),
        sa.Column("rule", sa.String(length=10), nullable=False),
        sa.Column("hours_minutes", sa.Integer(), nullable=True),
        sa.Column("playlist_id", sa.Integer(), nullable=True),
        sa.Column("created_by", sa.BigInteger(), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["organisation_id"], ["organisations.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("badges") as batch:
        batch.create_index("ix_badges_organisation_id", ["organisation_id"], unique=False)
        batch.create_index("ix_badges_playlist_id", ["playlist_id"], unique=False)
    op.create_table(
        "badge_awards",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("badge_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.BigInteger(), nullable=True),
        sa.Column("period", sa.String(length=16), nullable=False),
        sa.Column("awarded_by", sa.BigInteger(), nullable=True),
        sa.Column("minutes", sa.Integer(), nullable=False),
        sa.Column("details", sa.JSON(), nullable=False),
        sa.Column("credential", sa.Text(), nullable=True),
        sa.Column("issued_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revoke_reason", sa.String(length=300), nullable=True),
        sa.ForeignKeyConstraint(["badge_id"], ["badges.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("badge_id", "user_id", "period", name="uq_badge_award"),
    )
    with op.batch_alter_table("badge_awards") as batch:
        batch.create_index("ix_badge_awards_badge_id", ["badge_id"], unique=False)
        batch.create_index("ix_badge_awards_user_id", ["user_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("badge_awards") as batch:
        batch.drop_index("ix_badge_awards_user_id")
        batch.drop_index("ix_badge_awards_badge_id")
    op.drop_table("badge_awards")
    with op.batch_alter_table("badges") as batch:
        batch.drop_index("ix_badges_playlist_id")
        batch.drop_index("ix_badges_organisation_id")
    op.drop_table("badges")
