"""One mapping from errors to API.md's JSON shape: ``{"error": {"code": ..., "message": ...}}``.

Every response under ``/api/`` uses it, unknown routes and methods included (``OPTIONS`` too: a 405);
pages outside ``/api/`` keep HTML errors. Messages are translated into the request's language
(Vietnamese unless asked otherwise).
"""

from __future__ import annotations

import logging
from typing import Any

from flask import Flask, Response, jsonify, request
from flask_babel import gettext
from flask_limiter import RateLimitExceeded
from flask_smorest import Api
from werkzeug.exceptions import HTTPException

from ..domain import errors
from ..domain.errors import N_
from .schemas import ErrorSchema

log = logging.getLogger(__name__)

STATUS = {
    errors.BadRequest: 400,
    errors.Unauthorized: 401,
    errors.Forbidden: 403,
    errors.NotFound: 404,
    errors.Conflict: 409,
    errors.InvalidValue: 422,
    errors.LimitReached: 429,
    errors.Gone: 410,
}

HTTP_CODES = {
    400: "malformed_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    406: "not_acceptable",
    409: "conflict",
    410: "gone",
    413: "request_too_large",
    415: "unsupported_media_type",
    422: "invalid_value",
    429: "limit_reached",
    500: "internal_error",
}

HTTP_MESSAGES = {
    400: N_("The request is malformed."),
    401: N_("Sign in first."),
    403: N_("You are not allowed to do this here."),
    404: N_("There is nothing here."),
    405: N_("This method is not allowed here."),
    413: N_("The request is too large."),
    415: N_("Send JSON with the Content-Type application/json."),
    422: N_("Some values are not valid."),
    429: N_("Too many requests; please wait a moment."),
    500: N_("Something went wrong on the server; the problem has been logged."),
}


def error_response(status: int, code: str, message: str, details: Any = None) -> Response:
    body: dict[str, Any] = {"code": code, "message": message}
    if details:
        body["details"] = details
    response = jsonify({"error": body})
    response.status_code = status
    return response


def _status_of(exc: errors.LuotError) -> int:
    for cls in type(exc).__mro__:
        if cls in STATUS:
            return STATUS[cls]
    return 400


def handle_luot_error(exc: errors.LuotError) -> Response:
    response = error_response(_status_of(exc), exc.code, gettext(exc.message, **exc.params))
    if isinstance(exc, errors.LimitReached) and isinstance(exc.params.get("seconds"), int):
        response.headers["Retry-After"] = str(exc.params["seconds"])
    return response


def _is_api() -> bool:
    return request.path == "/api" or request.path.startswith("/api/")


class LuotApi(Api):  # type: ignore[misc]
    """flask-smorest's Api with Lượt's error shape, documenting its blueprints when the OpenAPI document is
    first read rather than when the app starts: building the document is most of an app's start-up, and
    only ``/api/v1/openapi.json`` (and the contract tests) read it."""

    ERROR_SCHEMA = ErrorSchema

    _spec: Any  # both set by the setter below, which Api.__init__ and init_app call
    _undocumented: list[tuple[Any, str, Any]]

    @property
    def spec(self) -> Any:
        pending, self._undocumented = self._undocumented, []
        for blp, name, parameters in pending:
            blp.register_views_in_doc(self, self._app, self._spec, name=name, parameters=parameters)
            self._spec.tag({"name": name, "description": blp.description})
        return self._spec

    @spec.setter
    def spec(self, value: Any) -> None:  # a new app's document (init_app)
        self._spec, self._undocumented = value, []

    def register_blueprint(self, blp: Any, *, parameters: Any = None, **options: Any) -> None:
        """Register ``blp`` in the app now, in the document when it is read (as ``Api.register_blueprint``
        does both at once)."""
        name = options.get("name", blp.name)
        self._app.extensions["flask-smorest"]["blp_name_to_api"][name] = self
        self._app.register_blueprint(blp, **options)
        self._undocumented.append((blp, name, parameters))

    def handle_http_exception(self, error: HTTPException) -> Any:
        if not _is_api():
            return error
        status = error.code or 500
        data = getattr(error, "data", None) or {}
        details = data.get("messages") or data.get("errors")
        if status == 422 and details:
            details = _flatten_locations(details)
        message = data.get("message") or HTTP_MESSAGES.get(status) or error.description or error.name
        code = HTTP_CODES.get(status, "error")
        if status == 400 and details:
            code = "malformed_json"
            message = N_("The body is not valid JSON.")
        if isinstance(error, RateLimitExceeded):
            code, message, details = "rate_limited", HTTP_MESSAGES[429], None
        response = error_response(status, code, gettext(message), details)
        for name, value in (data.get("headers") or {}).items():
            response.headers[name] = value
        if isinstance(error, HTTPException) and status == 405 and error.response is None:
            allowed = getattr(error, "valid_methods", None)
            if allowed:
                response.headers["Allow"] = ", ".join(allowed)
        return response


def _flatten_locations(details: Any) -> Any:
    """webargs nests messages under their location ({"json": {...}}): keep only the fields."""
    if isinstance(details, dict) and len(details) == 1:
        (location,) = details
        if location in ("json", "query", "form", "view_args"):
            return details[location]
    return details


def refuse_options() -> Response | None:
    """``OPTIONS`` under ``/api/``: Flask would answer an empty HTML page; the API serves no cross-origin
    callers (its pages are same-origin), so the answer is API.md's 405 with the route's ``Allow`` list."""
    if request.method != "OPTIONS" or not _is_api() or request.url_rule is None:
        return None  # an unknown route is the router's 404, in the same shape
    response = error_response(405, "method_not_allowed", gettext(HTTP_MESSAGES[405]))
    allowed = sorted((request.url_rule.methods or set()) - {"OPTIONS"})
    response.headers["Allow"] = ", ".join(allowed)
    return response


def init_app(app: Flask) -> None:
    app.register_error_handler(errors.LuotError, handle_luot_error)
    app.before_request(refuse_options)

    @app.errorhandler(Exception)
    def _unexpected(exc: Exception) -> Any:
        if isinstance(exc, HTTPException):
            return exc
        log.exception("unhandled error on %s %s", request.method, request.path)
        if _is_api():
            return error_response(500, "internal_error", gettext(HTTP_MESSAGES[500]))
        return Response(gettext(HTTP_MESSAGES[500]), status=500, mimetype="text/plain")
