"""Who is calling: the bearer token of the request, resolved once per request."""

from __future__ import annotations

from flask import g, request

from ..domain.access import Principal
from ..domain.errors import N_, Forbidden
from ..extension import luot
from ..services.auth import authenticate


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
    found: Principal = g.principal
    return found


def staff_principal() -> Principal:
    """The caller, who must be staff (not a device)."""
    found = principal()
    if not found.is_staff:
        raise Forbidden(N_("This needs a staff account."), code="staff_only")
    return found
