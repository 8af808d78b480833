"""Feeds are read again at the next sync: times are now kept in the zone where each
opportunity happens (its TZID, else its town or country), so items stored before that, shown
in UTC, get their local zone. Forgetting the validators (ETag, Last-Modified, body hash)
makes the next sync parse every feed; items whose zone changed are updated, nothing is
added or withdrawn by this alone.

Revision ID: 0014_truth
Revises: 0013
Create Date: 2026-12-07
"""

from __future__ import annotations

from alembic import op

revision = "0014_truth"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("UPDATE feeds SET etag = NULL, last_modified = NULL, body_hash = NULL")


def downgrade() -> None:
    pass  # nothing to undo: the next sync simply reads every feed once
