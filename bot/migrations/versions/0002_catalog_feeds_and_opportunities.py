"""catalog: partner feeds and the opportunities they publish.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-21
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table("feeds",
    sa.Column("id", sa.Integer(), nullable=False),
    sa.Column("name", sa.String(length=100), nullable=False),
    sa.Column("url", sa.String(length=2000), nullable=False),
    sa.Column("format", sa.String(length=10), nullable=True),
    sa.Column("language", sa.String(length=8), nullable=True),
    sa.Column("origin", sa.String(length=8), nullable=False),
    sa.Column("added_by", sa.BigInteger(), nullable=True),
    sa.Column("enabled", sa.Boolean(), nullable=False),
    sa.Column("etag", sa.String(length=500), nullable=True),
    sa.Column("last_modified", sa.String(length=100), nullable=True),
    sa.Column("body_hash", sa.String(length=64), nullable=True),
    sa.Column("item_count", sa.Integer(), nullable=False),
    sa.Column("skipped_count", sa.Integer(), nullable=False),
    sa.Column("last_attempt_at", sa.DateTime(timezone=True), nullable=True),
    sa.Column("last_success_at", sa.DateTime(timezone=True), nullable=True),
    sa.Column("last_error", sa.Text(), nullable=True),
    sa.Column("duration_ms", sa.Integer(), nullable=True),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint("id"),
    sa.UniqueConstraint("name")
    )
    op.create_table("opportunities",
    sa.Column("id", sa.Integer(), nullable=False),
    sa.Column("feed_id", sa.Integer(), nullable=False),
    sa.Column("source_id", sa.String(length=512), nullable=False),
    sa.Column("kind", sa.String(length=16), nullable=False),
    sa.Column("language", sa.String(length=8), nullable=True),
    sa.Column("title", sa.String(length=300), nullable=False),
    sa.Column("description", sa.Text(), nullable=False),
    sa.Column("provider", sa.String(length=200), nullable=True),
    sa.Column("city", sa.String(length=200), nullable=True),
    sa.Column("country", sa.String(length=2), nullable=True),
    sa.Column("latitude", sa.Float(), nullable=True),
    sa.Column("longitude", sa.Float(), nullable=True),
    sa.Column("online", sa.Boolean(), nullable=False),
    sa.Column("start_at", sa.DateTime(timezone=True), nullable=True),
    sa.Column("end_at", sa.DateTime(timezone=True), nullable=True),
    sa.Column("timezone", sa.String(length=40), nullable=True),
    sa.Column("hours", sa.Float(), nullable=True),
    sa.Column("price", sa.Float(), nullable=True),
    sa.Column("currency", sa.String(length=3), nullable=True),
    sa.Column("keywords", sa.JSON(), nullable=False),
    sa.Column("url", sa.String(length=2000), nullable=True),
    sa.Column("content_hash", sa.String(length=32), nullable=False),
    sa.Column("first_seen_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("withdrawn_at", sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(["feed_id"], ["feeds.id"], ondelete="CASCADE"),
    sa.PrimaryKeyConstraint("id"),
    sa.UniqueConstraint("feed_id", "source_id", name="uq_opportunity_source")
    )
    with op.batch_alter_table("opportunities", schema=None) as batch_op:
        batch_op.create_index("ix_opportunities_active", ["withdrawn_at", "start_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_opportunities_feed_id"), ["feed_id"], unique=False)



def downgrade() -> None:
    with op.batch_alter_table("opportunities", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_opportunities_feed_id"))
        batch_op.drop_index("ix_opportunities_active")

    op.drop_table("opportunities")
    op.drop_table("feeds")
