"""the procedure guide: procedures with the papers to bring, their fee and processing time

Revision ID: c1procedures
Revises: b8clerkday
Create Date: 2026-12-03 09:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from server.db.types import UTCDateTime

revision = "c1procedures"
down_revision = "b8clerkday"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "procedures",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=32), nullable=False),
        sa.Column("service_code", sa.String(length=32), nullable=False),
        sa.Column("site_codes", sa.JSON(), nullable=False),
        sa.Column("name", sa.String(length=300), nullable=False),
        sa.Column("name_en", sa.String(length=300), nullable=False),
        sa.Column("documents", sa.JSON(), nullable=False),
        sa.Column("fee", sa.String(length=400), nullable=False),
        sa.Column("fee_en", sa.String(length=400), nullable=False),
        sa.Column("processing_time", sa.String(length=200), nullable=False),
        sa.Column("processing_time_en", sa.String(length=200), nullable=False),
        sa.Column("note", sa.String(length=1000), nullable=False),
        sa.Column("note_en", sa.String(length=1000), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("hidden", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("updated_at", UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_procedures")),
        sa.UniqueConstraint("code", name=op.f("uq_procedures_code")),
    )
    op.create_index(op.f("ix_procedures_service_code"), "procedures", ["service_code"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_procedures_service_code"), table_name="procedures")
    op.drop_table("procedures")
