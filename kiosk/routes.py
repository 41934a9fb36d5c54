"""Kiosk pages."""

from __future__ import annotations

from flask.typing import ResponseReturnValue
from flask_babel import lazy_gettext as _l

from server.web.i18n import render_page

from . import bp


@bp.route("/kiosk")
def kiosk() -> ResponseReturnValue:
    return render_page(
        "kiosk/placeholder.html", {"building": _l("This screen is being built.")}, title="Kiosk"
    )


@bp.route("/t/<string(maxlength=64):public_code>")
def ticket_status(public_code: str) -> ResponseReturnValue:
    return render_page(
        "kiosk/placeholder.html",
        {"building": _l("This screen is being built.")},
        title="Ticket",
        public_code=public_code,
    )
