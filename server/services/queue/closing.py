"""Closing the day (kết thúc ngày làm việc): tickets still waiting or called when their day closes end as
``expired``, so that the next day starts with an empty queue and no number is held twice.

The one scheduler runs :func:`close_days` on every sweep. Each site is closed in its own unit of work,
after taking the site's ``close-day`` lock; a ticket is expired only while it is still waiting or called,
and the version check of each ticket makes a staff action at the same moment win or lose cleanly. Running it
twice, or in two processes at once, expires nothing twice. When a day closes is a rule of the domain
(:mod:`server.domain.closing`); services that keep their queue overnight are left alone.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from ...db.models import Ticket
from ...domain.access import Principal
from ...domain.closing import is_expired, last_closed_day
from ...domain.errors import Conflict
from ...domain.events import TicketChanged
from ...domain.tickets import EXPIRES_AT_DAY_END, Action, TicketStatus, next_status
from ..core.history import record
from ..core.idempotency import retry_on_race
from ..core.lookups import get_site
from ..core.unit_of_work import UnitOfWork
from .state import QueueState, opening_hours, overnight_services

SYSTEM = Principal()  # the day's closing acts for nobody: no user, no device
_STATUSES = frozenset(status.value for status in EXPIRES_AT_DAY_END)


@dataclass(frozen=True)
class Closed:
    """What one run closed: the sites that had tickets to expire, and the tickets expired."""

    sites: int = 0
    expired: int = 0


def close_days(new_uow: Callable[[], UnitOfWork], now: datetime) -> Closed:
    """Expire, site by site, the tickets whose day has closed at ``now``."""
    with new_uow() as uow:
        site_ids = uow.tickets.sites_with(_STATUSES)
    sites = expired = 0
    for site_id in site_ids:
        try:
            count = close_site_day(new_uow(), site_id, now)
        except Conflict as exc:
            if exc.code != "site_box_owns":
                raise
            continue  # a site served by its own box: the box closes its day, and the expiries come up
        sites += count > 0
        expired += count
    return Closed(sites, expired)


@retry_on_race
def close_site_day(uow: UnitOfWork, site_id: int, now: datetime) -> int:
    """Expire the site's tickets whose day has closed at ``now``, in one unit of work; how many."""
    with uow:
        uow.lock(f"close-day:{site_id}")
        site = get_site(uow.sites, site_id)
        hours = opening_hours(site)
        services = uow.sites.services(site.id)
        overnight = overnight_services(services)
        through = last_closed_day(now, hours, site.timezone)
        due = [
            ticket
            for ticket in uow.tickets.unfinished(site.id, _STATUSES, through)
            if ticket.service_id not in overnight and is_expired(ticket.issued_at, now, hours, site.timezone)
        ]
        if not due:
            return 0
        state = QueueState.load(uow, site, now, services)
        for ticket in due:
            _expire(uow, state, ticket, now)
        uow.emit(state.queue_changed(now))
        uow.commit()
        return len(due)


def _expire(uow: UnitOfWork, state: QueueState, ticket: Ticket, now: datetime) -> None:
    was = ticket.status
    counter = ticket.counter
    ticket.status = next_status(TicketStatus(ticket.status), Action.EXPIRE).value
    ticket.finished_at = now
    if counter is not None and counter.current_ticket_id == ticket.id:
        counter.current_ticket_id = None
    uow.flush()  # the version check: a clerk's action on this ticket at this very moment wins
    record(
        uow.tickets,
        ticket,
        "expired",
        now,
        SYSTEM,
        counter_id=counter.id if counter is not None and was == TicketStatus.CALLED else None,
        data={"from": was, "day": ticket.day.isoformat()},
    )
    state.forget(ticket)
    uow.emit(TicketChanged(site_id=ticket.site_id, ticket=state.ticket_info(ticket), action="expire", at=now))
