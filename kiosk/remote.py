"""Taking a number for today before arriving (``/today/<site_id>``), and the door's QR poster that opens it
(``/poster/<site_id>``, a page a manager prints).

The page asks for the procedure and a phone number (the near-turn message goes there), takes a remote
ticket (``POST /api/v1/sites/{id}/remote-tickets``) and opens the ticket's status page, whose QR the
citizen shows to the kiosk's scanner on arrival.
"""

from __future__ import annotations

import qrcode
import qrcode.image.svg
from flask import Response, abort, request
from flask.typing import ResponseReturnValue
from flask_babel import lazy_gettext as _l

from server.api.tickets import public_base
from server.web.i18n import render_page

from . import bp

STRINGS = {
    "title": _l("Take a number for today"),
    "lead": _l(
        "Join the queue now and come when your phone tells you that your turn is near. "
        "At the centre, show this ticket's QR code to the kiosk's scanner."
    ),
    "service": _l("Procedure"),
    "phone": _l("Phone number (we tell you when your turn is near)"),
    "citizen_id": _l("Citizen ID number (optional)"),
    "take": _l("Take a number"),
    "taking": _l("Taking a number…"),
    "closed": _l("Numbers for today are given while the centre is open."),
    "poster.title": _l("Do not wait here: take a number on your phone"),
    "poster.lead": _l(
        "Scan this code, choose your procedure and give your phone number. We send you a message when "
        "your turn is near. When you come back, show your ticket's QR code to the kiosk."
    ),
    "poster.print": _l("Print"),
    "book.today": _l("Take a number for today"),
}


@bp.route("/today/<int:site_id>")
def today(site_id: int) -> ResponseReturnValue:
    return render_page(
        "kiosk/today.html", STRINGS, site_id=site_id, service_id=request.args.get("service", type=int)
    )


@bp.route("/poster/<int:site_id>")
def poster(site_id: int) -> ResponseReturnValue:
    """A printable poster for the door: the QR code of this site's "take a number for today" page."""
    return render_page("kiosk/poster.html", STRINGS, site_id=site_id)


@bp.route("/poster/<int:site_id>/qr.svg")
def poster_qr(site_id: int) -> ResponseReturnValue:
    if site_id < 1 or site_id > 2**31:
        abort(404)
    image = qrcode.make(
        f"{public_base().rstrip('/')}/today/{site_id}",
        image_factory=qrcode.image.svg.SvgPathFillImage,
        error_correction=qrcode.constants.ERROR_CORRECT_M,
        border=2,
    )
    return Response(image.to_string(encoding="unicode"), mimetype="image/svg+xml")
