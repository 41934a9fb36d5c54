"""The counter's rating pad (``/rate``), a small tablet facing the citizen, enrolled once with
``/rate?token=DEVICE_TOKEN`` (a device of kind ``rating`` bound to one counter); and the strings of the
satisfaction question that the pad and a ticket's status page share."""

from __future__ import annotations

from flask.typing import ResponseReturnValue
from flask_babel import lazy_gettext as _l

from server.web.i18n import render_page

from . import bp

RATING_STRINGS = {
    "rating.question": _l("How satisfied are you?"),
    "rating.score.5": _l("Very satisfied"),
    "rating.score.4": _l("Satisfied"),
    "rating.score.3": _l("Neutral"),
    "rating.score.2": _l("Unsatisfied"),
    "rating.score.1": _l("Very unsatisfied"),
    "rating.why": _l("What was wrong? Choose any that apply."),
    "rating.comment": _l("A comment (optional)"),
    "rating.keyboard": _l("Keyboard"),
    "rating.space": _l("space"),
    "rating.send": _l("Send"),
    "rating.thanks": _l("Thank you for your rating!"),
    "rating.failed": _l("Your rating could not be sent. Please ask at the reception desk."),
    "rating.closed": _l("The time for rating has passed."),
    "rating.already": _l("This ticket has already been rated."),
    "rating.phone_intro": _l("Please rate the service you received. Only the centre's managers see it."),
    "rating.your_score": _l("Your rating: %(label)s"),
}

PAD_STRINGS = {
    **RATING_STRINGS,
    "pad.title": _l("Satisfaction rating"),
    "pad.counter": _l("Counter %(n)s"),
    "pad.clerk": _l("Served by"),
    "pad.serving": _l("Now serving"),
    "pad.idle": _l("Please rate our service when your business is done."),
    "pad.closed": _l("This counter is closed"),
    "pad.english": _l("English"),
    "pad.not_enrolled": _l("This rating pad is not enrolled yet: open /rate?token=… with its device token."),
}


@bp.route("/rate")
def rate() -> ResponseReturnValue:
    return render_page("kiosk/rate.html", PAD_STRINGS)
