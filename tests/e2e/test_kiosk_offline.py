"""The kiosk page served by the kiosk's agent, in a real Chromium, through an outage of the server: a
small "working offline" mark instead of the outage screen, a ticket issued and printed from the lease, and
the server has it once it is back (docs/kiosk-offline.md)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from flask import Flask

from server.db.models import Ticket
from tests.e2e.conftest import open_kiosk, screenshot
from tests.kiosk_world import AgentProcess, KioskSite
from tests.printer_server import PrinterServer
from tests.servers import ServerProcess
from tests.waiting import wait_until


def test_the_kiosk_page_served_by_its_agent_issues_through_an_outage(
    make_app: Callable[..., Flask],
    sqlite_url: str,
    servers: list[ServerProcess],
    tmp_path: Path,
    new_page: Any,
) -> None:
    cb = KioskSite.of(make_app(sqlite_url), sqlite_url, tmp_path / "instance")
    world, token, service_id, env = cb.world, cb.token, cb.service_id, cb.env
    server = ServerProcess(env, log=tmp_path / "serve.log")
    servers.append(server.start())
    printer = PrinterServer().start()
    agent = AgentProcess(server.url, token, printer.uri, tmp_path / "journal.sqlite3", tmp_path / "agent.log")
    try:
        agent.start()
        wait_until(lambda: (agent.status() or {}).get("can_issue"), "the agent holds a lease")
        page = open_kiosk(new_page, agent.url, token)
        assert page.is_hidden("#offline-mark") and page.is_hidden("#overlay-unreachable")

        server.kill()
        page.wait_for_selector("#offline-mark:not([hidden])")
        assert page.is_hidden("#overlay-unreachable")  # nothing alarming for the citizen
        assert "Đang làm việc ngoại tuyến" in page.inner_text("#offline-mark")
        page.click(f".tile[data-service-id='{service_id}']")
        page.click("[data-action=take]")
        page.wait_for_selector("body[data-screen=ticket]")
        number = page.inner_text("#ticket-number")
        assert page.get_attribute("#ticket-print", "data-print") == "printed"
        assert page.is_hidden("#ticket-facts")  # no wait is promised: the queue is not known offline
        page.wait_for_function("document.getElementById('ticket-qr').naturalWidth > 0")  # drawn by the agent
        screenshot(page, "kiosk-offline-ticket")
        assert len(printer.wait_for(1)) == 1

        again = ServerProcess(env, port=server.port, log=tmp_path / "serve.log")
        servers.append(again.start())
        page.wait_for_selector("#offline-mark", state="hidden")
        wait_until(lambda: (agent.status() or {}).get("pending") == 0, "the journal was replayed")
    finally:
        agent.kill()
        printer.stop()
    with world.luot.read() as session:
        (stored,) = session.scalars(sa.select(Ticket).where(Ticket.offline_id.is_not(None)))
    assert stored.number == number
    assert page.errors == []
