"""What a use case needs from its transaction: the unit of work and the repositories it opens.

The queue's use cases (issue, call, serve, transfer, check-in, counters) reach the database only through
these repositories, so that they run unchanged against :class:`server.db.uow.SqlUnitOfWork` and against
the hand-written fakes of the unit tests (``tests/fakes.py``). Reports, configuration and booking, whose
work is mostly SQL, use ``uow.session`` directly.

Records are the SQLAlchemy models (:mod:`server.db.models`), used as plain objects: a fake repository
keeps them in dictionaries.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import date, datetime
from types import TracebackType
from typing import TYPE_CHECKING, Protocol, Self

from ...domain.events import Event
from ...domain.policy import Ahead, Waiting

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from ...db.models import (
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


class Sites(Protocol):
    """Sites and what they are made of: services, counters and devices."""

    def get(self, site_id: int) -> Site | None: ...

    def services(self, site_id: int) -> dict[int, Service]:
        """The site's services by id, in their configured order."""
        ...

    def service(self, service_id: int) -> Service | None: ...

    def counters(self, site_id: int) -> list[Counter]:
        """The site's counters by number, with the services each serves."""
        ...

    def counter(self, counter_id: int) -> Counter | None: ...

    def device(self, device_id: int) -> Device | None: ...

    def has_rating_pad(self, site_id: int, counter_id: int) -> bool:
        """Whether an enrolled rating pad faces the citizen at this counter."""
        ...

    def share_commune(self, site_ids: Collection[int], commune_id: int) -> bool:
        """Whether one of ``site_ids`` belongs to the commune."""
        ...


class Tickets(Protocol):
    """Tickets, their history and the day's number counters."""

    def get(self, ticket_id: int) -> Ticket | None: ...

    def by_ids(self, ticket_ids: Sequence[int]) -> dict[int, Ticket]: ...

    def of_appointment(self, appointment_id: int) -> Ticket | None: ...

    def add(self, ticket: Ticket) -> None:
        """Store a new ticket; it has its ``id`` afterwards."""
        ...

    def record(self, event: TicketEvent) -> None:
        """Append a change to the ticket history."""
        ...

    def next_sequence(self, site_id: int, service_id: int, day: date, start: int) -> int:
        """Advance the (site, service, day) number counter and return the new sequence number."""
        ...

    def reserve_sequences(
        self, site_id: int, service_id: int, day: date, start: int, count: int
    ) -> tuple[int, int]:
        """Advance the counter by ``count`` and return the block ``(first, last)`` it passed over."""
        ...

    def by_offline_id(self, offline_id: str) -> Ticket | None:
        """The ticket a kiosk agent issued offline under this id, once replayed."""
        ...

    def leases(self, device_id: int, day: date | None = None) -> list[TicketLease]:
        """A kiosk's leases of ticket numbers of ``day`` (released or not), or without ``day`` those not
        released; oldest first."""
        ...

    def add_lease(self, lease: TicketLease) -> None: ...

    def waiting_summary(
        self, site_id: int, day: date | None = None, overnight: Collection[int] = ()
    ) -> dict[int, tuple[int, datetime | None]]:
        """Per service: how many tickets wait and since when the oldest has waited. With ``day``, only
        the tickets of that local day, and those of the ``overnight`` services whatever their day."""
        ...

    def waiting(
        self,
        site_id: int,
        service_ids: Sequence[int],
        day: date | None = None,
        overnight: Collection[int] = (),
    ) -> list[Waiting]:
        """The waiting tickets of some services of the site (in no particular order); ``day`` and
        ``overnight`` as for :meth:`waiting_summary`."""
        ...

    def waiting_ahead(
        self,
        site_id: int,
        service_id: int,
        ahead: Ahead,
        day: date | None = None,
        overnight: Collection[int] = (),
    ) -> int:
        """How many waiting tickets of the service ``ahead`` includes (:class:`~server.domain.policy.Ahead`);
        ``day`` and ``overnight`` as for :meth:`waiting_summary`."""
        ...

    def recent_service_times(self, site_id: int, day: date, per_service: int) -> dict[int, list[int]]:
        """Service times (seconds, newest first) of the day's completed tickets: ``per_service`` at most."""
        ...

    def priorities_called(self, counter_id: int, since: datetime, limit: int) -> list[str]:
        """The priorities of the tickets the counter first called since ``since``, newest first."""
        ...

    def active_count(self, site_id: int, phone: str | None, citizen_key: str | None) -> int:
        """The tickets of one person (by phone or citizen ID) still waiting or at a counter, whatever
        their day (a ticket kept overnight still counts)."""
        ...

    def sites_with(self, statuses: Collection[str]) -> list[int]:
        """The sites that have tickets in one of ``statuses``."""
        ...

    def unfinished(self, site_id: int, statuses: Collection[str], through_day: date) -> list[Ticket]:
        """The site's tickets in one of ``statuses`` issued on ``through_day`` or before, oldest first."""
        ...


class Requests(Protocol):
    """Client request ids already acted on (idempotent retries)."""

    def get(self, principal: str, request_id: str) -> StaffRequest | None: ...

    def add(self, request: StaffRequest) -> None: ...


class PrintJobs(Protocol):
    def add(self, job: PrintJob) -> None:
        """Store a new print job; it has its ``id`` afterwards."""
        ...

    def latest(self, ticket_id: int) -> PrintJob | None:
        """The ticket's most recent print job."""
        ...

    def printer_state(self, site_id: int, printer_uri: str) -> PrinterState | None: ...


class Appointments(Protocol):
    def by_code(self, code: str) -> Appointment | None: ...

    def record(self, event: AppointmentEvent) -> None:
        """Append a change to the appointment's history."""
        ...


class QueueSource(Protocol):
    """What :class:`server.services.queue.state.QueueState` reads: a unit of work, or repositories on a
    read-only session."""

    @property
    def sites(self) -> Sites: ...

    @property
    def tickets(self) -> Tickets: ...


class UnitOfWork(Protocol):
    """``with uow: …; uow.commit()`` — one transaction; anything not committed is rolled back on exit.
    The events emitted are handed to the message bus once the transaction has committed."""

    @property
    def sites(self) -> Sites: ...

    @property
    def tickets(self) -> Tickets: ...

    @property
    def requests(self) -> Requests: ...

    @property
    def print_jobs(self) -> PrintJobs: ...

    @property
    def appointments(self) -> Appointments: ...

    @property
    def session(self) -> Session: ...

    def __enter__(self) -> Self: ...

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None: ...

    def lock(self, key: str) -> None:
        """Serialise the transactions about one ``key`` (a site's calls, a person) until commit."""
        ...

    def refresh(self, record: object) -> None:
        """Read ``record`` again, as another transaction may have changed it before the lock was taken."""
        ...

    def flush(self) -> None:
        """Write what changed so far; a record changed meanwhile by another transaction fails here."""
        ...

    def emit(self, event: Event) -> None: ...

    def commit(self) -> list[Event]: ...
