"""appointments: slots, appointments and their history, the notification outbox, the scheduler lease

Revision ID: 25bb8553e583
Revises: d3ca8c6b65b7
Create Date: 2026-11-22 03:48:30.682068
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import server.db.types

revision = "25bb8553e583"
down_revision = "d3ca8c6b65b7"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "scheduler_leases",
        sa.Column("name", sa.String(length=32), nullable=False),
        sa.Column("holder", sa.String(length=64), nullable=False),
        sa.Column("expires_at", server.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_scheduler_leases")),
    )
    op.create_table(
        "appointment_slots",
        sa.Column("site_id", sa.Integer(), nullable=False),
        sa.Column("service_id", sa.Integer(), nullable=False),
        sa.Column("start", server.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("booked", sa.Integer(), nullable=False),
        sa.Column("capacity", sa.Integer(), nullable=False),
        sa.Column("closed", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["service_id"], ["services.id"], name=op.f("fk_appointment_slots_service_id_services")
        ),
        sa.ForeignKeyConstraint(["site_id"], ["sites.id"], name=op.f("fk_appointment_slots_site_id_sites")),
        sa.PrimaryKeyConstraint("site_id", "service_id", "start", name=op.f("pk_appointment_slots")),
    )
    op.create_table(
        "appointments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=16), nullable=False),
        sa.Column("site_id", sa.Integer(), nullable=False),
        sa.Column("service_id", sa.Integer(), nullable=False),
        sa.Column("start", server.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("end", server.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("phone", sa.String(length=32), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=True),
        sa.Column("citizen_id_hash", sa.String(length=64), nullable=True),
        sa.Column("language", sa.String(length=8), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", server.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", server.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["service_id"], ["services.id"], name=op.f("fk_appointments_service_id_services")
        ),
        sa.ForeignKeyConstraint(["site_id"], ["sites.id"], name=op.f("fk_appointments_site_id_sites")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_appointments")),
        sa.UniqueConstraint("code", name=op.f("uq_appointments_code")),
    )
    with op.batch_alter_table("appointments", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_appointments_citizen_id_hash"), ["citizen_id_hash"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_appointments_phone"), ["phone"], unique=False)
        batch_op.create_index("ix_appointments_site_start", ["site_id", "start"], unique=False)
        batch_op.create_index("ix_appointments_status_start", ["status", "start"], unique=False)

    op.create_table(
        "appointment_events",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("appointment_id", sa.Integer(), nullable=False),
        sa.Column("site_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=24), nullable=False),
        sa.Column("at", server.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("device_id", sa.Integer(), nullable=True),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["actor_id"], ["users.id"], name=op.f("fk_appointment_events_actor_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["appointment_id"],
            ["appointments.id"],
            name=op.f("fk_appointment_events_appointment_id_appointments"),
        ),
        sa.ForeignKeyConstraint(
            ["device_id"], ["devices.id"], name=op.f("fk_appointment_events_device_id_devices")
        ),
        sa.ForeignKeyConstraint(["site_id"], ["sites.id"], name=op.f("fk_appointment_events_site_id_sites")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_appointment_events")),
    )
    with op.batch_alter_table("appointment_events", schema=None) as batch_op:
        batch_op.create_index("ix_appointment_events_appointment", ["appointment_id"], unique=False)

    op.create_table(
        "notifications",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("appointment_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=True),
        sa.Column("created_at", server.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("sent_at", server.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("error", sa.String(length=400), nullable=True),
        sa.ForeignKeyConstraint(
            ["appointment_id"], ["appointments.id"], name=op.f("fk_notifications_appointment_id_appointments")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notifications")),
        sa.UniqueConstraint("appointment_id", "kind", name=op.f("uq_notifications_appointment_id_kind")),
    )
    with op.batch_alter_table("notifications", schema=None) as batch_op:
        batch_op.create_index("ix_notifications_status", ["status"], unique=False)

    with op.batch_alter_table("sites", schema=None) as batch_op:
        # Existing sites get an empty booking section (every setting at its default).
        batch_op.add_column(sa.Column("booking", sa.JSON(), nullable=False, server_default=sa.text("'{}'")))

    with op.batch_alter_table("tickets", schema=None) as batch_op:
        batch_op.add_column(sa.Column("appointment_id", sa.Integer(), nullable=True))
        batch_op.create_unique_constraint(batch_op.f("uq_tickets_appointment_id"), ["appointment_id"])
        batch_op.create_foreign_key(
            batch_op.f("fk_tickets_appointment_id_appointments"), "appointments", ["appointment_id"], ["id"]
        )


def downgrade() -> None:
    with op.batch_alter_table("tickets", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_tickets_appointment_id_appointments"), type_="foreignkey")
        batch_op.drop_constraint(batch_op.f("uq_tickets_appointment_id"), type_="unique")
        batch_op.drop_column("appointment_id")

    with op.batch_alter_table("sites", schema=None) as batch_op:
        batch_op.drop_column("booking")

    with op.batch_alter_table("notifications", schema=None) as batch_op:
        batch_op.drop_index("ix_notifications_status")

    op.drop_table("notifications")
    with op.batch_alter_table("appointment_events", schema=None) as batch_op:
        batch_op.drop_index("ix_appointment_events_appointment")

    op.drop_table("appointment_events")
    with op.batch_alter_table("appointments", schema=None) as batch_op:
        batch_op.drop_index("ix_appointments_status_start")
        batch_op.drop_index("ix_appointments_site_start")
        batch_op.drop_index(batch_op.f("ix_appointments_phone"))
        batch_op.drop_index(batch_op.f("ix_appointments_citizen_id_hash"))

    op.drop_table("appointments")
    op.drop_table("appointment_slots")
    op.drop_table("scheduler_leases")
