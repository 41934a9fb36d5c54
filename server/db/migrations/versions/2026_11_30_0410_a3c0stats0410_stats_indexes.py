"""statistics: indexes for a period's figures (events by kind, first calls, completions)

Revision ID: a3c0stats0410
Revises: a3c0print0400
Create Date: 2026-11-30 04:10:00
"""

from __future__ import annotations

from alembic import op

revision = "a3c0stats0410"
down_revision = "a3c0print0400"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index(
        "ix_ticket_events_site_kind_at",
        "ticket_events",
        ["site_id", "kind", "at", "service_id"],
        unique=False,
    )
    op.create_index(
        "ix_tickets_site_first_called",
        "tickets",
        ["site_id", "first_called_at", "service_id", "wait_s"],
        unique=False,
    )
    op.create_index(
        "ix_tickets_site_finished",
        "tickets",
        ["site_id", "finished_at", "status", "service_id", "service_s", "counter_id", "served_by_id"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index("ix_tickets_site_finished", table_name="tickets")
    op.drop_index("ix_tickets_site_first_called", table_name="tickets")
    op.drop_index("ix_ticket_events_site_kind_at", table_name="ticket_events")
