"""The kiosk print agent against a live server, with a real TCP printer behind it: each ticket prints
once, and a ticket issued while the agent was away prints when it comes back."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
import socketio
from flask import Flask

from printers.agent import KioskAgent
from tests.conftest import World
from tests.integration.test_printing import FAST_RETRIES, device_id, jobs_of
from tests.printer_server import PrinterServer
from tests.realtime_client import disconnect


@pytest.fixture
def app(make_app: Callable[..., Flask], sqlite_url: str) -> Flask:
    return make_app(sqlite_url, **FAST_RETRIES)


def agent_for(url: str, token: str, printer: str) -> KioskAgent:
    return KioskAgent(url, token, printer, timeout_s=1, retry_base_s=0.05, retry_cap_s=0.2).start()


def test_the_agent_prints_each_ticket_once_and_catches_up_after_being_away(
    world: World, live_server: Any, listen: Any
) -> None:
    printer = PrinterServer().start()
    kiosk = world.device("kiosk", printer="agent://")
    token = kiosk["Authorization"].split()[1]
    kiosk_id = device_id(world, kiosk)
    site_id = world.site("CB")["id"]
    watcher = listen({"token": world.device_token("display"), "site_id": site_id})
    agent = agent_for(live_server.url, token, printer.uri)
    try:
        connected = watcher.next("printer.status", timeout=30)
        assert (connected["device_id"], connected["printer"], connected["status"]) == (
            kiosk_id,
            "agent://",
            "ok",
        )
        first = world.issue(kiosk)
        assert first["print"] == {"status": "queued", "printer_status": "ok"}
        (received,) = printer.wait_for(1)
        assert received.starts_with_init and received.cut_after_image
        assert watcher.next("print.updated", timeout=30)["ticket_id"] == first["id"]

        agent.stop()
        assert watcher.next("printer.status", timeout=30)["status"] == "offline"
        second = world.issue(kiosk)
        assert second["print"] == {
            "status": "queued",
            "printer_status": "offline",
        }  # no agent: the kiosk says so
        assert [job.status for job in jobs_of(world, second["id"])] == ["queued"]

        agent = agent_for(live_server.url, token, printer.uri)
        printed = watcher.next("print.updated", timeout=30)
        assert printed["ticket_id"] == second["id"] and printed["status"] == "printed"
        tickets = printer.wait_for(2)
    finally:
        agent.stop()
        printer.stop()

    assert len(tickets) == 2  # the first ticket was not printed again when the agent came back
    assert [job.status for job in jobs_of(world, first["id"])] == ["printed"]
    assert [job.attempts for job in jobs_of(world, second["id"])] == [0]  # the server never tried it itself


def test_only_a_kiosks_token_may_run_a_print_agent(world: World, live_server: Any) -> None:
    for token in (world.device_token("display"), "not-a-token"):
        client = socketio.Client(reconnection=False)
        with pytest.raises(socketio.exceptions.ConnectionError):
            client.connect(
                live_server.url,
                auth={"token": token},
                namespaces=["/agent"],
                transports=["websocket"],
                wait_timeout=5,
            )
        disconnect(client)
