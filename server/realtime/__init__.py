"""Socket.IO: authentication and room joins in the connect handler, then a ``snapshot``.

Clients connect with ``auth: {"token": ..., "site_id": ...}`` (a device or staff token) and join the site's
room, or with ``auth: {"public_code": ...}`` (a citizen's status page) and join the ticket's own room.
There is no replay: a client refetches on every (re)connect, and may ask again with a ``refresh`` event.
"""

from __future__ import annotations

import logging
from typing import Any

from flask import Flask, request
from flask_socketio import ConnectionRefusedError, SocketIO, emit, join_room

from .. import jsonutil
from ..domain.access import DeviceKind
from ..domain.errors import LuotError
from ..extension import luot
from ..services import ratings as rating_service
from ..services.accounts import auth as auth_service
from ..services.queue import views as queries
from .messages import counter_room, public_ticket, site_room, ticket_room

log = logging.getLogger(__name__)

socketio = SocketIO()


def init_app(app: Flask) -> None:
    socketio.init_app(
        app,
        async_mode=app.config["LUOT_ASYNC_MODE"],
        message_queue=app.config["LUOT_MESSAGE_QUEUE"],
        channel=app.config["LUOT_MESSAGE_QUEUE_CHANNEL"],
        json=jsonutil,
        # The kiosk, display and tablets are served by this same server; other origins are refused.
        cors_allowed_origins=app.config.get("LUOT_CORS_ORIGINS"),
        ping_interval=10,
        ping_timeout=10,
    )


def waiting_positions(app: Flask, site_id: int) -> list[dict[str, Any]]:
    """What the status page of every waiting ticket of a site shows now."""
    with app.app_context():
        extension = luot()
        with extension.read() as session:
            return queries.public_positions(session, site_id, extension.now())


def _snapshot_for(auth: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    """Check ``auth``; return the room to join and the snapshot to send, or refuse the connection."""
    extension = luot()
    now = extension.now()
    with extension.read() as session:
        try:
            public_code = auth.get("public_code")
            if isinstance(public_code, str) and public_code:
                ticket = queries.ticket_by_code(session, public_code)
                snap = queries.snapshot(session, ticket.site_id, now)
                info = queries.public_ticket_info(session, ticket, now)
                return ticket_room(public_code), {**jsonutil.to_plain(snap), "ticket": public_ticket(info)}
            principal = auth_service.authenticate(session, auth.get("token"), now)
            if principal.device_kind is DeviceKind.RATING and principal.counter_id is not None:
                # A rating pad listens to its own counter only: what it shows and when to ask.
                pad = rating_service.pad_state(session, principal, now)
                return counter_room(principal.counter_id), jsonutil.to_plain({"seq": 0, **pad})
            site_id = auth.get("site_id")
            if site_id is None and len(principal.site_ids) == 1 and not principal.is_staff:
                (site_id,) = principal.site_ids
            if not isinstance(site_id, int) or isinstance(site_id, bool):
                raise ConnectionRefusedError("auth.site_id is needed", {"code": "site_required"})
            principal.require(principal.can_listen(site_id))
            return site_room(site_id), jsonutil.to_plain(queries.snapshot(session, site_id, now))
        except LuotError as exc:
            # The client's connect_error receives {"message": ..., "data": {"code": ...}}.
            raise ConnectionRefusedError(str(exc), {"code": exc.code}) from exc


# The auth each connection came with, so that ``refresh`` can build its snapshot again.
_auth_by_sid: dict[str, dict[str, Any]] = {}


@socketio.on("connect")
def on_connect(auth: dict[str, Any] | None = None) -> None:
    auth = auth if isinstance(auth, dict) else {}
    room, snap = _snapshot_for(auth)
    join_room(room)
    _auth_by_sid[request.sid] = auth  # type: ignore[attr-defined]
    emit("snapshot", snap)


@socketio.on("refresh")
def on_refresh(_data: Any = None) -> None:
    try:
        _room, snap = _snapshot_for(_auth_by_sid.get(request.sid, {}))  # type: ignore[attr-defined]
    except ConnectionRefusedError as exc:  # the token was revoked meanwhile
        emit("error", exc.error_args)
        return
    emit("snapshot", snap)


@socketio.on("disconnect")
def on_disconnect(*_args: Any) -> None:
    _auth_by_sid.pop(request.sid, None)  # type: ignore[attr-defined]


# Registered at import, before any app's init_app, so that every Socket.IO server (one per app) has it.
from . import agent  # noqa: E402, F401 - the kiosks' print agents' namespace
