"""Enrolling a kiosk or display with a short code: ``POST /api/v1/devices/enrol``."""

from __future__ import annotations

from typing import Any

from flask_smorest import Blueprint
from marshmallow import Schema, fields

from ..domain.access import DeviceKind
from ..extension import luot
from ..services.accounts import enrolment
from .docs import error
from .fields import Text, choice
from .schemas import DeviceSchema, RequestSchema

blp = Blueprint("enrolment", __name__, description="Enrolling kiosks and displays by short code")


class EnrolSchema(RequestSchema):
    code = Text(max_length=32, required=True, metadata={"description": "The code, e.g. ABCD-EFGH"})
    # The kind of device the enrolling screen is: another kind's code is refused (409) and stays usable.
    kind = choice([k.value for k in DeviceKind], load_default=None)


class EnrolResultSchema(Schema):
    token = fields.String(required=True, metadata={"description": "The device token, shown only now"})
    device = fields.Nested(DeviceSchema, required=True)


@blp.route("/devices/enrol", methods=["POST"])
@blp.arguments(EnrolSchema)
@blp.response(201, EnrolResultSchema)
@error(blp, 404, "Unknown, used or expired code")
@error(blp, 409, "The code is for another kind of device")
def enrol(data: dict[str, Any]) -> Any:
    """Exchange a short enrolment code (``luot device code``) for a device token; each code works once."""
    extension = luot()
    kind = DeviceKind(data["kind"]) if data.get("kind") else None
    device, token = enrolment.redeem_code(
        extension.uow(), extension.secret, data["code"], extension.now(), kind
    )
    return {"token": token, "device": device}
