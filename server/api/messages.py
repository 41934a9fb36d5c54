"""Near-turn and called messages, for managers: each message's delivery state and the day's figures."""

from __future__ import annotations

from typing import Any

from flask_smorest import Blueprint
from marshmallow import fields

from ..extension import luot
from ..services.near_turn import views
from .access import staff_principal
from .docs import error, secured
from .schemas import RequestSchema

blp = Blueprint("messages", __name__, description="Messages to citizens' phones (near turn, called)")


class DayQuerySchema(RequestSchema):
    date = fields.Date(load_default=None, metadata={"description": "Local date (YYYY-MM-DD); default today."})


@blp.route("/sites/<id:site_id>/messages")
@blp.arguments(DayQuerySchema, location="query")
@blp.response(200)
@error(blp, 422, "A bad date")
@secured(blp)
def site_messages(args: dict[str, Any], site_id: int) -> Any:
    """A day's near-turn and called messages of a site (manager of the site, or admin): each one's
    status (queued, sending, sent, failed, cancelled), channel, attempts and the gateway's last answer;
    the day's counts, remote tickets taken/arrived/expired and the near-turn estimate's error."""
    extension = luot()
    with extension.read() as session:
        return views.day_report(session, staff_principal(), site_id, args["date"], extension.now())
