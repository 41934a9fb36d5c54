"""Routes for a kiosk's print agent (its device token): leases of ticket numbers, and the replay of the
tickets it issued while the server did not answer (docs/kiosk-offline.md)."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from ..domain.identity import citizen_key, normalise_phone
from ..domain.tickets import Priority
from ..extension import luot
from ..services.queue.offline import GrantLeases, ReplayTicket, grant_leases, replay_ticket
from .access import principal
from .docs import error, secured
from .fields import Id, Text, choice
from .schemas import RequestSchema, TicketSchema
from .tickets import print_body, public_base, ticket_body

blp = Blueprint("kiosk_agent", __name__, description="A kiosk's print agent: offline issuing")

SEQUENCE = fields.Integer(required=True, validate=validate.Range(1, 10**9))


class UsedSchema(RequestSchema):
    service_id = Id(required=True)
    last = fields.Integer(required=True, validate=validate.Range(0, 10**9))


class LeaseRequestSchema(RequestSchema):
    used = fields.List(
        fields.Nested(UsedSchema),
        load_default=list,
        validate=validate.Length(max=200),
        metadata={"description": "Per service, the highest number the agent has issued from its leases."},
    )


class BlockSchema(Schema):
    first = fields.Integer(required=True)
    last = fields.Integer(required=True)


class ServiceLeaseSchema(Schema):
    service_id = fields.Integer(required=True)
    name = fields.String(required=True)
    name_en = fields.String(required=True)
    prefix = fields.String(required=True)
    digits = fields.Integer(required=True)
    blocks = fields.List(fields.Nested(BlockSchema), required=True)


class LeasesSchema(Schema):
    site_id = fields.Integer(required=True)
    day = fields.Date(required=True)
    size = fields.Integer(required=True)
    services = fields.List(fields.Nested(ServiceLeaseSchema), required=True)
    site = fields.String(required=True)
    commune = fields.String(required=True)
    timezone = fields.String(required=True)
    footer = fields.String(required=True)
    status_base = fields.String(
        required=True,
        metadata={"description": "A ticket's status page is this, then /t/ and its public code."},
    )


class ReplaySchema(RequestSchema):
    offline_id = Text(required=True, validate=validate.Regexp(r"^[A-Za-z0-9-]{8,36}$"))
    service_id = Id(required=True)
    sequence = SEQUENCE
    public_code = Text(required=True, validate=validate.Regexp(r"^[A-Za-z0-9_-]{12,32}$"))
    issued_at = fields.AwareDateTime(required=True)
    priority = choice([p.value for p in Priority], load_default=Priority.NONE.value)
    phone = Text(max_length=20, load_default=None, allow_none=True)
    citizen_id = Text(max_length=200, load_default=None, allow_none=True)
    language = choice(["vi", "en"], load_default="vi")


class ReplayedSchema(TicketSchema):
    created = fields.Boolean(required=True, metadata={"description": "false: recorded before"})
    over_limit = fields.Boolean(required=True)


@blp.route("/kiosk-agent/leases", methods=["POST"])
@blp.arguments(LeaseRequestSchema)
@blp.response(200, LeasesSchema)
@error(blp, 403, "Not a kiosk's device token")
@secured(blp)
def leases(data: dict[str, Any]) -> Any:
    """Grant or renew the kiosk's leases of today's numbers, one or more blocks per open service."""
    extension = luot()
    actor = principal()
    site_id = next(iter(actor.site_ids), None)
    granted = grant_leases(
        GrantLeases(actor=actor, at=extension.now(), used={u["service_id"]: u["last"] for u in data["used"]}),
        extension.uow(site_id),
    )
    return {**asdict(granted), "status_base": public_base()}


@blp.route("/kiosk-agent/tickets", methods=["POST"])
@blp.arguments(ReplaySchema)
@blp.response(200, ReplayedSchema)
@error(blp, 409, "The number was not leased to this kiosk")
@secured(blp)
def replay(data: dict[str, Any]) -> Any:
    """Record a ticket the agent issued offline, once (idempotent on ``offline_id``)."""
    extension = luot()
    actor = principal()
    site_id = next(iter(actor.site_ids), None)
    phone = normalise_phone(data["phone"]) if data.get("phone") else None
    key = citizen_key(extension.secret, data["citizen_id"]) if data.get("citizen_id") else None
    replayed = replay_ticket(
        ReplayTicket(
            actor=actor,
            at=extension.now(),
            offline_id=data["offline_id"],
            service_id=data["service_id"],
            sequence=data["sequence"],
            public_code=data["public_code"],
            issued_at=data["issued_at"],
            priority=Priority(data["priority"]),
            phone=phone,
            citizen_key=key,
            language=data["language"],
        ),
        extension.uow(site_id),
    )
    return ticket_body(
        replayed.issued.ticket,
        print=print_body(replayed.issued.print),
        created=replayed.created,
        over_limit=replayed.over_limit,
    )
