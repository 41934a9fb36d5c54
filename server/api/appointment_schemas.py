"""Request and response schemas of the appointment routes."""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, ValidationError, fields, validate, validates

from ..domain.appointments import AppointmentStatus
from .fields import MAX_ID, Id, Text, choice
from .schemas import REQUEST_ID, RequestSchema, TicketSchema

STATUSES = [s.value for s in AppointmentStatus]


def QueryId(**kwargs: Any) -> fields.Integer:
    """An id in a query string (a string there, so not strict like :class:`Id` in JSON bodies)."""
    return fields.Integer(validate=validate.Range(1, MAX_ID), **kwargs)


# -- requests --------------------------------------------------------------------------------------


class SlotQuerySchema(RequestSchema):
    service_id = QueryId(required=True)
    date = fields.Date(required=True, metadata={"description": "A local date of the site, YYYY-MM-DD."})


class SlotDaysQuerySchema(RequestSchema):
    service_id = QueryId(required=True)


class BookingQuerySchema(RequestSchema):
    commune = fields.String(load_default=None, validate=validate.Regexp(r"^\d{5}$"))


class SiteChoiceQuerySchema(BookingQuerySchema):
    service_code = fields.String(required=True, validate=validate.Regexp(r"^[A-Za-z0-9_.-]{1,32}$"))


class BookSchema(RequestSchema):
    site_id = Id(required=True)
    service_id = Id(required=True)
    start = fields.AwareDateTime(
        required=True, metadata={"description": "The slot's start, with its offset."}
    )
    name = Text(max_length=200, required=True, validate=validate.Length(min=1))
    phone = Text(max_length=20, required=True)
    citizen_id = Text(
        max_length=200,
        load_default=None,
        allow_none=True,
        metadata={"description": "Optional; typed or the chip ID card's QR text; only a keyed hash is kept."},
    )
    email = fields.Email(load_default=None, allow_none=True, validate=validate.Length(max=254))
    language = choice(["vi", "en"], load_default="vi")

    @validates("citizen_id")
    def _blank_is_none(self, value: str | None, **_: object) -> None:
        if value is not None and not value.strip():
            raise ValidationError("Leave citizen_id out rather than empty.")


class TokenQuerySchema(RequestSchema):
    token = fields.String(required=True, validate=validate.Length(1, 100))


class TokenSchema(RequestSchema):
    token = fields.String(required=True, validate=validate.Length(1, 100))


class RescheduleSchema(TokenSchema):
    start = fields.AwareDateTime(required=True)
    site_id = Id(load_default=None, metadata={"description": "Another intake point of the same commune."})


class CheckInSchema(RequestSchema):
    language = choice(["vi", "en"], load_default=None)
    request_id = REQUEST_ID


class DayListQuerySchema(RequestSchema):
    date = fields.Date(load_default=None, metadata={"description": "Local date; today by default."})
    q = Text(max_length=100, load_default=None, metadata={"description": "Name, phone number or code."})
    service_id = QueryId(load_default=None)


class AppointmentDayQuerySchema(RequestSchema):
    date = fields.Date(load_default=None, metadata={"description": "Local date; today by default."})
    code = Text(
        max_length=16,
        load_default=None,
        metadata={"description": "An appointment code, or part of one (never a name or phone number)."},
    )


class SlotBoardQuerySchema(RequestSchema):
    date = fields.Date(load_default=None)


class CloseSlotsSchema(RequestSchema):
    service_id = Id(load_default=None, metadata={"description": "Every bookable service when left out."})
    start = fields.AwareDateTime(required=True)
    end = fields.AwareDateTime(required=True)


# -- responses -------------------------------------------------------------------------------------


class SlotSchema(Schema):
    start = fields.DateTime(required=True)
    end = fields.DateTime(required=True)
    capacity = fields.Integer(required=True)
    available = fields.Integer(required=True)


class SlotBoardSchema(SlotSchema):
    service_id = fields.Integer(required=True)
    booked = fields.Integer(required=True)
    closed = fields.Boolean(required=True)


class DaySchema(Schema):
    date = fields.Date(required=True)
    open = fields.Boolean(required=True)
    available = fields.Integer(required=True)
    holiday = fields.String(allow_none=True)


class BookableServiceSchema(Schema):
    code = fields.String(required=True)
    name = fields.String(required=True)
    name_en = fields.String(required=True)
    field = fields.String(required=True)
    site_ids = fields.List(fields.Integer(), required=True)


class SiteChoiceSchema(Schema):
    site_id = fields.Integer(required=True)
    code = fields.String(required=True)
    name = fields.String(required=True)
    name_en = fields.String(required=True)
    address = fields.String(required=True)
    commune_code = fields.String(required=True)
    commune_name = fields.String(required=True)
    service_id = fields.Integer(required=True)
    open_now = fields.Boolean(required=True)
    earliest = fields.Nested(SlotSchema, allow_none=True, required=True)
    waiting = fields.Integer(required=True)
    estimated_wait_s = fields.Integer(required=True)


class TicketRefSchema(Schema):
    id = fields.Integer(required=True)
    number = fields.String(required=True)
    status = fields.String(required=True)
    public_code = fields.String(required=True)
    status_url = fields.String()


class AppointmentSchema(Schema):
    id = fields.Integer(required=True)
    code = fields.String(required=True)
    status = fields.String(required=True, metadata={"enum": STATUSES})
    site_id = fields.Integer(required=True)
    service_id = fields.Integer(required=True)
    start = fields.DateTime(required=True)
    end = fields.DateTime(required=True)
    name = fields.String(required=True)
    phone = fields.String(allow_none=True, metadata={"description": "Masked: 091****678."})
    language = fields.String()
    site_name = fields.String()
    site_name_en = fields.String()
    site_address = fields.String()
    timezone = fields.String()
    service_code = fields.String()
    service_name = fields.String()
    service_name_en = fields.String()
    check_in_from = fields.DateTime(metadata={"description": "The kiosk accepts the code from then…"})
    check_in_until = fields.DateTime(
        metadata={"description": "…until then; later it gives a walk-in ticket."}
    )
    created_at = fields.DateTime()
    ticket = fields.Nested(TicketRefSchema, allow_none=True)
    qr_url = fields.String()


class BookedSchema(AppointmentSchema):
    manage_token = fields.String(
        required=True,
        metadata={"description": "Shown once: the private link's token (view, reschedule, cancel)."},
    )
    manage_url = fields.String(required=True)
    ics_url = fields.String(required=True)


class CheckedInSchema(TicketSchema):
    late = fields.Boolean(
        required=True,
        metadata={"description": "Past the check-in window: a walk-in ticket (the kiosk tells the citizen)."},
    )
    appointment = fields.Nested(
        AppointmentSchema,
        allow_none=True,
        metadata={"description": "null at a site box for a code it could not confirm yet (unconfirmed)."},
    )


DAY_STATES = ["booked", "checked_in", "late", "missed", "cancelled"]


class ManagedAppointmentSchema(AppointmentSchema):
    state = fields.String(
        required=True,
        metadata={
            "enum": DAY_STATES,
            "description": "late: checked in after its window and served as a walk-in; missed: no-show.",
        },
    )


class AppointmentCountsSchema(Schema):
    booked = fields.Integer(required=True)
    checked_in = fields.Integer(required=True)
    late = fields.Integer(required=True)
    missed = fields.Integer(required=True)
    cancelled = fields.Integer(required=True)


class AppointmentDaySchema(Schema):
    date = fields.Date(required=True)
    counts = fields.Nested(
        AppointmentCountsSchema, required=True, metadata={"description": "The whole day, search aside."}
    )
    total = fields.Integer(required=True)
    appointments = fields.List(fields.Nested(ManagedAppointmentSchema), required=True)
