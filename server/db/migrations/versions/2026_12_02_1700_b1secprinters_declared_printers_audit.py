"""printers: the printers the installer declares per site, and the audit of refused attempts

Revision ID: b1secprinters
Revises: a3c0stats0410
Create Date: 2026-12-02 17:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import server.db.types

revision = "b1secprinters"
down_revision = "a3c0stats0410"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "site_printers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("site_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("uri", sa.String(length=400), nullable=False),
        sa.ForeignKeyConstraint(["site_id"], ["sites.id"], name=op.f("fk_site_printers_site_id_sites")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_site_printers")),
        sa.UniqueConstraint("site_id", "name", name=op.f("uq_site_printers_site_id_name")),
    )
    with op.batch_alter_table("site_printers", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_site_printers_site_id"), ["site_id"], unique=False)

    op.create_table(
        "audit_records",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("at", server.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("site_id", sa.Integer(), nullable=True),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("device_id", sa.Integer(), nullable=True),
        sa.Column("detail", sa.String(length=400), nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(["actor_id"], ["users.id"], name=op.f("fk_audit_records_actor_id_users")),
        sa.ForeignKeyConstraint(
            ["device_id"], ["devices.id"], name=op.f("fk_audit_records_device_id_devices")
        ),
        sa.ForeignKeyConstraint(["site_id"], ["sites.id"], name=op.f("fk_audit_records_site_id_sites")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_records")),
    )
    with op.batch_alter_table("audit_records", schema=None) as batch_op:
        batch_op.create_index("ix_audit_records_site_at", ["site_id", "at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("audit_records", schema=None) as batch_op:
        batch_op.drop_index("ix_audit_records_site_at")
    op.drop_table("audit_records")
    with op.batch_alter_table("site_printers", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_site_printers_site_id"))
    op.drop_table("site_printers")
