"""The ``auth`` object a Socket.IO client connects with, checked before anything uses it.

A client connects with ``{"token": str, "site_id"?: int}`` (a device or staff token) or
``{"public_code": str}`` (a citizen's status page). Anything else — auth that is not an object, a token that
is not a string, a ``site_id`` that is not a database id, only unknown keys — is refused at once with a
``connect_error`` whose ``data.code`` is the HTTP side's ``malformed_request``, never with silence.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..domain.errors import N_, BadRequest

KNOWN_KEYS = frozenset({"token", "site_id", "public_code"})
MAX_TOKEN_LENGTH = 200
MAX_PUBLIC_CODE_LENGTH = 100
MAX_ID = 2**63 - 1  # the largest id a database column holds


@dataclass(frozen=True)
class Auth:
    token: str | None = None
    site_id: int | None = None
    public_code: str | None = None


def _malformed(message: str) -> BadRequest:
    return BadRequest(message)


def parse_auth(raw: Any) -> Auth:
    """The checked auth; :class:`BadRequest` (``malformed_request``) for anything malformed."""
    if raw is None:
        return Auth()
    if not isinstance(raw, dict):
        raise _malformed(N_("The connection's auth must be an object."))
    if raw and not KNOWN_KEYS & raw.keys():
        raise _malformed(N_("The connection's auth has none of token, site_id, public_code."))
    token = raw.get("token")
    site_id = raw.get("site_id")
    public_code = raw.get("public_code")
    if token is not None and (not isinstance(token, str) or not 0 < len(token) <= MAX_TOKEN_LENGTH):
        raise _malformed(N_("The connection's token must be a string."))
    if site_id is not None and (
        not isinstance(site_id, int) or isinstance(site_id, bool) or not 0 < site_id <= MAX_ID
    ):
        raise _malformed(N_("The connection's site_id must be a site's id."))
    if public_code is not None:
        if not isinstance(public_code, str) or not 0 < len(public_code) <= MAX_PUBLIC_CODE_LENGTH:
            raise _malformed(N_("The connection's public_code must be a ticket's code."))
        if token is not None or site_id is not None:
            raise _malformed(N_("Connect with a token or with a public_code, not both."))
    return Auth(token=token, site_id=site_id, public_code=public_code)
