"""How routes document their answers in the OpenAPI document (errors always with the error schema)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from flask_smorest import Blueprint

from .schemas import ErrorSchema

View = TypeVar("View", bound=Callable[..., Any])

BEARER: list[dict[str, list[str]]] = [{"bearerAuth": []}]
SECURED = "luot_secured"


def error(blp: Blueprint, status: int, description: str) -> Callable[[View], View]:
    """Document an error answer of a route, with API.md's error shape."""
    decorator: Callable[[View], View] = blp.alt_response(status, schema=ErrorSchema, description=description)
    return decorator


def secured(blp: Blueprint) -> Callable[[View], View]:
    """Mark a route as needing a bearer token (checked before its input is read, see
    :func:`server.api.access.authenticate_secured_routes`) and document its 401 and 403 answers."""

    def decorate(view: View) -> View:
        view.__dict__[SECURED] = True  # functools.wraps carries it to the outer decorators' wrappers
        view = error(blp, 401, "No token, or an invalid, expired or revoked one")(view)
        view = error(blp, 403, "The token may not do this here")(view)
        documented: View = blp.doc(security=BEARER)(view)
        return documented

    return decorate
