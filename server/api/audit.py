"""``GET /api/v1/sites/{site_id}/audit``: the staff overrides at a site, for its managers; and
``…/audit/refusals``: the attempts the rules refused there (printer addresses only the installer sets)."""

from __future__ import annotations

from typing import Any

from flask_smorest import Blueprint
from marshmallow import Schema, fields

from ..extension import luot
from ..services.audit import refusals as site_refusals
from ..services.audit import site_audit
from .access import staff_principal
from .docs import error, secured
from .schemas import RequestSchema

blp = Blueprint("audit", __name__, description="Managers: the audit of staff overrides")


class AuditQuerySchema(RequestSchema):
    from_ = fields.Date(
        data_key="from", load_default=None, metadata={"description": "First local date (default: today)."}
    )
    to = fields.Date(load_default=None, metadata={"description": "Last local date (default: `from`)."})


class AuditEntrySchema(Schema):
    at = fields.DateTime(required=True)
    action = fields.String(
        required=True, metadata={"enum": ["call_out_of_order", "cancel", "no_show", "transfer"]}
    )
    ticket_id = fields.Integer(required=True)
    number = fields.String(required=True)
    service_id = fields.Integer(required=True)
    counter_id = fields.Integer(required=True, allow_none=True)
    actor_id = fields.Integer(required=True, allow_none=True)
    actor = fields.String(required=True, allow_none=True, metadata={"description": "The staff username."})
    reason = fields.String(required=True, allow_none=True)
    from_service_id = fields.Integer(required=True, allow_none=True)
    to_service_id = fields.Integer(required=True, allow_none=True)


@blp.route("/sites/<id:site_id>/audit")
@blp.arguments(AuditQuerySchema, location="query")
@blp.response(200, AuditEntrySchema(many=True))
@error(blp, 422, "A period longer than 93 days, or ending before it starts")
@secured(blp)
def audit(args: dict[str, Any], site_id: int) -> Any:
    """Calls out of order, cancellations, no-shows and transfers made by staff at the site, newest first:
    who, when, at which counter, and the reason they gave (managers and admins of the site)."""
    extension = luot()
    actor = staff_principal()
    with extension.read() as session:
        return site_audit(session, actor, site_id, args["from_"], args["to"], extension.now())


class RefusalSchema(Schema):
    id = fields.Integer(required=True)
    at = fields.DateTime(required=True)
    kind = fields.String(required=True, metadata={"enum": ["printer_refused"]})
    site_id = fields.Integer(required=True, allow_none=True)
    actor_id = fields.Integer(required=True, allow_none=True)
    actor = fields.String(required=True, allow_none=True, metadata={"description": "The staff username."})
    device_id = fields.Integer(required=True, allow_none=True)
    detail = fields.String(required=True, metadata={"description": "Why it was refused (English)."})
    attempted = fields.String(required=True, metadata={"description": "What the caller tried to set."})


@blp.route("/sites/<id:site_id>/audit/refusals")
@blp.response(200, RefusalSchema(many=True))
@secured(blp)
def refusals(site_id: int) -> Any:
    """Attempts the rules refused at the site, newest first (at most 2,000): a printer address that only
    the installer may set, who tried it and when (managers and admins of the site)."""
    extension = luot()
    actor = staff_principal()
    with extension.read() as session:
        return site_refusals(session, actor, site_id)
