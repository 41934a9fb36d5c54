"""The manager's accounts and devices (``/manage``, tab Accounts): the same rules as ``luot user add`` and
``luot device revoke``, within the sites the signed-in manager manages; every change is audited."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from ..domain.access import DeviceKind, Role
from ..extension import luot
from ..services.accounts import staff_admin
from .access import staff_principal
from .docs import error, secured
from .fields import Id, Text, choice
from .schemas import DeviceSchema, RequestSchema

blp = Blueprint("staff_admin", __name__, description="Managers: accounts and devices of their sites")


class AccountSchema(Schema):
    id = fields.Integer(required=True)
    username = fields.String(required=True)
    display_name = fields.String(required=True)
    role = fields.String(required=True, metadata={"enum": [r.value for r in Role]})
    site_ids = fields.List(fields.Integer(), required=True)
    active = fields.Boolean(required=True)


class AccountChangeSchema(RequestSchema):
    role = choice([r.value for r in Role], required=True)
    site_ids = fields.List(Id(), required=True, validate=validate.Length(max=100))
    password = fields.String(load_default=None, validate=validate.Length(1, 200))
    display_name = Text(max_length=200, load_default=None)


class AccountAddSchema(AccountChangeSchema):
    username = Text(max_length=64, required=True)


class DeviceRowSchema(Schema):
    id = fields.Integer(required=True)
    site_id = fields.Integer(required=True)
    kind = fields.String(required=True, metadata={"enum": ["kiosk", "display", "rating"]})
    name = fields.String(required=True)
    printer_uri = fields.String(allow_none=True)
    created_at = fields.DateTime(required=True)
    revoked_at = fields.DateTime(allow_none=True)
    last_seen_at = fields.DateTime(
        allow_none=True,
        metadata={"description": "Its last request or Socket.IO connection (kept to the minute)."},
    )
    online = fields.Boolean(
        required=True, metadata={"description": "A live Socket.IO connection, or seen in the last 2 minutes."}
    )


@blp.route("/users")
@blp.response(200, AccountSchema(many=True))
@secured(blp)
def accounts() -> Any:
    """The accounts the caller may manage (a manager: clerks and managers of their sites only)."""
    extension = luot()
    with extension.read() as session:
        return [asdict(row) for row in staff_admin.list_accounts(session, staff_principal())]


@blp.route("/users", methods=["POST"])
@blp.arguments(AccountAddSchema)
@blp.response(201, AccountSchema)
@error(blp, 409, "The username is taken")
@error(blp, 422, "No site, a weak password or a bad value")
@secured(blp)
def add_account(data: dict[str, Any]) -> Any:
    """Add a clerk or manager for sites the caller manages (403 for any other site, or an admin)."""
    extension = luot()
    row = staff_admin.save_account(
        extension.uow(),
        extension.hasher,
        staff_principal(),
        username=data["username"],
        role=Role(data["role"]),
        site_ids=data["site_ids"],
        password=data["password"],
        display_name=data["display_name"],
        at=extension.now(),
    )
    return asdict(row)


@blp.route("/users/<id:user_id>", methods=["POST"])
@blp.arguments(AccountChangeSchema)
@blp.response(200, AccountSchema)
@error(blp, 404, "Unknown account")
@secured(blp)
def change_account(data: dict[str, Any], user_id: int) -> Any:
    """Change an account's role, sites, name, or reset its password (its sessions end)."""
    extension = luot()
    row = staff_admin.save_account(
        extension.uow(),
        extension.hasher,
        staff_principal(),
        username="",
        user_id=user_id,
        role=Role(data["role"]),
        site_ids=data["site_ids"],
        password=data["password"],
        display_name=data["display_name"],
        at=extension.now(),
    )
    return asdict(row)


def _active(user_id: int, active: bool) -> Any:
    extension = luot()
    row = staff_admin.set_account_active(extension.uow(), staff_principal(), user_id, active, extension.now())
    return asdict(row)


@blp.route("/users/<id:user_id>/disable", methods=["POST"])
@blp.response(200, AccountSchema)
@error(blp, 404, "Unknown account")
@secured(blp)
def disable_account(user_id: int) -> Any:
    """Disable an account: its sessions end at once."""
    return _active(user_id, False)


@blp.route("/users/<id:user_id>/enable", methods=["POST"])
@blp.response(200, AccountSchema)
@error(blp, 404, "Unknown account")
@secured(blp)
def enable_account(user_id: int) -> Any:
    """Enable a disabled account again."""
    return _active(user_id, True)


@blp.route("/sites/<id:site_id>/devices")
@blp.response(200, DeviceRowSchema(many=True))
@secured(blp)
def site_devices(site_id: int) -> Any:
    """The site's kiosks, displays and rating pads, revoked ones included, with when each was last seen and
    whether it is online now."""
    extension = luot()
    with extension.read() as session:
        rows = staff_admin.list_site_devices(
            session, staff_principal(), site_id, extension.now(), extension.presence.is_connected
        )
        return [asdict(row) for row in rows]


@blp.route("/devices/<id:device_id>/revoke", methods=["POST"])
@blp.response(200, DeviceSchema)
@error(blp, 404, "Unknown device")
@secured(blp)
def revoke_device(device_id: int) -> Any:
    """Revoke a device: its token is refused at once and its live connections close."""
    extension = luot()
    return asdict(
        staff_admin.revoke_site_device(extension.uow(), staff_principal(), device_id, extension.now())
    )


class CodeRequestSchema(RequestSchema):
    kind = choice([k.value for k in DeviceKind], required=True)
    name = Text(max_length=200, required=True)
    counter_code = Text(max_length=32, load_default=None, metadata={"description": "A rating pad's counter."})


class IssuedCodeSchema(Schema):
    code = fields.String(required=True, metadata={"description": "Shown once, e.g. ABCD-EFGH"})
    expires_at = fields.DateTime(required=True)
    device = fields.Nested(DeviceSchema, required=True)


@blp.route("/sites/<id:site_id>/enrolment-codes", methods=["POST"])
@blp.arguments(CodeRequestSchema)
@blp.response(201, IssuedCodeSchema)
@error(blp, 422, "A bad kind, name or counter")
@secured(blp)
def issue_code(data: dict[str, Any], site_id: int) -> Any:
    """A short code that enrols a kiosk, display or rating pad of the site (typed on its screen)."""
    extension = luot()
    issued = staff_admin.issue_site_code(
        extension.uow,
        extension.secret,
        staff_principal(),
        site_id=site_id,
        kind=DeviceKind(data["kind"]),
        name=data["name"],
        counter_code=data["counter_code"],
        at=extension.now(),
    )
    return asdict(issued)
