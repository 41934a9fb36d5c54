"""The JSON body of a request, checked once before any route reads it: a body nested deeper than
:data:`server.jsonutil.MAX_DEPTH` is a 400 ``malformed_json`` on every route, before a parser recurses into
it (webargs and ``request.get_json`` both parse with the standard library, which recurses per level)."""

from __future__ import annotations

from flask import request

from ..domain.errors import N_, BadRequest
from ..jsonutil import nested_too_deep


def refuse_deep_json() -> None:
    """Before every request under ``/api/`` that carries a JSON body."""
    if not request.path.startswith("/api/") or not request.is_json:
        return
    if nested_too_deep(request.get_data(cache=True)):
        raise BadRequest(N_("The body is nested too deeply."), code="malformed_json")
