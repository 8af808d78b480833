"""The school an organizer of several acts in (/classes, /targets, /attendance), as they
chose it last: `users.school_id`; NULL until they choose (one school needs no choice).

Revision ID: 0016_school_choice
Revises: 0016_webapp_shares
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0016_school_choice"
down_revision = "0016_webapp_shares"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.add_column(sa.Column("school_id", sa.Integer(), nullable=True))
        batch.create_foreign_key("fk_users_school_id", "organisations", ["school_id"], ["id"],
                                 ondelete="SET NULL")


def downgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.drop_constraint("fk_users_school_id", type_="foreignkey")
        batch.drop_column("school_id")
