"""Look-ups by id shared by the use cases: a missing record is a 404 with a translated message."""

from __future__ import annotations

from sqlalchemy.orm import Session

from ..db.models import Site, Ticket
from ..domain.errors import N_, NotFound


def get_site(session: Session, site_id: int) -> Site:
    site = session.get(Site, site_id)
    if site is None:
        raise NotFound(N_("There is no such site."))
    return site


def get_ticket(session: Session, ticket_id: int) -> Ticket:
    ticket = session.get(Ticket, ticket_id)
    if ticket is None:
        raise NotFound(N_("There is no such ticket."))
    return ticket
