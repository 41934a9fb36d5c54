"""Remote tickets: taking a number before arriving (public), and the kiosk's confirmation of an arrival."""

from __future__ import annotations

from typing import Any

from flask_smorest import Blueprint

from ..domain.identity import citizen_key, normalise_phone
from ..extension import luot
from ..services.near_turn.remote import ConfirmArrival, TakeRemoteTicket, confirm_arrival, take_remote_ticket
from .access import principal
from .docs import error, secured
from .fields import Id, Text, choice
from .schemas import RequestSchema, TicketSchema
from .tickets import ticket_body

blp = Blueprint("remote", __name__, description="Joining the queue before arriving (remote tickets)")


class RemoteTicketSchema(RequestSchema):
    service_id = Id(required=True)
    phone = Text(required=True, max_length=20, metadata={"description": "Says when the turn is near."})
    citizen_id = Text(max_length=200, load_default=None, allow_none=True)
    language = choice(["vi", "en"], load_default="vi")


class ArrivalSchema(RequestSchema):
    public_code = Text(
        required=True, max_length=400, metadata={"description": "The code, or the status page's URL."}
    )


@blp.route("/sites/<id:site_id>/remote-tickets", methods=["POST"])
@blp.arguments(RemoteTicketSchema)
@blp.response(201, TicketSchema)
@error(blp, 409, "The centre or the service is closed, or the remote share is taken (remote_full)")
@error(blp, 429, "This person already holds the most tickets allowed today")
def take(data: dict[str, Any], site_id: int) -> Any:
    """Take a number before arriving: ``pending_arrival`` until a kiosk of the site scans its QR."""
    extension = luot()
    info = take_remote_ticket(
        TakeRemoteTicket(
            site_id=site_id,
            service_id=data["service_id"],
            phone=normalise_phone(data["phone"]),
            citizen_key=citizen_key(extension.secret, data["citizen_id"]) if data.get("citizen_id") else None,
            language=data["language"],
            at=extension.now(),
        ),
        extension.uow(),
    )
    return ticket_body(info)


@blp.route("/sites/<id:site_id>/arrivals", methods=["POST"])
@blp.arguments(ArrivalSchema)
@blp.response(200, TicketSchema)
@error(blp, 404, "No remote ticket of this site has this code")
@error(blp, 409, "The ticket is no longer pending (expired, cancelled…)")
@secured(blp)
def arrive(data: dict[str, Any], site_id: int) -> Any:
    """A kiosk of the site (or its staff, at the desk) confirms that a remote ticket's holder arrived:
    the ticket is now waiting."""
    extension = luot()
    code = data["public_code"].strip().rstrip("/").rsplit("/", 1)[-1]  # a scanner types the whole URL
    info = confirm_arrival(
        ConfirmArrival(actor=principal(), site_id=site_id, public_code=code, at=extension.now()),
        extension.uow(),
    )
    return ticket_body(info)
