"""Rate limits (Flask-Limiter): per token for devices and staff, per IP address on public routes.

- every bearer token (kiosk, display, staff tablet), across all routes: ``token``;
- every IP address without a token, across the public API: ``public``;
- tighter, per IP address: signing in and enrolling a device (``login``), booking, rescheduling and
  cancelling appointments and taking a remote ticket (``booking``), a ticket's or appointment's status
  (``status``).

Over a limit the answer is 429 with API.md's error shape (code ``rate_limited``) and ``Retry-After``.
Counts live in memory on one box; with several server processes they go to Redis: the
``LUOT_RATE_LIMIT_STORAGE`` URL, or else the ``LUOT_MESSAGE_QUEUE`` when it is a Redis URL.
``LUOT_RATE_LIMITS=off`` turns every rate limit off (load tests, benchmarks); per-person ticket and booking
limits are rules of the centre and stay.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import Any

from flask import Flask, request
from flask_limiter import ApplicationLimit, Limit, Limiter

from .access import bearer_token

# Limits in Flask-Limiter's notation; a site may override any of them with ``LUOT_RATE_LIMIT_RULES``.
DEFAULT_RULES = {
    "token": "600 per minute",
    "public": "300 per minute",
    "login": "10 per minute; 60 per hour",
    "booking": "10 per minute; 40 per hour",
    "status": "120 per minute",
}

GROUPS = {
    "login": {"auth.login", "enrolment.enrol"},
    "booking": {"appointments.book", "appointments.reschedule", "appointments.cancel", "remote.take"},
    "status": {
        "public.ticket_status",
        "appointments.appointment",
        "appointments.appointment_ics",
        "kiosk.ticket_status",
        "kiosk.ticket_qr",
        "kiosk.manage",
    },
}


def client_address() -> str:
    """The caller's IP address (behind a reverse proxy, see ``LUOT_PROXY_COUNT``)."""
    return request.remote_addr or "unknown"


def token_key() -> str:
    """A token's rate-limit key: part of its hash, never the token itself."""
    return "token:" + hashlib.sha256((bearer_token() or "").encode()).hexdigest()[:24]


def _is_api() -> bool:
    return request.path.startswith("/api/")


def storage_uri(config: dict[str, Any]) -> str:
    explicit = config.get("LUOT_RATE_LIMIT_STORAGE")
    if explicit:
        return str(explicit)
    queue = config.get("LUOT_MESSAGE_QUEUE") or ""
    if queue.startswith(("redis://", "rediss://")):
        return str(queue)
    return "memory://"


def _outside(endpoints: set[str]) -> Callable[[], bool]:
    return lambda: request.endpoint not in endpoints


def init_app(app: Flask) -> Limiter:
    rules = {**DEFAULT_RULES, **(app.config.get("LUOT_RATE_LIMIT_RULES") or {})}
    group_limits: list[str | Callable[[], str] | Limit] = [
        Limit(
            rules[group],
            key_function=client_address,
            scope=group,
            shared=True,
            exempt_when=_outside(endpoints),
        )
        for group, endpoints in GROUPS.items()
    ]
    limiter = Limiter(
        client_address,
        default_limits=group_limits,
        application_limits=[
            ApplicationLimit(
                rules["token"],
                key_function=token_key,
                scope="token",
                exempt_when=lambda: not (_is_api() and bearer_token()),
            ),
            ApplicationLimit(
                rules["public"],
                key_function=client_address,
                scope="public",
                exempt_when=lambda: not _is_api() or bearer_token() is not None,
            ),
        ],
        storage_uri=storage_uri(app.config),
        key_prefix=app.config.get("LUOT_RATE_LIMIT_PREFIX", "luot"),
        headers_enabled=True,
        strategy="moving-window",
        enabled=bool(app.config["LUOT_RATE_LIMITS"]),
    )
    limiter.init_app(app)
    app.extensions["luot.limiter"] = limiter
    return limiter
