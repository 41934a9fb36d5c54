"""kiosk leases of ticket numbers, and tickets issued offline by a kiosk agent

Revision ID: b10leases
Revises: b9boxgaps
Create Date: 2026-12-02 18:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from server.db.types import UTCDateTime

revision = "b10leases"
down_revision = "b9boxgaps"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "ticket_leases",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("site_id", sa.Integer(), nullable=False),
        sa.Column("service_id", sa.Integer(), nullable=False),
        sa.Column("device_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("first", sa.Integer(), nullable=False),
        sa.Column("last", sa.Integer(), nullable=False),
        sa.Column("granted_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("released_at", UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["site_id"], ["sites.id"], name=op.f("fk_ticket_leases_site_id_sites")),
        sa.ForeignKeyConstraint(
            ["service_id"], ["services.id"], name=op.f("fk_ticket_leases_service_id_services")
        ),
        sa.ForeignKeyConstraint(
            ["device_id"], ["devices.id"], name=op.f("fk_ticket_leases_device_id_devices")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ticket_leases")),
    )
    op.create_index("ix_ticket_leases_device_day", "ticket_leases", ["device_id", "day"], unique=False)
    with op.batch_alter_table("tickets") as batch:
        batch.add_column(sa.Column("offline_id", sa.String(length=36), nullable=True))
        batch.add_column(
            sa.Column("offline_over_limit", sa.Boolean(), server_default=sa.false(), nullable=False)
        )
        batch.create_unique_constraint(batch.f("uq_tickets_offline_id"), ["offline_id"])


def downgrade() -> None:
    with op.batch_alter_table("tickets") as batch:
        batch.drop_constraint("uq_tickets_offline_id", type_="unique")
        batch.drop_column("offline_over_limit")
        batch.drop_column("offline_id")
    op.drop_index("ix_ticket_leases_device_day", table_name="ticket_leases")
    op.drop_table("ticket_leases")
