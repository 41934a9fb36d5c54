"""kiosk enrolment codes: short single-use codes that enrol a kiosk or display

Revision ID: d3ca8c6b65b7
Revises: 2a872d47fd87
Create Date: 2026-11-22 03:46:41.604290
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import server.db.types

revision = "d3ca8c6b65b7"
down_revision = "2a872d47fd87"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "enrolment_codes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("device_id", sa.Integer(), nullable=False),
        sa.Column("code_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", server.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("expires_at", server.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("used_at", server.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["device_id"], ["devices.id"], name=op.f("fk_enrolment_codes_device_id_devices")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_enrolment_codes")),
        sa.UniqueConstraint("code_hash", name=op.f("uq_enrolment_codes_code_hash")),
    )
    with op.batch_alter_table("enrolment_codes", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_enrolment_codes_device_id"), ["device_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("enrolment_codes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_enrolment_codes_device_id"))

    op.drop_table("enrolment_codes")
