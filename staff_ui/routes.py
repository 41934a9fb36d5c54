"""The staff tablet: one page whose script signs in, picks the site and counter, and serves."""

from __future__ import annotations

from flask.typing import ResponseReturnValue

from server.web.i18n import render_page

from . import bp
from .strings import STRINGS


@bp.route("/staff")
def staff() -> ResponseReturnValue:
    return render_page("staff_ui/staff.html", STRINGS)
