"""Appointment use cases: book, reschedule, cancel, check in at the kiosk, and managers closing slots.

Each runs in one transaction and publishes its events after commit. Capacity is the database's job: a
booking claims a place in its slot's counter row with one conditional upsert
(:func:`server.db.booking.claim_slot`), and cancelling or rescheduling gives it back. A person's open
bookings are counted under a per-person lock, so two bookings sent at once cannot both slip under the
limit. The private link's token is returned once and stored only as its SHA-256 hash.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from ...db.booking import claim_slot, release_slot, set_slots_closed
from ...db.models import Appointment, AppointmentEvent, AppointmentSlot, Service, Site, SiteBoxState, Ticket
from ...db.repositories import Repositories
from ...domain.access import DeviceKind, Principal
from ...domain.appointments import (
    AppointmentStatus,
    BookingSettings,
    CheckInKind,
    check_in_kind,
    code_signed_for,
    new_code,
    normalise_code,
    require_status,
    signed_code,
)
from ...domain.days import business_day
from ...domain.errors import N_, Conflict, Forbidden, InvalidValue, LimitReached, NotFound
from ...domain.events import AppointmentChanged, AppointmentRef, TicketInfo
from ..core.idempotency import claim_request, retry_on_race
from ..core.lookups import get_service, get_site, get_ticket, service_of_site
from ..core.unit_of_work import Appointments, Sites, UnitOfWork
from ..printing import PrintAnswer, last_print
from ..queue.state import local_time
from ..queue.tickets import Issued, TicketDetails, current_info, new_ticket
from .views import AppointmentView, SlotView, appointment_view, slot_rules, slot_views

MAX_CLOSE = timedelta(days=31)

# -- commands --------------------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class BookAppointment:
    site_id: int
    service_id: int
    start: datetime
    name: str
    phone: str  # normalised
    at: datetime
    citizen_key: str | None = None
    email: str | None = None
    language: str = "vi"
    code_secret: bytes = b""  # signs the code (a site box can then check it without the upstream)


@dataclass(frozen=True, kw_only=True)
class CancelAppointment:
    code: str
    token: str
    at: datetime


@dataclass(frozen=True, kw_only=True)
class RescheduleAppointment:
    code: str
    token: str
    start: datetime
    at: datetime
    site_id: int | None = None  # another intake point of the same commune


@dataclass(frozen=True, kw_only=True)
class CheckIn:
    actor: Principal
    code: str
    at: datetime
    language: str | None = None
    request_id: str | None = None
    code_secret: bytes = b""  # on a site box: checks a code booked upstream that it does not know yet


@dataclass(frozen=True, kw_only=True)
class CloseSlots:
    """Close (``closed=True``) or reopen the slots of ``[start, end)`` of one service, or of every
    bookable service of the site when ``service_id`` is ``None``."""

    actor: Principal
    site_id: int
    start: datetime
    end: datetime
    closed: bool
    at: datetime
    service_id: int | None = None


@dataclass(frozen=True)
class Booked:
    appointment: AppointmentView
    manage_token: str  # shown once: the citizen's private link


@dataclass(frozen=True)
class CheckedIn:
    ticket: TicketInfo
    late: bool  # past the check-in window: a walk-in ticket
    appointment: AppointmentView | None  # None: a site box's ticket for a code it could not confirm yet
    print: PrintAnswer


# -- use cases -------------------------------------------------------------------------------------


@retry_on_race
def book(cmd: BookAppointment, uow: UnitOfWork) -> Booked:
    """Book a slot; 409 ``slot_full`` when its last place is gone, 429 past the person's limit."""
    with uow:
        session = uow.session
        site = get_site(uow.sites, cmd.site_id)
        service = _bookable_service(uow.sites, site, cmd.service_id)
        settings = BookingSettings.from_mapping(site.booking)
        slot = slot_rules(session, site, service, settings).slot_at(cmd.start, cmd.at)
        _check_person_limit(uow, settings, cmd.phone, cmd.citizen_key, cmd.at)
        _claim(session, site, service, slot.start, slot.capacity)
        token = secrets.token_urlsafe(24)
        appointment = Appointment(
            code=signed_code(cmd.code_secret, site.id, service.id, business_day(slot.start, site.timezone))
            if cmd.code_secret
            else new_code(),
            site_id=site.id,
            service_id=service.id,
            start=slot.start,
            end=slot.end,
            status=AppointmentStatus.BOOKED.value,
            name=cmd.name,
            phone=cmd.phone,
            email=cmd.email,
            citizen_id_hash=cmd.citizen_key,
            language=cmd.language,
            token_hash=_hash(token),
            created_at=cmd.at,
            updated_at=cmd.at,
        )
        session.add(appointment)
        session.flush()  # a code already in use fails here, and the whole booking is tried again
        record_change(uow.appointments, appointment, "booked", cmd.at)
        publish_change(uow, appointment, "book", cmd.at)
        view = appointment_view(uow.tickets, appointment)
        uow.commit()
        return Booked(view, token)


@retry_on_race
def cancel(cmd: CancelAppointment, uow: UnitOfWork) -> AppointmentView:
    """Cancel with the private link; the slot's place is given back."""
    with uow:
        session = uow.session
        appointment = _with_token(uow.appointments, cmd.code, cmd.token)
        require_status(AppointmentStatus(appointment.status), [AppointmentStatus.BOOKED])
        appointment.status = AppointmentStatus.CANCELLED.value
        appointment.updated_at = cmd.at
        release_slot(session, appointment.site_id, appointment.service_id, appointment.start)
        session.flush()
        record_change(uow.appointments, appointment, "cancelled", cmd.at)
        publish_change(uow, appointment, "cancel", cmd.at)
        view = appointment_view(uow.tickets, appointment)
        uow.commit()
        return view


@retry_on_race
def reschedule(cmd: RescheduleAppointment, uow: UnitOfWork) -> AppointmentView:
    """Move a booking to another slot, at the same site or another intake point of the commune. The new
    place is claimed before the old one is given back, in one transaction: a full slot leaves the
    booking as it was."""
    with uow:
        session = uow.session
        appointment = _with_token(uow.appointments, cmd.code, cmd.token)
        require_status(AppointmentStatus(appointment.status), [AppointmentStatus.BOOKED])
        old_site, old_service, old_start = appointment.site, appointment.service, appointment.start
        site = get_site(uow.sites, cmd.site_id) if cmd.site_id is not None else old_site
        if site.commune_id != old_site.commune_id:
            raise InvalidValue(
                N_("An appointment can move only to an intake point of the same commune."),
                code="other_commune",
            )
        service = old_service if site.id == old_site.id else _same_service_at(session, site, old_service)
        if (site.id, service.id, cmd.start) == (old_site.id, old_service.id, old_start):
            return appointment_view(uow.tickets, appointment)
        settings = BookingSettings.from_mapping(site.booking)
        slot = slot_rules(session, site, service, settings).slot_at(cmd.start, cmd.at)
        _claim(session, site, service, slot.start, slot.capacity)
        release_slot(session, old_site.id, old_service.id, old_start)
        appointment.site_id, appointment.service_id = site.id, service.id
        appointment.site, appointment.service = site, service
        appointment.start, appointment.end = slot.start, slot.end
        appointment.updated_at = cmd.at
        session.flush()
        record_change(
            uow.appointments,
            appointment,
            "rescheduled",
            cmd.at,
            data={"from_start": old_start.isoformat(), "from_site_id": old_site.id},
        )
        if site.id == old_site.id:
            publish_change(uow, appointment, "reschedule", cmd.at)
        else:
            moved_from = AppointmentRef(
                id=appointment.id,
                service_id=old_service.id,
                start=local_time(old_site, old_start),
                end=local_time(old_site, old_start + (slot.end - slot.start)),
                status=AppointmentStatus.CANCELLED.value,
            )
            uow.emit(
                AppointmentChanged(site_id=old_site.id, appointment=moved_from, action="cancel", at=cmd.at)
            )
            publish_change(uow, appointment, "book", cmd.at)
        view = appointment_view(uow.tickets, appointment)
        uow.commit()
        return view


@retry_on_race
def check_in(cmd: CheckIn, uow: UnitOfWork) -> CheckedIn:
    """Check in at the kiosk (or by staff): an appointment ticket that the call-next policy serves at its
    time. Later than the window it is a walk-in ticket (``late``); earlier, 409 ``too_early``."""
    with uow:
        code = normalise_code(cmd.code)
        found = uow.appointments.by_code(code) if code is not None else None
        if found is None and code is not None and cmd.code_secret:
            unconfirmed = _check_in_unconfirmed(cmd, uow, code)
            if unconfirmed is not None:
                return unconfirmed
        appointment = _by_code(uow.appointments, cmd.code)
        site = get_site(uow.sites, appointment.site_id)
        _require_check_in_here(uow, cmd.actor, site)
        replay = claim_request(uow.requests, cmd.actor, cmd.request_id, "check_in", appointment.id, cmd.at)
        if replay is not None and replay.ticket_id is not None:
            ticket = get_ticket(uow.tickets, replay.ticket_id)
            view = appointment_view(uow.tickets, appointment)
            issued = Issued(current_info(uow, ticket, cmd.at), last_print(uow, ticket.id))
            return CheckedIn(issued.ticket, ticket.appointment_start is None, view, issued.print)
        status = AppointmentStatus(appointment.status)
        require_status(status, [AppointmentStatus.BOOKED, AppointmentStatus.NO_SHOW])
        settings = BookingSettings.from_mapping(site.booking)
        kind = check_in_kind(local_time(site, appointment.start), cmd.at, settings)
        if business_day(cmd.at, site.timezone) != business_day(appointment.start, site.timezone):
            raise Conflict(N_("This appointment has passed."), code="appointment_passed")
        late = kind is CheckInKind.LATE or status is AppointmentStatus.NO_SHOW

        appointment.status = AppointmentStatus.CHECKED_IN.value
        appointment.updated_at = cmd.at
        service = get_service(uow.sites, appointment.service_id)
        # The ticket's insert fails on a second check-in of the appointment at the same moment.
        details = TicketDetails(
            request_id=cmd.request_id,
            phone=appointment.phone,
            citizen_id_hash=appointment.citizen_id_hash,
            language=cmd.language or appointment.language,
            appointment_id=appointment.id,
            appointment_start=None if late else appointment.start,
            history={"appointment_id": appointment.id, "late": late},
        )
        issued = new_ticket(uow, site, service, cmd.actor, cmd.at, details, print_reason="check_in")
        record_change(
            uow.appointments,
            appointment,
            "checked_in",
            cmd.at,
            cmd.actor,
            data={"ticket_id": issued.ticket.id, "late": late},
        )
        publish_change(uow, appointment, "check_in", cmd.at)
        view = appointment_view(uow.tickets, appointment)
        uow.commit()
        return CheckedIn(issued.ticket, late, view, issued.print)


def _check_in_unconfirmed(cmd: CheckIn, uow: UnitOfWork, code: str) -> CheckedIn | None:
    """On a site box, a code it does not know that is signed for today at its site (booked upstream
    while the link was cut): a walk-in ticket of the code's service marked ``unconfirmed`` (its start is
    not known here, so it is called as a walk-in), reconciled when the link returns
    (:func:`server.services.site_boxes.box.reconcile`). ``None`` when this is no box or the code does not
    check out. One ticket per code: a second check-in is refused like that of a checked-in appointment."""
    box = uow.session.get(SiteBoxState, 1)
    if box is None:
        return None
    site = get_site(uow.sites, box.site_id)
    day = business_day(cmd.at, site.timezone)
    service = next(
        (
            s
            for s in sorted(site.services, key=lambda s: s.id)
            if s.appointments and code_signed_for(cmd.code_secret, code, site.id, s.id, day)
        ),
        None,
    )
    if service is None:
        return None
    _require_check_in_here(uow, cmd.actor, site)
    replay = claim_request(uow.requests, cmd.actor, cmd.request_id, "check_in_unconfirmed", site.id, cmd.at)
    if replay is not None and replay.ticket_id is not None:
        ticket = get_ticket(uow.tickets, replay.ticket_id)
        return CheckedIn(current_info(uow, ticket, cmd.at), True, None, last_print(uow, ticket.id))
    taken = uow.session.scalar(
        select(Ticket.id).where(Ticket.site_id == site.id, Ticket.unconfirmed_code == code)
    )
    if taken is not None:
        require_status(AppointmentStatus.CHECKED_IN, [AppointmentStatus.BOOKED])
    details = TicketDetails(
        request_id=cmd.request_id,
        language=cmd.language or "vi",
        history={"unconfirmed": True},
        unconfirmed_code=code,
    )
    issued = new_ticket(uow, site, service, cmd.actor, cmd.at, details, print_reason="check_in")
    uow.commit()
    return CheckedIn(issued.ticket, True, None, issued.print)


def close_slots(cmd: CloseSlots, uow: UnitOfWork) -> list[SlotView]:
    """A manager closes (or reopens) slots for new bookings; bookings already made stay, and the answer
    says how many each closed slot holds so that the centre can call those citizens."""
    if cmd.end <= cmd.start:
        raise InvalidValue(N_("The end must come after the start."), code="bad_range")
    if cmd.end - cmd.start > MAX_CLOSE:
        raise InvalidValue(
            N_("Close at most %(days)s days at a time."), code="bad_range", days=MAX_CLOSE.days
        )
    with uow:
        session = uow.session
        site = get_site(uow.sites, cmd.site_id)
        cmd.actor.require(cmd.actor.can_manage(site.id))
        if cmd.service_id is not None:
            services = [_bookable_service(uow.sites, site, cmd.service_id)]
        else:
            services = [s for s in site.services if s.appointments]
        settings = BookingSettings.from_mapping(site.booking)
        result: list[SlotView] = []
        for service in services:
            rules = slot_rules(session, site, service, settings)
            starts = []
            day = rules.local_date(cmd.start)
            while day <= rules.local_date(cmd.end):
                starts += [s.start for s in rules.day(day) if cmd.start <= s.start < cmd.end]
                day += timedelta(days=1)
            set_slots_closed(session, site.id, service.id, starts, cmd.closed)
            session.flush()
            for view in slot_views(session, site, service, rules, cmd.start, cmd.end):
                if cmd.start <= view.start < cmd.end:
                    result.append(view)
        uow.commit()
        return result


# -- helpers ---------------------------------------------------------------------------------------


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _bookable_service(sites: Sites, site: Site, service_id: int) -> Service:
    service = service_of_site(sites, site, service_id)
    if not service.appointments:
        raise Conflict(N_("This service cannot be booked; please come in person."), code="not_bookable")
    return service


def _same_service_at(session: Session, site: Site, service: Service) -> Service:
    target = session.scalar(select(Service).where(Service.site_id == site.id, Service.code == service.code))
    if target is None or not target.appointments:
        raise Conflict(
            N_("This intake point does not take appointments for this service."), code="not_bookable"
        )
    return target


def _claim(session: Session, site: Site, service: Service, start: datetime, capacity: int) -> None:
    if claim_slot(session, site.id, service.id, start, capacity):
        return
    closed = session.scalar(
        select(AppointmentSlot.closed).where(
            AppointmentSlot.site_id == site.id,
            AppointmentSlot.service_id == service.id,
            AppointmentSlot.start == start,
        )
    )
    if closed:
        raise Conflict(N_("This time is no longer offered; please choose another."), code="slot_closed")
    raise Conflict(N_("This time has just been fully booked; please choose another."), code="slot_full")


def _check_person_limit(
    uow: UnitOfWork, settings: BookingSettings, phone: str, citizen_key: str | None, at: datetime
) -> None:
    """At most ``person_limit`` open (booked, upcoming) appointments per phone or citizen ID, across
    every site: brokers who book slots to sell them run into it."""
    if settings.person_limit <= 0:
        return
    keys = sorted(k for k in (phone, citizen_key) if k)
    for key in keys:  # sorted: two bookings of one person never wait for each other in a cycle
        uow.lock(f"booking-person:{key}")
    conditions = [Appointment.phone == phone]
    if citizen_key:
        conditions.append(Appointment.citizen_id_hash == citizen_key)
    open_bookings = uow.session.scalar(
        select(func.count())
        .select_from(Appointment)
        .where(
            Appointment.status == AppointmentStatus.BOOKED.value,
            Appointment.start > at,
            or_(*conditions),
        )
    )
    if (open_bookings or 0) >= settings.person_limit:
        raise LimitReached(
            N_("You already have %(count)s upcoming appointments; cancel one before booking another."),
            code="person_limit",
            count=open_bookings,
        )


def _by_code(appointments: Appointments, raw_code: str) -> Appointment:
    code = normalise_code(raw_code)
    appointment = appointments.by_code(code) if code is not None else None
    if appointment is None:
        raise NotFound(N_("There is no appointment with this code."), code="unknown_appointment")
    return appointment


def _with_token(appointments: Appointments, raw_code: str, token: str) -> Appointment:
    """The appointment of a private link; 404 for a wrong token as for a wrong code."""
    appointment = _by_code(appointments, raw_code)
    if not hmac.compare_digest(appointment.token_hash, _hash(token or "")):
        raise NotFound(N_("There is no appointment with this code."), code="unknown_appointment")
    return appointment


def by_link(session: Session, raw_code: str, token: str) -> AppointmentView:
    """What the citizen's private link shows."""
    source = Repositories(session)
    return appointment_view(source.tickets, _with_token(source.appointments, raw_code, token))


def _require_check_in_here(uow: UnitOfWork, actor: Principal, site: Site) -> None:
    """The site's kiosk or staff check in; those of another intake point of the same commune are told
    where to go (409), anyone else is refused (403) without learning where the appointment is."""
    if actor.can_issue(site.id):
        return
    same_commune = uow.sites.share_commune(actor.site_ids, site.commune_id)
    if same_commune and (actor.device_kind is DeviceKind.KIOSK or actor.is_staff):
        raise Conflict(
            N_("This appointment is at %(site)s; please check in there."), code="wrong_site", site=site.name
        )
    raise Forbidden(N_("You are not allowed to do this here."))


def record_change(
    appointments: Appointments,
    appointment: Appointment,
    kind: str,
    at: datetime,
    actor: Principal | None = None,
    data: dict[str, object] | None = None,
) -> None:
    """Append a change to the appointment's history."""
    appointments.record(
        AppointmentEvent(
            appointment_id=appointment.id,
            site_id=appointment.site_id,
            kind=kind,
            at=at,
            status=appointment.status,
            actor_id=actor.user_id if actor else None,
            device_id=actor.device_id if actor else None,
            data={"start": appointment.start.isoformat(), **(data or {})},
        )
    )


def appointment_ref(site: Site, appointment: Appointment) -> AppointmentRef:
    return AppointmentRef(
        id=appointment.id,
        service_id=appointment.service_id,
        start=local_time(site, appointment.start),
        end=local_time(site, appointment.end),
        status=appointment.status,
    )


def publish_change(uow: UnitOfWork, appointment: Appointment, action: str, at: datetime) -> None:
    ref = appointment_ref(appointment.site, appointment)
    uow.emit(AppointmentChanged(site_id=appointment.site_id, appointment=ref, action=action, at=at))
