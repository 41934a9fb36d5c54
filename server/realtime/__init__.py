"""Socket.IO: authentication and room joins in the connect handler, then a ``snapshot``.

Clients connect with ``auth: {"token": ..., "site_id": ...}`` (a device or staff token) and join the site's
room, or with ``auth: {"public_code": ...}`` (a citizen's status page) and join the ticket's own room.
There is no replay: a client refetches on every (re)connect, and may ask again with a ``refresh`` event.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

from flask import Flask, current_app, request
from flask_babel import gettext
from flask_socketio import ConnectionRefusedError, SocketIO, emit, join_room
from socketio import Manager, RedisManager

from .. import jsonutil
from ..domain.access import DeviceKind
from ..domain.errors import LuotError
from ..domain.events import Event
from ..extension import luot
from ..services import ratings as rating_service
from ..services.accounts import auth as auth_service
from ..services.queue import views as queries
from .flow import FlowControl, FlowSettings
from .gate import RoomGate
from .handshake import Auth, parse_auth
from .messages import counter_room, public_snapshot, public_ticket, site_room, site_snapshot, ticket_room
from .sessions import Sessions, token_room

log = logging.getLogger(__name__)

socketio = SocketIO()


def init_app(app: Flask) -> None:
    socketio.init_app(
        app,
        async_mode=app.config["LUOT_ASYNC_MODE"],
        client_manager=_client_manager(
            app.config["LUOT_MESSAGE_QUEUE"], app.config["LUOT_MESSAGE_QUEUE_CHANNEL"]
        ),
        json=jsonutil,
        # The kiosk, display and tablets are served by this same server; other origins are refused.
        cors_allowed_origins=app.config.get("LUOT_CORS_ORIGINS"),
        ping_interval=10,
        ping_timeout=10,
        # Each connection's messages are handled on its own reader thread, one at a time (flow.py).
        async_handlers=False,
    )
    app.extensions["luot.socket_flow"] = FlowControl(socketio.server, FlowSettings.from_config(app.config))
    app.extensions["luot.socket_sessions"] = Sessions(socketio.server)
    app.extensions["luot.room_gate"] = RoomGate()


def _client_manager(message_queue: str | None, channel: str) -> Manager:
    """This app's own rooms: in memory, or shared through Redis. Always given to ``init_app``: the
    ``socketio`` object keeps the options of its last ``init_app``, and would otherwise hand the Redis
    manager of an app already closed (its listening thread with it) to the next app of the process."""
    if message_queue is None:
        return Manager()
    return RedisManager(message_queue, channel=channel)


def _gate() -> RoomGate:
    gate: RoomGate = current_app.extensions["luot.room_gate"]
    return gate


def _flow() -> FlowControl:
    flow: FlowControl = current_app.extensions["luot.socket_flow"]
    return flow


class FollowUpReader:
    """The publisher's reader of what follows a change of a site's queue: its outlook, and what its
    waiting tickets' status pages show now (:class:`~server.services.queue.views.FollowUps`)."""

    def __init__(self, app: Flask) -> None:
        self._app = app
        self._follow_ups = queries.FollowUps()

    def note(self, events: Sequence[Event]) -> None:
        self._follow_ups.note(events)

    def read(self, site_id: int, positions: bool) -> queries.FollowUp:
        with self._app.app_context():
            extension = luot()
            with extension.read() as session:
                return self._follow_ups.read(session, site_id, extension.now(), positions=positions)


def _refuse(exc: LuotError) -> ConnectionRefusedError:
    # The client's connect_error receives {"message": ..., "data": {"code": ...}}, the message in the
    # client's language as over HTTP.
    return ConnectionRefusedError(gettext(exc.message, **exc.params), {"code": exc.code})


def _snapshot_for(auth: Auth) -> tuple[str, dict[str, Any], int | None, int | None]:
    """Check ``auth``; return the room to join, the snapshot to send, the token's id and the device's (for
    a device's token), or refuse."""
    extension = luot()
    now = extension.now()
    with extension.read() as session:
        try:
            if auth.public_code is not None:
                ticket = queries.ticket_by_code(session, auth.public_code)
                snap = queries.snapshot(session, ticket.site_id, now)
                info = queries.public_ticket_info(session, ticket, now)
                public = {**public_snapshot(snap), "ticket": public_ticket(info)}
                return ticket_room(auth.public_code), public, None, None
            principal = auth_service.authenticate(session, auth.token, now)
            if principal.device_kind is DeviceKind.RATING and principal.counter_id is not None:
                # A rating pad listens to its own counter only: what it shows and when to ask.
                pad = rating_service.pad_state(session, principal, now)
                return (
                    counter_room(principal.counter_id),
                    jsonutil.to_plain({"seq": 0, **pad}),
                    principal.token_id,
                    principal.device_id,
                )
            site_id = auth.site_id
            if site_id is None and len(principal.site_ids) == 1 and not principal.is_staff:
                (site_id,) = principal.site_ids
            if site_id is None:
                raise ConnectionRefusedError("auth.site_id is needed", {"code": "site_required"})
            principal.require(principal.can_listen(site_id))
            snap = queries.snapshot(session, site_id, now, outlook=True)
            return site_room(site_id), site_snapshot(snap), principal.token_id, principal.device_id
        except LuotError as exc:
            raise _refuse(exc) from exc


# The auth each connection came with, so that ``refresh`` can build its snapshot again.
_auth_by_sid: dict[str, Auth] = {}
# The device behind each connection made with a device's token: online while it lasts (presence.py).
_device_by_sid: dict[str, int] = {}


@socketio.on("connect")
def on_connect(auth: Any = None) -> None:
    sid: str = request.sid  # type: ignore[attr-defined]
    gate = _gate()
    with gate.lock:  # the publisher emits nothing from reading the snapshot to sending it (gate.py)
        try:
            checked = parse_auth(auth)
            room, snap, token_id, device_id = _snapshot_for(checked)
        except LuotError as exc:
            raise _refuse(exc) from exc
        except ConnectionRefusedError:
            raise
        except Exception as exc:  # never leave a client without an answer
            log.exception("could not accept a Socket.IO connection")
            raise ConnectionRefusedError("The server could not answer.", {"code": "internal_error"}) from exc
        join_room(room)
        gate.admit(room, sid, snap)
        if token_id is not None:
            join_room(token_room(token_id))  # closed at once when the token is revoked (sessions.py)
        _auth_by_sid[sid] = checked
        flow = _flow()
        flow.watch(socketio.server.manager.eio_sid_from_sid(sid, "/"))
        flow.pacer.sent(sid)
        emit("snapshot", snap)
    if device_id is not None:  # its presence is a database write: after the snapshot has gone
        extension = luot()
        _device_by_sid[sid] = device_id
        extension.presence.connected(extension.uow, device_id, extension.now())


@socketio.on("refresh")
def on_refresh(_data: Any = None) -> None:
    """A new snapshot: at once, or coalesced with the others of the interval (flow.py)."""
    sid: str = request.sid  # type: ignore[attr-defined]
    app = current_app._get_current_object()  # type: ignore[attr-defined]

    gate = _gate()

    def send() -> None:
        with app.app_context(), gate.lock:
            try:
                room, snap, _token, _device = _snapshot_for(_auth_by_sid.get(sid, Auth()))
            except ConnectionRefusedError as exc:  # the token was revoked meanwhile
                socketio.emit("error", exc.error_args, to=sid)
                return
            if sid in _auth_by_sid:
                gate.admit(room, sid, snap)
                socketio.emit("snapshot", snap, to=sid)

    _flow().pacer.request(sid, send)


@socketio.on("disconnect")
def on_disconnect(*_args: Any) -> None:
    sid: str = request.sid  # type: ignore[attr-defined]
    _auth_by_sid.pop(sid, None)
    _flow().pacer.forget(sid)
    _gate().forget(sid)
    device_id = _device_by_sid.pop(sid, None)
    if device_id is not None:
        # When it left, written on a thread of its own: a revocation closes the socket from inside the
        # revoking transaction's commit, which a write here would wait for.
        extension = luot()
        extension.presence.disconnected(device_id)
        socketio.start_background_task(
            extension.presence.seen, extension.uow, device_id, extension.now(), force=True
        )


# Registered at import, before any app's init_app, so that every Socket.IO server (one per app) has it.
from . import agent  # noqa: E402, F401 - the kiosks' print agents' namespace
