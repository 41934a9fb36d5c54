"""Read-only views of appointments: free slots and days, the booking page's choice of intake points, the
citizen's private page, and the staff's day list. Personal data appears only where it is needed: the
citizen's own page shows their name; staff see names and masked phone numbers; nothing else does."""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from ...db.models import Appointment, AppointmentSlot, CounterService, Service, Site
from ...db.repositories import Repositories
from ...domain.access import Principal
from ...domain.appointments import BookingSettings
from ...domain.hours import OpeningHours
from ...domain.identity import mask_phone
from ...domain.periods import check_report_days
from ...domain.public_holidays import holiday_name, is_public_holiday
from ...domain.slots import SlotRules, per_slot
from ..core.lookups import get_site, service_of_site
from ..core.unit_of_work import Tickets
from ..queue.state import QueueState, local_time, site_is_open


@dataclass(frozen=True)
class SlotView:
    service_id: int
    start: datetime
    end: datetime
    capacity: int
    available: int
    booked: int = 0
    closed: bool = False


@dataclass(frozen=True)
class DayView:
    date: date
    open: bool  # the site has slots for the service that day
    available: int  # free places that can still be booked
    holiday: str | None = None


@dataclass(frozen=True)
class TicketRef:
    id: int
    number: str
    status: str
    public_code: str


@dataclass(frozen=True)
class AppointmentView:
    """An appointment as its owner (private link), the kiosk and staff see it."""

    id: int
    code: str
    status: str
    site_id: int
    service_id: int
    start: datetime
    end: datetime
    name: str
    phone: str | None  # masked
    language: str
    site_name: str
    site_name_en: str
    site_address: str
    timezone: str
    service_code: str
    service_name: str
    service_name_en: str
    check_in_from: datetime
    check_in_until: datetime
    created_at: datetime
    ticket: TicketRef | None = None


@dataclass(frozen=True)
class BookableService:
    code: str
    name: str
    name_en: str
    field: str
    site_ids: list[int]


@dataclass(frozen=True)
class SiteChoice:
    """One intake point offering a service: where it is, its earliest free slot and today's wait."""

    site_id: int
    code: str
    name: str
    name_en: str
    address: str
    commune_code: str
    commune_name: str
    service_id: int
    open_now: bool
    earliest: SlotView | None
    waiting: int
    estimated_wait_s: int


# -- slots -----------------------------------------------------------------------------------------


def booking_hours(site: Site) -> OpeningHours:
    """Appointments follow the weekly hours; ``always_open`` (the demo) opens walk-ins at every hour but
    leaves bookings in the configured hours, unless a site has none."""
    return OpeningHours.parse(site.hours, site.closed_dates, always_open=site.always_open and not site.hours)


def counters_serving(session: Session, service_id: int) -> int:
    return int(
        session.scalar(
            select(func.count()).select_from(CounterService).where(CounterService.service_id == service_id)
        )
        or 0
    )


def slot_rules(
    session: Session, site: Site, service: Service, settings: BookingSettings | None = None
) -> SlotRules:
    settings = settings or BookingSettings.from_mapping(site.booking)
    return SlotRules(
        hours=booking_hours(site),
        timezone=site.timezone,
        length=timedelta(minutes=service.service_minutes),
        per_slot=per_slot(counters_serving(session, service.id), settings.bookable_share),
        notice=settings.notice,
        horizon_days=settings.horizon_days,
        is_holiday=is_public_holiday if settings.public_holidays else (lambda _day: False),
    )


def _slot_rows(
    session: Session, site: Site, service: Service, start: datetime, end: datetime
) -> dict[datetime, AppointmentSlot]:
    rows = session.scalars(
        select(AppointmentSlot).where(
            AppointmentSlot.site_id == site.id,
            AppointmentSlot.service_id == service.id,
            AppointmentSlot.start >= start,
            AppointmentSlot.start < end,
        )
    )
    return {row.start: row for row in rows}


def slot_views(
    session: Session, site: Site, service: Service, rules: SlotRules, start: datetime, end: datetime
) -> list[SlotView]:
    """Every slot of the local days from ``start`` to ``end`` with what is booked and closed (managers)."""
    first, last = rules.local_date(start), rules.local_date(end)
    slots = []
    day = first
    while day <= last:
        slots += rules.day(day)
        day += timedelta(days=1)
    if not slots:
        return []
    rows = _slot_rows(session, site, service, slots[0].start, slots[-1].end)
    result = []
    for slot in slots:
        row = rows.get(slot.start)
        booked = row.booked if row else 0
        closed = bool(row and row.closed)
        result.append(
            SlotView(
                service_id=service.id,
                start=slot.start,
                end=slot.end,
                capacity=slot.capacity,
                available=0 if closed else max(0, slot.capacity - booked),
                booked=booked,
                closed=closed,
            )
        )
    return result


def free_slots(session: Session, site_id: int, service_id: int, day: date, now: datetime) -> list[SlotView]:
    """The slots of a local date that can be booked now (closed ones left out; full ones with 0)."""
    sites = Repositories(session).sites
    site = get_site(sites, site_id)
    service = service_of_site(sites, site, service_id)
    if not service.appointments:
        return []
    rules = slot_rules(session, site, service)
    slots = rules.bookable_on(day, now)
    if not slots:
        return []
    rows = _slot_rows(session, site, service, slots[0].start, slots[-1].end)
    result = []
    for slot in slots:
        row = rows.get(slot.start)
        if row is not None and row.closed:
            continue
        booked = row.booked if row else 0
        result.append(
            SlotView(service.id, slot.start, slot.end, slot.capacity, max(0, slot.capacity - booked), booked)
        )
    return result


def _horizon(
    session: Session, site: Site, service: Service, now: datetime
) -> list[tuple[date, list[SlotView]]]:
    rules = slot_rules(session, site, service)
    days = [(day, rules.bookable_on(day, now)) for day in rules.days(now)]
    bookable = [s for _day, slots in days for s in slots]
    rows = _slot_rows(session, site, service, bookable[0].start, bookable[-1].end) if bookable else {}
    result = []
    for day, slots in days:
        views = []
        for slot in slots:
            row = rows.get(slot.start)
            if row is not None and row.closed:
                continue
            booked = row.booked if row else 0
            views.append(
                SlotView(
                    service.id, slot.start, slot.end, slot.capacity, max(0, slot.capacity - booked), booked
                )
            )
        result.append((day, views))
    return result


def slot_days(
    session: Session, site_id: int, service_id: int, now: datetime, language: str = "vi"
) -> list[DayView]:
    """Each local date from today to the horizon: whether it has slots, how many places are free, and
    the public holiday that closes it, if any."""
    sites = Repositories(session).sites
    site = get_site(sites, site_id)
    service = service_of_site(sites, site, service_id)
    if not service.appointments:
        return []
    settings = BookingSettings.from_mapping(site.booking)
    return [
        DayView(
            date=day,
            open=bool(slots),
            available=sum(s.available for s in slots),
            holiday=holiday_name(day, language) if settings.public_holidays else None,
        )
        for day, slots in _horizon(session, site, service, now)
    ]


def earliest_free(session: Session, site: Site, service: Service, now: datetime) -> SlotView | None:
    for _day, slots in _horizon(session, site, service, now):
        for slot in slots:
            if slot.available > 0:
                return slot
    return None


# -- the booking page ------------------------------------------------------------------------------


def _sites(session: Session, commune_code: str | None) -> list[Site]:
    query = select(Site).options(selectinload(Site.commune), selectinload(Site.services)).order_by(Site.id)
    sites = list(session.scalars(query))
    if commune_code:
        sites = [s for s in sites if s.commune.code == commune_code]
    return sites


def bookable_services(session: Session, commune_code: str | None = None) -> list[BookableService]:
    """The services that can be booked somewhere in the commune (or the installation), by code."""
    by_code: dict[str, BookableService] = {}
    for site in _sites(session, commune_code):
        for service in site.services:
            if not service.appointments:
                continue
            known = by_code.get(service.code)
            if known is None:
                by_code[service.code] = BookableService(
                    service.code, service.name, service.name_en, service.field, [site.id]
                )
            else:
                known.site_ids.append(site.id)
    return list(by_code.values())


def site_choices(
    session: Session, service_code: str, now: datetime, commune_code: str | None = None
) -> list[SiteChoice]:
    """Every intake point that takes appointments for ``service_code``: address, earliest free slot and
    today's wait, so that a citizen can pick the one that suits them."""
    choices = []
    for site in _sites(session, commune_code):
        service = next((s for s in site.services if s.code == service_code and s.appointments), None)
        if service is None:
            continue
        waiting = next(
            (
                w
                for w in QueueState.load(Repositories(session), site, now).waiting_by_service()
                if w.service_id == service.id
            ),
            None,
        )
        earliest = earliest_free(session, site, service, now)
        choices.append(
            SiteChoice(
                site_id=site.id,
                code=site.code,
                name=site.name,
                name_en=site.name_en,
                address=site.address,
                commune_code=site.commune.code,
                commune_name=site.commune.name,
                service_id=service.id,
                open_now=site_is_open(site, now),
                earliest=earliest,
                waiting=waiting.waiting if waiting else 0,
                estimated_wait_s=waiting.estimated_wait_s if waiting else 0,
            )
        )
    return choices


# -- one appointment -------------------------------------------------------------------------------


def appointment_view(tickets: Tickets, appointment: Appointment) -> AppointmentView:
    site, service = appointment.site, appointment.service
    settings = BookingSettings.from_mapping(site.booking)
    ticket = tickets.of_appointment(appointment.id)
    return AppointmentView(
        id=appointment.id,
        code=appointment.code,
        status=appointment.status,
        site_id=site.id,
        service_id=service.id,
        start=local_time(site, appointment.start),
        end=local_time(site, appointment.end),
        name=appointment.name,
        phone=mask_phone(appointment.phone),
        language=appointment.language,
        site_name=site.name,
        site_name_en=site.name_en,
        site_address=site.address,
        timezone=site.timezone,
        service_code=service.code,
        service_name=service.name,
        service_name_en=service.name_en,
        check_in_from=local_time(site, appointment.start - settings.check_in_early),
        check_in_until=local_time(site, appointment.start + settings.check_in_late),
        created_at=local_time(site, appointment.created_at),
        ticket=TicketRef(ticket.id, ticket.number, ticket.status, ticket.public_code) if ticket else None,
    )


# -- staff -----------------------------------------------------------------------------------------


def _folded(text: str) -> str:
    """Lower case without diacritics, so that "nguyen van a" finds "Nguyễn Văn A"."""
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    return "".join(c for c in decomposed if unicodedata.category(c) != "Mn").casefold()


def _matches(appointment: Appointment, query: str) -> bool:
    digits = "".join(c for c in query if c.isdigit())
    if digits and len(digits) >= 3 and digits == query.replace(" ", "").replace(".", ""):
        return digits in appointment.phone or digits.lstrip("0") in appointment.phone
    return _folded(query.strip()) in _folded(appointment.name) or appointment.code == query.strip().upper()


def day_list(
    session: Session,
    actor: Principal,
    site_id: int,
    day: date | None,
    now: datetime,
    query: str | None = None,
    service_id: int | None = None,
) -> list[AppointmentView]:
    """A site's appointments of one local date (today by default), earliest first; ``query`` finds
    someone by name (accents optional), phone number or code, so that staff can check them in."""
    site = get_site(Repositories(session).sites, site_id)
    actor.require(actor.can_serve(site.id))
    check_report_days(day)
    day = day or local_time(site, now).date()
    start = datetime.combine(day, time.min, tzinfo=ZoneInfo(site.timezone))
    conditions = [
        Appointment.site_id == site.id,
        Appointment.start >= start,
        Appointment.start < start + timedelta(days=1),
    ]
    if service_id is not None:
        conditions.append(Appointment.service_id == service_id)
    rows: Sequence[Appointment] = list(
        session.scalars(select(Appointment).where(*conditions).order_by(Appointment.start, Appointment.id))
    )
    if query and query.strip():
        rows = [a for a in rows if _matches(a, query)]
    tickets = Repositories(session).tickets
    return [appointment_view(tickets, a) for a in rows]


# -- managers --------------------------------------------------------------------------------------

# What a manager's day list calls each appointment: the stored status, with a checked-in appointment
# that came after its window (served as a walk-in) told apart as ``late``, as in the statistics.
DAY_STATES = ("booked", "checked_in", "late", "missed", "cancelled")


@dataclass(frozen=True)
class ManagedAppointment:
    state: str  # one of DAY_STATES
    appointment: AppointmentView


@dataclass(frozen=True)
class AppointmentDay:
    """A site's appointments of one local date for its managers: each with its state, the counts per state
    of the whole day, and the rows that match the code searched for (all of them without one)."""

    date: date
    counts: dict[str, int]
    total: int
    appointments: list[ManagedAppointment]


def _state(status: str, ticket_on_time: bool | None) -> str:
    if status == "checked_in":
        return "checked_in" if ticket_on_time else "late"
    if status == "no_show":
        return "missed"
    return status


def appointment_day(
    session: Session,
    actor: Principal,
    site_id: int,
    day: date | None,
    now: datetime,
    code: str | None = None,
) -> AppointmentDay:
    """The manager's list of a site's appointments of one date (today by default) with their states and
    the counts per state; ``code`` keeps the appointments whose code contains it (by code only: phone
    numbers stay masked and are never searched here)."""
    site = get_site(Repositories(session).sites, site_id)
    actor.require(actor.can_manage(site.id))
    check_report_days(day)
    day = day or local_time(site, now).date()
    start = datetime.combine(day, time.min, tzinfo=ZoneInfo(site.timezone))
    rows = list(
        session.scalars(
            select(Appointment)
            .where(
                Appointment.site_id == site.id,
                Appointment.start >= start,
                Appointment.start < start + timedelta(days=1),
            )
            .options(selectinload(Appointment.site), selectinload(Appointment.service))
            .order_by(Appointment.start, Appointment.id)
        )
    )
    tickets = Repositories(session).tickets
    counts = dict.fromkeys(DAY_STATES, 0)
    wanted = "".join(c for c in (code or "").upper() if c.isalnum())
    shown: list[ManagedAppointment] = []
    for appointment in rows:
        view = appointment_view(tickets, appointment)
        ticket = tickets.of_appointment(appointment.id) if appointment.status == "checked_in" else None
        state = _state(appointment.status, ticket is not None and ticket.appointment_start is not None)
        counts[state] = counts.get(state, 0) + 1
        if wanted in appointment.code:
            shown.append(ManagedAppointment(state, view))
    return AppointmentDay(day, counts, len(rows), shown)


def slot_board(
    session: Session, actor: Principal, site_id: int, day: date | None, now: datetime
) -> list[SlotView]:
    """Every slot of every bookable service of a site on one local date, with what is booked and closed."""
    site = get_site(Repositories(session).sites, site_id)
    actor.require(actor.can_manage(site.id))
    check_report_days(day)
    day = day or local_time(site, now).date()
    moment = datetime.combine(day, time.min, tzinfo=ZoneInfo(site.timezone))
    result: list[SlotView] = []
    for service in site.services:
        if service.appointments:
            rules = slot_rules(session, site, service)
            result += slot_views(session, site, service, rules, moment, moment)
    return sorted(result, key=lambda s: (s.start, s.service_id))
