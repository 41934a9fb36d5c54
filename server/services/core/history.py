"""The ticket history: every state change of a ticket is appended to the event table, with its time,
actor and counter. Statistics, the audit and a clerk's day are all counted from it."""

from __future__ import annotations

from datetime import datetime

from ...db.models import Ticket, TicketEvent
from ...domain.access import Principal
from .unit_of_work import Tickets


def record(
    tickets: Tickets,
    ticket: Ticket,
    kind: str,
    at: datetime,
    actor: Principal,
    *,
    counter_id: int | None = None,
    data: dict[str, object] | None = None,
) -> None:
    """Append a state change to the ticket's history."""
    tickets.record(
        TicketEvent(
            ticket_id=ticket.id,
            site_id=ticket.site_id,
            kind=kind,
            at=at,
            status=ticket.status,
            service_id=ticket.service_id,
            counter_id=counter_id if counter_id is not None else ticket.counter_id,
            actor_id=actor.user_id,
            device_id=actor.device_id,
            data={k: v for k, v in (data or {}).items() if v is not None},
        )
    )
