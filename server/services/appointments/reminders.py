"""The scheduler's work on appointments: reminders into the outbox, no-shows, and delivering the outbox.

:func:`sweep` is one transaction that scans the database for what is due at ``now``; running it twice, or
in two processes at once, changes nothing more: an outbox row is unique per appointment and reminder
kind, and an appointment is marked no-show only while it is still booked. :func:`deliver` hands pending
rows to the notifier one by one; each row is claimed with a conditional update before it is sent, so a
message is never sent twice, and no transaction stays open while a message travels.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from sqlalchemy import select, update

from ...db.booking import add_notification
from ...db.models import Appointment, Notification, Site
from ...domain.appointments import AppointmentStatus, BookingSettings, ReminderPlan, is_no_show, reminder_kind
from ...domain.events import OutboxQueued
from ..core.idempotency import retry_on_race
from ..core.unit_of_work import UnitOfWork
from ..queue.state import local_time
from .booking import publish_change, record_change

MAX_ATTEMPTS = 3


@dataclass(frozen=True)
class SweepReport:
    reminders: int = 0  # outbox rows written to be sent
    skipped: int = 0  # reminders overtaken by a later one that is also due (the scheduler was down)
    no_shows: int = 0


@retry_on_race
def sweep(uow: UnitOfWork, now: datetime) -> SweepReport:
    """Write the reminders due at ``now`` into the outbox and mark appointments past their grace no-show."""
    with uow:
        session = uow.session
        sites = list(session.scalars(select(Site)))
        settings = {site.id: BookingSettings.from_mapping(site.booking) for site in sites}
        longest = max((lead for s in settings.values() for lead in s.reminders), default=timedelta(0))
        reminders = skipped = no_shows = 0

        upcoming = session.scalars(
            select(Appointment).where(
                Appointment.status == AppointmentStatus.BOOKED.value,
                Appointment.start > now,
                Appointment.start <= now + longest,
            )
        )
        for appointment in upcoming:
            plan = ReminderPlan(
                appointment.start, appointment.created_at, settings[appointment.site_id].reminders
            )
            due = plan.due(now)  # longest lead first: only the last one is worth sending
            for lead in due:
                status = "pending" if lead == due[-1] else "skipped"
                if add_notification(
                    session, appointment.id, reminder_kind(lead, appointment.start), now, status
                ):
                    reminders += status == "pending"
                    skipped += status == "skipped"
                    if status == "pending":
                        uow.emit(OutboxQueued(site_id=appointment.site_id, kind="reminder", at=now))

        shortest_grace = min((s.no_show_after for s in settings.values()), default=timedelta(0))
        overdue = list(
            session.scalars(
                select(Appointment).where(
                    Appointment.status == AppointmentStatus.BOOKED.value,
                    Appointment.start < now - shortest_grace,
                )
            )
        )
        for appointment in overdue:
            if is_no_show(appointment.start, now, settings[appointment.site_id]):
                appointment.status = AppointmentStatus.NO_SHOW.value
                appointment.updated_at = now
                session.flush()  # the version check: a check-in at this very moment wins
                record_change(uow.appointments, appointment, "no_show", now)
                publish_change(uow, appointment, "no_show", now)
                no_shows += 1
        uow.commit()
        return SweepReport(reminders, skipped, no_shows)


# -- delivery --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Outgoing:
    """A reminder on its way: everything a notifier needs to write and address it."""

    notification_id: int
    kind: str
    language: str
    name: str
    phone: str
    email: str | None
    code: str
    start: datetime  # in the site's time zone
    site_name: str
    site_name_en: str
    site_address: str
    service_name: str
    service_name_en: str


class Notifier(Protocol):
    """Sends one message, or raises; ``channel`` is recorded with each sent row (``log``, ``sms``…)."""

    channel: str

    def send(self, message: Outgoing) -> None: ...


class NotDeliverable(Exception):
    """This message cannot go through this channel (no e-mail address…): skipped, not retried."""


@dataclass(frozen=True)
class DeliveryReport:
    sent: int = 0
    failed: int = 0
    skipped: int = 0


def deliver(
    new_uow: Callable[[], UnitOfWork], notifier: Notifier, now: datetime, limit: int = 100
) -> DeliveryReport:
    """Send up to ``limit`` pending outbox rows, oldest first."""
    with new_uow() as uow:
        rows = uow.session.execute(
            select(Notification, Appointment)
            .join(Appointment, Appointment.id == Notification.appointment_id)
            .where(Notification.status == "pending")
            .order_by(Notification.id)
            .limit(limit)
        ).all()
        messages = [
            (notification.id, notification.attempts, _outgoing(notification, appointment, now))
            for notification, appointment in rows
        ]
    sent = failed = skipped = 0
    for notification_id, attempts, message in messages:
        if not _claim(new_uow, notification_id):
            continue  # another scheduler took it
        status, error = "sent", None
        if message is None:
            status, error = "skipped", "the appointment is no longer upcoming"
        else:
            try:
                notifier.send(message)
            except NotDeliverable as exc:
                status, error = "skipped", str(exc)
            except Exception as exc:  # a notifier's failure is recorded and retried, never raised
                status = "pending" if attempts + 1 < MAX_ATTEMPTS else "failed"
                error = f"{type(exc).__name__}: {exc}"
        _finish(new_uow, notification_id, status, notifier.channel, error, now)
        sent += status == "sent"
        failed += status in ("pending", "failed")
        skipped += status == "skipped"
    return DeliveryReport(sent, failed, skipped)


def _outgoing(notification: Notification, appointment: Appointment, now: datetime) -> Outgoing | None:
    if appointment.status != AppointmentStatus.BOOKED.value or appointment.start <= now:
        return None
    site, service = appointment.site, appointment.service
    return Outgoing(
        notification_id=notification.id,
        kind=notification.kind,
        language=appointment.language,
        name=appointment.name,
        phone=appointment.phone,
        email=appointment.email,
        code=appointment.code,
        start=local_time(site, appointment.start),
        site_name=site.name,
        site_name_en=site.name_en,
        site_address=site.address,
        service_name=service.name,
        service_name_en=service.name_en,
    )


def _claim(new_uow: Callable[[], UnitOfWork], notification_id: int) -> bool:
    with new_uow() as uow:
        result = uow.session.execute(
            update(Notification)
            .where(Notification.id == notification_id, Notification.status == "pending")
            .values(status="sending", attempts=Notification.attempts + 1)
        )
        uow.commit()
        return bool(getattr(result, "rowcount", 0))


def _finish(
    new_uow: Callable[[], UnitOfWork],
    notification_id: int,
    status: str,
    channel: str,
    error: str | None,
    now: datetime,
) -> None:
    with new_uow() as uow:
        uow.session.execute(
            update(Notification)
            .where(Notification.id == notification_id)
            .values(
                status=status,
                channel=channel,
                error=error[:400] if error else None,
                sent_at=now if status == "sent" else None,
            )
        )
        uow.commit()
