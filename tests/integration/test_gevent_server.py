"""``luot serve`` with ``LUOT_ASYNC_MODE=gevent``, a real process on SQLite and on PostgreSQL: the
concurrency checks of test_concurrency.py (no number twice, none lost, no ticket called twice) sent over
HTTP from real threads, Socket.IO over a real websocket, and a SQLite write waiting for another process's
lock without stopping the rest of the server."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import requests
from flask import Flask

from tests.conftest import World
from tests.integration.test_concurrency import (
    check_counters_never_call_the_same_ticket,
    check_kiosks_get_distinct_numbers,
    eight_counters,
)
from tests.realtime_client import Listener, disconnect
from tests.servers import ServerProcess


class HttpAnswer:
    def __init__(self, response: requests.Response) -> None:
        self.status_code = response.status_code
        self._response = response

    @property
    def json(self) -> Any:
        return self._response.json() if self._response.content else None


class HttpClient:
    """What the checks ask of a client (``post``), over HTTP to a real server, one keep-alive connection."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.session = requests.Session()

    def post(self, path: str, *, json: Any = None, headers: Any = None) -> HttpAnswer:
        return HttpAnswer(self.session.post(self.url + path, json=json, headers=headers, timeout=60))


def gevent_server(database_url: str, tmp_path: Path, servers: list[ServerProcess]) -> ServerProcess:
    env = {
        "LUOT_ASYNC_MODE": "gevent",
        "LUOT_DATABASE_URL": database_url,
        "LUOT_INSTANCE_PATH": str(tmp_path / "instance"),  # the tests' app's: the same secret
        "LUOT_ENV": "test",
        "LUOT_SECRET_KEY": "test-secret",
        "LUOT_SCHEDULER": "off",
    }
    server = ServerProcess(env, log=tmp_path / "serve.log")
    servers.append(server.start())
    return server


def test_kiosks_at_once_get_distinct_numbers_from_a_gevent_server(
    make_app: Callable[..., Flask], database_url: str, tmp_path: Path, servers: list[ServerProcess]
) -> None:
    world = World(make_app(database_url))
    server = gevent_server(database_url, tmp_path, servers)
    check_kiosks_get_distinct_numbers(world, lambda: HttpClient(server.url), kiosks=8, each=10)
    if database_url.startswith("sqlite"):
        _a_write_waiting_for_another_process_stops_nothing_else(world, server, database_url)


def _a_write_waiting_for_another_process_stops_nothing_else(
    world: World, server: ServerProcess, database_url: str
) -> None:
    """Another process holds SQLite's write lock (a ``luot`` command, say): a kiosk's ticket waits for it,
    and meanwhile the server goes on answering; the ticket is issued once the lock is released."""
    kiosk = world.device("kiosk")
    site, service = world.site("CB")["id"], world.service("CB", "HT")["id"]
    other = sqlite3.connect(database_url.removeprefix("sqlite:///"), isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    answers: list[requests.Response] = []
    issuing = threading.Thread(
        target=lambda: answers.append(
            requests.post(
                f"{server.url}/api/v1/sites/{site}/tickets",
                json={"service_id": service},
                headers=kiosk,
                timeout=60,
            )
        )
    )
    try:
        issuing.start()
        for _ in range(10):  # the kiosk's write waits in SQLite's busy handler meanwhile
            assert requests.get(f"{server.url}/api/v1/sites", timeout=10).status_code == 200
        assert issuing.is_alive() and not answers  # still waiting for the lock: nothing was written
    finally:
        other.execute("ROLLBACK")
        other.close()
        issuing.join(timeout=60)
    assert [answer.status_code for answer in answers] == [201]


def test_counters_at_once_never_call_the_same_ticket_on_a_gevent_server(
    make_app: Callable[..., Flask], database_url: str, tmp_path: Path, servers: list[ServerProcess]
) -> None:
    world = World(make_app(database_url, eight_counters()))
    server = gevent_server(database_url, tmp_path, servers)
    site_id = world.site("CB")["id"]
    display = Listener(server.url, {"token": world.device_token("display"), "site_id": site_id})
    try:
        display.next("snapshot")
        check_counters_never_call_the_same_ticket(world, lambda: HttpClient(server.url))
        called = {display.next("ticket.called", timeout=20)["ticket"]["id"] for _ in range(6)}
        assert len(called) == 6  # each call reached the display, over its websocket
    finally:
        disconnect(display.client)
