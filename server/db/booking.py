"""The appointment statements that the database itself must make safe under concurrency.

Each is a single ``INSERT … ON CONFLICT …`` (PostgreSQL and SQLite ≥ 3.35 speak the same dialect here), so
no rule depends on reading a row and writing it back.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from .models import AppointmentSlot, Notification, SchedulerLease


def _insert(session: Session, model: Any) -> Any:
    dialect = session.get_bind().dialect.name
    return (postgresql.insert if dialect == "postgresql" else sqlite.insert)(model)


def claim_slot(session: Session, site_id: int, service_id: int, start: datetime, capacity: int) -> bool:
    """Take one place in a slot; ``False`` when it is full or closed.

    One conditional upsert: the first booking creates the slot's row with ``booked = 1``; later ones add
    one only ``WHERE booked < capacity AND NOT closed``, evaluated under the row's lock (PostgreSQL) or
    the database's write lock (SQLite), so the count can never pass the capacity.
    """
    if capacity < 1:
        return False
    slot = AppointmentSlot
    statement = (
        _insert(session, slot)
        .values(
            site_id=site_id, service_id=service_id, start=start, booked=1, capacity=capacity, closed=False
        )
        .on_conflict_do_update(
            index_elements=[slot.site_id, slot.service_id, slot.start],
            set_={"booked": slot.booked + 1, "capacity": capacity},
            where=(slot.booked < capacity) & slot.closed.is_(False),
        )
        .returning(slot.booked)
    )
    return session.execute(statement).first() is not None


def release_slot(session: Session, site_id: int, service_id: int, start: datetime) -> None:
    """Give a place back (cancellation, reschedule)."""
    slot = AppointmentSlot
    session.execute(
        update(slot)
        .where(slot.site_id == site_id, slot.service_id == service_id, slot.start == start, slot.booked > 0)
        .values(booked=slot.booked - 1)
    )


def set_slots_closed(
    session: Session, site_id: int, service_id: int, starts: Iterable[datetime], closed: bool
) -> None:
    """Close (or reopen) slots for new bookings; the bookings they already hold stay."""
    slot = AppointmentSlot
    for start in starts:
        session.execute(
            _insert(session, slot)
            .values(site_id=site_id, service_id=service_id, start=start, booked=0, capacity=0, closed=closed)
            .on_conflict_do_update(
                index_elements=[slot.site_id, slot.service_id, slot.start], set_={"closed": closed}
            )
        )


def add_notification(
    session: Session, appointment_id: int, kind: str, at: datetime, status: str = "pending"
) -> bool:
    """Write an outbox row once per (appointment, kind); ``False`` if it was already there."""
    statement = (
        _insert(session, Notification)
        .values(appointment_id=appointment_id, kind=kind, status=status, created_at=at, attempts=0)
        .on_conflict_do_nothing(index_elements=[Notification.appointment_id, Notification.kind])
        .returning(Notification.id)
    )
    return session.execute(statement).first() is not None


def take_lease(session: Session, name: str, holder: str, now: datetime, until: datetime) -> bool:
    """Take or renew the lease ``name`` for ``holder`` until ``until``; ``False`` while another holder's
    lease has not expired. One conditional upsert: two schedulers can never both hold it."""
    lease = SchedulerLease
    statement = (
        _insert(session, lease)
        .values(name=name, holder=holder, expires_at=until)
        .on_conflict_do_update(
            index_elements=[lease.name],
            set_={"holder": holder, "expires_at": until},
            where=(lease.holder == holder) | (lease.expires_at < now),
        )
        .returning(lease.holder)
    )
    return session.execute(statement).first() is not None


def give_up_lease(session: Session, name: str, holder: str) -> None:
    session.execute(
        update(SchedulerLease)
        .where(SchedulerLease.name == name, SchedulerLease.holder == holder)
        .values(expires_at=datetime(2000, 1, 1, tzinfo=UTC))
    )
