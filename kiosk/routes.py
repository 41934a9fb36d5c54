"""The kiosk (``/kiosk``), a ticket's live status page (``/t/<public_code>``) and its QR code.

The kiosk is one page whose ES module (``static/kiosk.js``) shows one screen at a time: enrolment, home,
the chosen service, priority, phone or citizen ID, appointment check-in and the issued ticket. Everything
it needs comes from API v1 with the kiosk's device token; the strings below come in both languages.
"""

from __future__ import annotations

from io import BytesIO

import qrcode
import qrcode.image.svg
from flask import Response, abort
from flask.typing import ResponseReturnValue
from flask_babel import lazy_gettext as _l

from server.api.tickets import public_base
from server.extension import luot
from server.services.core.urls import status_url
from server.services.queue.views import ticket_exists
from server.web.i18n import render_page

from . import bp
from .procedures import PROCEDURE_STRINGS
from .rating import RATING_STRINGS

FIELDS = {
    "field.civil_status": _l("Civil status"),
    "field.certification": _l("Certification"),
    "field.land": _l("Land"),
    "field.insurance": _l("Social and health insurance"),
    "field.business": _l("Business"),
    "field.social_protection": _l("Social protection"),
    "field.online_help": _l("Help with online services"),
    "field.results": _l("Collect results"),
    "field.other": _l("Other services"),
}

PRIORITIES = {
    "priority.none": _l("No priority"),
    "priority.elderly": _l("Elderly person"),
    "priority.disabled": _l("Person with a disability"),
    "priority.pregnant": _l("Pregnant woman"),
    "priority.infant": _l("With a small child"),
    "priority.merit": _l("Person with merit to the revolution"),
}

WEEKDAYS = {
    "day.mon": _l("Monday"),
    "day.tue": _l("Tuesday"),
    "day.wed": _l("Wednesday"),
    "day.thu": _l("Thursday"),
    "day.fri": _l("Friday"),
    "day.sat": _l("Saturday"),
    "day.sun": _l("Sunday"),
}

# Shown in both languages at once: someone who reads neither well should still find one they know.
BOTH_LANGUAGES = {
    "unreachable.title": _l("Temporarily unavailable"),
    "unreachable.body": _l(
        "This kiosk cannot reach the centre's server. It will start again by itself in a moment; "
        "meanwhile please ask at the reception desk."
    ),
    "offline.mark": _l("Working offline"),
    "limit.title": _l("You already have tickets waiting"),
    "limit.body": _l(
        "So that everyone gets a fair turn, each person may hold only a few waiting tickets at a time. "
        "Please wait until your tickets are called, or ask at the reception desk."
    ),
}

KIOSK_STRINGS = {
    **FIELDS,
    **PROCEDURE_STRINGS,
    **PRIORITIES,
    **WEEKDAYS,
    **BOTH_LANGUAGES,
    "enrol.title": _l("Enrol this kiosk"),
    "enrol.hint": _l(
        "Type the enrolment code from the centre's administrator (luot device code), "
        "or scan or type the kiosk's device token."
    ),
    "enrol.submit": _l("Enrol"),
    "enrol.not_kiosk": _l("This token belongs to a display, not to a kiosk."),
    "enrol.bad_token": _l("This token is not valid."),
    "home.title": _l("Choose a service"),
    "home.waiting": _l("%(n)s waiting"),
    "home.wait": _l("about %(time)s"),
    "home.no_wait": _l("No wait"),
    "home.appointment": _l("I have an appointment"),
    "home.priority_hint": _l(
        "Elderly, disabled, pregnant, with a small child, people with merit: you will be served first."
    ),
    "home.closed_title": _l("The centre is closed now"),
    "home.closed_body": _l("Please come back during opening hours."),
    "home.card_read": _l("ID card read. Now choose a service."),
    "service.closed": _l("Not taking tickets now"),
    "hours.title": _l("Opening hours"),
    "hours.closed": _l("Closed"),
    "hours.always": _l("Open every day, all day"),
    "review.take": _l("Get a ticket"),
    "review.waiting": _l("%(n)s people waiting · about %(time)s"),
    "review.waiting_none": _l("Nobody is waiting: you will be called soon."),
    "review.priority": _l("Priority"),
    "review.identify": _l("Phone or ID card"),
    "review.optional": _l("optional"),
    "review.closed": _l("This service is not taking tickets now."),
    "back": _l("Back"),
    "elsewhere.title": _l("Shorter wait nearby"),
    "elsewhere.body": _l(
        "%(site)s has %(n)s waiting for this service, about %(time)s. "
        "You may go there instead, or take a ticket here."
    ),
    "elsewhere.body_none": _l(
        "Nobody is waiting for this service at %(site)s. You may go there instead, or take a ticket here."
    ),
    "elsewhere.age": _l("Figures from %(n)s min ago."),
    "priority.title": _l("Are you in a priority group?"),
    "priority.trust": _l(
        "Priority is given on your word. It is printed on your ticket and the clerk will see it."
    ),
    "identify.title": _l("Phone number or citizen ID"),
    "identify.why": _l(
        "Optional. Used only to limit tickets per person and to tell you when your turn is near. "
        "It is never shown on any screen."
    ),
    "identify.phone": _l("Phone number"),
    "identify.citizen_id": _l("Citizen ID"),
    "identify.scan": _l("Or hold your chip ID card's QR code under the scanner."),
    "identify.ok": _l("Confirm"),
    "identify.clear": _l("Clear"),
    "identify.delete": _l("Delete"),
    "identify.remove": _l("Remove"),
    "identify.bad_phone": _l("A phone number has 10 digits and starts with 0."),
    "identify.bad_id": _l("A citizen ID has 12 digits."),
    "identify.saved_phone": _l("Phone ending in %(end)s"),
    "identify.saved_id": _l("Citizen ID ending in %(end)s"),
    "identify.reading": _l("Reading the ID card…"),
    "ticket.your_number": _l("Your number"),
    "ticket.ahead": _l("People ahead of you"),
    "ticket.wait": _l("Estimated wait"),
    "ticket.scan": _l("Scan with your phone to follow your turn"),
    "ticket.priority": _l("Priority: %(group)s"),
    "ticket.appointment": _l("Appointment checked in."),
    "ticket.appointment_at": _l("Appointment checked in: your appointment is at %(time)s."),
    "ticket.late": _l("You came after your appointment time, so you have a regular place in the queue."),
    "ticket.unconfirmed": _l(
        "Appointment not yet confirmed: this number is valid, and staff will confirm your booking."
    ),
    "ticket.done": _l("Done"),
    "ticket.back_in": _l("Back to the start in %(n)s s"),
    "print.none": _l("Please remember your number or photograph the QR code."),
    "print.queued": _l("Printing your ticket…"),
    "print.printed": _l("Please take your printed ticket."),
    "print.failed": _l(
        "The printer has a problem. Please keep this screen a moment and photograph the QR code, "
        "or remember your number."
    ),
    "appointment.title": _l("Check in your appointment"),
    "appointment.hint": _l("Type the code from your booking confirmation, or scan its QR code."),
    "appointment.submit": _l("Check in"),
    "appointment.unknown": _l(
        "We cannot find this appointment. Please check the code, or take a regular ticket."
    ),
    "error.generic": _l("Something went wrong. Please try again or ask at the reception desk."),
}

STATUS_STRINGS = {
    "status.title": _l("Your turn"),
    "status.number": _l("Your number"),
    "status.position": _l("Position in the queue"),
    "status.ahead": _l("People ahead of you"),  # the kiosk's and the printed ticket's measure too
    "status.wait": _l("Estimated wait"),
    "status.waiting": _l("Waiting"),
    "status.next": _l("You are next: please stay near the counters."),
    "status.any_moment": _l("Any moment now"),
    "status.called": _l("It is your turn: please go to"),
    "status.serving": _l("Being served at"),
    "status.done": _l("Done. Thank you!"),
    "status.dossier": _l("Your dossier code"),
    "status.next_dossier": _l(
        "Keep this code: with it you can follow your dossier on the public service portal, and you collect "
        "the result on the date the clerk gave you."
    ),
    "status.next_done": _l(
        "If the clerk gave you an appointment slip, bring it when you collect the result."
    ),
    "status.no_show": _l("You were called but did not come. Please ask at the reception desk."),
    "status.cancelled": _l("This ticket was cancelled."),
    "status.expired": _l(
        "This ticket has expired: the centre closed for the day before your turn. "
        "Please take a new ticket when it opens."
    ),
    "status.day": _l("Number of %(day)s"),
    "status.arrive": _l("When you arrive, show this code to the kiosk's scanner to join the queue."),
    "status.unknown": _l("There is no such ticket."),
    "status.unconfirmed": _l(
        "Appointment not yet confirmed: this number is valid, and staff will confirm your booking."
    ),
    "status.live": _l("Updates by itself"),
    "counter.number": _l("Counter %(n)s"),
    # the ringer (kiosk/static/ring.js)
    "ring.turn_on": _l("Ring this phone when my turn is near"),
    "ring.on": _l("This phone will ring when your turn is near"),
    "ring.near": _l("%(number)s: your turn is near"),
    "ring.called": _l("%(number)s: please go to counter %(counter)s"),
}


@bp.route("/kiosk")
def kiosk() -> ResponseReturnValue:
    return render_page("kiosk/kiosk.html", KIOSK_STRINGS)


def _ticket_exists(public_code: str) -> bool:
    with luot().read() as session:
        return ticket_exists(session, public_code)


@bp.route("/t/<string(maxlength=64):public_code>")
def ticket_status(public_code: str) -> ResponseReturnValue:
    """The citizen's live status page: number, position, estimated wait, counter — nothing personal."""
    found = _ticket_exists(public_code)
    # the papers to bring while waiting; the satisfaction question once the ticket is done
    strings = {**STATUS_STRINGS, **PROCEDURE_STRINGS, **RATING_STRINGS}
    page = render_page("kiosk/status.html", strings, public_code=public_code if found else None)
    return page, (200 if found else 404)


@bp.route("/t/<string(maxlength=64):public_code>/qr.svg")
def ticket_qr(public_code: str) -> ResponseReturnValue:
    """The ticket's status URL (the API's ``status_url``) as a QR code, for the kiosk's screen."""
    if not _ticket_exists(public_code):
        abort(404)
    image = qrcode.make(
        status_url(public_base(), public_code),
        image_factory=qrcode.image.svg.SvgPathFillImage,
        error_correction=qrcode.constants.ERROR_CORRECT_M,
        border=2,
    )
    buffer = BytesIO()
    image.save(buffer)
    response = Response(buffer.getvalue(), mimetype="image/svg+xml")
    response.headers["Cache-Control"] = "private, max-age=86400"
    return response
