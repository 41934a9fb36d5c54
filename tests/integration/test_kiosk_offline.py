"""The kiosk keeps issuing through an outage of its server (issue 19), with real processes: a real
``luot serve``, a real ``luot kiosk-agent`` serving the kiosk page and a TCP printer behind it.

The server is SIGKILLed while the kiosk issues through its agent; the agent itself is SIGKILLed and
restarted once during the outage. When the server is back, every offline ticket is there once, with the
time it was issued, in the queue order that time gives; no number is issued twice; a display sees them.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

import requests
import sqlalchemy as sa
from flask import Flask

from server.db.models import Ticket
from tests.conftest import World
from tests.printer_server import PrinterServer
from tests.realtime_client import Listener
from tests.servers import ServerProcess, free_port
from tests.tcp_proxy import TcpProxy


class AgentProcess:
    """``luot kiosk-agent --serve-port`` as a process of its own."""

    def __init__(self, server: str, token: str, printer: str, journal: Path, log: Path) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.args = [
            sys.executable,
            "-m",
            "server.cli",
            "kiosk-agent",
            "--server",
            server,
            "--token",
            token,
            "--printer",
            printer,
            "--serve-port",
            str(self.port),
            "--journal",
            str(journal),
            "--lease-every",
            "0.3",
        ]
        self.log = log
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> AgentProcess:
        with self.log.open("ab") as output:
            env = {**os.environ, "LUOT_PRINT_RETRY_BASE_S": "0.05", "LUOT_PRINT_RETRY_CAP_S": "0.2"}
            self.process = subprocess.Popen(self.args, env=env, stdout=output, stderr=subprocess.STDOUT)
        wait_until(lambda: self.status() is not None, "the agent serves the kiosk page")
        return self

    def status(self) -> dict[str, Any] | None:
        assert self.process is not None
        if self.process.poll() is not None:
            raise RuntimeError(f"the agent exited with {self.process.returncode}: {self.log.read_text()}")
        try:
            return dict(requests.get(f"{self.url}/agent/status", timeout=1).json())
        except requests.ConnectionError:
            return None

    def kill(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=20)


def wait_until(condition: Callable[[], Any], what: str, timeout: float = 20) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.05)  # polling a condition, not waiting for time
    raise AssertionError(f"not within {timeout}s: {what}")


def test_the_kiosk_issues_through_an_outage_and_the_server_takes_every_ticket_once(
    make_app: Callable[..., Flask], sqlite_url: str, servers: list[ServerProcess], tmp_path: Path
) -> None:
    world = World(make_app(sqlite_url))
    kiosk, clerk = world.device("kiosk", printer="agent://"), world.staff("clerk")
    token = kiosk["Authorization"].split()[1]
    site_id = world.site("CB")["id"]
    service_id = world.service("CB", "HT")["id"]
    env = {"LUOT_DATABASE_URL": sqlite_url, "LUOT_INSTANCE_PATH": str(tmp_path / "instance")}
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
        response = requests.post(
            f"{agent.url}/api/v1/sites/{site_id}/tickets",
            json={"service_id": service_id},
            headers=kiosk,
            timeout=10,
        )
        assert response.status_code == 201, response.text
        return dict(response.json())

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
        with world.luot.read() as session:
            stored = list(session.scalars(sa.select(Ticket).where(Ticket.site_id == site_id)))
        by_code = {t.public_code: t for t in stored}
        for ticket in offline:  # every offline ticket once, with its issue time and number
            row = by_code[ticket["public_code"]]
            assert row.number == ticket["number"] and row.offline_id is not None
            assert row.issued_at == datetime.fromisoformat(ticket["issued_at"])
        assert len([t for t in stored if t.offline_id is not None]) == len(offline)
        all_numbers = [(t.issued_service_id, t.day, t.number) for t in stored]
        assert len(all_numbers) == len(set(all_numbers)) == 7  # no number issued twice

        queue = requests.get(f"{again.url}/api/v1/sites/{site_id}/queue", headers=clerk, timeout=5).json()
        order = [q["number"] for q in queue]
        assert order == [online["number"], *numbers, after["number"]]  # the order their issue times give

        seen = wait_until(
            lambda: (
                {data["ticket"]["number"] for name, data in display.history if name == "ticket.updated"}
                >= set(numbers)
            ),
            "the display saw the offline tickets",
        )
        assert seen
    finally:
        display.close()
