"""Look-ups by id shared by the use cases: a missing record is a 404 with a translated message.

They take a repository (a unit of work's, or :class:`server.db.repositories.Repositories` on a read-only
session), so that a use case reads the same way against the database and against the unit tests' fakes.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ...domain.errors import N_, NotFound
from .unit_of_work import Sites, Tickets

if TYPE_CHECKING:
    from ...db.models import Counter, Service, Site, Ticket


def get_site(sites: Sites, site_id: int) -> Site:
    site = sites.get(site_id)
    if site is None:
        raise NotFound(N_("There is no such site."))
    return site


def get_ticket(tickets: Tickets, ticket_id: int) -> Ticket:
    ticket = tickets.get(ticket_id)
    if ticket is None:
        raise NotFound(N_("There is no such ticket."))
    return ticket


def get_counter(sites: Sites, counter_id: int) -> Counter:
    counter = sites.counter(counter_id)
    if counter is None:
        raise NotFound(N_("There is no such counter."))
    return counter


def get_service(sites: Sites, service_id: int) -> Service:
    service = sites.service(service_id)
    if service is None:
        raise NotFound(N_("There is no such service."))
    return service


def service_of_site(sites: Sites, site: Site, service_id: int) -> Service:
    service = sites.service(service_id)
    if service is None or service.site_id != site.id:
        raise NotFound(N_("This site has no such service."))
    return service
