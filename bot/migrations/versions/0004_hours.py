"""hours: profiles, organisations, organizers, invites, check-ins, entries, audit

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-21
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table("audit_events",
    sa.Column("id", sa.Integer(), nullable=False),
    sa.Column("at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("actor_id", sa.BigInteger(), nullable=True),
    sa.Column("action", sa.String(length=40), nullable=False),
    sa.Column("entry_id", sa.Integer(), nullable=True),
    sa.Column("organisation_id", sa.Integer(), nullable=True),
    sa.Column("details", sa.JSON(), nullable=False),
    sa.PrimaryKeyConstraint("id")
    )
    with op.batch_alter_table("audit_events", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_audit_events_at"), ["at"], unique=False)
        batch_op.create_index(batch_op.f("ix_audit_events_entry_id"), ["entry_id"], unique=False)

    op.create_table("organisations",
    sa.Column("id", sa.Integer(), nullable=False),
    sa.Column("name", sa.String(length=200), nullable=False),
    sa.Column("created_by", sa.BigInteger(), nullable=True),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint("id"),
    sa.UniqueConstraint("name")
    )
    op.create_table("checkins",
    sa.Column("id", sa.Integer(), nullable=False),
    sa.Column("code", sa.String(length=24), nullable=False),
    sa.Column("organisation_id", sa.Integer(), nullable=False),
    sa.Column("title", sa.String(length=300), nullable=False),
    sa.Column("minutes", sa.Integer(), nullable=False),
    sa.Column("starts_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("ends_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("created_by", sa.BigInteger(), nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(["organisation_id"], ["organisations.id"], ondelete="CASCADE"),
    sa.PrimaryKeyConstraint("id"),
    sa.UniqueConstraint("code")
    )
    op.create_table("invites",
    sa.Column("id", sa.Integer(), nullable=False),
    sa.Column("token", sa.String(length=40), nullable=False),
    sa.Column("organisation_id", sa.Integer(), nullable=False),
    sa.Column("created_by", sa.BigInteger(), nullable=False),
    sa.Column("single_use", sa.Boolean(), nullable=False),
    sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("uses", sa.Integer(), nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(["organisation_id"], ["organisations.id"], ondelete="CASCADE"),
    sa.PrimaryKeyConstraint("id"),
    sa.UniqueConstraint("token")
    )
    op.create_table("log_drafts",
    sa.Column("user_id", sa.BigInteger(), nullable=False),
    sa.Column("data", sa.JSON(), nullable=False),
    sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(["user_id"], ["users.id"], ondelete="CASCADE"),
    sa.PrimaryKeyConstraint("user_id")
    )
    op.create_table("memberships",
    sa.Column("id", sa.Integer(), nullable=False),
    sa.Column("organisation_id", sa.Integer(), nullable=False),
    sa.Column("user_id", sa.BigInteger(), nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(["organisation_id"], ["organisations.id"], ondelete="CASCADE"),
    sa.ForeignKeyConstraint(["user_id"], ["users.id"], ondelete="CASCADE"),
    sa.PrimaryKeyConstraint("id"),
    sa.UniqueConstraint("organisation_id", "user_id", name="uq_membership")
    )
    with op.batch_alter_table("memberships", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_memberships_organisation_id"), ["organisation_id"],
                              unique=False)
        batch_op.create_index(batch_op.f("ix_memberships_user_id"), ["user_id"], unique=False)

    op.create_table("hour_entries",
    sa.Column("id", sa.Integer(), nullable=False),
    sa.Column("user_id", sa.BigInteger(), nullable=True),
    sa.Column("organisation_id", sa.Integer(), nullable=False),
    sa.Column("opportunity_id", sa.Integer(), nullable=True),
    sa.Column("checkin_id", sa.Integer(), nullable=True),
    sa.Column("activity", sa.String(length=300), nullable=False),
    sa.Column("day", sa.Date(), nullable=False),
    sa.Column("minutes", sa.Integer(), nullable=False),
    sa.Column("note", sa.Text(), nullable=True),
    sa.Column("photo_file_id", sa.String(length=200), nullable=True),
    sa.Column("status", sa.String(length=10), nullable=False),
    sa.Column("reason", sa.Text(), nullable=True),
    sa.Column("decided_by", sa.BigInteger(), nullable=True),
    sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
    sa.Column("notified_at", sa.DateTime(timezone=True), nullable=True),
    sa.Column("idempotency_key", sa.String(length=80), nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(["checkin_id"], ["checkins.id"], ondelete="SET NULL"),
    sa.ForeignKeyConstraint(["opportunity_id"], ["opportunities.id"], ondelete="SET NULL"),
    sa.ForeignKeyConstraint(["organisation_id"], ["organisations.id"], ondelete="CASCADE"),
    sa.ForeignKeyConstraint(["user_id"], ["users.id"], ondelete="SET NULL"),
    sa.PrimaryKeyConstraint("id"),
    sa.UniqueConstraint("idempotency_key")
    )
    with op.batch_alter_table("hour_entries", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_hour_entries_day"), ["day"], unique=False)
        batch_op.create_index(batch_op.f("ix_hour_entries_organisation_id"), ["organisation_id"],
                              unique=False)
        batch_op.create_index(batch_op.f("ix_hour_entries_status"), ["status"], unique=False)
        batch_op.create_index(batch_op.f("ix_hour_entries_user_id"), ["user_id"], unique=False)

    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(sa.Column("school", sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column("grade", sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column("municipality", sa.String(length=100), nullable=True))
        batch_op.add_column(sa.Column("yearly_target_minutes", sa.Integer(), nullable=True))

    op.create_table(
        "certificates",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=20), nullable=False),
        sa.Column("user_id", sa.BigInteger(), nullable=True),
        sa.Column("learner", sa.String(length=256), nullable=False),
        sa.Column("approved_minutes", sa.Integer(), nullable=False),
        sa.Column("issued_on", sa.Date(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("code"),
    )


def downgrade() -> None:
    op.drop_table("certificates")
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_column("yearly_target_minutes")
        batch_op.drop_column("municipality")
        batch_op.drop_column("grade")
        batch_op.drop_column("school")

    with op.batch_alter_table("hour_entries", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_hour_entries_user_id"))
        batch_op.drop_index(batch_op.f("ix_hour_entries_status"))
        batch_op.drop_index(batch_op.f("ix_hour_entries_organisation_id"))
        batch_op.drop_index(batch_op.f("ix_hour_entries_day"))

    op.drop_table("hour_entries")
    with op.batch_alter_table("memberships", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_memberships_user_id"))
        batch_op.drop_index(batch_op.f("ix_memberships_organisation_id"))

    op.drop_table("memberships")
    op.drop_table("log_drafts")
    op.drop_table("invites")
    op.drop_table("checkins")
    op.drop_table("organisations")
    with op.batch_alter_table("audit_events", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_audit_events_entry_id"))
        batch_op.drop_index(batch_op.f("ix_audit_events_at"))

    op.drop_table("audit_events")
