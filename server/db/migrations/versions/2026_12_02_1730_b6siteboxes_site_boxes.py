"""site boxes: the upstream's links to boxes, a box's outgoing changes and its state

Revision ID: b6siteboxes
Revises: b5nearturn
Create Date: 2026-12-02 17:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from server.db.types import UTCDateTime

revision = "b6siteboxes"
down_revision = "b5nearturn"
branch_labels = None
depends_on = None

BIG = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "site_box_links",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("site_id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", UTCDateTime(timezone=True), nullable=True),
        sa.Column("last_seen_at", UTCDateTime(timezone=True), nullable=True),
        sa.Column("applied", sa.BigInteger(), nullable=False),
        sa.Column("box_seq", sa.BigInteger(), nullable=False),
        sa.Column("box_changes", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(["site_id"], ["sites.id"], name=op.f("fk_site_box_links_site_id_sites")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_site_box_links")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_site_box_links_token_hash")),
    )
    op.create_index(op.f("ix_site_box_links_site_id"), "site_box_links", ["site_id"], unique=False)
    op.create_table(
        "site_box_changes",
        sa.Column("id", BIG, nullable=False),
        sa.Column("site_id", sa.Integer(), nullable=False),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.Column("at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("rows", sa.JSON(), nullable=False),
        sa.Column("events", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(["site_id"], ["sites.id"], name=op.f("fk_site_box_changes_site_id_sites")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_site_box_changes")),
    )
    op.create_table(
        "site_box_state",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("site_id", sa.Integer(), nullable=False),
        sa.Column("upstream_url", sa.String(length=400), nullable=False),
        sa.Column("acked", sa.BigInteger(), nullable=False),
        sa.Column("acked_seq", sa.BigInteger(), nullable=False),
        sa.Column("config_digest", sa.String(length=64), nullable=False),
        sa.Column("appointments_cursor", sa.String(length=64), nullable=False),
        sa.Column("last_seen_at", UTCDateTime(timezone=True), nullable=True),
        sa.Column("others", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_site_box_state")),
    )


def downgrade() -> None:
    op.drop_table("site_box_state")
    op.drop_table("site_box_changes")
    op.drop_index(op.f("ix_site_box_links_site_id"), table_name="site_box_links")
    op.drop_table("site_box_links")
