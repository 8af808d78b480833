"""Organizers' reminders of entries waiting more than a week for verification.

`users.pending_reminded_at` is when an organizer was last reminded (NULL: never), so the
reminder goes at most once a week to each.

Revision ID: 0016_pending
Revises: 0016_school_choice
Create Date: 2026-12-08
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0016_pending"
down_revision = "0016_school_choice"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.add_column(sa.Column("pending_reminded_at", sa.DateTime(timezone=True),
                                   nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.drop_column("pending_reminded_at")
