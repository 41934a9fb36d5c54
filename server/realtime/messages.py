"""How each domain event becomes Socket.IO messages: the one place that decides names, payloads and rooms.

Every event becomes exactly one message in its site's room (carrying the event's per-site ``seq``);
ticket events also go, trimmed to what the citizen may see, to the ticket's own room.

A site's room (kiosks, displays, tablets, managers) never receives a ticket's ``public_code``: it is the key
to the citizen's status page, and no screen in the room shows it (the kiosk shows the code of the ticket it
issued, from the issue's own answer). A ticket's room (the citizen's phone) receives its own ticket only,
and the site's counters without usernames: a clerk's name only when a display name was set.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ..domain.early_warnings import NO_OUTLOOK, Outlook
from ..domain.events import (
    AppointmentChanged,
    CounterChanged,
    CounterState,
    Event,
    NoticesChanged,
    PrinterStatusChanged,
    PrintJobChanged,
    QueueChanged,
    RatingGiven,
    RatingRequested,
    TicketCalled,
    TicketChanged,
    TicketInfo,
    TicketIssued,
)
from ..domain.tickets import TicketStatus
from ..jsonutil import to_plain

if TYPE_CHECKING:
    from ..services.queue.views import Snapshot


@dataclass(frozen=True)
class Message:
    name: str
    payload: dict[str, Any]
    room: str


def site_room(site_id: int) -> str:
    return f"site:{site_id}"


def ticket_room(public_code: str) -> str:
    return f"ticket:{public_code}"


def counter_room(counter_id: int) -> str:
    """A counter's own room, where its rating pads listen: its calls, its state, ``rating.requested``
    (gaps in ``seq`` are normal there)."""
    return f"counter:{counter_id}"


def public_ticket(ticket: TicketInfo) -> dict[str, Any]:
    """The fields a citizen's status page may receive: nothing personal, nothing internal."""
    plain: dict[str, Any] = to_plain(
        {
            "public_code": ticket.public_code,
            "number": ticket.number,
            "status": ticket.status,
            "position": ticket.position,
            "estimated_wait_s": ticket.estimated_wait_s,
            "counter": ticket.counter,
            "unconfirmed": ticket.unconfirmed,  # a site box's check-in not confirmed yet: a mark only
            # once done, the dossier's code: the citizen follows the dossier with it
            "dossier_code": ticket.dossier_code if ticket.status == TicketStatus.DONE else None,
        }
    )
    return plain


def site_ticket(ticket: TicketInfo) -> dict[str, Any]:
    """A ticket as a site's room receives it: everything but the key to the citizen's status page."""
    plain: dict[str, Any] = to_plain(ticket)
    plain.pop("public_code", None)
    return plain


def site_counter(counter: CounterState) -> dict[str, Any]:
    plain: dict[str, Any] = to_plain(counter)
    if counter.current_ticket is not None:
        plain["current_ticket"] = site_ticket(counter.current_ticket)
    plain.pop("public_clerk", None)
    return plain


def site_snapshot(snap: Snapshot) -> dict[str, Any]:
    """The snapshot a site's room connection gets."""
    plain: dict[str, Any] = to_plain(snap)
    plain["counters"] = [site_counter(c) for c in snap.counters]
    outlook = plain.pop("outlook", None) or {}
    plain["warnings"] = outlook.get("warnings", [])  # the manager's early warnings (early_warnings.py)
    plain["forecast"] = outlook.get("forecast")
    return plain


def public_snapshot(snap: Snapshot) -> dict[str, Any]:
    """The snapshot a citizen's status page gets (beside its own ``ticket``): the site's counters as a wall
    display shows them, without other tickets' codes or any clerk's username."""
    plain: dict[str, Any] = to_plain(snap)
    plain.pop("outlook", None)
    plain["counters"] = [
        {
            "id": c.id,
            "number": c.number,
            "name": c.name,
            "status": c.status,
            "services": list(c.services),
            "clerk": c.public_clerk,
            "current_ticket": None
            if c.current_ticket is None
            else {"number": c.current_ticket.number, "status": c.current_ticket.status},
        }
        for c in snap.counters
    ]
    return plain


def messages_for(event: Event, outlook: Outlook = NO_OUTLOOK) -> list[Message]:
    """The messages of one committed event; ``outlook``: the early warnings and forecast a ``queue.changed``
    carries (worked out by the publisher after commit)."""
    if not event.sequenced:  # for the server's own subscribers only
        return []
    head = {"seq": event.seq, "site_id": event.site_id}
    room = site_room(event.site_id)
    if isinstance(event, TicketCalled):
        called = {
            **head,
            "ticket": {
                "id": event.ticket.id,
                "number": event.ticket.number,
                "service_id": event.ticket.service_id,
                "day": event.ticket.day,  # a number kept overnight is shown with its day
            },
            "counter": event.counter,
            "called_at": event.called_at,
            "recall": event.recall,
        }
        return [
            Message("ticket.called", to_plain(called), room),
            Message(
                "ticket.updated",
                {**head, "ticket": public_ticket(event.ticket)},
                ticket_room(event.ticket.public_code),
            ),
            Message("ticket.called", to_plain(called), counter_room(event.counter.id)),
        ]
    if isinstance(event, TicketIssued | TicketChanged):
        action = event.action if isinstance(event, TicketChanged) else "issue"
        return [
            Message(
                "ticket.updated",
                {**to_plain(head), "ticket": site_ticket(event.ticket), "action": action},
                room,
            ),
            Message(
                "ticket.updated",
                {**head, "ticket": public_ticket(event.ticket)},
                ticket_room(event.ticket.public_code),
            ),
        ]
    if isinstance(event, QueueChanged):
        return [
            Message(
                "queue.changed",
                to_plain(
                    {
                        **head,
                        "waiting_by_service": event.waiting_by_service,
                        "warnings": outlook.warnings,
                        "forecast": outlook.forecast,
                    }
                ),
                room,
            )
        ]
    if isinstance(event, CounterChanged):
        counter = {**to_plain(head), "counter": site_counter(event.counter)}
        return [
            Message("counter.updated", counter, room),
            Message("counter.updated", counter, counter_room(event.counter.id)),
        ]
    if isinstance(event, RatingRequested):
        requested = to_plain(
            {
                **head,
                "counter_id": event.counter_id,
                "ticket": {"id": event.ticket_id, "number": event.number},
                "clerk": {"name": event.clerk_name},
                "expires_at": event.expires_at,
            }
        )
        return [
            Message("rating.requested", requested, room),
            Message("rating.requested", requested, counter_room(event.counter_id)),
        ]
    if isinstance(event, RatingGiven):
        given = {
            **head,
            "rating": {
                "id": event.rating_id,
                "ticket": {"id": event.ticket_id, "number": event.number},
                "service_id": event.service_id,
                "counter_id": event.counter_id,
                "clerk": {"id": event.clerk_id, "name": event.clerk_name},
                "score": event.score,
                "reasons": list(event.reasons),
                "channel": event.channel,
                "unsatisfied": event.score <= 2,
                "at": event.rated_at,
            },
        }
        return [Message("rating.given", to_plain(given), room)]
    if isinstance(event, AppointmentChanged):
        payload = {**head, "appointment": event.appointment, "action": event.action}
        return [Message("appointment.updated", to_plain(payload), room)]
    if isinstance(event, NoticesChanged):
        return [Message("notices.changed", to_plain({**head, "notices": event.notices}), room)]
    if isinstance(event, PrinterStatusChanged):
        payload = {
            **head,
            "device_id": event.device_id,
            "printer": event.printer,
            "status": event.status,
            "detail": event.detail,
        }
        return [Message("printer.status", payload, room)]
    if isinstance(event, PrintJobChanged):
        payload = {
            **head,
            "job_id": event.job_id,
            "ticket_id": event.ticket_id,
            "device_id": event.device_id,
            "status": event.status,
        }
        return [Message("print.updated", payload, room)]
    raise TypeError(f"no message for {type(event).__name__}")
