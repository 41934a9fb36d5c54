"""the clerk's day: the counter's own events (opened, paused with a reason, closed) and its pause reason

Revision ID: b8clerkday
Revises: b10leases
Create Date: 2026-12-02 18:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from server.db.types import UTCDateTime

revision = "b8clerkday"
down_revision = "b10leases"
branch_labels = None
depends_on = None

BIG = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    with op.batch_alter_table("counters") as batch:
        batch.add_column(sa.Column("status_since", UTCDateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("pause_reason", sa.String(length=16), nullable=True))
    op.create_table(
        "counter_events",
        sa.Column("id", BIG, nullable=False),
        sa.Column("site_id", sa.Integer(), nullable=False),
        sa.Column("counter_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("reason", sa.String(length=16), nullable=True),
        sa.Column("note", sa.String(length=200), nullable=True),
        sa.ForeignKeyConstraint(["site_id"], ["sites.id"], name=op.f("fk_counter_events_site_id_sites")),
        sa.ForeignKeyConstraint(
            ["counter_id"], ["counters.id"], name=op.f("fk_counter_events_counter_id_counters")
        ),
        sa.ForeignKeyConstraint(["actor_id"], ["users.id"], name=op.f("fk_counter_events_actor_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_counter_events")),
    )
    op.create_index("ix_counter_events_site_at", "counter_events", ["site_id", "at"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_counter_events_site_at", table_name="counter_events")
    op.drop_table("counter_events")
    with op.batch_alter_table("counters") as batch:
        batch.drop_column("pause_reason")
        batch.drop_column("status_since")
