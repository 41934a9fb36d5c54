"""The kiosk keeps issuing through an outage of its server (issue 19), with real processes: a real
``luot serve``, a real ``luot kiosk-agent`` serving the kiosk page and a TCP printer behind it
(tests/kiosk_world.py).

The server is SIGKILLed while the kiosk issues through its agent; the agent itself is SIGKILLed and
restarted once during the outage. When the server is back, every offline ticket is there once, with the
time it was issued, in the queue order that time gives; no number is issued twice; a display sees them.
The same over an outage of minutes is the long tier's (tests/long/test_kiosk_long_outage.py).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import requests
from flask import Flask

from tests.kiosk_world import AgentProcess, KioskSite, assert_every_ticket_once
from tests.printer_server import PrinterServer
from tests.realtime_client import Listener
from tests.servers import ServerProcess
from tests.tcp_proxy import TcpProxy
from tests.waiting import wait_until


def test_the_kiosk_issues_through_an_outage_and_the_server_takes_every_ticket_once(
    make_app: Callable[..., Flask], sqlite_url: str, servers: list[ServerProcess], tmp_path: Path
) -> None:
    cb = KioskSite.of(make_app(sqlite_url), sqlite_url, tmp_path / "instance")
    world, kiosk, clerk, token, env = cb.world, cb.kiosk, cb.clerk, cb.token, cb.env
    site_id, service_id = cb.site_id, cb.service_id
    server = ServerProcess(env, log=tmp_path / "serve.log")
    servers.append(server.start())
    printer = PrinterServer().start()
    journal = tmp_path / "kiosk" / "journal.sqlite3"
    link = TcpProxy(server.port).start()  # the kiosk PC's network to the server
    agent = AgentProcess(f"http://127.0.0.1:{link.port}", token, printer.uri, journal, tmp_path / "agent.log")
    agent.start()
    display = Listener(
        server.url, {"token": world.device_token("display"), "site_id": site_id}, reconnect=True
    )

    def take() -> dict[str, Any]:
        return agent.take(site_id, service_id, kiosk)

    try:
        display.next("snapshot")
        wait_until(lambda: (agent.status() or {}).get("can_issue"), "the agent holds a lease")
        online = take()  # through the agent to the server
        assert online["id"] is not None and "offline" not in online
        printer.wait_for(1)

        server.kill()  # SIGKILL: the box behind the kiosk is gone
        link.stop()  # and the kiosk's link to it (given back once a display is connected again)
        offline = [take() for _ in range(3)]
        assert printer.wait_for(4)[3:] and len(printer.tickets) == 4  # each printed on the kiosk's printer

        agent.kill()  # and the agent too, in the middle of the outage
        agent.start()
        wait_until(lambda: (agent.status() or {}).get("pending") == 3, "the journal survived")
        offline += [take() for _ in range(2)]
        assert len(printer.wait_for(6)) == 6
        assert all(t["offline"] and t["print"]["status"] == "printed" for t in offline)
        numbers = [t["number"] for t in offline]
        assert len(set(numbers)) == 5 and online["number"] not in numbers
        page = requests.get(f"{agent.url}/t/{offline[0]['public_code']}/qr.svg", timeout=5)
        assert page.status_code == 200 and b"<svg" in page.content  # the ticket screen's QR, offline

        again = ServerProcess(env, port=server.port, log=tmp_path / "serve.log")
        servers.append(again.start())
        display.next("snapshot", timeout=15)  # the display came back by itself
        link.start()
        wait_until(lambda: (agent.status() or {}).get("pending") == 0, "the journal was replayed")
        after = take()  # the server's own numbering goes on past the leased numbers
        assert "offline" not in after
    finally:
        agent.kill()
        printer.stop()
        link.stop()

    try:
        assert_every_ticket_once(world, site_id, offline, [online, after], again.url, clerk, display)
    finally:
        display.close()
