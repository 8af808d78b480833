"""`waiting`: one row per user naming the flow that waits for their next typed message.

Seeded from what waited before (in the order the flows used to take a typed message): a
/log draft, an announcement draft, the playlist editor, a /profile field; so a user in the
middle of a flow during the upgrade loses nothing.

Revision ID: 0015_routing
Revises: 0015_schools
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0015_routing"
down_revision = "0015_schools"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "waiting",
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("flow", sa.String(length=32), nullable=False),
        sa.Column("state", sa.JSON(), nullable=False),
        sa.Column("since", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("user_id"),
    )
    postgres = op.get_bind().dialect.name == "postgresql"
    empty = "CAST('{}' AS JSON)" if postgres else "'{}'"
    field = ("json_build_object('field', profile_field)" if postgres
             else "json_object('field', profile_field)")
    # Only the constants above are interpolated into these statements (no input).
    absent = "NOT EXISTS (SELECT 1 FROM waiting w WHERE w.user_id = {column})"
    op.execute(f"INSERT INTO waiting (user_id, flow, state, since) "  # noqa: S608
               f"SELECT user_id, 'log', {empty}, updated_at FROM log_drafts")
    op.execute(f"INSERT INTO waiting (user_id, flow, state, since) "  # noqa: S608
               f"SELECT author_id, 'broadcast', {empty}, MAX(created_at) FROM broadcasts b "
               f"WHERE status = 'draft' AND text = '' AND photo_file_id IS NULL AND"
               f"  {absent.format(column='b.author_id')} "
               f"AND EXISTS (SELECT 1 FROM users u WHERE u.id = b.author_id) "
               f"GROUP BY author_id")
    op.execute(f"INSERT INTO waiting (user_id, flow, state, since) "  # noqa: S608
               f"SELECT user_id, 'playlist', {empty}, CURRENT_TIMESTAMP FROM playlist_edits p "
               f"WHERE awaiting <> '' AND {absent.format(column='p.user_id')}")
    op.execute(f"INSERT INTO waiting (user_id, flow, state, since) "  # noqa: S608
               f"SELECT id, 'profile', {field}, CURRENT_TIMESTAMP FROM users u "
               f"WHERE profile_field IS NOT NULL AND {absent.format(column='u.id')}")


    # The /profile field that waited is now the user's waiting record (seeded above).
    with op.batch_alter_table("users") as batch:
        batch.drop_column("profile_field")


def downgrade() -> None:
    op.add_column("users", sa.Column("profile_field", sa.String(length=16), nullable=True))
    op.drop_table("waiting")
