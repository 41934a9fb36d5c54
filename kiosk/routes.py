"""Kiosk pages."""

from __future__ import annotations

from flask import render_template
from flask.typing import ResponseReturnValue

from . import bp


@bp.route("/kiosk")
def kiosk() -> ResponseReturnValue:
    return render_template("kiosk/placeholder.html", title="Kiosk")


@bp.route("/t/<string(maxlength=64):public_code>")
def ticket_status(public_code: str) -> ResponseReturnValue:
    return render_template("kiosk/placeholder.html", title="Ticket", public_code=public_code)
