"""Read-only views for the API and Socket.IO: sites, services, waits, queue, counters, ticket status and
the ``snapshot`` a display or tablet receives when it connects."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from ...db.models import Counter, Site, Ticket, TicketEvent
from ...db.repositories import Repositories
from ...domain.access import Principal
from ...domain.days import business_day, local_day
from ...domain.early_warnings import Outlook
from ...domain.errors import N_, NotFound
from ...domain.events import (
    CounterRef,
    CounterState,
    Event,
    ServiceWaiting,
    TicketCalled,
    TicketChanged,
    TicketInfo,
    TicketIssued,
)
from ...domain.near_turn import NotifySettings
from ...domain.policy import Candidate, Waiting
from ...domain.tickets import Priority, TicketStatus, allowed_actions
from ..core.lookups import get_counter, get_site
from .state import QueueState, counter_streak, current_tickets, local_time, opening_hours, site_is_open

RECENT_CALLS = 10


@dataclass(frozen=True)
class CommuneInfo:
    code: str
    name: str
    province: str


@dataclass(frozen=True)
class SiteInfo:
    id: int
    code: str
    name: str
    name_en: str
    commune: CommuneInfo
    address: str
    timezone: str
    open_now: bool
    hours: dict[str, list[str]]


@dataclass(frozen=True)
class ServiceInfo:
    id: int
    code: str
    name: str
    name_en: str
    field: str
    prefix: str
    open_now: bool
    appointments: bool
    target_wait_minutes: int


# What staff may do with a waiting ticket (the state machine's allowed actions).
WAITING_ACTIONS = tuple(action.value for action in allowed_actions(TicketStatus.WAITING))


@dataclass(frozen=True)
class QueueEntry:
    id: int
    number: str
    service_id: int
    priority: str
    status: str
    issued_at: datetime
    waited_s: int
    rule: str
    appointment_start: datetime | None
    actions: tuple[str, ...] = WAITING_ACTIONS
    day: date | None = None  # its business day (a service kept overnight shows yesterday's tickets too)
    # Issued by a kiosk's agent while the server did not answer (docs/kiosk-offline.md); ``over_limit``: the
    # person already held the most tickets allowed when it was recorded (kept, for the clerk to see).
    offline: bool = False
    over_limit: bool = False


@dataclass(frozen=True)
class PublicStatus:
    """What the citizen's status page may show: nothing personal."""

    number: str
    status: str
    position: int
    estimated_wait_s: int
    counter: CounterRef | None
    site_id: int
    service_id: int
    service_name: str
    service_name_en: str
    site_name: str
    day: date | None = None
    # When the page rings "your turn is near" (the site's notify_near_position / notify_near_minutes).
    near_position: int = 3
    near_minutes: int = 10
    site_name_en: str = ""
    # A site box's check-in of an appointment it could not confirm yet (see TicketInfo.unconfirmed).
    unconfirmed: str | None = None
    # The dossier's code once the ticket is done (the citizen follows the dossier with it).
    dossier_code: str | None = None


@dataclass(frozen=True)
class RecentCall:
    ticket_id: int
    number: str
    service_id: int
    counter: CounterRef
    called_at: datetime
    recall: bool
    day: date | None = None  # the ticket's business day (a number kept overnight is shown with it)


@dataclass(frozen=True)
class Snapshot:
    seq: int
    site_id: int
    counters: list[CounterState]
    recent_calls: list[RecentCall]
    waiting_by_service: tuple[ServiceWaiting, ...]
    outlook: Outlook | None = None  # the manager's early warnings and forecast (a site's room only)


def site_info(site: Site, now: datetime) -> SiteInfo:
    return SiteInfo(
        id=site.id,
        code=site.code,
        name=site.name,
        name_en=site.name_en,
        commune=CommuneInfo(site.commune.code, site.commune.name, site.commune.province),
        address=site.address,
        timezone=site.timezone,
        open_now=site_is_open(site, now),
        hours=opening_hours(site).as_text(),
    )


def list_sites(session: Session, now: datetime) -> list[SiteInfo]:
    sites = session.scalars(select(Site).options(selectinload(Site.commune)).order_by(Site.id))
    return [site_info(site, now) for site in sites]


def list_services(session: Session, site_id: int, now: datetime) -> list[ServiceInfo]:
    site = get_site(Repositories(session).sites, site_id)
    open_now = site_is_open(site, now)
    return [
        ServiceInfo(
            id=s.id,
            code=s.code,
            name=s.name,
            name_en=s.name_en,
            field=s.field,
            prefix=s.prefix,
            open_now=open_now and s.is_open,
            appointments=s.appointments,
            target_wait_minutes=s.target_wait_minutes,
        )
        for s in site.services
    ]


def site_waits(session: Session, site_id: int, now: datetime) -> tuple[ServiceWaiting, ...]:
    source = Repositories(session)
    return QueueState.load(source, get_site(source.sites, site_id), now).waiting_by_service()


def ticket_by_code(session: Session, public_code: str) -> Ticket:
    ticket = session.scalar(select(Ticket).where(Ticket.public_code == public_code))
    if ticket is None:
        raise NotFound(N_("There is no such ticket."))
    return ticket


def ticket_exists(session: Session, public_code: str) -> bool:
    return session.scalar(select(Ticket.id).where(Ticket.public_code == public_code)) is not None


@dataclass(frozen=True)
class FollowUp:
    """What follows a committed change of a site's queue, worked out from one read of it."""

    outlook: Outlook  # the early warnings and the forecast of the manager's live view
    positions: list[dict[str, Any]]  # what each waiting ticket's status page shows, when asked


@dataclass
class _Line:
    day: date
    seq: int  # the site's last event this line has seen
    waiting: dict[int, Waiting]  # by ticket id


class FollowUps:
    """What follows a committed change of a site's queue (:class:`FollowUp`), for a publisher that sees
    every batch of events (:meth:`note`) and reads a site's follow-up after those that change its queue.

    A busy morning's batches mostly only add tickets to the line. For those the site's waiting tickets
    are not read again: the line kept from the last read gets the new tickets, as long as every event of
    the site's stream since that read has been seen (nothing came from another process in between), none
    called or changed a ticket, and the counts read from the database agree. Anything else reads the line
    again.
    """

    def __init__(self) -> None:
        self._lines: dict[int, _Line] = {}
        self._seen: dict[int, int] = {}  # each site's last seq noted

    def note(self, events: Sequence[Event]) -> None:
        """A batch of committed events, in commit order: the kept lines follow them, or are dropped."""
        streams: dict[int, list[Event]] = {}
        for event in events:
            if event.sequenced:
                streams.setdefault(event.site_id, []).append(event)
        for site_id, stream in streams.items():
            stream.sort(key=lambda e: e.seq)
            self._seen[site_id] = stream[-1].seq
            line = self._lines.pop(site_id, None)
            if line is None or [e.seq for e in stream] != list(
                range(line.seq + 1, line.seq + 1 + len(stream))
            ):
                continue
            if any(isinstance(e, TicketCalled | TicketChanged) for e in stream):
                continue
            for event in stream:
                if isinstance(event, TicketIssued) and event.ticket.status == TicketStatus.WAITING:
                    line.waiting[event.ticket.id] = _joined(event.ticket)
            line.seq = stream[-1].seq
            self._lines[site_id] = line

    def read(self, session: Session, site_id: int, now: datetime, *, positions: bool) -> FollowUp:
        """The outlook of a site whose queue changed and, with ``positions`` (waiting tickets may have
        moved), what the status page of every waiting ticket shows now."""
        source = Repositories(session)
        state = QueueState.load(source, get_site(source.sites, site_id), now)
        line = self._lines.get(site_id)
        if positions or line is None or line.day != state.day or not state.take_lines(line.waiting.values()):
            state.lines()
        follow = FollowUp(state.outlook(), state.public_positions() if positions else [])
        seen = self._seen.get(site_id)
        if seen is not None and state.day is not None:
            self._lines[site_id] = _Line(state.day, seen, {w.id: w for w in state.lines()})
        return follow


def _joined(ticket: TicketInfo) -> Waiting:
    """A new ticket as its line holds it: it waits since it was issued."""
    candidate = Candidate(
        ticket.id, ticket.service_id, Priority(ticket.priority), ticket.issued_at, ticket.appointment_start
    )
    return Waiting(candidate, ticket.number, ticket.public_code, ticket.issued_at)


def public_ticket_info(session: Session, ticket: Ticket, now: datetime) -> TicketInfo:
    source = Repositories(session)
    return QueueState.load(source, get_site(source.sites, ticket.site_id), now).ticket_info(ticket)


def ticket_status(session: Session, public_code: str, now: datetime) -> PublicStatus:
    ticket = ticket_by_code(session, public_code)
    source = Repositories(session)
    site = get_site(source.sites, ticket.site_id)
    state = QueueState.load(source, site, now)
    info = state.ticket_info(ticket)
    if ticket.status == TicketStatus.PENDING_ARRIVAL:  # a remote ticket: where it would stand if here
        from ..near_turn.remote import pending_info

        info = pending_info(state, ticket)
    return PublicStatus(
        number=info.number,
        status=info.status,
        position=info.position,
        estimated_wait_s=info.estimated_wait_s,
        counter=info.counter,
        site_id=site.id,
        service_id=ticket.service.id,
        service_name=ticket.service.name,
        service_name_en=ticket.service.name_en,
        site_name=site.name,
        day=ticket.day,
        near_position=NotifySettings.from_mapping(site.notify).near_position,
        near_minutes=NotifySettings.from_mapping(site.notify).near_minutes,
        site_name_en=site.name_en or "",
        unconfirmed=info.unconfirmed,
        dossier_code=ticket.dossier_code if ticket.status == TicketStatus.DONE else None,
    )


def queue(
    session: Session, actor: Principal, site_id: int, now: datetime, counter_id: int | None = None
) -> list[QueueEntry]:
    """Waiting tickets in the order call-next would take them (for one counter, or the whole site)."""
    source = Repositories(session)
    site = get_site(source.sites, site_id)
    actor.require(actor.can_serve(site.id))
    state = QueueState.load(source, site, now)
    counter: Counter | None = None
    streak = 0
    if counter_id is not None:
        counter = get_counter(source.sites, counter_id)
        if counter.site_id != site.id:
            raise NotFound(N_("There is no such counter."))
        streak = counter_streak(source, site, counter.id, now)
    rows = {w.id: w for w in state.waiting}
    offline_rows = session.execute(
        select(Ticket.id, Ticket.offline_over_limit).where(
            Ticket.site_id == site.id, Ticket.status == TicketStatus.WAITING, Ticket.offline_id.is_not(None)
        )
    )
    offline: dict[int, bool] = {int(ticket_id): bool(over) for ticket_id, over in offline_rows}
    entries = []
    for pick in state.order_for(counter, streak):
        waiting = pick.candidate
        entries.append(
            QueueEntry(
                id=waiting.ticket_id,
                number=rows[waiting.ticket_id].number,
                service_id=waiting.service_id,
                priority=waiting.priority.value,
                status="waiting",
                issued_at=local_time(site, rows[waiting.ticket_id].issued_at),
                waited_s=max(0, int((now - waiting.waiting_since).total_seconds())),
                rule=pick.rule.value,
                appointment_start=local_time(site, waiting.appointment_start)
                if waiting.appointment_start
                else None,
                day=business_day(rows[waiting.ticket_id].issued_at, site.timezone),
                offline=waiting.ticket_id in offline,
                over_limit=bool(offline.get(waiting.ticket_id)),
            )
        )
    return entries


def counters(session: Session, actor: Principal, site_id: int, now: datetime) -> list[CounterState]:
    source = Repositories(session)
    site = get_site(source.sites, site_id)
    actor.require(actor.can_listen(site.id))
    return _counter_states(source, QueueState.load(source, site, now))


def _counter_states(source: Repositories, state: QueueState) -> list[CounterState]:
    tickets = current_tickets(source, state.counters)
    return [state.counter_state(c, tickets) for c in state.counters]


def recent_calls(session: Session, site: Site, now: datetime, limit: int = RECENT_CALLS) -> list[RecentCall]:
    """Today's latest calls and recalls, newest first."""
    rows = session.execute(
        select(TicketEvent, Ticket, Counter)
        .join(Ticket, Ticket.id == TicketEvent.ticket_id)
        .join(Counter, Counter.id == TicketEvent.counter_id)
        .where(
            TicketEvent.site_id == site.id,
            TicketEvent.kind.in_(["called", "recalled"]),
            TicketEvent.at >= local_day(now, site.timezone).start,
        )
        .order_by(TicketEvent.at.desc(), TicketEvent.id.desc())
        .limit(limit)
    )
    return [
        RecentCall(
            ticket_id=ticket.id,
            number=ticket.number,
            service_id=event.service_id,
            counter=CounterRef(id=counter.id, number=counter.number, name=counter.name),
            called_at=local_time(site, event.at),
            recall=event.kind == "recalled",
            day=ticket.day,
        )
        for event, ticket, counter in rows
    ]


def snapshot(session: Session, site_id: int, now: datetime, *, outlook: bool = False) -> Snapshot:
    """Everything a display or tablet shows, with the ``seq`` of the last event it reflects; with
    ``outlook``, the early warnings and forecast of the manager's live view too."""
    source = Repositories(session)
    site = get_site(source.sites, site_id)
    state = QueueState.load(source, site, now)
    waits = state.waiting_by_service()
    return Snapshot(
        seq=site.event_seq,
        site_id=site.id,
        counters=_counter_states(source, state),
        recent_calls=recent_calls(session, site, now),
        waiting_by_service=waits,
        outlook=state.outlook(waits) if outlook else None,
    )
