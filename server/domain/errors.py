"""The one error hierarchy of Lượt.

Every error a client can cause is a :class:`LuotError`; the API maps each class to an HTTP status and
API.md's JSON shape. Messages are English gettext message ids (marked with :func:`N_`) with
``%(name)s`` parameters, translated where they are shown.
"""

from __future__ import annotations

from typing import Any


def N_(message: str) -> str:
    """Mark a message for translation without translating it here (the domain has no locale)."""
    return message


class LuotError(Exception):
    """Base of every error a client can cause."""

    code = "error"

    def __init__(self, message: str, *, code: str | None = None, **params: Any) -> None:
        super().__init__(message % params if params else message)
        self.message = message
        self.params = params
        if code is not None:
            self.code = code


class BadRequest(LuotError):
    """The request is malformed (not JSON, not an object)."""

    code = "malformed_request"


class Unauthorized(LuotError):
    """No credentials, or credentials that are invalid, expired or revoked."""

    code = "unauthorized"


class Forbidden(LuotError):
    """The caller is known but may not do this (another site, a lower role, the wrong device)."""

    code = "forbidden"


class NotFound(LuotError):
    """The thing asked for does not exist (or is not visible to the caller)."""

    code = "not_found"


class Conflict(LuotError):
    """The request is valid but conflicts with the current state."""

    code = "conflict"


class IllegalTransition(Conflict):
    """A ticket action that its current status does not allow."""

    code = "illegal_transition"


class InvalidValue(LuotError):
    """Well-formed but invalid: a value out of range, an unknown choice."""

    code = "invalid_value"


class LimitReached(LuotError):
    """A limit of the centre was reached (tickets per person) or a rate limit."""

    code = "limit_reached"


class Gone(LuotError):
    """The thing asked for existed but its time has passed (a closed rating window)."""

    code = "gone"
