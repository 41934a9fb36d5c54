"""HTTP API v1 under ``/api/v1``: blueprints that parse, call a use case and serialise."""

from __future__ import annotations

from typing import Any

from flask import Flask
from werkzeug.routing import BaseConverter, ValidationError

from .access import authenticate_secured_routes
from .body import refuse_deep_json
from .errors import LuotApi
from .errors import init_app as init_errors
from .fields import MAX_ID

api = LuotApi()


class IdConverter(BaseConverter):
    """A record id in a path: 1 to 2³¹−1; anything else is not a route (404), never a database error."""

    regex = r"[1-9][0-9]{0,9}"

    def to_python(self, value: str) -> int:
        number = int(value)
        if number > MAX_ID:
            raise ValidationError()
        return number

    def to_url(self, value: Any) -> str:
        return str(int(value))


def init_app(app: Flask) -> None:
    from . import (
        appointments,
        audit,
        auth,
        display,
        enrolment,
        kiosk_agent,
        limits,
        login_throttle,
        messages,
        printers,
        public,
        ratings,
        remote,
        settings,
        site_boxes,
        staff,
        staff_admin,
        stats,
        tickets,
    )

    app.url_map.converters["id"] = IdConverter
    app.config.update(
        API_TITLE="Lượt API",
        API_VERSION="v1",
        OPENAPI_VERSION="3.0.3",
        OPENAPI_URL_PREFIX="/api/v1",
        OPENAPI_JSON_PATH="openapi.json",
    )
    api.init_app(
        app, spec_kwargs={"info": {"description": "Queue and appointment system — API v1 (see API.md)"}}
    )
    api.register_converter(
        IdConverter, lambda _converter: {"type": "integer", "minimum": 1, "maximum": MAX_ID}
    )
    api.spec.components.security_scheme("bearerAuth", {"type": "http", "scheme": "bearer"})
    modules = (
        public,
        auth,
        tickets,
        enrolment,
        appointments,
        display,
        staff,
        printers,
        audit,
        stats,
        settings,
        messages,
        ratings,
        remote,
        site_boxes,
        kiosk_agent,
        staff_admin,
    )
    for module in modules:
        api.register_blueprint(module.blp, url_prefix="/api/v1")
    init_errors(app)
    app.before_request(authenticate_secured_routes)  # no valid token: 401 whatever the body holds
    app.before_request(refuse_deep_json)
    limits.init_app(app)
    login_throttle.init_app(app)
