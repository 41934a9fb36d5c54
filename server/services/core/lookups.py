"""Look-ups by id shared by the use cases: a missing record is a 404 with a translated message."""

from __future__ import annotations

from sqlalchemy.orm import Session

from ...db.models import Counter, Service, Site, Ticket
from ...domain.errors import N_, NotFound


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


def get_counter(session: Session, counter_id: int) -> Counter:
    counter = session.get(Counter, counter_id)
    if counter is None:
        raise NotFound(N_("There is no such counter."))
    return counter


def service_of_site(session: Session, site: Site, service_id: int) -> Service:
    service = session.get(Service, service_id)
    if service is None or service.site_id != site.id:
        raise NotFound(N_("This site has no such service."))
    return service
