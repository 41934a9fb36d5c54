"""Retention of personal data: after ``retention_days`` the personal fields of tickets and appointments are
erased, and what the statistics are made of stays.

Erased: a ticket's phone number and citizen-ID hash; an appointment's name, phone number, e-mail address,
citizen-ID hash and private-link token (the link stops working); the free-text reason a clerk gave for a
transfer, a cancellation or a no-show in the history. Kept: numbers, services, counters, priorities,
statuses, times, waits and service times, and every history row — so statistics of any period come out
the same before and after. Idempotent: run by the scheduler; a second run finds nothing more to erase.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import or_, select, update

from ..db.models import Appointment, Ticket, TicketEvent
from .core.unit_of_work import UnitOfWork

ERASED = ""  # what a required text field holds once erased
FREE_TEXT_KEYS = ("reason",)


@dataclass(frozen=True)
class Erased:
    tickets: int = 0
    appointments: int = 0
    events: int = 0


def erase_personal_data(uow: UnitOfWork, now: datetime, days: int) -> Erased:
    """Erase the personal fields of tickets issued and appointments held more than ``days`` days ago."""
    if days <= 0:
        return Erased()
    cutoff = now - timedelta(days=days)
    with uow:
        session = uow.session
        tickets = session.execute(
            update(Ticket)
            .where(
                Ticket.issued_at < cutoff,
                or_(Ticket.phone.is_not(None), Ticket.citizen_id_hash.is_not(None)),
            )
            .values(phone=None, citizen_id_hash=None, version=Ticket.version + 1)
            .execution_options(synchronize_session=False)
        )
        appointments = session.execute(
            update(Appointment)
            .where(
                Appointment.start < cutoff,
                or_(
                    Appointment.name != ERASED,
                    Appointment.phone != ERASED,
                    Appointment.email.is_not(None),
                    Appointment.citizen_id_hash.is_not(None),
                ),
            )
            .values(
                name=ERASED,
                phone=ERASED,
                email=None,
                citizen_id_hash=None,
                token_hash=ERASED,
                version=Appointment.version + 1,
            )
            .execution_options(synchronize_session=False)
        )
        events = 0
        for event in session.scalars(
            select(TicketEvent).where(
                TicketEvent.at < cutoff, TicketEvent.kind.in_(("transferred", "cancelled", "no_show"))
            )
        ):
            if any(event.data.get(key) for key in FREE_TEXT_KEYS):
                event.data = {**event.data, **dict.fromkeys(FREE_TEXT_KEYS, ERASED)}
                events += 1
        uow.commit()
    return Erased(
        tickets=int(getattr(tickets, "rowcount", 0) or 0),
        appointments=int(getattr(appointments, "rowcount", 0) or 0),
        events=events,
    )
