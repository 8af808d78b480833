"""Schools: classes with a share link, a roster of pupils (also pupils not on Telegram),
yearly targets per grade, the user's full name, hours owned by a roster pupil, and an
organizer's attendance in progress.

Revision ID: 0015_schools
Revises: 0014_truth
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0015_schools"
down_revision = "0014_truth"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.add_column(sa.Column("full_name", sa.String(length=200), nullable=True))
    with op.batch_alter_table("organisations") as batch:
        batch.add_column(sa.Column("is_school", sa.Boolean(), nullable=False,
                                   server_default="0"))
    op.create_table(
        "school_classes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("school_year", sa.Integer(), nullable=False),
        sa.Column("grade", sa.SmallInteger(), nullable=False),
        sa.Column("letter", sa.String(length=4), nullable=False),
        sa.Column("token", sa.String(length=40), nullable=False),
        sa.Column("created_by", sa.BigInteger(), nullable=True),
        sa.Column("promoted_to", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["organisation_id"], ["organisations.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("organisation_id", "school_year", "grade", "letter",
                            name="uq_school_class"),
        sa.UniqueConstraint("token"),
    )
    op.create_index("ix_school_classes_organisation_id", "school_classes", ["organisation_id"])
    op.create_table(
        "pupils",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.BigInteger(), nullable=True),
        sa.Column("full_name", sa.String(length=200), nullable=False),
        sa.Column("claim_code", sa.String(length=16), nullable=True),
        sa.Column("claimed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_by", sa.BigInteger(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["organisation_id"], ["organisations.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("organisation_id", "user_id", name="uq_pupil_user"),
        sa.UniqueConstraint("claim_code"),
    )
    op.create_index("ix_pupils_organisation_id", "pupils", ["organisation_id"])
    op.create_index("ix_pupils_user_id", "pupils", ["user_id"])
    op.create_table(
        "class_members",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("class_id", sa.Integer(), nullable=False),
        sa.Column("pupil_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["class_id"], ["school_classes.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["pupil_id"], ["pupils.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("class_id", "pupil_id", name="uq_class_member"),
    )
    op.create_index("ix_class_members_class_id", "class_members", ["class_id"])
    op.create_index("ix_class_members_pupil_id", "class_members", ["pupil_id"])
    op.create_table(
        "grade_targets",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("grade", sa.SmallInteger(), nullable=False),
        sa.Column("minutes", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["organisation_id"], ["organisations.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("organisation_id", "grade", name="uq_grade_target"),
    )
    op.create_index("ix_grade_targets_organisation_id", "grade_targets", ["organisation_id"])
    op.create_table(
        "attendance_drafts",
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("user_id"),
    )
    with op.batch_alter_table("hour_entries") as batch:
        batch.add_column(sa.Column("pupil_id", sa.Integer(), nullable=True))
        batch.create_index("ix_hour_entries_pupil_id", ["pupil_id"])
        batch.create_foreign_key("fk_hour_entries_pupil", "pupils", ["pupil_id"], ["id"],
                                 ondelete="SET NULL")


def downgrade() -> None:
    with op.batch_alter_table("hour_entries") as batch:
        batch.drop_constraint("fk_hour_entries_pupil", type_="foreignkey")
        batch.drop_index("ix_hour_entries_pupil_id")
        batch.drop_column("pupil_id")
    op.drop_table("attendance_drafts")
    op.drop_index("ix_grade_targets_organisation_id", table_name="grade_targets")
    op.drop_table("grade_targets")
    op.drop_index("ix_class_members_pupil_id", table_name="class_members")
    op.drop_index("ix_class_members_class_id", table_name="class_members")
    op.drop_table("class_members")
    op.drop_index("ix_pupils_user_id", table_name="pupils")
    op.drop_index("ix_pupils_organisation_id", table_name="pupils")
    op.drop_table("pupils")
    op.drop_index("ix_school_classes_organisation_id", table_name="school_classes")
    op.drop_table("school_classes")
    with op.batch_alter_table("organisations") as batch:
        batch.drop_column("is_school")
    with op.batch_alter_table("users") as batch:
        batch.drop_column("full_name")
