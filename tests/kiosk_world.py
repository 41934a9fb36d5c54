"""A kiosk through an outage of its server, with real processes, for the tests of issue 19
(tests/integration/test_kiosk_offline.py, tests/e2e/test_kiosk_offline.py and the long tier
tests/long/test_kiosk_long_outage.py): a real ``luot serve``, a real ``luot kiosk-agent`` serving the
kiosk page with a TCP printer behind it, and the checks made once the server is back."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import requests
import sqlalchemy as sa
from flask import Flask

from server.db.models import Ticket
from tests.conftest import World
from tests.realtime_client import Listener
from tests.servers import free_port
from tests.waiting import wait_until


@dataclass
class KioskSite:
    """Site CB of the test world, with a kiosk that prints through its agent (``agent://``) and a clerk."""

    world: World
    kiosk: dict[str, str]  # the kiosk's headers
    token: str  # its device token, for the agent and the page
    clerk: dict[str, str]
    site_id: int
    service_id: int
    env: dict[str, str]  # what a ``luot serve`` of this world needs

    @classmethod
    def of(cls, app: Flask, database_url: str, instance: Path) -> KioskSite:
        world = World(app)
        kiosk = world.device("kiosk", printer="agent://")
        return cls(
            world=world,
            kiosk=kiosk,
            token=kiosk["Authorization"].split()[1],
            clerk=world.staff("clerk"),
            site_id=world.site("CB")["id"],
            service_id=world.service("CB", "HT")["id"],
            env={"LUOT_DATABASE_URL": database_url, "LUOT_INSTANCE_PATH": str(instance)},
        )


class AgentProcess:
    """``luot kiosk-agent --serve-port`` as a process of its own; ``lease_every`` and ``fast_retries``
    None leave the agent's own defaults (a check of the leases every 5 s, print retries up to 15 s)."""

    def __init__(
        self,
        server: str,
        token: str,
        printer: str,
        journal: Path,
        log: Path,
        lease_every: float | None = 0.3,
        fast_retries: bool = True,
    ) -> None:
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
        ]
        if lease_every is not None:
            self.args += ["--lease-every", str(lease_every)]
        self.env = {**os.environ}
        if fast_retries:
            self.env.update({"LUOT_PRINT_RETRY_BASE_S": "0.05", "LUOT_PRINT_RETRY_CAP_S": "0.2"})
        self.log = log
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> AgentProcess:
        with self.log.open("ab") as output:
            self.process = subprocess.Popen(self.args, env=self.env, stdout=output, stderr=subprocess.STDOUT)
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

    def take(self, site_id: int, service_id: int, kiosk: dict[str, str]) -> dict[str, Any]:
        """A ticket taken at the kiosk, through the agent (201 expected)."""
        response = requests.post(
            f"{self.url}/api/v1/sites/{site_id}/tickets",
            json={"service_id": service_id},
            headers=kiosk,
            timeout=10,
        )
        assert response.status_code == 201, response.text
        return dict(response.json())


def assert_every_ticket_once(
    world: World,
    site_id: int,
    offline: Sequence[dict[str, Any]],
    online: Sequence[dict[str, Any]],
    server_url: str,
    clerk: dict[str, str],
    display: Listener,
) -> None:
    """Once the server is back and the journal replayed: every offline ticket is stored once with its
    number and its issue time; no number was issued twice across the server and the leases; the queue is
    in the order the issue times give; a display connected to the server saw the offline tickets."""
    with world.luot.read() as session:
        stored = list(session.scalars(sa.select(Ticket).where(Ticket.site_id == site_id)))
    by_code = {t.public_code: t for t in stored}
    for ticket in offline:
        row = by_code[ticket["public_code"]]
        assert row.number == ticket["number"] and row.offline_id is not None
        assert row.issued_at == datetime.fromisoformat(ticket["issued_at"])
    assert len([t for t in stored if t.offline_id is not None]) == len(offline)
    all_numbers = [(t.issued_service_id, t.day, t.number) for t in stored]
    assert len(all_numbers) == len(set(all_numbers)) == len(offline) + len(online)  # no number twice

    queue = requests.get(f"{server_url}/api/v1/sites/{site_id}/queue", headers=clerk, timeout=5).json()
    issued = sorted([*offline, *online], key=lambda t: datetime.fromisoformat(t["issued_at"]))
    assert [q["number"] for q in queue] == [t["number"] for t in issued]  # the order issue times give

    numbers = {t["number"] for t in offline}
    seen = wait_until(
        lambda: (
            {data["ticket"]["number"] for name, data in list(display.history) if name == "ticket.updated"}
            >= numbers
        ),
        "the display saw the offline tickets",
    )
    assert seen
