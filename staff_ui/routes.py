"""Staff and manager pages."""

from __future__ import annotations

from flask.typing import ResponseReturnValue
from flask_babel import lazy_gettext as _l

from server.web.i18n import render_page

from . import bp


@bp.route("/staff")
def staff() -> ResponseReturnValue:
    return render_page(
        "kiosk/placeholder.html", {"building": _l("This screen is being built.")}, title="Staff"
    )
