"""The near-turn outbox's one statement that the database must make safe: one row per ticket and kind."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from .booking import _insert
from .models import TicketMessage


def add_ticket_message(
    session: Session,
    *,
    ticket_id: int,
    site_id: int,
    kind: str,
    at: datetime,
    promised_at: datetime | None = None,
    position: int | None = None,
) -> int | None:
    """Queue a message once per (ticket, kind), ever; ``None`` if it was there already (sent or not)."""
    statement = (
        _insert(session, TicketMessage)
        .values(
            ticket_id=ticket_id,
            site_id=site_id,
            kind=kind,
            status="queued",
            created_at=at,
            next_attempt_at=at,
            attempts=0,
            promised_at=promised_at,
            position=position,
        )
        .on_conflict_do_nothing(index_elements=[TicketMessage.ticket_id, TicketMessage.kind])
        .returning(TicketMessage.id)
    )
    row = session.execute(statement).first()
    return int(row[0]) if row is not None else None
