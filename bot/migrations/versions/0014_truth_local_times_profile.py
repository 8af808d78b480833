"""`users.profile_field`: the /profile field waiting for the user's typed value.

Feeds are read again at the next sync: times are now kept in the zone where each
opportunity happens (its TZID, else its town or country), so items stored before that, shown
in UTC, get their local zone. Forgetting the validators (ETag, Last-Modified, body hash)
makes the next sync parse every feed; items whose zone changed are updated, nothing is
added or withdrawn by this alone.

Revision ID: 0014_truth
Revises: 0014_privacy
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0014_truth"
down_revision = "0014_privacy"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("users", sa.Column("profile_field", sa.String(length=16), nullable=True))
    op.execute("UPDATE feeds SET etag = NULL, last_modified = NULL, body_hash = NULL")


def downgrade() -> None:
    # The feeds need nothing undone: the next sync simply read every feed once.
    with op.batch_alter_table("users") as batch:
        batch.drop_column("profile_field")
