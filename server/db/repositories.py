"""The repositories of :mod:`server.services.core.unit_of_work` on a SQLAlchemy session.

:class:`Repositories` opens them all on one session: the unit of work's (writes) or a read-only one (the
queue views, Socket.IO snapshots). Each query is shaped for its hot path: waiting counts in one
``GROUP BY``, waiting tickets as light rows rather than whole records.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Sequence
from datetime import date, datetime

from sqlalchemy import ColumnElement, and_, func, or_, select
from sqlalchemy.orm import Session, joinedload

from ..domain.policy import Ahead, Candidate, Waiting
from ..domain.tickets import AT_COUNTER_STATUSES, Priority, TicketStatus
from .models import (
    Appointment,
    AppointmentEvent,
    Counter,
    Device,
    PrinterState,
    PrintJob,
    Service,
    Site,
    StaffRequest,
    Ticket,
    TicketEvent,
    TicketLease,
)
from .queries import next_sequence, reserve_sequences

_ACTIVE = [s.value for s in (TicketStatus.WAITING, TicketStatus.PENDING_ARRIVAL, *AT_COUNTER_STATUSES)]

_WAITING_COLUMNS = (
    Ticket.id,
    Ticket.service_id,
    Ticket.priority,
    Ticket.waiting_since,
    Ticket.appointment_start,
    Ticket.number,
    Ticket.public_code,
    Ticket.issued_at,
)


def _of_day(day: date | None, overnight: Collection[int]) -> list[ColumnElement[bool]]:
    """The tickets of the local ``day``, and those of the ``overnight`` services whatever their day."""
    if day is None:
        return []
    if not overnight:
        return [Ticket.day == day]
    return [or_(Ticket.day == day, Ticket.service_id.in_(list(overnight)))]


class SqlSites:
    def __init__(self, session: Session) -> None:
        self.session = session

    def get(self, site_id: int) -> Site | None:
        return self.session.get(Site, site_id)

    def services(self, site_id: int) -> dict[int, Service]:
        query = select(Service).where(Service.site_id == site_id).order_by(Service.position)
        return {service.id: service for service in self.session.scalars(query)}

    def service(self, service_id: int) -> Service | None:
        return self.session.get(Service, service_id)

    def counters(self, site_id: int) -> list[Counter]:
        query = (
            select(Counter)
            .where(Counter.site_id == site_id)
            .options(joinedload(Counter.links))  # one statement, not one more for the links
            .order_by(Counter.number)
        )
        return list(self.session.scalars(query).unique())

    def counter(self, counter_id: int) -> Counter | None:
        return self.session.get(Counter, counter_id)

    def device(self, device_id: int) -> Device | None:
        return self.session.get(Device, device_id)

    def has_rating_pad(self, site_id: int, counter_id: int) -> bool:
        query = select(Device.settings).where(
            Device.site_id == site_id, Device.kind == "rating", Device.revoked_at.is_(None)
        )
        return any(
            (settings or {}).get("counter_id") == counter_id for settings in self.session.scalars(query)
        )

    def share_commune(self, site_ids: Collection[int], commune_id: int) -> bool:
        if not site_ids:
            return False
        query = select(func.count()).where(Site.id.in_(list(site_ids)), Site.commune_id == commune_id)
        return bool(self.session.scalar(query))


class SqlTickets:
    def __init__(self, session: Session) -> None:
        self.session = session

    def get(self, ticket_id: int) -> Ticket | None:
        return self.session.get(Ticket, ticket_id)

    def by_ids(self, ticket_ids: Sequence[int]) -> dict[int, Ticket]:
        if not ticket_ids:
            return {}
        query = select(Ticket).where(Ticket.id.in_(ticket_ids))
        return {ticket.id: ticket for ticket in self.session.scalars(query)}

    def of_appointment(self, appointment_id: int) -> Ticket | None:
        return self.session.scalar(select(Ticket).where(Ticket.appointment_id == appointment_id))

    def add(self, ticket: Ticket) -> None:
        self.session.add(ticket)
        self.session.flush()

    def record(self, event: TicketEvent) -> None:
        self.session.add(event)

    def next_sequence(self, site_id: int, service_id: int, day: date, start: int) -> int:
        return next_sequence(self.session, site_id, service_id, day, start)

    def reserve_sequences(
        self, site_id: int, service_id: int, day: date, start: int, count: int
    ) -> tuple[int, int]:
        return reserve_sequences(self.session, site_id, service_id, day, start, count)

    def by_offline_id(self, offline_id: str) -> Ticket | None:
        return self.session.scalars(select(Ticket).where(Ticket.offline_id == offline_id)).first()

    def leases(self, device_id: int, day: date | None = None) -> list[TicketLease]:
        """The device's leases of ``day`` (released or not), or without ``day`` those not released; oldest
        first."""
        query = select(TicketLease).where(TicketLease.device_id == device_id)
        if day is not None:
            query = query.where(TicketLease.day == day)
        else:
            query = query.where(TicketLease.released_at.is_(None))
        return list(self.session.scalars(query.order_by(TicketLease.id)))

    def add_lease(self, lease: TicketLease) -> None:
        self.session.add(lease)
        self.session.flush()

    def waiting_summary(
        self, site_id: int, day: date | None = None, overnight: Collection[int] = ()
    ) -> dict[int, tuple[int, datetime | None]]:
        query = (
            select(Ticket.service_id, func.count(), func.min(Ticket.waiting_since))
            .where(Ticket.site_id == site_id, Ticket.status == TicketStatus.WAITING, *_of_day(day, overnight))
            .group_by(Ticket.service_id)
        )
        return {service_id: (int(count), oldest) for service_id, count, oldest in self.session.execute(query)}

    def waiting(
        self,
        site_id: int,
        service_ids: Sequence[int],
        day: date | None = None,
        overnight: Collection[int] = (),
    ) -> list[Waiting]:
        if not service_ids:
            return []
        query = select(*_WAITING_COLUMNS).where(
            Ticket.site_id == site_id,
            Ticket.status == TicketStatus.WAITING,
            Ticket.service_id.in_(service_ids),
            *_of_day(day, overnight),
        )
        return [
            Waiting(
                Candidate(ticket_id, service_id, Priority(priority), since, appointment_start),
                number,
                public_code,
                issued_at,
            )
            for ticket_id, service_id, priority, since, appointment_start, number, public_code, issued_at in (
                self.session.execute(query)
            )
        ]

    def waiting_ahead(
        self,
        site_id: int,
        service_id: int,
        ahead: Ahead,
        day: date | None = None,
        overnight: Collection[int] = (),
    ) -> int:
        walk_in = Ticket.appointment_start.is_(None)
        regular = Ticket.priority == Priority.NONE.value
        waited_longer = or_(
            Ticket.waiting_since < ahead.waiting_since,
            and_(Ticket.waiting_since == ahead.waiting_since, Ticket.id < ahead.ticket_id),
        )
        query = (
            select(func.count())
            .select_from(Ticket)
            .where(
                Ticket.site_id == site_id,
                Ticket.status == TicketStatus.WAITING,
                Ticket.service_id == service_id,
                *_of_day(day, overnight),
                or_(
                    and_(~walk_in, Ticket.appointment_start <= ahead.due_from),  # due appointments
                    and_(walk_in, ~regular),  # priority tickets
                    and_(walk_in, regular, waited_longer),
                ),
            )
        )
        return int(self.session.scalar(query) or 0)

    def recent_service_times(self, site_id: int, day: date, per_service: int) -> dict[int, list[int]]:
        # The last ``per_service`` of each service, picked by the database: a busy afternoon's hundreds
        # of completed tickets stay there.
        latest = func.row_number().over(
            partition_by=Ticket.service_id, order_by=(Ticket.finished_at.desc(), Ticket.id.desc())
        )
        ranked = (
            select(Ticket.service_id, Ticket.service_s, latest.label("rank"))
            .where(
                Ticket.site_id == site_id,
                Ticket.day == day,
                Ticket.status == TicketStatus.DONE,
                Ticket.service_s.is_not(None),
            )
            .subquery()
        )
        query = (
            select(ranked.c.service_id, ranked.c.service_s)
            .where(ranked.c.rank <= per_service)
            .order_by(ranked.c.service_id, ranked.c.rank)
        )
        result: dict[int, list[int]] = defaultdict(list)
        for service_id, seconds in self.session.execute(query):
            result[service_id].append(seconds)
        return dict(result)

    def priorities_called(self, counter_id: int, since: datetime, limit: int) -> list[str]:
        query = (
            select(Ticket.priority)
            .where(Ticket.counter_id == counter_id, Ticket.first_called_at >= since)
            .order_by(Ticket.first_called_at.desc())
            .limit(limit)
        )
        return list(self.session.scalars(query))

    def active_count(self, site_id: int, phone: str | None, citizen_key: str | None) -> int:
        conditions = []
        if phone:
            conditions.append(Ticket.phone == phone)
        if citizen_key:
            conditions.append(Ticket.citizen_id_hash == citizen_key)
        if not conditions:
            return 0
        query = (
            select(func.count())
            .select_from(Ticket)
            .where(Ticket.site_id == site_id, Ticket.status.in_(_ACTIVE), or_(*conditions))
        )
        return int(self.session.scalar(query) or 0)

    def sites_with(self, statuses: Collection[str]) -> list[int]:
        query = (
            select(Ticket.site_id)
            .where(Ticket.status.in_(list(statuses)))
            .distinct()
            .order_by(Ticket.site_id)
        )
        return list(self.session.scalars(query))

    def unfinished(self, site_id: int, statuses: Collection[str], through_day: date) -> list[Ticket]:
        query = (
            select(Ticket)
            .where(Ticket.site_id == site_id, Ticket.status.in_(list(statuses)), Ticket.day <= through_day)
            .options(joinedload(Ticket.service), joinedload(Ticket.counter))
            .order_by(Ticket.id)
        )
        return list(self.session.scalars(query))


class SqlRequests:
    def __init__(self, session: Session) -> None:
        self.session = session

    def get(self, principal: str, request_id: str) -> StaffRequest | None:
        return self.session.get(StaffRequest, (principal, request_id))

    def add(self, request: StaffRequest) -> None:
        self.session.add(request)
        self.session.flush()  # a duplicate running at the same moment waits on this row, then replays


class SqlPrintJobs:
    def __init__(self, session: Session) -> None:
        self.session = session

    def add(self, job: PrintJob) -> None:
        self.session.add(job)
        self.session.flush()

    def latest(self, ticket_id: int) -> PrintJob | None:
        query = select(PrintJob).where(PrintJob.ticket_id == ticket_id).order_by(PrintJob.id.desc()).limit(1)
        return self.session.scalars(query).first()

    def printer_state(self, site_id: int, printer_uri: str) -> PrinterState | None:
        return self.session.get(PrinterState, (site_id, printer_uri))


class SqlAppointments:
    def __init__(self, session: Session) -> None:
        self.session = session

    def by_code(self, code: str) -> Appointment | None:
        return self.session.scalar(select(Appointment).where(Appointment.code == code))

    def record(self, event: AppointmentEvent) -> None:
        self.session.add(event)


class Repositories:
    """Every repository, on one session."""

    def __init__(self, session: Session) -> None:
        self.sites = SqlSites(session)
        self.tickets = SqlTickets(session)
        self.requests = SqlRequests(session)
        self.print_jobs = SqlPrintJobs(session)
        self.appointments = SqlAppointments(session)
