"""The signed-in clerk's own day: today's figures shown on the staff tablet."""

from __future__ import annotations

from typing import Any

from flask_smorest import Blueprint
from marshmallow import Schema, fields

from ..extension import luot
from ..services.queue.staff_day import personal_day
from .access import staff_principal
from .docs import error, secured
from .fields import QueryId
from .schemas import RequestSchema

blp = Blueprint("staff", __name__, description="The signed-in clerk's own day")


class TodayQuerySchema(RequestSchema):
    site_id = QueryId(
        load_default=None,
        metadata={"description": "The site; may be left out by a clerk of a single site."},
    )


class PersonalDaySchema(Schema):
    site_id = fields.Integer(required=True)
    day = fields.Date(required=True, metadata={"description": "The site's local date."})
    served = fields.Integer(required=True, metadata={"description": "Tickets this clerk completed."})
    average_service_s = fields.Integer(
        required=True, allow_none=True, metadata={"description": "Average of their service times."}
    )
    no_shows = fields.Integer(required=True, metadata={"description": "Tickets they marked no-show."})
    transferred = fields.Integer(required=True, metadata={"description": "Tickets they transferred."})


@blp.route("/me/today")
@blp.arguments(TodayQuerySchema, location="query")
@blp.response(200, PersonalDaySchema)
@error(blp, 422, "The clerk has several sites and none was given")
@secured(blp)
def today(args: dict[str, Any]) -> Any:
    """Today's figures of the signed-in clerk at one site (the site's local day)."""
    extension = luot()
    actor = staff_principal()
    with extension.read() as session:
        return personal_day(session, actor, args["site_id"], extension.now())
