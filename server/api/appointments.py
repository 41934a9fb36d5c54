"""Appointments: free slots, booking and the citizen's private link (public), check-in (kiosk or staff),
the day's list (staff) and closing slots (managers)."""

from __future__ import annotations

from dataclasses import asdict
from datetime import date
from typing import Any
from urllib.parse import quote

from flask import Response, request
from flask_babel import force_locale, gettext
from flask_smorest import Blueprint

from ..domain.identity import citizen_key, normalise_phone
from ..extension import luot
from ..services.appointments import booking as use_cases
from ..services.appointments import views
from ..services.appointments.ics import appointment_calendar
from ..services.appointments.views import AppointmentView
from ..services.core.urls import manage_url, status_url
from .access import principal, staff_principal
from .appointment_schemas import (
    AppointmentDayQuerySchema,
    AppointmentDaySchema,
    AppointmentSchema,
    BookableServiceSchema,
    BookedSchema,
    BookingQuerySchema,
    BookSchema,
    CheckedInSchema,
    CheckInSchema,
    CloseSlotsSchema,
    DayListQuerySchema,
    DaySchema,
    RescheduleSchema,
    SiteChoiceQuerySchema,
    SiteChoiceSchema,
    SlotBoardQuerySchema,
    SlotBoardSchema,
    SlotDaysQuerySchema,
    SlotQuerySchema,
    SlotSchema,
    TokenQuerySchema,
    TokenSchema,
)
from .docs import error, secured
from .tickets import print_body, public_base, ticket_body

blp = Blueprint("appointments", __name__, description="Appointments: slots, booking, check-in")

CODE = "string(minlength=4, maxlength=16)"


def appointment_body(view: AppointmentView) -> dict[str, Any]:
    body = asdict(view)
    if view.ticket is not None:
        body["ticket"]["status_url"] = status_url(public_base(), view.ticket.public_code)
    body["qr_url"] = f"{public_base()}/book/qr/{view.code}.svg"
    return body


# -- public ----------------------------------------------------------------------------------------


@blp.route("/sites/<id:site_id>/slots")
@blp.arguments(SlotQuerySchema, location="query")
@blp.response(200, SlotSchema(many=True))
def slots(args: dict[str, Any], site_id: int) -> Any:
    """The slots of a local date that can be booked now (``available`` 0 when full)."""
    extension = luot()
    with extension.read() as session:
        return views.free_slots(session, site_id, args["service_id"], args["date"], extension.now())


@blp.route("/sites/<id:site_id>/slot-days")
@blp.arguments(SlotDaysQuerySchema, location="query")
@blp.response(200, DaySchema(many=True))
def slot_days(args: dict[str, Any], site_id: int) -> Any:
    """Each date from today to the booking horizon: open or not, free places, public holiday."""
    extension = luot()
    language = "en" if request.accept_languages.best_match(["vi", "en"]) == "en" else "vi"
    with extension.read() as session:
        return views.slot_days(session, site_id, args["service_id"], extension.now(), language)


@blp.route("/booking/services")
@blp.arguments(BookingQuerySchema, location="query")
@blp.response(200, BookableServiceSchema(many=True))
def bookable_services(args: dict[str, Any]) -> Any:
    """The services that can be booked at some intake point (of one commune, with ``commune``)."""
    with luot().read() as session:
        return views.bookable_services(session, args["commune"])


@blp.route("/booking/sites")
@blp.arguments(SiteChoiceQuerySchema, location="query")
@blp.response(200, SiteChoiceSchema(many=True))
def site_choices(args: dict[str, Any]) -> Any:
    """The intake points taking appointments for a service: address, earliest free slot, today's wait."""
    extension = luot()
    with extension.read() as session:
        return views.site_choices(session, args["service_code"], extension.now(), args["commune"])


@blp.route("/appointments", methods=["POST"])
@blp.arguments(BookSchema)
@blp.response(201, BookedSchema)
@error(blp, 404, "Unknown site or service")
@error(blp, 409, "The slot is full or closed, too soon, or the service cannot be booked")
@error(blp, 429, "This person already holds the most open bookings allowed")
def book(data: dict[str, Any]) -> Any:
    """Book a slot. The answer carries the private link's token: it is shown only this once."""
    extension = luot()
    booked = use_cases.book(
        use_cases.BookAppointment(
            site_id=data["site_id"],
            service_id=data["service_id"],
            start=data["start"],
            name=data["name"],
            phone=normalise_phone(data["phone"]),
            citizen_key=citizen_key(extension.secret, data["citizen_id"]) if data.get("citizen_id") else None,
            email=data.get("email"),
            language=data["language"],
            at=extension.now(),
            code_secret=extension.secret,
        ),
        extension.uow(),
    )
    code, token = booked.appointment.code, booked.manage_token
    return {
        **appointment_body(booked.appointment),
        "manage_token": token,
        "manage_url": manage_url(public_base(), code, token),
        "ics_url": f"{public_base()}/api/v1/appointments/{code}.ics?token={quote(token)}",
    }


@blp.route(f"/appointments/<{CODE}:code>")
@blp.arguments(TokenQuerySchema, location="query")
@blp.response(200, AppointmentSchema)
@error(blp, 404, "Unknown code, or a token that does not match")
def appointment(args: dict[str, Any], code: str) -> Any:
    """The appointment behind a private link."""
    with luot().read() as session:
        return appointment_body(use_cases.by_link(session, code, args["token"]))


@blp.route(f"/appointments/<{CODE}:code>.ics")
@blp.arguments(TokenQuerySchema, location="query")
@blp.response(200, description="text/calendar", content_type="text/calendar")
@error(blp, 404, "Unknown code, or a token that does not match")
def appointment_ics(args: dict[str, Any], code: str) -> Response:
    """The appointment as an iCalendar file (site's address and time zone, an alarm an hour before)."""
    extension = luot()
    with extension.read() as session:
        view = use_cases.by_link(session, code, args["token"])
    english = view.language == "en"
    with force_locale("en" if english else "vi"):
        labels = {
            "code": gettext("Appointment code"),
            "check_in": gettext("Type this code at the kiosk when you arrive to get your number."),
            "manage": gettext("View, reschedule or cancel"),
        }
    body = appointment_calendar(
        view,
        manage_url=manage_url(public_base(), view.code, args["token"]),
        now=extension.now(),
        labels=labels,
        english=english,
    )
    response = Response(body, mimetype="text/calendar")
    response.headers["Content-Disposition"] = f'attachment; filename="luot-{view.code}.ics"'
    return response


@blp.route(f"/appointments/<{CODE}:code>/cancel", methods=["POST"])
@blp.arguments(TokenSchema)
@blp.response(200, AppointmentSchema)
@error(blp, 404, "Unknown code, or a token that does not match")
@error(blp, 409, "Already cancelled, checked in or passed")
def cancel(data: dict[str, Any], code: str) -> Any:
    """Cancel with the private link; the slot is freed for someone else."""
    extension = luot()
    view = use_cases.cancel(
        use_cases.CancelAppointment(code=code, token=data["token"], at=extension.now()), extension.uow()
    )
    return appointment_body(view)


@blp.route(f"/appointments/<{CODE}:code>/reschedule", methods=["POST"])
@blp.arguments(RescheduleSchema)
@blp.response(200, AppointmentSchema)
@error(blp, 404, "Unknown code, or a token that does not match")
@error(blp, 409, "The new slot is full or closed, or the appointment is no longer booked")
def reschedule(data: dict[str, Any], code: str) -> Any:
    """Move the booking to another slot (optionally at another intake point of the commune); code and
    private link stay the same."""
    extension = luot()
    view = use_cases.reschedule(
        use_cases.RescheduleAppointment(
            code=code, token=data["token"], start=data["start"], site_id=data["site_id"], at=extension.now()
        ),
        extension.uow(),
    )
    return appointment_body(view)


# -- kiosk and staff -------------------------------------------------------------------------------


@blp.route(f"/appointments/<{CODE}:code>/check-in", methods=["POST"])
@blp.arguments(CheckInSchema, required=False)
@blp.response(201, CheckedInSchema)
@error(blp, 404, "Unknown code")
@error(blp, 409, "Already checked in, cancelled, too early, passed, or booked at another site")
@secured(blp)
def check_in(data: dict[str, Any] | None, code: str) -> Any:
    """Check in by code (typed, or read from the confirmation's QR code): a ticket with
    ``appointment_id``; ``late: true`` when past the window, then it is a walk-in ticket."""
    extension = luot()
    data = data or {}
    done = use_cases.check_in(
        use_cases.CheckIn(
            actor=principal(),
            code=code,
            language=data.get("language"),
            request_id=data.get("request_id"),
            at=extension.now(),
            code_secret=extension.secret,
        ),
        extension.uow(),
    )
    return ticket_body(
        done.ticket,
        late=done.late,
        appointment=appointment_body(done.appointment) if done.appointment is not None else None,
        print=print_body(done.print),
    )


@blp.route("/sites/<id:site_id>/appointments")
@blp.arguments(DayListQuerySchema, location="query")
@blp.response(200, AppointmentSchema(many=True))
@secured(blp)
def day_list(args: dict[str, Any], site_id: int) -> Any:
    """A site's appointments of one date (today by default); ``q`` finds someone by name, phone or code
    so that staff can check them in with ``POST /appointments/{code}/check-in``."""
    extension = luot()
    actor = staff_principal()
    with extension.read() as session:
        found = views.day_list(
            session, actor, site_id, args["date"], extension.now(), args["q"], args["service_id"]
        )
        return [appointment_body(v) for v in found]


@blp.route("/sites/<id:site_id>/appointment-day")
@blp.arguments(AppointmentDayQuerySchema, location="query")
@blp.response(200, AppointmentDaySchema)
@secured(blp)
def appointment_day(args: dict[str, Any], site_id: int) -> Any:
    """Managers: the site's appointments of one date (today by default), each with its state (booked,
    checked in, late, missed, cancelled), the counts per state, and a search by code; phones masked."""
    extension = luot()
    with extension.read() as session:
        found = views.appointment_day(
            session, staff_principal(), site_id, args["date"], extension.now(), args["code"]
        )
        return {
            "date": found.date,
            "counts": found.counts,
            "total": found.total,
            "appointments": [
                {**appointment_body(row.appointment), "state": row.state} for row in found.appointments
            ],
        }


@blp.route("/sites/<id:site_id>/slot-board")
@blp.arguments(SlotBoardQuerySchema, location="query")
@blp.response(200, SlotBoardSchema(many=True))
@secured(blp)
def slot_board(args: dict[str, Any], site_id: int) -> Any:
    """Managers: every slot of the date for every bookable service, with bookings and closures."""
    extension = luot()
    actor = staff_principal()
    day: date | None = args["date"]
    with extension.read() as session:
        return views.slot_board(session, actor, site_id, day, extension.now())


def _close(data: dict[str, Any], site_id: int, closed: bool) -> Any:
    extension = luot()
    return use_cases.close_slots(
        use_cases.CloseSlots(
            actor=staff_principal(),
            site_id=site_id,
            service_id=data["service_id"],
            start=data["start"],
            end=data["end"],
            closed=closed,
            at=extension.now(),
        ),
        extension.uow(),
    )


@blp.route("/sites/<id:site_id>/slots/close", methods=["POST"])
@blp.arguments(CloseSlotsSchema)
@blp.response(200, SlotBoardSchema(many=True))
@secured(blp)
def close_slots(data: dict[str, Any], site_id: int) -> Any:
    """Managers: stop taking bookings in ``[start, end)``; bookings already made stay (``booked``)."""
    return _close(data, site_id, closed=True)


@blp.route("/sites/<id:site_id>/slots/open", methods=["POST"])
@blp.arguments(CloseSlotsSchema)
@blp.response(200, SlotBoardSchema(many=True))
@secured(blp)
def open_slots(data: dict[str, Any], site_id: int) -> Any:
    """Managers: take bookings again in ``[start, end)``."""
    return _close(data, site_id, closed=False)
