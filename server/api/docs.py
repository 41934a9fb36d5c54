"""How routes document their answers in the OpenAPI document (errors always with the error schema)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from flask_smorest import Blueprint

from .schemas import ErrorSchema

View = TypeVar("View", bound=Callable[..., Any])

BEARER = [{"bearerAuth": []}]


def error(blp: Blueprint, status: int, description: str) -> Callable[[View], View]:
    """Document an error answer of a route, with API.md's error shape."""
    decorator: Callable[[View], View] = blp.alt_response(status, schema=ErrorSchema, description=description)
    return decorator


def secured(blp: Blueprint) -> Callable[[View], View]:
    """Document that a route needs a bearer token, and its 401 and 403 answers."""

    def decorate(view: View) -> View:
        view = error(blp, 401, "No token, or an invalid, expired or revoked one")(view)
        view = error(blp, 403, "The token may not do this here")(view)
        documented: View = blp.doc(security=BEARER)(view)
        return documented

    return decorate
