"""Certificates per school year that can be revoked; pupils' monthly target reminders.

`certificates.school_year` is the first day of the school year a certificate covers (NULL:
all years, as every certificate issued before this revision); `revoked_at`/`revoked_by` mark
one an administrator revoked. `users.target_reminders` (on by default, off in /profile) and
`target_reminded_at` keep the monthly reminder to pupils behind their yearly target.

Revision ID: 0015_certs
Revises: 0015_routing
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0015_certs"
down_revision = "0015_routing"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("certificates") as batch:
        batch.add_column(sa.Column("school_year", sa.Date(), nullable=True))
        batch.add_column(sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("revoked_by", sa.BigInteger(), nullable=True))
    with op.batch_alter_table("users") as batch:
        batch.add_column(sa.Column("target_reminders", sa.Boolean(), nullable=False,
                                   server_default=sa.true()))
        batch.add_column(sa.Column("target_reminded_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.drop_column("target_reminded_at")
        batch.drop_column("target_reminders")
    with op.batch_alter_table("certificates") as batch:
        batch.drop_column("revoked_by")
        batch.drop_column("revoked_at")
        batch.drop_column("school_year")
