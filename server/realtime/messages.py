"""How each domain event becomes Socket.IO messages: the one place that decides names, payloads and rooms.

Every event becomes exactly one message in its site's room (carrying the event's per-site ``seq``);
ticket events also go, trimmed to what the citizen may see, to the ticket's own room.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..domain.events import (
    AppointmentChanged,
    CounterChanged,
    Event,
    NoticesChanged,
    PrinterStatusChanged,
    PrintJobChanged,
    QueueChanged,
    TicketCalled,
    TicketChanged,
    TicketInfo,
    TicketIssued,
)
from ..jsonutil import to_plain


@dataclass(frozen=True)
class Message:
    name: str
    payload: dict[str, Any]
    room: str


def site_room(site_id: int) -> str:
    return f"site:{site_id}"


def ticket_room(public_code: str) -> str:
    return f"ticket:{public_code}"


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
        }
    )
    return plain


def messages_for(event: Event) -> list[Message]:
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
        ]
    if isinstance(event, TicketIssued | TicketChanged):
        action = event.action if isinstance(event, TicketChanged) else "issue"
        return [
            Message("ticket.updated", to_plain({**head, "ticket": event.ticket, "action": action}), room),
            Message(
                "ticket.updated",
                {**head, "ticket": public_ticket(event.ticket)},
                ticket_room(event.ticket.public_code),
            ),
        ]
    if isinstance(event, QueueChanged):
        return [
            Message("queue.changed", to_plain({**head, "waiting_by_service": event.waiting_by_service}), room)
        ]
    if isinstance(event, CounterChanged):
        return [Message("counter.updated", to_plain({**head, "counter": event.counter}), room)]
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
