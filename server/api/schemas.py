"""Request and response schemas of API v1; they also generate ``/api/v1/openapi.json``."""

from __future__ import annotations

from marshmallow import EXCLUDE, Schema, fields, validate

from ..domain.pauses import PauseReason
from ..domain.tickets import Action, Priority, TicketStatus
from .fields import Id, QueryId, Text, choice


class RequestSchema(Schema):
    class Meta:
        unknown = EXCLUDE  # newer clients may send fields this server does not know yet


REQUEST_ID = Text(
    max_length=64,
    load_default=None,
    validate=validate.Length(min=1),
    metadata={"description": "Client request id: a retry with the same id does not act twice."},
)


# -- errors --------------------------------------------------------------------------------------


class ErrorBody(Schema):
    code = fields.String(required=True)
    message = fields.String(required=True)
    details = fields.Dict(metadata={"description": "Field-by-field validation messages, when any."})


class ErrorSchema(Schema):
    error = fields.Nested(ErrorBody, required=True)


# -- public ----------------------------------------------------------------------------------------


class HealthSchema(Schema):
    status = fields.String(required=True)
    db = fields.String(required=True)
    version = fields.String(required=True)


class CommuneSchema(Schema):
    code = fields.String(required=True)
    name = fields.String(required=True)
    province = fields.String()


class SiteSchema(Schema):
    id = fields.Integer(required=True)
    code = fields.String(required=True)
    name = fields.String(required=True)
    name_en = fields.String()
    commune = fields.Nested(CommuneSchema, required=True)
    address = fields.String(required=True)
    timezone = fields.String(required=True)
    open_now = fields.Boolean(required=True)
    hours = fields.Dict(keys=fields.String(), values=fields.List(fields.String()))


class ServiceSchema(Schema):
    id = fields.Integer(required=True)
    code = fields.String(required=True)
    name = fields.String(required=True)
    name_en = fields.String(required=True)
    field = fields.String(required=True)
    prefix = fields.String(required=True)
    open_now = fields.Boolean(required=True)
    appointments = fields.Boolean(required=True)
    target_wait_minutes = fields.Integer()


class ProcedureDocumentSchema(Schema):
    name = fields.String(required=True, metadata={"description": "The paper to bring, in Vietnamese."})
    name_en = fields.String(required=True, metadata={"description": "In English ('' when not given)."})


class ProcedureSchema(Schema):
    """A procedure of the procedure guide (docs/procedures.md): both languages, nothing personal."""

    code = fields.String(
        required=True, metadata={"description": "Its code in the national procedure database."}
    )
    service_id = fields.Integer(required=True)
    service_code = fields.String(required=True)
    name = fields.String(required=True)
    name_en = fields.String(required=True)
    documents = fields.List(fields.Nested(ProcedureDocumentSchema), required=True)
    fee = fields.String(required=True)
    fee_en = fields.String(required=True)
    processing_time = fields.String(required=True)
    processing_time_en = fields.String(required=True)
    note = fields.String(required=True)
    note_en = fields.String(required=True)


class ProcedureQuerySchema(RequestSchema):
    service_id = QueryId(load_default=None, metadata={"description": "Only the procedures of this service."})


class ServiceWaitSchema(Schema):
    service_id = fields.Integer(required=True)
    waiting = fields.Integer(required=True)
    estimated_wait_s = fields.Integer(required=True)
    longest_wait_s = fields.Integer()
    counters_open = fields.Integer(metadata={"description": "Open counters that serve the service now."})


class CounterRefSchema(Schema):
    id = fields.Integer(required=True)
    number = fields.Integer(required=True)
    name = fields.String(required=True)


class StatusSchema(Schema):
    number = fields.String(required=True)
    status = fields.String(required=True, metadata={"enum": [s.value for s in TicketStatus]})
    position = fields.Integer(required=True)
    estimated_wait_s = fields.Integer(required=True)
    counter = fields.Nested(CounterRefSchema, allow_none=True, required=True)
    site_id = fields.Integer()
    service_id = fields.Integer()
    service_name = fields.String()
    service_name_en = fields.String()
    site_name = fields.String()
    day = fields.Date(
        metadata={"description": "The ticket's business day (shown beside a number kept overnight)."}
    )
    near_position = fields.Integer(metadata={"description": "The page rings 'near' at this position…"})
    near_minutes = fields.Integer(metadata={"description": "…or at this estimated wait (minutes)."})
    site_name_en = fields.String()
    unconfirmed = fields.String(
        allow_none=True,
        metadata={"description": "pending, unknown or cancelled: a check-in a site box could not confirm."},
    )
    dossier_code = fields.String(
        allow_none=True,
        metadata={"description": "The dossier's code (mã hồ sơ) the clerk gave, once the ticket is done."},
    )


# -- tickets ---------------------------------------------------------------------------------------


class IssueTicketSchema(RequestSchema):
    service_id = Id(required=True)
    priority = choice([p.value for p in Priority], load_default=Priority.NONE.value)
    phone = Text(max_length=20, load_default=None, allow_none=True)
    citizen_id = Text(
        max_length=200,
        load_default=None,
        allow_none=True,
        metadata={"description": "Typed, or the chip ID card's QR text; only a keyed hash is kept."},
    )
    language = choice(["vi", "en"], load_default="vi")
    request_id = REQUEST_ID


class PrintSchema(Schema):
    status = fields.String(required=True, metadata={"description": "none, queued, printed or failed"})
    printer_status = fields.String(
        metadata={"description": "what the printer last reported: ok, offline, paper_out or error"}
    )


class TicketSchema(Schema):
    id = fields.Integer(required=True)
    number = fields.String(required=True)
    service_id = fields.Integer(required=True)
    site_id = fields.Integer(required=True)
    status = fields.String(required=True, metadata={"enum": [s.value for s in TicketStatus]})
    priority = fields.String(required=True, metadata={"enum": [p.value for p in Priority]})
    issued_at = fields.DateTime(required=True)
    called_at = fields.DateTime(allow_none=True)
    started_at = fields.DateTime(allow_none=True)
    finished_at = fields.DateTime(allow_none=True)
    position = fields.Integer(required=True)
    estimated_wait_s = fields.Integer(required=True)
    public_code = fields.String(required=True)
    status_url = fields.String()
    counter = fields.Nested(CounterRefSchema, allow_none=True)
    dossier_code = fields.String(allow_none=True)
    call_rule = fields.String(allow_none=True)
    appointment_id = fields.Integer(allow_none=True)
    appointment_start = fields.DateTime(allow_none=True)
    wait_s = fields.Integer(
        allow_none=True, metadata={"description": "Seconds from joining the queue to the first call."}
    )
    actions = fields.List(
        fields.String(metadata={"enum": [a.value for a in Action]}),
        metadata={"description": "What staff may do with the ticket now, in the order a clerk would."},
    )
    print = fields.Nested(PrintSchema)
    call_count = fields.Integer(metadata={"description": "How many times it was called (recalls included)."})
    day = fields.Date(
        metadata={
            "description": "The local business day the ticket was issued on (its number is that day's)."
        }
    )
    unconfirmed = fields.String(
        allow_none=True,
        metadata={
            "enum": ["pending", "unknown", "cancelled"],
            "description": "Checked in at a site box by an appointment code it could not confirm yet: "
            "pending until the upstream confirms it; unknown or cancelled when it did not.",
        },
    )


class QueueQuerySchema(RequestSchema):
    counter_id = QueryId(
        load_default=None, metadata={"description": "Order the list as this counter would call it."}
    )


class QueueEntrySchema(Schema):
    id = fields.Integer(required=True)
    number = fields.String(required=True)
    service_id = fields.Integer(required=True)
    priority = fields.String(required=True)
    status = fields.String(required=True)
    issued_at = fields.DateTime(required=True)
    waited_s = fields.Integer(required=True)
    rule = fields.String(required=True)
    appointment_start = fields.DateTime(allow_none=True)
    actions = fields.List(
        fields.String(metadata={"enum": [a.value for a in Action]}),
        metadata={"description": "What staff may do with the ticket now."},
    )
    day = fields.Date(
        metadata={
            "description": "The local business day the ticket was issued on (its number is that day's)."
        }
    )
    offline = fields.Boolean(
        metadata={
            "description": "Issued by the kiosk's agent while the server did not answer, then replayed."
        }
    )
    over_limit = fields.Boolean(
        metadata={
            "description": "Replayed when the person already held the most tickets allowed: kept, flagged."
        }
    )


class CounterSchema(Schema):
    id = fields.Integer(required=True)
    code = fields.String(required=True)
    number = fields.Integer(required=True)
    name = fields.String(required=True)
    status = fields.String(required=True, metadata={"enum": ["open", "paused", "closed"]})
    services = fields.List(fields.Integer(), required=True)
    current_ticket = fields.Nested(TicketSchema, allow_none=True, required=True)
    clerk = fields.String(allow_none=True)
    status_since = fields.DateTime(
        allow_none=True, metadata={"description": "Since when the counter has this status."}
    )
    pause_reason = fields.String(
        allow_none=True,
        metadata={"enum": [r.value for r in PauseReason], "description": "Why it is paused, else null."},
    )


class StaffActionSchema(RequestSchema):
    request_id = REQUEST_ID


class PauseSchema(StaffActionSchema):
    reason = fields.String(
        load_default=None,
        validate=validate.OneOf([r.value for r in PauseReason]),
        metadata={"description": "Why the counter pauses; `other` when omitted."},
    )
    note = Text(max_length=200, load_default=None, allow_none=True)


class CallSchema(StaffActionSchema):
    counter_id = Id(required=True)


class CompleteSchema(StaffActionSchema):
    dossier_code = Text(max_length=64, load_default=None, allow_none=True)


class TransferSchema(StaffActionSchema):
    service_id = Id(required=True)
    reason = Text(max_length=200, load_default=None, allow_none=True)


class CancelSchema(StaffActionSchema):
    reason = Text(max_length=200, load_default=None, allow_none=True)


# -- auth ------------------------------------------------------------------------------------------


class LoginSchema(RequestSchema):
    username = Text(max_length=64, required=True)
    password = fields.String(required=True, validate=validate.Length(1, 200))


class UserSchema(Schema):
    id = fields.Integer(required=True)
    username = fields.String(required=True)
    role = fields.String(required=True, metadata={"enum": ["admin", "manager", "clerk"]})
    site_ids = fields.List(fields.Integer(), required=True)
    display_name = fields.String()


class LoginResultSchema(Schema):
    token = fields.String(required=True)
    expires_at = fields.DateTime(required=True)
    user = fields.Nested(UserSchema, required=True)


class DeviceSchema(Schema):
    id = fields.Integer(required=True)
    site_id = fields.Integer(required=True)
    kind = fields.String(required=True, metadata={"enum": ["kiosk", "display"]})
    name = fields.String(required=True)
    printer_uri = fields.String(allow_none=True)
    settings = fields.Dict(
        metadata={
            "description": 'Per-device settings; a display\'s: {"counters": [codes], "services": [codes], '
            '"sound": bool} (empty lists: all)'
        }
    )
