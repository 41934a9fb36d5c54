"""box gaps: tickets a site box gave for appointment codes it could not confirm yet

Revision ID: b9boxgaps
Revises: b6siteboxes
Create Date: 2026-12-02 19:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "b9boxgaps"
down_revision = "b6siteboxes"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("tickets") as batch:
        batch.add_column(sa.Column("unconfirmed_code", sa.String(length=8), nullable=True))
        batch.add_column(sa.Column("appointment_problem", sa.String(length=16), nullable=True))
        batch.create_index("ix_tickets_unconfirmed_code", ["unconfirmed_code"])


def downgrade() -> None:
    with op.batch_alter_table("tickets") as batch:
        batch.drop_index("ix_tickets_unconfirmed_code")
        batch.drop_column("appointment_problem")
        batch.drop_column("unconfirmed_code")
