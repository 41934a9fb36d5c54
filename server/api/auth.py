"""Login, logout and who-am-I for staff; the enrolled device's own record for kiosks and displays."""

from __future__ import annotations

from typing import Any

from flask import Response
from flask_smorest import Blueprint

from ..domain.errors import N_, Forbidden, Unauthorized
from ..extension import luot
from ..services.accounts import auth as auth_service
from .access import principal, staff_principal
from .docs import error, secured
from .limits import client_address
from .login_throttle import login_throttle
from .schemas import DeviceSchema, LoginResultSchema, LoginSchema, UserSchema

blp = Blueprint("auth", __name__, description="Staff sign-in and tokens")


@blp.route("/auth/login", methods=["POST"])
@blp.arguments(LoginSchema)
@blp.response(200, LoginResultSchema)
@error(blp, 401, "Wrong username or password (the same answer whether the username exists or not)")
@error(blp, 429, "Too many failed sign-ins for this username from this address: wait (Retry-After)")
def login(data: dict[str, Any]) -> Any:
    """Exchange a username and password for a bearer token that expires. Failed attempts slow down the
    caller's address for that username (429 ``login_throttled``); no account is ever locked."""
    extension = luot()
    throttle = login_throttle()
    key = throttle.key(client_address(), data["username"])
    now = extension.now()
    throttle.check(key, now)
    try:
        result = auth_service.login(
            extension.uow(), extension.hasher, data["username"], data["password"], now
        )
    except Unauthorized:
        throttle.failed(key, now)
        raise
    throttle.succeeded(key)
    return result


@blp.route("/auth/logout", methods=["POST"])
@blp.response(204)
@secured(blp)
def logout() -> Any:
    """Revoke the token of this request."""
    extension = luot()
    auth_service.logout(extension.uow(), principal(), extension.now())
    return Response(status=204)


@blp.route("/me")
@blp.response(200, UserSchema)
@secured(blp)
def me() -> Any:
    """The signed-in staff user."""
    actor = staff_principal()
    return {
        "id": actor.user_id,
        "username": actor.username,
        "role": actor.role,
        "site_ids": sorted(actor.site_ids),
    }


@blp.route("/device")
@blp.response(200, DeviceSchema)
@secured(blp)
def device() -> Any:
    """The enrolled kiosk or display this token belongs to (its site, its printer)."""
    actor = principal()
    if actor.device_id is None:
        raise Forbidden(N_("This needs a device token."), code="device_only")
    with luot().read() as session:
        return auth_service.device_info(session, actor.device_id)
