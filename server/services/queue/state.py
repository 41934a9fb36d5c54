"""The live state of one site's queue, loaded in a few queries and reasoned about with the domain rules.

Used wherever positions, estimates or the call order are needed: issuing a ticket, calling, the staff
queue, the public status page and the ``snapshot`` sent to displays.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from ...db.models import Counter, Service, Site, Ticket
from ...domain import early_warnings, estimates, policy
from ...domain.days import business_day, local_day
from ...domain.events import CounterRef, CounterState, QueueChanged, ServiceWaiting, TicketInfo
from ...domain.hours import OpeningHours
from ...domain.policy import Waiting
from ...domain.tickets import AT_COUNTER_STATUSES, Priority, TicketStatus, allowed_actions
from ..core.unit_of_work import QueueSource, Tickets


def policy_settings(site: Site) -> policy.PolicySettings:
    return policy.PolicySettings(
        appointment_due_before=timedelta(minutes=site.appointment_due_minutes),
        priority_streak=site.priority_streak,
    )


def opening_hours(site: Site) -> OpeningHours:
    return OpeningHours.parse(site.hours, site.closed_dates, always_open=site.always_open)


def overnight_services(services: dict[int, Service]) -> frozenset[int]:
    """The services that keep their queue overnight: their tickets wait whatever their day."""
    return frozenset(sid for sid, service in services.items() if service.overnight)


def local_time(site: Site, at: datetime) -> datetime:
    return at.astimezone(ZoneInfo(site.timezone))


def site_is_open(site: Site, at: datetime) -> bool:
    local = local_time(site, at)
    return opening_hours(site).is_open(local.date(), local.time())


def counter_ref(counter: Counter | None) -> CounterRef | None:
    if counter is None:
        return None
    return CounterRef(id=counter.id, number=counter.number, name=counter.name)


def as_waiting(ticket: Ticket) -> Waiting:
    candidate = policy.Candidate(
        ticket.id,
        ticket.service_id,
        Priority(ticket.priority),
        ticket.waiting_since,
        ticket.appointment_start,
    )
    return Waiting(candidate, ticket.number, ticket.public_code, ticket.issued_at)


@dataclass
class QueueState:
    """Services, counters, waiting tickets and today's measured pace of one site, at one instant.

    Waiting counts come from one ``GROUP BY``; the waiting tickets of a service are loaded only when its
    order is needed (a position, a call), so issuing a ticket stays cheap however long the queue.
    """

    tickets: Tickets
    site: Site
    now: datetime
    services: dict[int, Service]
    counters: list[Counter]
    recent_service_s: dict[int, list[int]]
    _summary: dict[int, tuple[int, datetime | None]]  # service -> (waiting, oldest waiting_since) at load
    day: date | None = None  # the business day whose queue this is (None: every waiting ticket)
    _rows: dict[int, list[Waiting]] = field(default_factory=dict)
    _orders: dict[int, list[int]] = field(default_factory=dict)

    @classmethod
    def load(
        cls, source: QueueSource, site: Site, now: datetime, services: dict[int, Service] | None = None
    ) -> QueueState:
        """``services``: the site's services when the caller has them already."""
        if services is None:
            services = source.sites.services(site.id)
        tickets = source.tickets
        counters = source.sites.counters(site.id)
        day = business_day(now, site.timezone)
        summary = tickets.waiting_summary(site.id, day, overnight_services(services))
        recent = tickets.recent_service_times(site.id, day, estimates.MOVING_WINDOW)
        return cls(tickets, site, now, services, counters, recent, summary, day)

    def take_lines(self, waiting: Iterable[Waiting]) -> bool:
        """Use ``waiting`` as the site's waiting tickets, every service's, instead of reading them, if they
        agree with the counts read at load (how many wait for each service, and since when the oldest);
        ``False``, and nothing taken, if they do not."""
        lines: dict[int, list[Waiting]] = {sid: [] for sid in self.services}
        for row in waiting:
            if row.candidate.service_id not in lines:
                return False
            lines[row.candidate.service_id].append(row)
        for service_id, rows in lines.items():
            oldest = min((w.candidate.waiting_since for w in rows), default=None)
            if (len(rows), oldest) != self._summary.get(service_id, (0, None)):
                return False
        self._rows, self._orders = lines, {}
        return True

    def lines(self) -> list[Waiting]:
        """Every service's waiting tickets, read (in one query) for the services that have any."""
        return self.waiting_in([sid for sid in self.services if self.waiting_count(sid) > 0])

    @property
    def overnight(self) -> frozenset[int]:
        return overnight_services(self.services)

    @property
    def settings(self) -> policy.PolicySettings:
        return policy_settings(self.site)

    @property
    def waiting(self) -> list[Waiting]:
        """Every waiting ticket of the site's queue today (its overnight services' whatever their day)."""
        return self.waiting_in(list(self.services))

    def waiting_in(self, service_ids: list[int]) -> list[Waiting]:
        """The waiting tickets of some services (loaded once, in one query)."""
        missing = [sid for sid in service_ids if sid not in self._rows]
        if missing:
            for sid in missing:
                self._rows[sid] = []
            for waiting in self.tickets.waiting(self.site.id, missing, self.day, self.overnight):
                self._rows.setdefault(waiting.candidate.service_id, []).append(waiting)
        return [w for sid in service_ids for w in self._rows.get(sid, [])]

    def waiting_count(self, service_id: int) -> int:
        """How many wait for the service: its loaded rows when they are, else the count at load."""
        if service_id in self._rows:
            return len(self._rows[service_id])
        return self._summary.get(service_id, (0, None))[0]

    def average_service_s(self, service_id: int) -> float:
        service = self.services[service_id]
        return estimates.average_service_s(self.recent_service_s.get(service_id, []), service.service_minutes)

    def counters_for(self, service_id: int) -> float:
        """Counters sharing the service's queue: the open ones, each for its share of the service
        (:func:`~server.domain.estimates.service_capacity`), or all configured ones if none is open."""
        serving = [c for c in self.counters if service_id in c.service_ids]
        open_ = [c for c in serving if c.status == "open"]
        if not open_:
            return len(serving) or 1
        work = {s: self.waiting_count(s) * self.average_service_s(s) for s in self.services}
        return estimates.service_capacity(
            work.get(service_id, 0.0), [sum(work.get(s, 0.0) for s in c.service_ids) for c in open_]
        )

    def open_counters_for(self, service_id: int) -> int:
        return sum(1 for c in self.counters if service_id in c.service_ids and c.status == "open")

    def service_order(self, service_id: int) -> list[int]:
        """Waiting ticket ids of one service in the order its counters would call them."""
        if service_id not in self._orders:
            mine = [w.candidate for w in self.waiting_in([service_id])]
            calling = policy.CallingCounter([service_id], 0, self._targets())
            picks = policy.order(mine, calling, self.now, self.settings)
            self._orders[service_id] = [p.candidate.ticket_id for p in picks]
        return self._orders[service_id]

    def position(self, ticket: Ticket) -> tuple[int, int]:
        """``(position, estimated_wait_s)`` of a ticket; ``(0, 0)`` once it is no longer waiting."""
        if ticket.status != TicketStatus.WAITING:
            return 0, 0
        if ticket.service_id not in self._rows:  # its line not loaded: perhaps a count tells
            ahead = policy.ahead_of(
                as_waiting(ticket).candidate, self._calling(None, 0), self.now, self.settings
            )
            if ahead is not None:
                count = self.tickets.waiting_ahead(
                    self.site.id, ticket.service_id, ahead, self.day, self.overnight
                )
                return count + 1, self._estimate(count, ticket.service_id)
        return self._position(ticket.id, ticket.service_id)

    def public_positions(self) -> list[dict[str, Any]]:
        """What each waiting ticket's status page shows now (sent to the citizens following them)."""
        by_id = {w.id: w for w in self.waiting}  # every service's waiting tickets, in one query
        return [
            {
                "public_code": by_id[ticket_id].public_code,
                "number": by_id[ticket_id].number,
                "status": TicketStatus.WAITING.value,
                "position": ahead + 1,
                "estimated_wait_s": wait,
                "counter": None,
            }
            for service_id in self.services
            for ahead, (ticket_id, wait) in enumerate(self._line(service_id))
        ]

    def _line(self, service_id: int) -> list[tuple[int, int]]:
        """A service's waiting tickets in call order, each with its estimated wait: one pass along the
        order, the service's pace and counters worked out once."""
        average, counters = self.average_service_s(service_id), self.counters_for(service_id)
        return [
            (ticket_id, estimates.estimate_wait_s(ahead, average, counters))
            for ahead, ticket_id in enumerate(self.service_order(service_id))
        ]

    def _position(self, ticket_id: int, service_id: int) -> tuple[int, int]:
        order = self.service_order(service_id)
        ahead = order.index(ticket_id) if ticket_id in order else len(order)
        return ahead + 1, self._estimate(ahead, service_id)

    def _estimate(self, ahead: int, service_id: int) -> int:
        return estimates.estimate_wait_s(
            ahead, self.average_service_s(service_id), self.counters_for(service_id)
        )

    def waiting_by_service(self) -> tuple[ServiceWaiting, ...]:
        result = []
        for service_id in self.services:
            oldest: datetime | None
            if service_id in self._rows:
                rows = self._rows[service_id]
                count = len(rows)
                oldest = min((w.candidate.waiting_since for w in rows), default=None)
            else:
                count, oldest = self._summary.get(service_id, (0, None))
            longest = int((self.now - oldest).total_seconds()) if oldest is not None else 0
            result.append(
                ServiceWaiting(
                    service_id=service_id,
                    waiting=count,
                    estimated_wait_s=estimates.estimate_wait_s(
                        count, self.average_service_s(service_id), self.counters_for(service_id)
                    ),
                    longest_wait_s=max(longest, 0),
                    counters_open=self.open_counters_for(service_id),
                )
            )
        return tuple(result)

    def outlook(self, waits: tuple[ServiceWaiting, ...] | None = None) -> early_warnings.Outlook:
        """The early warnings and the forecast of the manager's live view (``waits``: this state's
        :meth:`waiting_by_service` when the caller has it already)."""
        waits = self.waiting_by_service() if waits is None else waits
        busy = [w.service_id for w in waits if w.waiting > 0]
        self.waiting_in(busy)  # one query for the services not loaded yet
        lines = [
            early_warnings.ServiceLine(
                service_id=w.service_id,
                waiting=w.waiting,
                estimated_wait_s=w.estimated_wait_s,
                target_wait_s=self.services[w.service_id].target_wait_minutes * 60,
                expected_waits_s=self._expected_waits(w.service_id) if w.waiting > 0 else (),
            )
            for w in waits
        ]
        counters = [
            early_warnings.CounterLine(
                counter_id=c.id,
                status=c.status,
                busy=c.current_ticket_id is not None,
                services=tuple(c.service_ids),
            )
            for c in self.counters
        ]
        return early_warnings.outlook(lines, counters)

    def _expected_waits(self, service_id: int) -> tuple[int, ...]:
        """Each waiting ticket of a service, in call order: waited so far + its estimate."""
        since = {w.id: w.candidate.waiting_since for w in self.waiting_in([service_id])}
        return tuple(
            max(0, int((self.now - since[ticket_id]).total_seconds())) + wait
            for ticket_id, wait in self._line(service_id)
        )

    def queue_changed(self, at: datetime) -> QueueChanged:
        """The ``queue.changed`` of this state: the waits (the outlook follows after commit)."""
        return QueueChanged(site_id=self.site.id, waiting_by_service=self.waiting_by_service(), at=at)

    def order_for(self, counter: Counter | None, streak: int = 0) -> list[policy.Pick]:
        """Waiting tickets in call order for ``counter`` (or for the whole site when ``None``)."""
        return policy.order(self._candidates(), self._calling(counter, streak), self.now, self.settings)

    def next_for(self, counter: Counter, streak: int) -> policy.Pick | None:
        """The ticket call-next gives ``counter`` now."""
        candidates = [w.candidate for w in self.waiting_in(counter.service_ids)]
        return policy.pick(candidates, self._calling(counter, streak), self.now, self.settings)

    def forget(self, ticket: Ticket) -> None:
        """``ticket`` left the waiting list of its service (called, cancelled)."""
        rows = self.waiting_in([ticket.service_id])
        self._rows[ticket.service_id] = [w for w in rows if w.id != ticket.id]
        self._orders.pop(ticket.service_id, None)

    def admit(self, ticket: Ticket) -> None:
        """``ticket`` joined the waiting list of its service (transferred)."""
        self.forget(ticket)
        self._rows[ticket.service_id].append(as_waiting(ticket))

    def ticket_info(self, ticket: Ticket) -> TicketInfo:
        position, wait = self.position(ticket)
        return ticket_info(self.site, ticket, position, wait)

    def counter_state(self, counter: Counter, tickets: dict[int, Ticket]) -> CounterState:
        current = tickets.get(counter.current_ticket_id) if counter.current_ticket_id else None
        return CounterState(
            id=counter.id,
            code=counter.code,
            number=counter.number,
            name=counter.name,
            status=counter.status,
            services=tuple(counter.service_ids),
            current_ticket=ticket_info(self.site, current, 0, 0) if current is not None else None,
            clerk=(counter.clerk.display_name or counter.clerk.username) if counter.clerk else None,
            public_clerk=public_clerk_name(counter.clerk.display_name, counter.clerk.username)
            if counter.clerk
            else None,
            status_since=local_time(self.site, counter.status_since) if counter.status_since else None,
            pause_reason=counter.pause_reason if counter.status == "paused" else None,
        )

    def _candidates(self) -> list[policy.Candidate]:
        return [w.candidate for w in self.waiting]

    def _calling(self, counter: Counter | None, streak: int) -> policy.CallingCounter:
        service_ids = counter.service_ids if counter is not None else list(self.services)
        return policy.CallingCounter(service_ids, streak, self._targets())

    def _targets(self) -> dict[int, timedelta]:
        return {sid: timedelta(minutes=s.target_wait_minutes) for sid, s in self.services.items()}


def public_clerk_name(display_name: str | None, username: str) -> str | None:
    """The name citizens may see: a display name that was set (one equal to the username, the default of
    ``luot user add``, was not), else None."""
    name = (display_name or "").strip()
    return name if name and name != username else None


def ticket_info(site: Site, ticket: Ticket, position: int, estimated_wait_s: int) -> TicketInfo:
    def local(at: datetime | None) -> datetime | None:
        return local_time(site, at) if at is not None else None

    return TicketInfo(
        id=ticket.id,
        site_id=ticket.site_id,
        number=ticket.number,
        service_id=ticket.service_id,
        status=ticket.status,
        priority=ticket.priority,
        public_code=ticket.public_code,
        position=position,
        estimated_wait_s=estimated_wait_s,
        counter=counter_ref(ticket.counter) if ticket.status in AT_COUNTER_STATUSES else None,
        issued_at=local_time(site, ticket.issued_at),
        called_at=local(ticket.called_at),
        started_at=local(ticket.started_at),
        finished_at=local(ticket.finished_at),
        dossier_code=ticket.dossier_code,
        call_rule=ticket.call_rule,
        appointment_id=ticket.appointment_id,
        appointment_start=local(ticket.appointment_start),
        wait_s=ticket.wait_s,
        actions=tuple(action.value for action in allowed_actions(TicketStatus(ticket.status))),
        day=ticket.day,
        unconfirmed=ticket.appointment_problem or ("pending" if ticket.unconfirmed_code else None),
        call_count=ticket.call_count or 0,
    )


def current_tickets(source: QueueSource, counters: list[Counter]) -> dict[int, Ticket]:
    """The tickets at ``counters``, by id."""
    return source.tickets.by_ids([c.current_ticket_id for c in counters if c.current_ticket_id is not None])


def counter_streak(source: QueueSource, site: Site, counter_id: int, now: datetime) -> int:
    """Priority calls in a row just made today at ``counter_id`` (newest first), looking back as far as
    the site's ``priority_streak``."""
    since = local_day(now, site.timezone).start
    called = source.tickets.priorities_called(counter_id, since, max(site.priority_streak, 1))
    return policy.priority_streak(priority != Priority.NONE for priority in called)
