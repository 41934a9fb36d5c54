"""Province scale: several ``luot serve`` processes on one PostgreSQL database and one Redis message queue.

A display connected to one process sees what a clerk does through another, in order, with one ``seq``.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from pathlib import Path

import pytest
import requests
from flask import Flask
from socketio import PubSubManager

from server.realtime import socketio
from tests.conftest import World
from tests.realtime_client import Listener
from tests.servers import ServerProcess

pytestmark = pytest.mark.postgres


def test_a_call_made_on_one_process_reaches_a_display_connected_to_another(
    make_app: Callable[..., Flask],
    postgres_url: str,
    redis_url: str,
    servers: list[ServerProcess],
    tmp_path: Path,
) -> None:
    world = World(make_app(postgres_url))
    kiosk, clerk = world.device("kiosk"), world.staff("clerk")
    display_token = world.device_token("display")
    site_id = world.site("CB")["id"]
    service_id = world.service("CB", "HT")["id"]
    counter_id = world.counter_id("CB", "Q1")
    env = {
        "LUOT_DATABASE_URL": postgres_url,
        "LUOT_INSTANCE_PATH": str(tmp_path / "instance"),
        "LUOT_MESSAGE_QUEUE": redis_url,
        "LUOT_MESSAGE_QUEUE_CHANNEL": f"luot-test-{uuid.uuid4().hex}",  # parallel runs never cross
        "LUOT_SCHEDULER": "off",
    }
    a = ServerProcess(env, log=tmp_path / "a.log")
    b = ServerProcess(env, log=tmp_path / "b.log")
    servers.extend([a, b])
    a.start(), b.start()

    display = Listener(b.url, {"token": display_token, "site_id": site_id})
    try:
        snapshot = display.next("snapshot")
        issued = requests.post(
            f"{a.url}/api/v1/sites/{site_id}/tickets",
            json={"service_id": service_id},
            headers=kiosk,
            timeout=5,
        )
        assert issued.status_code == 201, issued.text
        assert requests.post(f"{a.url}/api/v1/counters/{counter_id}/open", headers=clerk, timeout=5).ok
        called = requests.post(f"{a.url}/api/v1/counters/{counter_id}/call-next", headers=clerk, timeout=5)
        assert called.status_code == 200, called.text

        event = display.next("ticket.called", timeout=10)
        assert event["ticket"]["number"] == issued.json()["number"]
        assert event["counter"]["id"] == counter_id
        # Every event of the site went through Redis to process B, none missing, in order.
        seqs = [data["seq"] for _name, data in display.settle(0.5) if _name != "snapshot"]
        assert seqs == list(range(snapshot["seq"] + 1, snapshot["seq"] + 1 + len(seqs)))
        assert seqs[-1] >= event["seq"]
    finally:
        display.close()


def test_a_display_on_the_calling_process_hears_the_call_once(
    make_app: Callable[..., Flask],
    postgres_url: str,
    redis_url: str,
    servers: list[ServerProcess],
    tmp_path: Path,
) -> None:
    """Through Redis, the calling process's own clients still get each event exactly once."""
    world = World(make_app(postgres_url))
    kiosk, clerk = world.device("kiosk"), world.staff("clerk")
    site_id = world.site("CB")["id"]
    counter_id = world.counter_id("CB", "Q1")
    env = {
        "LUOT_DATABASE_URL": postgres_url,
        "LUOT_INSTANCE_PATH": str(tmp_path / "instance"),
        "LUOT_MESSAGE_QUEUE": redis_url,
        "LUOT_MESSAGE_QUEUE_CHANNEL": f"luot-test-{uuid.uuid4().hex}",
        "LUOT_SCHEDULER": "off",
    }
    a, b = ServerProcess(env), ServerProcess(env)
    servers.extend([a, b])
    a.start(), b.start()
    on_a = Listener(a.url, {"token": world.device_token("display"), "site_id": site_id})
    on_b = Listener(b.url, {"token": world.device_token("display"), "site_id": site_id})
    try:
        on_a.next("snapshot"), on_b.next("snapshot")
        world.issue(kiosk)
        requests.post(f"{a.url}/api/v1/counters/{counter_id}/open", headers=clerk, timeout=5)
        requests.post(f"{a.url}/api/v1/counters/{counter_id}/call-next", headers=clerk, timeout=5)
        on_a.next("ticket.called", timeout=10), on_b.next("ticket.called", timeout=10)
        for listener in (on_a, on_b):
            calls = [data for name, data in listener.settle(0.5) if name == "ticket.called"]
            assert len(calls) == 1
    finally:
        on_a.close(), on_b.close()


def test_an_app_without_a_message_queue_keeps_its_rooms_to_itself_after_an_app_with_one(
    make_app: Callable[..., Flask], postgres_url: str, redis_url: str
) -> None:
    """Socket.IO's module-level object keeps the options of its last ``init_app``: the Redis manager of
    an app closed before (with its listening thread) must not become the next app's."""
    shared = World(
        make_app(
            postgres_url,
            LUOT_MESSAGE_QUEUE=redis_url,
            LUOT_MESSAGE_QUEUE_CHANNEL=f"luot-test-{uuid.uuid4().hex}",
        )
    )
    shared.issue(shared.device("kiosk"))  # published through Redis: its manager is started
    with_queue = socketio.server.manager
    assert isinstance(with_queue, PubSubManager)
    shared.app.extensions["luot"].close()

    alone = World(make_app(postgres_url))
    alone.issue(alone.device("kiosk"))
    assert socketio.server.manager is not with_queue
    assert not isinstance(socketio.server.manager, PubSubManager)
