"""satisfaction ratings: one rating per served ticket, and each site's rating settings

Revision ID: b4ratings
Revises: b3secday
Create Date: 2026-12-02 17:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import server.db.types

revision = "b4ratings"
down_revision = "b3secday"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("sites") as batch:
        batch.add_column(sa.Column("ratings", sa.JSON(), server_default="{}", nullable=False))
    op.create_table(
        "ratings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ticket_id", sa.Integer(), nullable=False),
        sa.Column("site_id", sa.Integer(), nullable=False),
        sa.Column("service_id", sa.Integer(), nullable=False),
        sa.Column("counter_id", sa.Integer(), nullable=True),
        sa.Column("clerk_id", sa.Integer(), nullable=True),
        sa.Column("dossier_code", sa.String(length=64), nullable=True),
        sa.Column("score", sa.Integer(), nullable=False),
        sa.Column("reasons", sa.JSON(), nullable=False),
        sa.Column("comment", sa.String(length=500), nullable=True),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("device_id", sa.Integer(), nullable=True),
        sa.Column("finished_at", server.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("created_at", server.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["ticket_id"], ["tickets.id"], name=op.f("fk_ratings_ticket_id_tickets")),
        sa.ForeignKeyConstraint(["site_id"], ["sites.id"], name=op.f("fk_ratings_site_id_sites")),
        sa.ForeignKeyConstraint(["service_id"], ["services.id"], name=op.f("fk_ratings_service_id_services")),
        sa.ForeignKeyConstraint(["counter_id"], ["counters.id"], name=op.f("fk_ratings_counter_id_counters")),
        sa.ForeignKeyConstraint(["clerk_id"], ["users.id"], name=op.f("fk_ratings_clerk_id_users")),
        sa.ForeignKeyConstraint(["device_id"], ["devices.id"], name=op.f("fk_ratings_device_id_devices")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ratings")),
        sa.UniqueConstraint("ticket_id", name=op.f("uq_ratings_ticket_id")),
    )
    op.create_index("ix_ratings_site_finished", "ratings", ["site_id", "finished_at"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_ratings_site_finished", table_name="ratings")
    op.drop_table("ratings")
    with op.batch_alter_table("sites") as batch:
        batch.drop_column("ratings")
