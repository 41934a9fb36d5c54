"""The staff tablet (one page whose script signs in, picks the site and counter, and serves) and the
manager's dashboard with its printable daily report."""

from __future__ import annotations

from flask.typing import ResponseReturnValue

from server.web.i18n import render_page

from . import bp
from .manage_strings import STRINGS as MANAGE_STRINGS
from .strings import STRINGS


@bp.route("/staff")
def staff() -> ResponseReturnValue:
    return render_page("staff_ui/staff.html", STRINGS)


@bp.route("/manage")
def manage() -> ResponseReturnValue:
    return render_page("staff_ui/manage.html", MANAGE_STRINGS)


@bp.route("/manage/report")
def report() -> ResponseReturnValue:
    return render_page("staff_ui/report.html", MANAGE_STRINGS)


@bp.route("/manage/clerk-day")
def clerk_day() -> ResponseReturnValue:
    """Each clerk's daily sheet of time (printable)."""
    return render_page("staff_ui/clerk_day.html", MANAGE_STRINGS)
