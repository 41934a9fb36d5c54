"""Staff and manager pages."""

from __future__ import annotations

from flask import render_template
from flask.typing import ResponseReturnValue

from . import bp


@bp.route("/staff")
def staff() -> ResponseReturnValue:
    return render_template("kiosk/placeholder.html", title="Staff")
