"""On a box: storing what it pulled from the upstream (configuration, accounts, devices, bookings), and
reading the changes it still has to send."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from ...db.models import (
    Appointment,
    Counter,
    CounterService,
    Notice,
    Site,
    SiteBoxChange,
    SiteBoxState,
    Ticket,
)
from ...domain import sync
from ...domain.days import business_day
from ...domain.events import AppointmentChanged, AppointmentRef, TicketChanged
from ..core.unit_of_work import UnitOfWork
from . import rows
from .journal import PULLING
from .upstream import COUNTER_CONFIG, SITE_LOCAL, USER_LOCAL

CONFIG_ORDER = (
    "communes",
    "sites",
    "services",
    "counters",
    "users",
    "user_sites",
    "devices",
    "api_tokens",
    "procedures",
)


def state(session: Session) -> SiteBoxState | None:
    return session.get(SiteBoxState, 1)


def store_feed(uow: UnitOfWork, feed: dict[str, Any], upstream_url: str, at: datetime) -> SiteBoxState:
    """Store a pulled feed in one transaction: the configuration when its digest changed, then the
    bookings (a booking or cancellation becomes the site's ``appointment.updated`` here, numbered by this
    box). A citizen this box has already checked in stays checked in."""
    site_id = int(feed["site_id"])
    with uow:
        session = uow.session
        session.info[PULLING] = True
        box = state(session)
        if box is None:
            box = SiteBoxState(id=1, site_id=site_id, upstream_url=upstream_url, others={})
            session.add(box)
            session.flush()
        if feed.get("digest") and feed["digest"] != box.config_digest:
            _store_config(session, site_id, feed["config"])
            box.config_digest = feed["digest"]
        for image in feed.get("appointments") or []:
            event = _store_appointment(session, site_id, image)
            if event is not None:
                uow.emit(event)
        box.appointments_cursor = feed.get("appointments_cursor") or box.appointments_cursor
        box.others = {"sites": feed.get("others") or [], "at": at.isoformat()}
        box.last_seen_at = at
        uow.commit()
        return box


def _store_config(session: Session, site_id: int, config: dict[str, Any]) -> None:
    for name in CONFIG_ORDER:
        for image in config.get(name) or []:
            if name == "sites":
                rows.upsert(session, name, image, update=[k for k in image if k not in SITE_LOCAL])
            elif name == "counters":
                rows.upsert(session, name, {**image, "status": "closed"}, update=list(COUNTER_CONFIG))
            elif name == "users":
                rows.upsert(session, name, image, update=[k for k in image if k not in USER_LOCAL])
            elif name == "api_tokens":
                rows.upsert(session, name, image, keys=["token_hash"])
            else:
                rows.upsert(session, name, image)
        if name == "counters":
            counters = select(Counter.id).where(Counter.site_id == site_id)
            session.execute(delete(CounterService).where(CounterService.counter_id.in_(counters)))
            for image in config.get("counter_services") or []:
                rows.upsert(session, "counter_services", image)
    session.execute(delete(Notice).where(Notice.site_id == site_id))
    for image in config.get("notices") or []:
        rows.upsert(session, "notices", image)


def _store_appointment(session: Session, site_id: int, image: dict[str, Any]) -> AppointmentChanged | None:
    if image.get("site_id") != site_id:
        return None
    current = session.execute(
        select(Appointment.status).where(Appointment.id == image["id"])
    ).scalar_one_or_none()
    if current in sync.APPOINTMENT_BOX_STATUSES:
        return None  # checked in here: the box's word stands, and goes upstream
    rows.upsert(session, "appointments", image)
    if current == image["status"]:
        return None
    values = rows.parse("appointments", image)
    action = {"booked": "book", "cancelled": "cancel", "no_show": "no_show"}.get(values["status"], "book")
    if current is not None and action == "book":
        action = "reschedule"
    return AppointmentChanged(
        site_id=site_id,
        appointment=AppointmentRef(
            id=values["id"],
            service_id=values["service_id"],
            start=values["start"],
            end=values["end"],
            status=values["status"],
        ),
        action=action,
    )


def reconcile(uow: UnitOfWork, pulled_from: datetime, at: datetime) -> int:
    """After a complete pull (every booking changed upstream up to a moment after ``pulled_from``): the
    tickets this box gave for codes it could not confirm. A code the upstream has as a booking of this
    site becomes that appointment's check-in with the ticket (and goes upstream like any check-in); one
    it has cancelled, passed or moved is flagged ``cancelled``; one it does not have at all — for a ticket
    issued before ``pulled_from``, so the pull would have brought it — is flagged ``unknown``. The ticket
    stays in the queue either way: the citizen holds it, and the clerk sees the flag. Returns how many
    tickets changed."""
    from ..appointments.booking import publish_change, record_change

    with uow:
        session = uow.session
        tickets = session.scalars(
            select(Ticket)
            .where(Ticket.unconfirmed_code.is_not(None), Ticket.appointment_problem.is_(None))
            .order_by(Ticket.id)
        ).all()
        changed = 0
        for ticket in tickets:
            code = ticket.unconfirmed_code
            assert code is not None
            appointment = uow.appointments.by_code(code)
            if appointment is None:
                if ticket.issued_at < pulled_from:
                    ticket.appointment_problem = "unknown"
                    changed += 1
                continue
            site = session.get(Site, ticket.site_id)
            assert site is not None
            usable = (
                appointment.site_id == ticket.site_id
                and appointment.status in ("booked", "no_show")
                and business_day(appointment.start, site.timezone) == ticket.day  # not moved to another day
            )
            taken = session.scalar(select(Ticket.id).where(Ticket.appointment_id == appointment.id))
            if not usable or taken is not None:
                ticket.appointment_problem = "cancelled"
                changed += 1
                continue
            appointment.status = "checked_in"
            appointment.updated_at = at
            ticket.appointment_id = appointment.id
            ticket.unconfirmed_code = None
            ticket.phone = ticket.phone or appointment.phone
            ticket.citizen_id_hash = ticket.citizen_id_hash or appointment.citizen_id_hash
            session.flush()
            record_change(
                uow.appointments,
                appointment,
                "checked_in",
                at,
                data={"ticket_id": ticket.id, "late": True, "unconfirmed": True},
            )
            publish_change(uow, appointment, "check_in", at)
            changed += 1
        if changed:
            emit_ticket_changes(uow, tickets, at)
        uow.commit()
        return changed


def emit_ticket_changes(uow: UnitOfWork, tickets: Sequence[Ticket], at: datetime) -> None:
    """``ticket.updated`` for each ticket (the clerk's tablet and the status page show the mark)."""
    from ..queue.state import QueueState

    if not tickets:
        return
    site = uow.session.get(Site, tickets[0].site_id)
    assert site is not None
    state = QueueState.load(uow, site, at)
    for ticket in tickets:
        uow.emit(TicketChanged(site_id=site.id, ticket=state.ticket_info(ticket), action="reconcile", at=at))


def elsewhere(session: Session, site_id: int, now: datetime, max_age: timedelta) -> list[dict[str, Any]]:
    """The commune's other intake points as this box last heard of them from its upstream, with the
    figures' age (from the moment the box stored them, on its own clock): nothing when this is no box,
    or when they are older than ``max_age`` (a link cut for long: better no suggestion than a stale one)."""
    box = state(session)
    if box is None or box.site_id != site_id or not box.others or not box.others.get("at"):
        return []
    age = now - datetime.fromisoformat(str(box.others["at"]))
    if age > max_age:
        return []
    return [
        {
            "site": {
                "id": other.get("site_id"),
                "code": other.get("code"),
                "name": other.get("name"),
                "name_en": other.get("name_en"),
                "address": other.get("address"),
                "open_now": bool(other.get("open_now")),
            },
            "age_s": max(0, int(age.total_seconds())),
            "services": other.get("services") or [],
        }
        for other in box.others.get("sites") or []
    ]


@dataclass(frozen=True)
class Pending:
    changes: list[dict[str, Any]]
    last_number: int
    site_seq: int


def pending(session: Session, after: int, limit: int) -> Pending:
    """At most ``limit`` changes after number ``after``, oldest first (bounded: a batch, never all)."""
    box = state(session)
    site_seq = session.scalar(select(Site.event_seq).where(Site.id == box.site_id)) if box else 0
    found = session.scalars(
        select(SiteBoxChange).where(SiteBoxChange.id > after).order_by(SiteBoxChange.id).limit(limit)
    ).all()
    last = session.scalar(select(func.max(SiteBoxChange.id))) or 0
    return Pending(
        changes=[
            {"number": c.id, "seq": c.seq, "at": c.at.isoformat(), "rows": c.rows, "events": c.events}
            for c in found
        ],
        last_number=int(last),
        site_seq=int(site_seq or 0),
    )


KEEP_SENT = timedelta(days=7)


def acknowledge(uow: UnitOfWork, applied: int, applied_seq: int, at: datetime) -> None:
    """The upstream holds every change up to ``applied``. Changes it has held for a week are dropped from
    the box's outbox (the records themselves stay in their tables), so that the outbox stays small. The
    last one sent always stays: SQLite numbers the next change after the highest row, and a number the
    upstream already holds must never come back."""
    with uow:
        uow.session.execute(
            delete(SiteBoxChange).where(SiteBoxChange.id < applied, SiteBoxChange.at < at - KEEP_SENT)
        )
        uow.session.execute(
            update(SiteBoxState)
            .where(SiteBoxState.id == 1)
            .values(acked=applied, acked_seq=applied_seq, last_seen_at=at)
        )
        uow.commit()
