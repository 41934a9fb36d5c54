"""Who is calling: the bearer token of the request, resolved once per request."""

from __future__ import annotations

from flask import current_app, g, request

from ..domain.access import Principal
from ..domain.errors import N_, Forbidden
from ..extension import luot
from ..services.accounts.auth import authenticate
from .docs import SECURED


def bearer_token() -> str | None:
    header = request.headers.get("Authorization", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() == "bearer" and value.strip():
        return value.strip()
    return None


def principal() -> Principal:
    """The authenticated caller; 401 without a valid token."""
    if "principal" not in g:
        extension = luot()
        with extension.read() as session:
            g.principal = authenticate(session, bearer_token(), extension.now())
        if g.principal.device_id is not None:  # written at most once a minute (presence.py)
            extension.presence.seen(extension.uow, g.principal.device_id, extension.now())
    found: Principal = g.principal
    return found


def staff_principal() -> Principal:
    """The caller, who must be staff (not a device)."""
    found = principal()
    if not found.is_staff:
        raise Forbidden(N_("This needs a staff account."), code="staff_only")
    return found


def authenticate_secured_routes() -> None:
    """Before a secured route reads its input: no valid token is a 401 whatever the body holds, so that an
    anonymous caller learns nothing about the route's parameters from validation messages."""
    view = current_app.view_functions.get(request.endpoint or "")
    if view is not None and getattr(view, SECURED, False):
        principal()
