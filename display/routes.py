"""The wall display page (``/display``), enrolled once with ``/display?token=DEVICE_TOKEN``."""

from __future__ import annotations

from flask.typing import ResponseReturnValue
from flask_babel import lazy_gettext as _l

from server import __version__
from server.web.i18n import render_page

from . import bp

# Labels are shown in Vietnamese with English beneath, whatever the page's language.
STRINGS = {
    "now_calling": _l("Now calling"),
    "counter": _l("Counter %(n)s"),
    "counters": _l("Counters"),
    "recent_calls": _l("Recent calls"),
    "waiting": _l("Waiting"),
    "service": _l("Service"),
    "people_waiting": _l("People"),
    "estimated_wait": _l("Wait"),
    "about_minutes": _l("about %(n)s min"),
    "nobody_waiting": _l("no one waiting"),
    "recall": _l("called again"),
    "serving": _l("serving"),
    "paused": _l("paused"),
    "closed": _l("closed"),
    "no_calls": _l("No number has been called yet"),
    "not_enrolled": _l("This display is not enrolled yet: open /display?token=… with its device token."),
    "sound_blocked": _l("Sound is off: touch the screen once to turn it on."),
    "outage": _l("No connection to the server: the calls shown may be out of date. Staff: check the server."),
    "announce": _l("Citizen with number %(number)s, please come to counter %(counter)s."),
}


@bp.route("/display")
def display() -> ResponseReturnValue:
    return render_page("display/display.html", STRINGS, version=__version__)
