"""who owns each setting: the settings of a service or counter a manager set on the page

Revision ID: c3ownership
Revises: c2devices
Create Date: 2026-12-03 09:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "c3ownership"
down_revision = "c2devices"
branch_labels = None
depends_on = None


def upgrade() -> None:
    for table in ("services", "counters"):
        with op.batch_alter_table(table) as batch:
            batch.add_column(sa.Column("page_owned", sa.JSON(), nullable=False, server_default="[]"))


def downgrade() -> None:
    for table in ("services", "counters"):
        with op.batch_alter_table(table) as batch:
            batch.drop_column("page_owned")
