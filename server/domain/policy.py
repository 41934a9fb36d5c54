"""The call-next policy: which waiting ticket a counter calls next.

The rules, in order (docs/queue-policy.md explains them for clerks and managers):

1. A counter only gets tickets of the services it serves.
2. Checked-in appointment tickets that are due (their start minus the due window has passed) go first,
   earliest appointment first.
3. Priority tickets go before regular ones. After ``priority_streak`` priority calls in a row at this
   counter, a regular ticket that has waited longer than its service's target goes next, so a stream of
   priority tickets cannot starve the regular queue.
4. Otherwise the ticket that has waited longest across the counter's services, with the counter's service
   order as the tie-break.

Appointment tickets checked in early (not yet due) are held back; they are called only when nothing else
waits, so a counter never idles while someone is in the hall.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum

from .tickets import Priority


@dataclass(frozen=True)
class Candidate:
    """A waiting ticket as the policy sees it."""

    ticket_id: int
    service_id: int
    priority: Priority
    waiting_since: datetime  # issue time; check-in time for an appointment
    appointment_start: datetime | None = None

    @property
    def is_priority(self) -> bool:
        return self.priority is not Priority.NONE


@dataclass(frozen=True)
class Waiting:
    """A waiting ticket as the queue holds it: what the policy needs, and the number and public code a
    screen shows (loaded as a light row, so that a long queue stays cheap to reason about)."""

    candidate: Candidate
    number: str
    public_code: str
    issued_at: datetime

    @property
    def id(self) -> int:
        return self.candidate.ticket_id


@dataclass(frozen=True)
class PolicySettings:
    """Tunable parts of the policy, set per site in the configuration file."""

    appointment_due_before: timedelta = timedelta(minutes=10)
    priority_streak: int = 3


@dataclass(frozen=True)
class CallingCounter:
    """What the policy needs to know about the counter that calls."""

    service_ids: Sequence[int]  # in the counter's order of preference
    priority_streak: int = 0  # consecutive priority calls just made at this counter
    target_waits: Mapping[int, timedelta] = field(default_factory=dict)  # per service


class Rule(StrEnum):
    """Which rule chose a ticket (recorded with the call, shown to staff)."""

    APPOINTMENT = "appointment"
    PRIORITY = "priority"
    INTERLEAVE = "interleave"
    LONGEST_WAIT = "longest_wait"
    EARLY_APPOINTMENT = "early_appointment"


@dataclass(frozen=True)
class Pick:
    candidate: Candidate
    rule: Rule


def pick(
    candidates: Iterable[Candidate], counter: CallingCounter, now: datetime, settings: PolicySettings
) -> Pick | None:
    """The ticket ``counter`` should call next among ``candidates``, and the rule that chose it."""
    rank = {service_id: index for index, service_id in enumerate(counter.service_ids)}
    mine = [c for c in candidates if c.service_id in rank]  # rule 1

    def longest_wait(c: Candidate) -> tuple[datetime, int, int]:
        return (c.waiting_since, rank[c.service_id], c.ticket_id)

    due_from = now + settings.appointment_due_before
    appointments = [c for c in mine if c.appointment_start is not None]
    due = [c for c in appointments if c.appointment_start is not None and c.appointment_start <= due_from]
    if due:  # rule 2
        first = min(due, key=lambda c: (c.appointment_start, *longest_wait(c)))
        return Pick(first, Rule.APPOINTMENT)

    walk_ins = [c for c in mine if c.appointment_start is None]
    priority = [c for c in walk_ins if c.is_priority]
    regular = [c for c in walk_ins if not c.is_priority]
    if priority:  # rule 3
        if settings.priority_streak > 0 and counter.priority_streak >= settings.priority_streak:
            overdue = [c for c in regular if _waited_past_target(c, counter, now)]
            if overdue:
                return Pick(min(overdue, key=longest_wait), Rule.INTERLEAVE)
        return Pick(min(priority, key=longest_wait), Rule.PRIORITY)
    if regular:  # rule 4
        return Pick(min(regular, key=longest_wait), Rule.LONGEST_WAIT)
    if appointments:
        first = min(appointments, key=lambda c: (c.appointment_start, *longest_wait(c)))
        return Pick(first, Rule.EARLY_APPOINTMENT)
    return None


def order(
    candidates: Iterable[Candidate], counter: CallingCounter, now: datetime, settings: PolicySettings
) -> list[Pick]:
    """Every candidate the counter serves, in the order successive :func:`pick` calls would take them.

    Computed by sorting and merging rather than by picking repeatedly, so that a long queue stays cheap;
    a test checks it against repeated :func:`pick` on many random queues.
    """
    rank = {service_id: index for index, service_id in enumerate(counter.service_ids)}
    mine = [c for c in candidates if c.service_id in rank]

    def longest_wait(c: Candidate) -> tuple[datetime, int, int]:
        return (c.waiting_since, rank[c.service_id], c.ticket_id)

    def by_appointment(c: Candidate) -> tuple[datetime, datetime, int, int]:
        assert c.appointment_start is not None
        return (c.appointment_start, *longest_wait(c))

    due_from = now + settings.appointment_due_before
    appointments = [c for c in mine if c.appointment_start is not None]
    due = sorted((c for c in appointments if c.appointment_start <= due_from), key=by_appointment)  # type: ignore[operator]
    early = sorted((c for c in appointments if c.appointment_start > due_from), key=by_appointment)  # type: ignore[operator]
    priority = sorted((c for c in mine if c.appointment_start is None and c.is_priority), key=longest_wait)
    regular = sorted((c for c in mine if c.appointment_start is None and not c.is_priority), key=longest_wait)

    result = [Pick(c, Rule.APPOINTMENT) for c in due]
    streak = 0 if due else counter.priority_streak
    p = 0
    while p < len(priority):
        if settings.priority_streak > 0 and streak >= settings.priority_streak:
            overdue = next((c for c in regular if _waited_past_target(c, counter, now)), None)
            if overdue is not None:
                regular.remove(overdue)
                result.append(Pick(overdue, Rule.INTERLEAVE))
                streak = 0
                continue
        result.append(Pick(priority[p], Rule.PRIORITY))
        p += 1
        streak += 1
    result += [Pick(c, Rule.LONGEST_WAIT) for c in regular]
    result += [Pick(c, Rule.EARLY_APPOINTMENT) for c in early]
    return result


@dataclass(frozen=True)
class Ahead:
    """Who :func:`order` puts before a regular walk-in ticket of one service that has not waited past its
    target: every due appointment, every priority ticket, and the regular tickets that have waited longer
    (earlier ``waiting_since``, then lower ticket id). Interleaving only brings forward regular tickets
    that have waited past the target, so longer than this one: it moves nobody across it.

    A question the database can answer by counting, so that a kiosk's new ticket learns its place without
    loading the whole line (``Tickets.waiting_ahead``)."""

    ticket_id: int
    waiting_since: datetime
    due_from: datetime  # appointments starting by then are due

    def includes(self, other: Candidate) -> bool:
        if other.appointment_start is not None:
            return other.appointment_start <= self.due_from
        if other.is_priority:
            return True
        return (other.waiting_since, other.ticket_id) < (self.waiting_since, self.ticket_id)


def ahead_of(
    candidate: Candidate, counter: CallingCounter, now: datetime, settings: PolicySettings
) -> Ahead | None:
    """The tickets ahead of ``candidate`` in its service's order as an :class:`Ahead`, when it is a regular
    walk-in ticket that has not waited past its target; ``None`` when only :func:`order` can tell."""
    if candidate.appointment_start is not None or candidate.is_priority:
        return None
    if _waited_past_target(candidate, counter, now):
        return None
    return Ahead(candidate.ticket_id, candidate.waiting_since, now + settings.appointment_due_before)


def priority_streak(recent_calls_were_priority: Iterable[bool]) -> int:
    """Length of the run of priority calls at the start of ``recent_calls_were_priority`` (newest first)."""
    streak = 0
    for was_priority in recent_calls_were_priority:
        if not was_priority:
            break
        streak += 1
    return streak


def _waited_past_target(candidate: Candidate, counter: CallingCounter, now: datetime) -> bool:
    target = counter.target_waits.get(candidate.service_id)
    return target is not None and now - candidate.waiting_since > target
