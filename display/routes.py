"""Display pages."""

from __future__ import annotations

from flask import render_template
from flask.typing import ResponseReturnValue

from . import bp


@bp.route("/display")
def display() -> ResponseReturnValue:
    return render_template("kiosk/placeholder.html", title="Display")
