"""Which near-turn and called messages are due, decided from the committed queue, queued in the outbox.

:func:`queue_due` is one transaction over the sites that have tickets with a phone number still waiting
or called. It runs after every committed change of a queue (the outbox subscriber of the bus wakes the
scheduler, whose round begins with it) and on every round of the scheduler, so a restart, a second server
process or a crash between a call and its message loses nothing: what is due is read from the tickets
themselves, and the database's UNIQUE(ticket, kind) makes a second round, a second scheduler or a retry
write nothing more. It:

- queues a ``near`` message for a waiting ticket whose position or estimated wait reaches the site's
  ``notify_near_position`` / ``notify_near_minutes``, noting the time the message promises
  (now + estimated wait) for the estimate's error in statistics;
- queues a ``called`` message for a ticket that is called (not recalled: one per ticket);
- cancels a ``near`` still queued when its ticket was called, cancelled or ended first, and any message
  still queued for a ticket that was cancelled or ended;
- forgets the phone number of a ticket once it has ended and no message of it is left to send.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import exists, select, update

from ...db.messages import add_ticket_message
from ...db.models import Site, Ticket, TicketMessage
from ...domain.access import Principal
from ...domain.events import OutboxQueued
from ...domain.near_turn import MessageKind, MessageStatus, NotifySettings, is_near
from ...domain.tickets import TicketStatus
from ..core.history import record
from ..core.idempotency import retry_on_race
from ..core.unit_of_work import UnitOfWork
from ..queue.state import QueueState
from ..site_boxes.links import box_site_ids
from .remote import virtual_position

SYSTEM = Principal()

# A ticket is followed while it is in one of these; it has ended in any other.
FOLLOWED = (TicketStatus.WAITING.value, TicketStatus.CALLED.value, TicketStatus.PENDING_ARRIVAL.value)
NEAR_STILL_DUE = (TicketStatus.WAITING.value, TicketStatus.PENDING_ARRIVAL.value)


@dataclass(frozen=True)
class Queued:
    near: int = 0
    called: int = 0
    cancelled: int = 0
    forgotten: int = 0  # phone numbers erased


@retry_on_race
def queue_due(uow: UnitOfWork, now: datetime) -> Queued:
    """Queue the messages due at ``now`` at every site; cancel those overtaken; forget finished phones."""
    with uow:
        session = uow.session
        site_ids = list(
            session.scalars(
                select(Ticket.site_id)
                .where(Ticket.phone.is_not(None), Ticket.status.in_(FOLLOWED))
                .distinct()
            )
        )
        # A site served by its own box sends its messages from there: never twice from the upstream too.
        boxed = box_site_ids(session, set(site_ids))
        site_ids = [site_id for site_id in site_ids if site_id not in boxed]
        near = called = 0
        for site_id in site_ids:
            site = session.get(Site, site_id)
            if site is None:
                continue
            settings = NotifySettings.from_mapping(site.notify)
            done = {
                (ticket_id, kind)
                for ticket_id, kind in session.execute(
                    select(TicketMessage.ticket_id, TicketMessage.kind)
                    .join(Ticket, Ticket.id == TicketMessage.ticket_id)
                    .where(Ticket.site_id == site_id, Ticket.status.in_(FOLLOWED))
                )
            }
            tickets = list(
                session.scalars(
                    select(Ticket).where(
                        Ticket.site_id == site_id, Ticket.phone.is_not(None), Ticket.status.in_(FOLLOWED)
                    )
                )
            )
            state: QueueState | None = None
            for ticket in tickets:
                if ticket.status == TicketStatus.CALLED and (ticket.id, MessageKind.CALLED) not in done:
                    if _queue(uow, ticket, MessageKind.CALLED, now):
                        called += 1
                elif ticket.status in NEAR_STILL_DUE and (ticket.id, MessageKind.NEAR) not in done:
                    state = state or QueueState.load(uow, site, now)
                    if ticket.status == TicketStatus.PENDING_ARRIVAL:  # a remote ticket, not yet here
                        position, wait_s = virtual_position(state, ticket)
                    else:
                        position, wait_s = state.position(ticket)
                    if is_near(position, wait_s, settings):
                        promised = now + timedelta(seconds=wait_s)
                        if _queue(uow, ticket, MessageKind.NEAR, now, promised, position):
                            near += 1
        cancelled = _cancel_overtaken(uow, now)
        forgotten = _forget_phones(uow, now)
        uow.commit()
        return Queued(near, called, cancelled, forgotten)


def _queue(
    uow: UnitOfWork,
    ticket: Ticket,
    kind: MessageKind,
    now: datetime,
    promised_at: datetime | None = None,
    position: int | None = None,
) -> bool:
    message_id = add_ticket_message(
        uow.session,
        ticket_id=ticket.id,
        site_id=ticket.site_id,
        kind=kind.value,
        at=now,
        promised_at=promised_at,
        position=position,
    )
    if message_id is None:
        return False
    record(
        uow.tickets,
        ticket,
        "message_queued",
        now,
        SYSTEM,
        data={
            "message": kind.value,
            "message_id": message_id,
            "position": position,
            "promised_at": promised_at.isoformat() if promised_at else None,
        },
    )
    uow.emit(OutboxQueued(site_id=ticket.site_id, kind=kind.value, at=now))
    return True


def _cancel_overtaken(uow: UnitOfWork, now: datetime) -> int:
    """A queued ``near`` whose ticket is no longer waiting, or any queued message of an ended ticket."""
    message = TicketMessage
    mine = Ticket.id == message.ticket_id
    ended = ~select(Ticket.id).where(mine, Ticket.status.in_(FOLLOWED)).exists()
    not_waiting = ~select(Ticket.id).where(mine, Ticket.status.in_(NEAR_STILL_DUE)).exists()
    result = uow.session.execute(
        update(message)
        .where(
            message.status == MessageStatus.QUEUED.value,
            ((message.kind == MessageKind.NEAR.value) & not_waiting) | ended,
        )
        .values(status=MessageStatus.CANCELLED.value, error="the ticket moved on first", sent_at=None)
        .execution_options(synchronize_session=False)
    )
    return int(getattr(result, "rowcount", 0) or 0)


def _forget_phones(uow: UnitOfWork, now: datetime) -> int:
    """Erase the phone number of the last days' ended tickets (done, no-show, cancelled…) that have no
    message left to send. Tickets still waiting, called or being served keep it: the per-person limit
    counts them by it. (Older tickets are the retention period's.)"""
    site_ids = list(uow.session.scalars(select(Site.id)))
    open_message = exists().where(
        TicketMessage.ticket_id == Ticket.id,
        TicketMessage.status.in_([MessageStatus.QUEUED.value, MessageStatus.SENDING.value]),
    )
    result = uow.session.execute(
        update(Ticket)
        .where(
            Ticket.site_id.in_(site_ids),
            Ticket.day >= (now - timedelta(days=2)).date(),
            Ticket.phone.is_not(None),
            Ticket.status.in_(ENDED),
            ~open_message,
        )
        .values(phone=None, version=Ticket.version + 1)
        .execution_options(synchronize_session=False)
    )
    return int(getattr(result, "rowcount", 0) or 0)


ENDED = (
    TicketStatus.DONE.value,
    TicketStatus.NO_SHOW.value,
    TicketStatus.CANCELLED.value,
    TicketStatus.EXPIRED.value,
)
