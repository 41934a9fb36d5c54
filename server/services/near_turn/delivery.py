"""Delivering the tickets' outbox: each queued message to the site's chain of notifiers, with retries.

Like the reminders' delivery, a message is claimed with a conditional update (``queued`` → ``sending``)
before it is sent, so two schedulers never send it twice, and no transaction stays open while it travels.
The site's chain (``notify_channels``, e.g. ZNS then SMS) is tried in order: the first channel that takes
it wins. When every channel fails the message is queued again after a growing wait
(:data:`~server.domain.near_turn.BACKOFF`) and, after its last attempt, ``failed`` with the gateways'
answers. A message whose moment has passed when its turn to be sent comes (a ``near`` for a ticket
already called, anything for a ticket cancelled or without a phone number) is ``cancelled`` instead.
Nothing here touches the queue: a gateway that hangs or fails delays only its own messages.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from sqlalchemy import select, update

from ...db.models import Counter, Site, Ticket, TicketMessage
from ...domain.near_turn import (
    MAX_ATTEMPTS,
    MessageKind,
    MessageStatus,
    NotifySettings,
    backoff,
    reference,
)
from ...domain.tickets import TicketStatus
from ..appointments.reminders import NotDeliverable
from ..core.history import record
from ..core.unit_of_work import UnitOfWork
from .messages import NEAR_STILL_DUE, SYSTEM

# A message left ``sending`` this long (its process died while it travelled) is not sent again: it might
# have reached the phone. It is marked failed.
INTERRUPTED_AFTER = timedelta(minutes=10)


@dataclass(frozen=True)
class TurnMessage:
    """A near-turn or called message on its way: everything a notifier needs to write and address it."""

    message_id: int
    ticket_id: int
    kind: str  # near, called
    reference: str  # luot-ticket-{id}-near|called
    language: str
    phone: str
    number: str
    site_name: str
    site_name_en: str
    counter_number: int | None
    position: int | None
    sms_unaccented: bool


class TurnNotifier(Protocol):
    """Sends one message, or raises (:class:`NotDeliverable` to pass it on to the next channel at once)."""

    channel: str

    def send_turn(self, message: TurnMessage) -> None: ...


@dataclass(frozen=True)
class DeliveryReport:
    sent: int = 0
    retried: int = 0
    failed: int = 0
    cancelled: int = 0


def deliver(
    new_uow: Callable[[], UnitOfWork],
    notifiers: Mapping[str, TurnNotifier],
    default_chain: Sequence[str],
    now: datetime,
    limit: int = 100,
) -> DeliveryReport:
    """Send up to ``limit`` queued messages that are due, oldest first."""
    with new_uow() as uow:
        _give_up_interrupted(uow, now)
        rows = uow.session.execute(
            select(TicketMessage, Ticket, Site)
            .join(Ticket, Ticket.id == TicketMessage.ticket_id)
            .join(Site, Site.id == TicketMessage.site_id)
            .where(TicketMessage.status == MessageStatus.QUEUED.value, TicketMessage.next_attempt_at <= now)
            .order_by(TicketMessage.id)
            .limit(limit)
        ).all()
        counters = {
            c.id: c.number
            for c in uow.session.scalars(
                select(Counter).where(Counter.id.in_({t.counter_id for _, t, _ in rows if t.counter_id}))
            )
        }
        work = []
        for message, ticket, site in rows:
            settings = NotifySettings.from_mapping(site.notify)
            chain = settings.channels or tuple(default_chain)
            outgoing = _outgoing(message, ticket, site, counters.get(ticket.counter_id or 0), settings)
            work.append((message.id, message.ticket_id, message.kind, message.attempts, outgoing, chain))
        uow.commit()
    sent = retried = failed = cancelled = 0
    for message_id, ticket_id, kind, attempts, outgoing, chain in work:
        if not _claim(new_uow, message_id, now):
            continue  # another scheduler took it
        channel, answers = None, []
        if outgoing is None:
            status, answers = MessageStatus.CANCELLED, ["the ticket moved on first"]
        else:
            for name in chain:
                notifier = notifiers.get(name)
                if notifier is None:
                    answers.append(f"{name}: not configured")
                    continue
                try:
                    notifier.send_turn(outgoing)
                except NotDeliverable as exc:
                    answers.append(f"{name}: {exc}")
                except Exception as exc:  # a notifier's failure is recorded and retried, never raised
                    answers.append(f"{name}: {type(exc).__name__}: {exc}")
                else:
                    channel = name
                    break
            if channel is not None:
                status = MessageStatus.SENT
            elif attempts + 1 < MAX_ATTEMPTS:
                status = MessageStatus.QUEUED
            else:
                status = MessageStatus.FAILED
        _finish(new_uow, message_id, ticket_id, kind, status, channel, "; ".join(answers), attempts + 1, now)
        sent += status == MessageStatus.SENT
        retried += status == MessageStatus.QUEUED
        failed += status == MessageStatus.FAILED
        cancelled += status == MessageStatus.CANCELLED
    return DeliveryReport(sent, retried, failed, cancelled)


def _outgoing(
    message: TicketMessage, ticket: Ticket, site: Site, counter_number: int | None, settings: NotifySettings
) -> TurnMessage | None:
    if not ticket.phone:
        return None
    if message.kind == MessageKind.NEAR and ticket.status not in NEAR_STILL_DUE:
        return None
    at_counter = (TicketStatus.CALLED, TicketStatus.SERVING)
    if message.kind == MessageKind.CALLED and ticket.status not in at_counter:
        return None
    return TurnMessage(
        message_id=message.id,
        ticket_id=ticket.id,
        kind=message.kind,
        reference=reference(ticket.id, message.kind),
        language=ticket.language,
        phone=ticket.phone,
        number=ticket.number,
        site_name=site.name,
        site_name_en=site.name_en,
        counter_number=counter_number,
        position=message.position,
        sms_unaccented=settings.sms_unaccented,
    )


def _give_up_interrupted(uow: UnitOfWork, now: datetime) -> None:
    uow.session.execute(
        update(TicketMessage)
        .where(
            TicketMessage.status == MessageStatus.SENDING.value,
            TicketMessage.next_attempt_at < now - INTERRUPTED_AFTER,
        )
        .values(status=MessageStatus.FAILED.value, error="interrupted while it was being sent")
    )


def _claim(new_uow: Callable[[], UnitOfWork], message_id: int, now: datetime) -> bool:
    with new_uow() as uow:
        result = uow.session.execute(
            update(TicketMessage)
            .where(TicketMessage.id == message_id, TicketMessage.status == MessageStatus.QUEUED.value)
            .values(
                status=MessageStatus.SENDING.value,
                attempts=TicketMessage.attempts + 1,
                next_attempt_at=now,
            )
        )
        uow.commit()
        return bool(getattr(result, "rowcount", 0))


def _finish(
    new_uow: Callable[[], UnitOfWork],
    message_id: int,
    ticket_id: int,
    kind: str,
    status: MessageStatus,
    channel: str | None,
    answer: str,
    attempts: int,
    now: datetime,
) -> None:
    with new_uow() as uow:
        uow.session.execute(
            update(TicketMessage)
            .where(TicketMessage.id == message_id)
            .values(
                status=status.value,
                channel=channel,
                error=answer[:400] if answer else None,
                sent_at=now if status == MessageStatus.SENT else None,
                next_attempt_at=now + backoff(attempts) if status == MessageStatus.QUEUED else now,
            )
        )
        ticket = uow.tickets.get(ticket_id)
        if ticket is not None and status != MessageStatus.QUEUED:
            record(
                uow.tickets,
                ticket,
                f"message_{status.value}",
                now,
                SYSTEM,
                data={"message": kind, "message_id": message_id, "channel": channel, "attempts": attempts},
            )
        uow.commit()
