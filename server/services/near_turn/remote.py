"""Remote tickets (lấy số từ xa): joining a service's queue before arriving, from ``/book`` or the QR poster
at the door, with the phone number that will say when the turn is near.

- :func:`take_remote_ticket` makes a ``pending_arrival`` ticket: numbered like any other and placed by the
  time it was taken, but never called (call-next takes only ``waiting`` tickets). The per-person limits
  apply (429), and a site-set share caps them (``remote_share``, default 30 % of the service's estimated
  calls of the next hour, counting remote tickets not yet called): beyond it, 409 ``remote_full``, so
  that walk-ins, the elderly and people without a phone are not pushed back.
- :func:`confirm_arrival` is the kiosk's scan of the ticket's QR (staff who issue at the desk may
  confirm too): the ticket becomes ``waiting`` in its
  place, by the time it was taken — so, when tickets taken after it were called already (its turn
  passed), it is next in its service.
- :func:`expire_remote` ends unconfirmed tickets as ``expired``: at the end of the site's opening hours
  of the day, and when ``remote_expire_calls`` tickets of its service taken after it were called.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select

from ...db.models import Ticket
from ...domain import estimates, policy
from ...domain.access import Principal
from ...domain.days import business_day
from ...domain.errors import N_, Conflict, NotFound
from ...domain.events import TicketChanged, TicketInfo, TicketIssued
from ...domain.near_turn import NotifySettings
from ...domain.tickets import Action, Priority, TicketStatus, next_status
from ..core.history import record
from ..core.idempotency import retry_on_race
from ..core.lookups import get_site
from ..core.unit_of_work import UnitOfWork
from ..queue.state import QueueState, site_is_open, ticket_info
from ..queue.tickets import TicketDetails, add_ticket, check_person_limit

SYSTEM = Principal()


@dataclass(frozen=True, kw_only=True)
class TakeRemoteTicket:
    site_id: int
    service_id: int
    phone: str
    at: datetime
    citizen_key: str | None = None
    language: str = "vi"


@dataclass(frozen=True, kw_only=True)
class ConfirmArrival:
    actor: Principal
    site_id: int
    public_code: str
    at: datetime


def virtual_position(state: QueueState, ticket: Ticket) -> tuple[int, int]:
    """Where a ``pending_arrival`` ticket would stand if it were waiting: ``(position, estimated_wait_s)``."""
    mine = policy.Candidate(ticket.id, ticket.service_id, Priority(ticket.priority), ticket.waiting_since)
    others = [w.candidate for w in state.waiting_in([ticket.service_id])]
    calling = policy.CallingCounter([ticket.service_id], 0, {ticket.service_id: timedelta(minutes=30)})
    order = [p.candidate.ticket_id for p in policy.order([*others, mine], calling, state.now, state.settings)]
    ahead = order.index(ticket.id)
    wait = estimates.estimate_wait_s(
        ahead, state.average_service_s(ticket.service_id), state.counters_for(ticket.service_id)
    )
    return ahead + 1, wait


def pending_info(state: QueueState, ticket: Ticket) -> TicketInfo:
    position, wait = virtual_position(state, ticket)
    return ticket_info(state.site, ticket, position, wait)


def remote_cap(state: QueueState, service_id: int, share: float) -> int:
    """Remote tickets a service may hold at once: ``share`` of its estimated calls of the next hour."""
    per_hour = 3600 * state.counters_for(service_id) / max(state.average_service_s(service_id), 1.0)
    return int(share * per_hour)


@retry_on_race
def take_remote_ticket(cmd: TakeRemoteTicket, uow: UnitOfWork) -> TicketInfo:
    with uow:
        site = get_site(uow.sites, cmd.site_id)
        services = uow.sites.services(site.id)
        service = services.get(cmd.service_id)
        if service is None:
            raise NotFound(N_("This site has no such service."))
        if not service.is_open:
            raise Conflict(N_("This service is not taking tickets at the moment."), code="service_closed")
        if not site_is_open(site, cmd.at):
            raise Conflict(N_("The centre is closed now."), code="site_closed")
        check_person_limit(uow, site, cmd.at, cmd.phone, cmd.citizen_key)
        settings = NotifySettings.from_mapping(site.notify)
        uow.lock(f"remote:{site.id}:{service.id}")
        state = QueueState.load(uow, site, cmd.at, services)
        held = uow.session.scalar(
            select(func.count()).where(
                Ticket.site_id == site.id,
                Ticket.service_id == service.id,
                Ticket.day == business_day(cmd.at, site.timezone),
                Ticket.remote.is_(True),
                Ticket.status.in_([TicketStatus.PENDING_ARRIVAL.value, TicketStatus.WAITING.value]),
            )
        )
        if int(held or 0) >= remote_cap(state, service.id, settings.remote_share):
            raise Conflict(
                N_(
                    "All the numbers for people not yet at the centre are taken for now. "
                    "Please come to the centre and take a number at the kiosk."
                ),
                code="remote_full",
            )
        details = TicketDetails(phone=cmd.phone, citizen_id_hash=cmd.citizen_key, language=cmd.language)
        ticket = add_ticket(
            uow, site, service, SYSTEM, cmd.at, details, status=TicketStatus.PENDING_ARRIVAL, remote=True
        )
        info = pending_info(state, ticket)
        uow.emit(TicketIssued(site_id=site.id, ticket=info, at=cmd.at))
        uow.commit()
        return info


@retry_on_race
def confirm_arrival(cmd: ConfirmArrival, uow: UnitOfWork) -> TicketInfo:
    with uow:
        site = get_site(uow.sites, cmd.site_id)
        cmd.actor.require(cmd.actor.can_issue(site.id))  # the site's kiosk, or staff at its desk
        ticket = uow.session.scalar(
            select(Ticket).where(Ticket.public_code == cmd.public_code, Ticket.site_id == site.id)
        )
        if ticket is None or not ticket.remote:
            raise NotFound(N_("There is no such ticket."))
        if ticket.status == TicketStatus.WAITING and ticket.arrived_at is not None:
            return QueueState.load(uow, site, cmd.at).ticket_info(ticket)  # scanned twice
        ticket.status = next_status(TicketStatus(ticket.status), Action.ARRIVE).value
        # Its place is its take time (``waiting_since``), which the call order honours: when tickets
        # taken after it were called already (its turn passed), that same time puts it next.
        passed = _passed_by(uow, ticket)
        ticket.arrived_at = cmd.at
        ticket.device_id = cmd.actor.device_id
        uow.flush()
        record(uow.tickets, ticket, "arrived", cmd.at, cmd.actor, data={"passed": passed or None})
        state = QueueState.load(uow, site, cmd.at)
        info = state.ticket_info(ticket)
        uow.emit(TicketChanged(site_id=site.id, ticket=info, action=Action.ARRIVE.value, at=cmd.at))
        uow.emit(state.queue_changed(cmd.at))
        uow.commit()
        return info


def _passed_by(uow: UnitOfWork, ticket: Ticket) -> int:
    """How many tickets of its service, taken after it, were called already (today)."""
    return int(
        uow.session.scalar(
            select(func.count()).where(
                Ticket.site_id == ticket.site_id,
                Ticket.service_id == ticket.service_id,
                Ticket.day == ticket.day,
                Ticket.waiting_since > ticket.waiting_since,
                Ticket.first_called_at.is_not(None),
            )
        )
        or 0
    )


@retry_on_race
def expire_remote(uow: UnitOfWork, now: datetime) -> int:
    """End the unconfirmed remote tickets passed by too many calls (the day's closing ends the others:
    :mod:`server.services.queue.closing`)."""
    with uow:
        pending = list(
            uow.session.scalars(select(Ticket).where(Ticket.status == TicketStatus.PENDING_ARRIVAL.value))
        )
        expired = 0
        for ticket in pending:
            site = get_site(uow.sites, ticket.site_id)
            settings = NotifySettings.from_mapping(site.notify)
            passed = _passed_by(uow, ticket)
            if passed < settings.remote_expire_calls:
                continue
            ticket.status = next_status(TicketStatus(ticket.status), Action.EXPIRE).value
            ticket.finished_at = now
            uow.flush()
            record(uow.tickets, ticket, "expired", now, SYSTEM, data={"reason": "passed", "passed": passed})
            info = ticket_info(site, ticket, 0, 0)
            uow.emit(TicketChanged(site_id=site.id, ticket=info, action=Action.EXPIRE.value, at=now))
            expired += 1
        uow.commit()
        return expired
