"""Learning playlists: playlists, their items and members, the organizer's editor state,
the playlist item that hours and check-in codes are for, and the playlist a badge rewards.

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-21
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "playlists",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("created_by", sa.BigInteger(), nullable=False),
        sa.Column("language", sa.String(length=8), nullable=False),
        sa.Column("titles", sa.JSON(), nullable=False),
        sa.Column("descriptions", sa.JSON(), nullable=False),
        sa.Column("published", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["organisation_id"], ["organisations.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_playlists_organisation_id", "playlists", ["organisation_id"])
    op.create_table(
        "playlist_items",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("playlist_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("required", sa.Boolean(), nullable=False),
        sa.Column("opportunity_id", sa.Integer(), nullable=True),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.ForeignKeyConstraint(["opportunity_id"], ["opportunities.id"], ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["playlist_id"], ["playlists.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("playlist_id", "position", name="uq_playlist_item_position"),
        sa.UniqueConstraint("playlist_id", "opportunity_id",
                            name="uq_playlist_item_opportunity"),
    )
    op.create_index("ix_playlist_items_playlist_id", "playlist_items", ["playlist_id"])
    op.create_index("ix_playlist_items_opportunity_id", "playlist_items", ["opportunity_id"])
    op.create_table(
        "playlist_members",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("playlist_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("joined_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["playlist_id"], ["playlists.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("playlist_id", "user_id", name="uq_playlist_member"),
    )
    op.create_index("ix_playlist_members_user_id", "playlist_members", ["user_id"])
    op.create_table(
        "playlist_edits",
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("playlist_id", sa.Integer(), nullable=True),
        sa.Column("awaiting", sa.String(length=16), nullable=False),
        sa.Column("language", sa.String(length=8), nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["organisation_id"], ["organisations.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["playlist_id"], ["playlists.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("user_id"),
    )
    with op.batch_alter_table("hour_entries") as batch:
        batch.add_column(sa.Column("playlist_item_id", sa.Integer(), nullable=True))
        batch.create_index("ix_hour_entries_playlist_item_id", ["playlist_item_id"])
        batch.create_foreign_key("fk_hour_entries_playlist_item", "playlist_items",
                                 ["playlist_item_id"], ["id"], ondelete="SET NULL")
    with op.batch_alter_table("checkins") as batch:
        batch.add_column(sa.Column("playlist_item_id", sa.Integer(), nullable=True))
        batch.create_foreign_key("fk_checkins_playlist_item", "playlist_items",
                                 ["playlist_item_id"], ["id"], ondelete="SET NULL")
    with op.batch_alter_table("badges") as batch:
        batch.create_foreign_key("fk_badges_playlist", "playlists", ["playlist_id"], ["id"],
                                 ondelete="SET NULL")


def downgrade() -> None:
    with op.batch_alter_table("badges") as batch:
        batch.drop_constraint("fk_badges_playlist", type_="foreignkey")
    with op.batch_alter_table("checkins") as batch:
        batch.drop_constraint("fk_checkins_playlist_item", type_="foreignkey")
        batch.drop_column("playlist_item_id")
    with op.batch_alter_table("hour_entries") as batch:
        batch.drop_constraint("fk_hour_entries_playlist_item", type_="foreignkey")
        batch.drop_index("ix_hour_entries_playlist_item_id")
        batch.drop_column("playlist_item_id")
    op.drop_table("playlist_edits")
    op.drop_index("ix_playlist_members_user_id", table_name="playlist_members")
    op.drop_table("playlist_members")
    op.drop_index("ix_playlist_items_opportunity_id", table_name="playlist_items")
    op.drop_index("ix_playlist_items_playlist_id", table_name="playlist_items")
    op.drop_table("playlist_items")
    op.drop_index("ix_playlists_organisation_id", table_name="playlists")
    op.drop_table("playlists")
