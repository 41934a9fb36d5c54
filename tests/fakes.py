"""Hand-written fakes of the unit of work and its repositories, for unit tests of the queue's use cases.

A :class:`FakeStore` is the "database" of one test: plain dictionaries of records (the SQLAlchemy models,
used as plain objects). Each use case gets a fresh :class:`FakeUnitOfWork` on it, as it would get a fresh
transaction; what it commits (and the events it hands to the bus) can then be read back. Nothing here
imports Flask or opens a database.
"""

from __future__ import annotations

import itertools
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from types import TracebackType
from typing import Any, Self

from server.db.models import (
    Appointment,
    AppointmentEvent,
    Commune,
    Counter,
    Device,
    PrinterState,
    PrintJob,
    Service,
    Site,
    StaffRequest,
    Ticket,
    TicketEvent,
)
from server.domain.events import Event
from server.domain.policy import Ahead, Candidate, Waiting
from server.domain.tickets import AT_COUNTER_STATUSES, Priority, TicketStatus

ACTIVE = {TicketStatus.WAITING, *AT_COUNTER_STATUSES}


@dataclass
class FakeStore:
    """Every record of a test, by id; ``published`` is what the message bus received, in commit order."""

    communes: dict[int, Commune] = field(default_factory=dict)
    sites: dict[int, Site] = field(default_factory=dict)
    services: dict[int, Service] = field(default_factory=dict)
    counters: dict[int, Counter] = field(default_factory=dict)
    devices: dict[int, Device] = field(default_factory=dict)
    tickets: dict[int, Ticket] = field(default_factory=dict)
    ticket_events: list[TicketEvent] = field(default_factory=list)
    sequences: dict[tuple[int, int, date], int] = field(default_factory=dict)
    requests: dict[tuple[str, str], StaffRequest] = field(default_factory=dict)
    print_jobs: dict[int, PrintJob] = field(default_factory=dict)
    printer_states: dict[tuple[int, str], PrinterState] = field(default_factory=dict)
    appointments: dict[int, Appointment] = field(default_factory=dict)
    appointment_events: list[AppointmentEvent] = field(default_factory=list)
    seq: dict[int, int] = field(default_factory=dict)
    published: list[Event] = field(default_factory=list)
    _ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))

    def next_id(self) -> int:
        return next(self._ids)

    def events_of(self, ticket: Ticket) -> list[str]:
        """The kinds recorded in the ticket's history, in order."""
        return [event.kind for event in self.ticket_events if event.ticket_id == ticket.id]


class FakeSites:
    def __init__(self, store: FakeStore) -> None:
        self.store = store

    def get(self, site_id: int) -> Site | None:
        return self.store.sites.get(site_id)

    def services(self, site_id: int) -> dict[int, Service]:
        mine = [s for s in self.store.services.values() if s.site_id == site_id]
        return {s.id: s for s in sorted(mine, key=lambda s: s.position)}

    def service(self, service_id: int) -> Service | None:
        return self.store.services.get(service_id)

    def counters(self, site_id: int) -> list[Counter]:
        mine = [c for c in self.store.counters.values() if c.site_id == site_id]
        return sorted(mine, key=lambda c: c.number)

    def counter(self, counter_id: int) -> Counter | None:
        return self.store.counters.get(counter_id)

    def device(self, device_id: int) -> Device | None:
        return self.store.devices.get(device_id)

    def has_rating_pad(self, site_id: int, counter_id: int) -> bool:
        return any(
            d.site_id == site_id
            and d.kind == "rating"
            and d.revoked_at is None
            and (d.settings or {}).get("counter_id") == counter_id
            for d in self.store.devices.values()
        )

    def share_commune(self, site_ids: Collection[int], commune_id: int) -> bool:
        return any(self.store.sites[i].commune_id == commune_id for i in site_ids if i in self.store.sites)


class FakeTickets:
    def __init__(self, store: FakeStore) -> None:
        self.store = store

    def get(self, ticket_id: int) -> Ticket | None:
        return self.store.tickets.get(ticket_id)

    def by_ids(self, ticket_ids: Sequence[int]) -> dict[int, Ticket]:
        return {i: self.store.tickets[i] for i in ticket_ids if i in self.store.tickets}

    def of_appointment(self, appointment_id: int) -> Ticket | None:
        return next((t for t in self.store.tickets.values() if t.appointment_id == appointment_id), None)

    def add(self, ticket: Ticket) -> None:
        taken = {(t.site_id, t.issued_service_id, t.day, t.sequence) for t in self.store.tickets.values()} | {
            t.appointment_id for t in self.store.tickets.values() if t.appointment_id is not None
        }
        key = (ticket.site_id, ticket.issued_service_id, ticket.day, ticket.sequence)
        assert key not in taken and ticket.appointment_id not in taken, "a UNIQUE constraint would fail"
        ticket.id = self.store.next_id()
        ticket.service = self.store.services[ticket.service_id]
        self.store.tickets[ticket.id] = ticket

    def record(self, event: TicketEvent) -> None:
        self.store.ticket_events.append(event)

    def next_sequence(self, site_id: int, service_id: int, day: date, start: int) -> int:
        key = (site_id, service_id, day)
        self.store.sequences[key] = self.store.sequences[key] + 1 if key in self.store.sequences else start
        return self.store.sequences[key]

    def _waiting(
        self, site_id: int, day: date | None = None, overnight: Collection[int] = ()
    ) -> list[Ticket]:
        return [
            t
            for t in self.store.tickets.values()
            if t.site_id == site_id
            and t.status == TicketStatus.WAITING
            and (day is None or t.day == day or t.service_id in overnight)
        ]

    def waiting_summary(
        self, site_id: int, day: date | None = None, overnight: Collection[int] = ()
    ) -> dict[int, tuple[int, datetime | None]]:
        summary: dict[int, tuple[int, datetime | None]] = {}
        for ticket in self._waiting(site_id, day, overnight):
            count, oldest = summary.get(ticket.service_id, (0, None))
            since = ticket.waiting_since if oldest is None else min(oldest, ticket.waiting_since)
            summary[ticket.service_id] = (count + 1, since)
        return summary

    def waiting(
        self,
        site_id: int,
        service_ids: Sequence[int],
        day: date | None = None,
        overnight: Collection[int] = (),
    ) -> list[Waiting]:
        return [
            Waiting(
                Candidate(t.id, t.service_id, Priority(t.priority), t.waiting_since, t.appointment_start),
                t.number,
                t.public_code,
                t.issued_at,
            )
            for t in self._waiting(site_id, day, overnight)
            if t.service_id in service_ids
        ]

    def waiting_ahead(
        self,
        site_id: int,
        service_id: int,
        ahead: Ahead,
        day: date | None = None,
        overnight: Collection[int] = (),
    ) -> int:
        return sum(
            1 for w in self.waiting(site_id, [service_id], day, overnight) if ahead.includes(w.candidate)
        )

    def recent_service_times(self, site_id: int, day: date, per_service: int) -> dict[int, list[int]]:
        done = sorted(
            (
                t
                for t in self.store.tickets.values()
                if t.site_id == site_id and t.day == day and t.status == TicketStatus.DONE and t.service_s
            ),
            key=lambda t: t.finished_at,
            reverse=True,
        )
        result: dict[int, list[int]] = {}
        for ticket in done:
            times = result.setdefault(ticket.service_id, [])
            if len(times) < per_service:
                times.append(ticket.service_s)
        return result

    def priorities_called(self, counter_id: int, since: datetime, limit: int) -> list[str]:
        called = sorted(
            (
                t
                for t in self.store.tickets.values()
                if t.counter_id == counter_id and t.first_called_at and t.first_called_at >= since
            ),
            key=lambda t: t.first_called_at,
            reverse=True,
        )
        return [t.priority for t in called[:limit]]

    def active_count(self, site_id: int, phone: str | None, citizen_key: str | None) -> int:
        return sum(
            1
            for t in self.store.tickets.values()
            if t.site_id == site_id
            and t.status in ACTIVE
            and ((phone and t.phone == phone) or (citizen_key and t.citizen_id_hash == citizen_key))
        )

    def sites_with(self, statuses: Collection[str]) -> list[int]:
        return sorted({t.site_id for t in self.store.tickets.values() if t.status in statuses})

    def unfinished(self, site_id: int, statuses: Collection[str], through_day: date) -> list[Ticket]:
        return sorted(
            (
                t
                for t in self.store.tickets.values()
                if t.site_id == site_id and t.status in statuses and t.day <= through_day
            ),
            key=lambda t: t.id,
        )


class FakeRequests:
    def __init__(self, store: FakeStore) -> None:
        self.store = store

    def get(self, principal: str, request_id: str) -> StaffRequest | None:
        return self.store.requests.get((principal, request_id))

    def add(self, request: StaffRequest) -> None:
        self.store.requests[(request.principal, request.request_id)] = request


class FakePrintJobs:
    def __init__(self, store: FakeStore) -> None:
        self.store = store

    def add(self, job: PrintJob) -> None:
        job.id = self.store.next_id()
        self.store.print_jobs[job.id] = job

    def latest(self, ticket_id: int) -> PrintJob | None:
        mine = [j for j in self.store.print_jobs.values() if j.ticket_id == ticket_id]
        return max(mine, key=lambda j: j.id, default=None)

    def printer_state(self, site_id: int, printer_uri: str) -> PrinterState | None:
        return self.store.printer_states.get((site_id, printer_uri))


class FakeAppointments:
    def __init__(self, store: FakeStore) -> None:
        self.store = store

    def by_code(self, code: str) -> Appointment | None:
        return next((a for a in self.store.appointments.values() if a.code == code), None)

    def record(self, event: AppointmentEvent) -> None:
        self.store.appointment_events.append(event)


class FakeUnitOfWork:
    """One transaction on a :class:`FakeStore`: ``committed`` once the use case committed, with the events
    it handed to the bus numbered per site as the database would number them."""

    def __init__(self, store: FakeStore) -> None:
        self.store = store
        self.sites = FakeSites(store)
        self.tickets = FakeTickets(store)
        self.requests = FakeRequests(store)
        self.print_jobs = FakePrintJobs(store)
        self.appointments = FakeAppointments(store)
        self.committed = False
        self.locks: list[str] = []
        self._events: list[Event] = []

    @property
    def session(self) -> Any:
        raise AssertionError("a queue use case reaches the database only through its repositories")

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self._events = []

    def lock(self, key: str) -> None:
        self.locks.append(key)

    def refresh(self, record: object) -> None:
        """The fake's records are always current."""

    def flush(self) -> None:
        """Nothing to write: the fake's records are the objects themselves."""

    def emit(self, event: Event) -> None:
        self._events.append(event)

    def commit(self) -> list[Event]:
        import dataclasses

        numbered = []
        for event in self._events:
            if event.sequenced:
                self.store.seq[event.site_id] = self.store.seq.get(event.site_id, 0) + 1
                event = dataclasses.replace(event, seq=self.store.seq[event.site_id])
            numbered.append(event)
        self.store.published.extend(numbered)
        self._events = []
        self.committed = True
        return numbered
