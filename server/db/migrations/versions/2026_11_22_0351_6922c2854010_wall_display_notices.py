"""wall display: notices, and English announcements per site

Revision ID: 6922c2854010
Revises: 25bb8553e583
Create Date: 2026-11-22 03:49:49.773812
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import server.db.types

revision = "6922c2854010"
down_revision = "25bb8553e583"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "notices",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("site_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("text", sa.String(length=300), nullable=False),
        sa.Column("starts_at", server.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("ends_at", server.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("updated_at", server.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["site_id"], ["sites.id"], name=op.f("fk_notices_site_id_sites")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notices")),
    )
    with op.batch_alter_table("notices", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_notices_site_id"), ["site_id"], unique=False)

    with op.batch_alter_table("sites", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("announce_english", sa.Boolean(), server_default=sa.false(), nullable=False)
        )


def downgrade() -> None:
    with op.batch_alter_table("sites", schema=None) as batch_op:
        batch_op.drop_column("announce_english")

    with op.batch_alter_table("notices", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_notices_site_id"))

    op.drop_table("notices")
