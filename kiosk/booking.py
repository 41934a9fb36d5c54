"""The public booking page (``/book``), the citizen's private page for one appointment
(``/book/<code>?token=…``: view, reschedule, cancel) and the confirmation's QR code.

Phone first: one column, big touch targets, Vietnamese first with English one tap away. The pages talk
to the public appointment routes of API v1; the QR code is drawn on the server as SVG (``qrcode``) and
carries the appointment code as plain text, which the kiosk's scanner types like a keyboard.
"""

from __future__ import annotations

import qrcode
import qrcode.image.svg
from flask import Response, abort, request
from flask.typing import ResponseReturnValue
from flask_babel import lazy_gettext as _l

from server.domain.appointments import normalise_code
from server.web.i18n import render_page

from . import bp
from .procedures import PROCEDURE_STRINGS

STRINGS = {
    **PROCEDURE_STRINGS,  # the papers to bring, on the confirmation
    "title": _l("Book an appointment"),
    "lead": _l("Choose a time at any intake point of your commune, then come at that time."),
    "step.commune": _l("Your commune"),
    "step.service": _l("1. Procedure"),
    "step.site": _l("2. Intake point"),
    "step.time": _l("3. Day and time"),
    "step.details": _l("4. Your details"),
    "change": _l("Change"),
    "loading": _l("Loading…"),
    "no_services": _l("No procedure can be booked online here yet; please come in person."),
    "earliest": _l("Earliest free time"),
    "no_free_slot": _l("No free time in the coming days"),
    "waiting_today": _l("Waiting now: %(n)s people, about %(minutes)s"),
    "nobody_waiting": _l("Nobody is waiting now"),
    "choose": _l("Choose"),
    "closed_day": _l("Closed"),
    "full_day": _l("Full"),
    "free_places": _l("%(n)s free"),
    "no_slots": _l("No free time on this day; please choose another day."),
    "full": _l("full"),
    "name": _l("Full name"),
    "phone": _l("Phone number"),
    "citizen_id": _l("Citizen ID (optional)"),
    "citizen_id_hint": _l(
        "12 digits. Kept only in a form that cannot be read back; it helps us stop brokers."
    ),
    "email": _l("E-mail (optional, for a reminder)"),
    "book": _l("Book this time"),
    "booking": _l("Booking…"),
    "privacy": _l("Your name and phone number are used only for this appointment and its reminders."),
    "your_appointment": _l("Your appointment"),
    "booked": _l("Booked. Show this code at the kiosk when you arrive."),
    "status.booked": _l("Booked"),
    "status.checked_in": _l("Checked in"),
    "status.cancelled": _l("Cancelled"),
    "status.no_show": _l("Passed"),
    "code": _l("Appointment code"),
    "qr_alt": _l("QR code of the appointment code, to scan at the kiosk"),
    "when": _l("When"),
    "where": _l("Where"),
    "procedure": _l("Procedure"),
    "check_in_window": _l("At the kiosk, type the code or scan the QR code between %(from)s and %(until)s."),
    "late_note": _l("After %(until)s the kiosk gives an ordinary ticket instead."),
    "ticket": _l("Your number: %(number)s"),
    "add_calendar": _l("Add to calendar (.ics)"),
    "private_link": _l("Your private link"),
    "private_link_hint": _l(
        "Keep this link: it is the only way to view, reschedule or cancel this appointment."
    ),
    "copy": _l("Copy link"),
    "copied": _l("Copied"),
    "reschedule": _l("Change the time"),
    "reschedule_save": _l("Move to this time"),
    "rescheduled": _l("The appointment was moved."),
    "cancel": _l("Cancel the appointment"),
    "cancel_confirm": _l("Cancel this appointment? The time will be given to someone else."),
    "cancel_yes": _l("Yes, cancel it"),
    "keep": _l("No, keep it"),
    "cancelled_note": _l("This appointment is cancelled. You can book another time."),
    "book_again": _l("Book another appointment"),
    "link_invalid": _l("This link is not valid. Check that you opened the whole link."),
    "other_site": _l("Intake point"),
    "book.today": _l("Take a number for today"),
    "field.summary": _l("Please check the fields marked below."),
    "field.name": _l("Please enter your full name."),
    "field.phone": _l("Please enter your phone number, such as 0912 345 678."),
    "field.citizen_id": _l("A citizen ID number has 12 digits."),
    "field.email": _l("Please check the e-mail address, such as ten@example.vn."),
}


@bp.route("/book")
def book() -> ResponseReturnValue:
    return render_page("kiosk/book.html", STRINGS, commune=request.args.get("commune", ""))


@bp.route("/book/<string(minlength=4, maxlength=16):code>")
def manage(code: str) -> ResponseReturnValue:
    page = render_page("kiosk/book_manage.html", STRINGS, code=code.upper())
    response = Response(page, mimetype="text/html")
    # The address carries the private token: never send it on to another site, never cache the page.
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/book/qr/<string(minlength=4, maxlength=16):code>.svg")
def qr(code: str) -> ResponseReturnValue:
    """The appointment code as a QR code (SVG). It holds only the code, never the private token."""
    normalised = normalise_code(code)
    if normalised is None:
        abort(404)
    image = qrcode.make(normalised, image_factory=qrcode.image.svg.SvgPathImage, box_size=10, border=2)
    response = Response(image.to_string(encoding="unicode"), mimetype="image/svg+xml")
    response.headers["Cache-Control"] = "public, max-age=86400"
    return response
