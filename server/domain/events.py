"""Domain events: what happened, published after the transaction that made it happen commits.

Each event belongs to one site and receives that site's next ``seq`` when its transaction commits, so the
Socket.IO message it becomes carries a per-site number that grows by one per event (API.md). Each event
becomes exactly one message in its site's room; ticket events are also sent to the ticket's own room.
Events marked ``sequenced = False`` are for the server's own subscribers only (see
:mod:`server.services.core.bus`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import ClassVar

from .notices import NoticeInfo
from .printing import JobRef


@dataclass(frozen=True, kw_only=True)
class CounterRef:
    id: int
    number: int
    name: str


@dataclass(frozen=True, kw_only=True)
class TicketInfo:
    """A ticket as the API returns it and events carry it; ``public_code`` routes an event to the
    ticket's own room. ``position`` counts from 1 (next to be called) and is 0 once no longer waiting."""

    id: int
    site_id: int
    number: str
    service_id: int
    status: str
    priority: str
    public_code: str
    position: int
    estimated_wait_s: int
    counter: CounterRef | None
    issued_at: datetime
    called_at: datetime | None = None
    started_at: datetime | None = None
    finished_at: datetime | None = None
    dossier_code: str | None = None
    call_rule: str | None = None
    appointment_id: int | None = None
    appointment_start: datetime | None = None
    wait_s: int | None = None  # from joining the queue to the first call; None until called
    actions: tuple[str, ...] = ()  # what staff may do with it now (the state machine's allowed actions)
    day: date | None = None  # its business day: a ticket of a service kept overnight keeps its day's number
    # Checked in at a site box by a code it could not confirm yet: ``pending`` until the upstream confirms
    # the appointment, then ``None``; ``unknown`` or ``cancelled`` when the upstream did not have it.
    unconfirmed: str | None = None
    call_count: int = 0  # how many times it was called (1 after the first call, 2 after a recall)


@dataclass(frozen=True, kw_only=True)
class ServiceWaiting:
    service_id: int
    waiting: int
    estimated_wait_s: int
    longest_wait_s: int = 0
    counters_open: int = 0  # open counters that serve it: another site is suggested only when > 0


@dataclass(frozen=True, kw_only=True)
class CounterState:
    id: int
    code: str
    number: int
    name: str
    status: str
    services: tuple[int, ...]
    current_ticket: TicketInfo | None = None
    clerk: str | None = None
    # What citizens may read: the clerk's display name if one was set, never the username (None otherwise).
    public_clerk: str | None = None
    # Since when it has this status (None before its first change), and why it is paused (a PauseReason).
    status_since: datetime | None = None
    pause_reason: str | None = None


@dataclass(frozen=True, kw_only=True)
class Event:
    site_id: int
    seq: int = 0  # set when the transaction commits
    at: datetime | None = field(default=None, compare=False)
    # Part of the site's stream: numbered by ``seq`` and sent to the site's room. Events that only tell the
    # server's own subscribers something (a print job to hand to its printer) are not.
    sequenced: ClassVar[bool] = True


@dataclass(frozen=True, kw_only=True)
class TicketIssued(Event):
    """A ticket was issued (kiosk, desk or appointment check-in). Message: ``ticket.updated``."""

    ticket: TicketInfo


@dataclass(frozen=True, kw_only=True)
class TicketCalled(Event):
    """A counter called a ticket, or called it again (``recall``). Message: ``ticket.called``."""

    ticket: TicketInfo
    counter: CounterRef
    called_at: datetime
    recall: bool = False


@dataclass(frozen=True, kw_only=True)
class TicketChanged(Event):
    """A ticket was started, completed, transferred, cancelled or marked no-show (``ticket.updated``)."""

    ticket: TicketInfo
    action: str


@dataclass(frozen=True, kw_only=True)
class QueueChanged(Event):
    """The waiting tickets of a site changed, or its counters did. Message: ``queue.changed``; the
    publisher adds the early warnings and the forecast of the manager's live view, worked out after commit."""

    waiting_by_service: tuple[ServiceWaiting, ...]


@dataclass(frozen=True, kw_only=True)
class CounterChanged(Event):
    """A counter opened, paused or closed, or its current ticket changed. Message: ``counter.updated``."""

    counter: CounterState


# -- Appointments ---------------------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class AppointmentRef:
    """An appointment as a site's screens may see it: no name, phone or code."""

    id: int
    service_id: int
    start: datetime
    end: datetime
    status: str


@dataclass(frozen=True, kw_only=True)
class AppointmentChanged(Event):
    """An appointment was booked, rescheduled, cancelled, checked in or marked no-show
    (``action``: ``book``, ``reschedule``, ``cancel``, ``check_in``, ``no_show``). Message:
    ``appointment.updated`` in the site's room. A reschedule to another site is a ``cancel`` at the old
    site and a ``book`` at the new one."""

    appointment: AppointmentRef
    action: str


@dataclass(frozen=True, kw_only=True)
class OutboxQueued(Event):
    """Messages for citizens were written to the outbox (``kind``: reminder …), for the scheduler to
    deliver after commit. Not part of the site's stream: no ``seq``, no message."""

    sequenced: ClassVar[bool] = False
    kind: str
    count: int = 1


@dataclass(frozen=True, kw_only=True)
class NoticesChanged(Event):
    """A site's notices were replaced (what its wall displays scroll). Message: ``notices.changed``."""

    notices: tuple[NoticeInfo, ...]


# -- Printers -----------------------------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class PrinterStatusChanged(Event):
    """A printer of the site started or stopped working (``status``: ok, offline, paper_out, error).
    ``device_id`` is the kiosk whose printer it is (None for the site's desk printer). Message:
    ``printer.status``."""

    device_id: int | None
    printer: str
    status: str
    detail: str


@dataclass(frozen=True, kw_only=True)
class PrintJobQueued(Event):
    """A ticket's print job was queued (issue, check-in, reprint), for the print spooler to take after
    commit. Not part of the site's stream: no ``seq``, no message."""

    sequenced: ClassVar[bool] = False
    job: JobRef


@dataclass(frozen=True, kw_only=True)
class PrintJobChanged(Event):
    """A ticket's print job was printed, or given up (``status``: printed, failed). Message:
    ``print.updated``, so that the kiosk showing the ticket can say what the printer did."""

    job_id: int
    ticket_id: int
    device_id: int | None
    status: str


# -- Satisfaction ratings -------------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class RatingRequested(Event):
    """A counter completed a ticket: its rating pad asks the citizen until ``expires_at``. Message:
    ``rating.requested`` in the site's room and in the counter's room (where its pads listen)."""

    counter_id: int
    ticket_id: int
    number: str
    clerk_name: str
    expires_at: datetime


@dataclass(frozen=True, kw_only=True)
class RatingGiven(Event):
    """A citizen rated a served ticket (``channel``: phone or counter). Message: ``rating.given`` in the
    site's room (the manager's live view); it carries neither the comment nor anything personal."""

    rating_id: int
    ticket_id: int
    number: str
    service_id: int
    counter_id: int | None
    clerk_id: int | None
    clerk_name: str
    score: int
    reasons: tuple[str, ...]
    channel: str
    rated_at: datetime


# -- Accounts -----------------------------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class TokensRevoked(Event):
    """Bearer tokens stopped working: a logout, a device revoked, an account disabled. Their Socket.IO
    connections are closed at once, in every server process. Not part of any site's stream (``site_id``
    is 0): no ``seq``, no message."""

    sequenced: ClassVar[bool] = False
    token_ids: tuple[int, ...]
