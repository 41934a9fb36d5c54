"""The floors: the least a server on the same stack could do for the same request.

``python -m bench.floor issue --port P`` — a bare Flask route that advances the same (site, service, day)
counter row with the same ``INSERT … ON CONFLICT … RETURNING`` and inserts the ticket row, in one
transaction, on the same engine settings and schema; nothing else (no auth, no validation, no events).

``python -m bench.floor broadcast --port P`` — a bare Flask-SocketIO server in the same async mode:
clients join a site room in the connect handler; ``POST /call/<site_id>`` emits ``ticket.called`` to that
room from the request. Both are served as ``luot serve`` serves: gunicorn, one worker, gthread or gevent.
"""

from __future__ import annotations

import os
import sys

if __name__ == "__main__" and os.environ.get("LUOT_ASYNC_MODE") == "gevent" and "broadcast" in sys.argv:
    from gevent import monkey  # as luot serve does: first thing, before Flask and its friends

    monkey.patch_all()

import argparse
import secrets
from datetime import UTC, datetime
from typing import Any

from flask import Flask, jsonify, request


def issue_app(database_url: str) -> Flask:
    from server.db.engine import Database
    from server.db.models import Ticket
    from server.db.queries import next_sequence

    app = Flask(__name__)
    database = Database(database_url)

    @app.get("/health")
    def health() -> Any:
        return {"status": "ok"}

    @app.post("/sites/<int:site_id>/tickets")
    def issue(site_id: int) -> Any:
        service_id = int(request.get_json()["service_id"])
        now = datetime.now(UTC)
        day = now.date()
        with database.turns.turn(), database.write_session() as session:  # as Lượt's unit of work
            sequence = next_sequence(session, site_id, service_id, day, 1)
            ticket = Ticket(
                site_id=site_id,
                service_id=service_id,
                issued_service_id=service_id,
                day=day,
                sequence=sequence,
                number=f"A{sequence:04d}",
                public_code=secrets.token_urlsafe(12),
                issued_at=now,
                waiting_since=now,
            )
            session.add(ticket)
            session.commit()
            return jsonify(id=ticket.id, number=ticket.number), 201

    return app


def broadcast_app(async_mode: str) -> tuple[Flask, Any]:
    from flask_socketio import SocketIO, emit, join_room

    app = Flask(__name__)
    socketio = SocketIO(app, async_mode=async_mode, ping_interval=10, ping_timeout=10)
    seq = {"n": 0}

    @app.get("/health")
    def health() -> Any:
        return {"status": "ok"}

    @socketio.on("connect")
    def connect(auth: dict[str, Any] | None = None) -> None:
        join_room(f"site:{(auth or {}).get('site_id')}")
        emit("snapshot", {"seq": seq["n"]})

    @app.post("/call/<int:site_id>")
    def call(site_id: int) -> Any:
        seq["n"] += 1
        payload = {
            "seq": seq["n"],
            "site_id": site_id,
            "ticket": {"id": seq["n"], "number": "A0001", "service_id": 1},
            "counter": {"id": 1, "number": 1, "name": "Quầy 1"},
            "called_at": datetime.now(UTC).isoformat(),
            "recall": False,
        }
        socketio.emit("ticket.called", payload, to=f"site:{site_id}")
        return {"ticket": payload["ticket"]}

    return app, socketio


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("kind", choices=["issue", "broadcast"])
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args()
    mode = os.environ.get("LUOT_ASYNC_MODE", "threading")
    if args.kind == "issue":
        app = issue_app(os.environ["LUOT_DATABASE_URL"])
    else:
        app, _socketio = broadcast_app(mode)
    _gunicorn(app, args.port, mode)


def _gunicorn(app: Flask, port: int, mode: str) -> None:
    """Serve as ``luot serve`` serves (server/cli/wsgi.py): gunicorn, one worker, its gthread worker with
    the same threads for threading and its gevent worker for gevent."""
    from gunicorn.app.base import BaseApplication

    from server.cli.wsgi import DEFAULT_CONNECTIONS, HTTP_THREADS

    connections = DEFAULT_CONNECTIONS[mode]
    options: dict[str, object] = {
        "bind": [f"127.0.0.1:{port}"],
        "workers": 1,
        "keepalive": 5,
        "loglevel": "warning",
        "control_socket_disable": True,
    }
    if mode == "gevent":
        options.update(worker_class="gevent", worker_connections=connections)
    else:
        options.update(
            worker_class="gthread",
            threads=connections + HTTP_THREADS,
            worker_connections=connections * 2 + HTTP_THREADS,
        )

    class Floor(BaseApplication):  # type: ignore[misc]
        def load_config(self) -> None:
            for key, value in options.items():
                self.cfg.set(key, value)

        def load(self) -> Flask:
            return app

    Floor().run()


if __name__ == "__main__":
    main()
