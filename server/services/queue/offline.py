"""A kiosk that keeps issuing through an outage of its server: leases of ticket numbers, and the replay
of the tickets its agent issued offline.

A **lease** is a block of a (site, service, business day)'s sequence numbers taken from the day's counter
row (:meth:`Tickets.reserve_sequences`), so the server never issues them itself. The kiosk's agent holds
one or more per open service and asks again whenever it has used half of what is left; leases of earlier
days are released on the next grant (their numbers simply go unused).

A **replayed** ticket is recorded once (idempotent on the agent's ``offline_id``) with the number, code
and issue time the agent gave it, so it waits in its fair place; the per-person limit is checked again and
a ticket over it is kept (the citizen holds it) and flagged for the clerk.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from ...db.models import Service, Site, TicketLease
from ...domain.access import DeviceKind, Principal
from ...domain.days import business_day
from ...domain.errors import N_, Conflict, InvalidValue, NotFound
from ...domain.tickets import Priority
from ..core.idempotency import retry_on_race
from ..core.lookups import get_site
from ..core.unit_of_work import UnitOfWork
from ..printing import PrintAnswer
from .tickets import Issued, OfflineIssue, TicketDetails, current_info, new_ticket, person_active_count

DEFAULT_LEASE_SIZE = 20
MAX_LEASE_SIZE = 500
CLOCK_SKEW = timedelta(minutes=5)  # an agent's clock ahead of the server's by this much is believed


def lease_size(site: Site) -> int:
    """The site's ``kiosk_lease_size`` setting (numbers per lease), 20 unless set."""
    value = (site.settings or {}).get("kiosk_lease_size", DEFAULT_LEASE_SIZE)
    try:
        size = int(value)
    except (TypeError, ValueError):
        size = DEFAULT_LEASE_SIZE
    return max(1, min(MAX_LEASE_SIZE, size))


@dataclass(frozen=True, kw_only=True)
class GrantLeases:
    actor: Principal
    at: datetime
    used: dict[int, int] = field(default_factory=dict)  # service id → the highest number the agent issued


@dataclass(frozen=True)
class Block:
    first: int
    last: int


@dataclass(frozen=True)
class ServiceLease:
    service_id: int
    name: str
    name_en: str
    prefix: str
    digits: int
    blocks: list[Block]


@dataclass(frozen=True)
class Leases:
    """The kiosk's leases, and what its agent prints on a ticket issued offline."""

    site_id: int
    day: date
    size: int
    services: list[ServiceLease]
    site: str
    commune: str
    timezone: str
    footer: str


def _kiosk_site(uow: UnitOfWork, actor: Principal) -> Site:
    if actor.device_kind is not DeviceKind.KIOSK or actor.device_id is None or len(actor.site_ids) != 1:
        actor.require(False)
    return get_site(uow.sites, next(iter(actor.site_ids)))


@retry_on_race
def grant_leases(cmd: GrantLeases, uow: UnitOfWork) -> Leases:
    """The kiosk's leases of today for each open service of its site, granting a new block where it has
    none or has used half or more of what it held."""
    with uow:
        site = _kiosk_site(uow, cmd.actor)
        assert cmd.actor.device_id is not None
        day = business_day(cmd.at, site.timezone)
        size = lease_size(site)
        held: dict[int, list[TicketLease]] = {}
        for lease in uow.tickets.leases(cmd.actor.device_id):  # not released
            if lease.day != day:
                lease.released_at = cmd.at  # the day is over: its unused numbers are given up
            else:
                held.setdefault(lease.service_id, []).append(lease)
        answer: list[ServiceLease] = []
        for service in uow.sites.services(site.id).values():
            if not service.is_open:
                continue
            leases = held.get(service.id, [])
            used = cmd.used.get(service.id, 0)
            left = sum(max(0, lease.last - max(lease.first - 1, used)) for lease in leases)
            if left * 2 <= size:
                first, last = uow.tickets.reserve_sequences(site.id, service.id, day, service.start, size)
                lease = TicketLease(
                    site_id=site.id,
                    service_id=service.id,
                    device_id=cmd.actor.device_id,
                    day=day,
                    first=first,
                    last=last,
                    granted_at=cmd.at,
                )
                uow.tickets.add_lease(lease)
                leases = [*leases, lease]
            answer.append(_service_lease(service, leases))
        uow.commit()
        commune = ", ".join(part for part in (site.commune.name, site.commune.province) if part)
        return Leases(site.id, day, size, answer, site.name, commune, site.timezone, site.ticket_footer)


def _service_lease(service: Service, leases: list[TicketLease]) -> ServiceLease:
    return ServiceLease(
        service.id,
        service.name,
        service.name_en,
        service.prefix,
        service.digits,
        [Block(lease.first, lease.last) for lease in leases],
    )


@dataclass(frozen=True, kw_only=True)
class ReplayTicket:
    actor: Principal
    at: datetime  # now, on the server
    offline_id: str
    service_id: int
    sequence: int
    public_code: str
    issued_at: datetime  # when the agent issued it
    priority: Priority = Priority.NONE
    phone: str | None = None
    citizen_key: str | None = None
    language: str = "vi"


@dataclass(frozen=True)
class Replayed:
    issued: Issued
    created: bool  # False: this offline ticket was already recorded
    over_limit: bool


@retry_on_race
def replay_ticket(cmd: ReplayTicket, uow: UnitOfWork) -> Replayed:
    """Record a ticket the kiosk's agent issued offline, once."""
    with uow:
        site = _kiosk_site(uow, cmd.actor)
        assert cmd.actor.device_id is not None
        known = uow.tickets.by_offline_id(cmd.offline_id)
        if known is not None:
            if known.device_id != cmd.actor.device_id:
                raise Conflict(N_("Another kiosk sent a ticket with this id."), code="offline_id_taken")
            info = current_info(uow, known, cmd.at)
            return Replayed(Issued(info, _printed()), False, known.offline_over_limit)
        if cmd.issued_at > cmd.at + CLOCK_SKEW:
            raise InvalidValue(N_("The ticket's issue time is in the future."), code="issued_in_future")
        issued_at = min(cmd.issued_at, cmd.at)
        services = uow.sites.services(site.id)
        service = services.get(cmd.service_id)
        if service is None:
            raise NotFound(N_("This site has no such service."))
        day = business_day(issued_at, site.timezone)
        if not any(
            lease.service_id == service.id and lease.day == day and lease.first <= cmd.sequence <= lease.last
            for lease in uow.tickets.leases(cmd.actor.device_id, day)
        ):
            raise Conflict(N_("This number was not leased to this kiosk."), code="not_leased")
        active = person_active_count(uow, site, cmd.phone, cmd.citizen_key)
        over = active is not None and active >= site.person_ticket_limit
        details = TicketDetails(
            priority=cmd.priority,
            phone=cmd.phone,
            citizen_id_hash=cmd.citizen_key,
            language=cmd.language,
            history={"offline": True, "replayed_at": cmd.at.isoformat(), "over_limit": over},
            offline=OfflineIssue(
                offline_id=cmd.offline_id, sequence=cmd.sequence, public_code=cmd.public_code, over_limit=over
            ),
        )
        issued = new_ticket(uow, site, service, cmd.actor, issued_at, details, services=services)
        uow.commit()
        return Replayed(issued, True, over)


def _printed() -> PrintAnswer:
    return PrintAnswer("printed")
