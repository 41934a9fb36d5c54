"""Resilience of ``luot serve``: a power cut in the middle of a busy morning loses no ticket that a kiosk
was told about, repeats no number, and the displays come back by themselves; a stop releases the
scheduler's lease."""

from __future__ import annotations

import threading
import time
from collections import Counter as Tally
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import requests
import sqlalchemy as sa
from flask import Flask

from server.db.models import SchedulerLease, Ticket
from server.jobs.scheduler import LEASE
from tests.conftest import World
from tests.realtime_client import Listener
from tests.servers import ServerProcess
from tests.waiting import wait_until

KIOSKS = 6
COUNTERS = ("Q1", "Q2")


class Load:
    """Kiosks issuing and clerks calling as fast as they can, remembering every answer they got."""

    def __init__(self, server: ServerProcess, world: World, kiosk: dict[str, str], clerk: dict[str, str]):
        self.server, self.kiosk, self.clerk = server, kiosk, clerk
        self.site_id = world.site("CB")["id"]
        self.services = [world.service("CB", code)["id"] for code in ("HT", "CT")]
        self.counters = [world.counter_id("CB", code) for code in COUNTERS]
        self.issued: list[dict[str, Any]] = []
        self.called: list[dict[str, Any]] = []
        self.stop = threading.Event()
        self._lock = threading.Lock()
        self._threads = [threading.Thread(target=self._kiosk, args=(i,)) for i in range(KIOSKS)]
        self._threads += [threading.Thread(target=self._counter, args=(c,)) for c in self.counters]

    def _post(self, path: str, headers: dict[str, str], body: dict[str, Any] | None = None) -> Any:
        try:
            return requests.post(f"{self.server.url}{path}", json=body or {}, headers=headers, timeout=5)
        except requests.RequestException:  # the server is gone: exactly what the test is about
            return None

    def _kiosk(self, index: int) -> None:
        while not self.stop.is_set():
            service_id = self.services[index % len(self.services)]
            response = self._post(
                f"/api/v1/sites/{self.site_id}/tickets", self.kiosk, {"service_id": service_id}
            )
            if response is not None and response.status_code == 201:
                with self._lock:
                    self.issued.append(response.json())

    def _counter(self, counter_id: int) -> None:
        while not self.stop.is_set():
            response = self._post(f"/api/v1/counters/{counter_id}/call-next", self.clerk)
            if response is None or response.status_code != 200:
                continue
            ticket = response.json()["ticket"] if "ticket" in response.json() else response.json()
            with self._lock:
                self.called.append(ticket)
            for action in ("start", "complete"):
                self._post(f"/api/v1/tickets/{ticket['id']}/{action}", self.clerk)

    def __enter__(self) -> Load:
        for thread in self._threads:
            thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self.stop.set()
        for thread in self._threads:
            thread.join(timeout=30)


def test_a_power_cut_under_load_loses_no_issued_ticket_and_displays_resync(
    make_app: Callable[..., Flask], sqlite_url: str, servers: list[ServerProcess], tmp_path: Path
) -> None:
    world = World(make_app(sqlite_url))
    kiosk, clerk = world.device("kiosk"), world.staff("clerk")
    for code in COUNTERS:
        world.open_counter(clerk, counter=code)
    site_id = world.site("CB")["id"]
    env = {"LUOT_DATABASE_URL": sqlite_url, "LUOT_INSTANCE_PATH": str(tmp_path / "instance")}
    first = ServerProcess(env, log=tmp_path / "serve.log")
    servers.append(first.start())
    display = Listener(
        first.url, {"token": world.device_token("display"), "site_id": site_id}, reconnect=True
    )
    try:
        display.next("snapshot")
        with Load(first, world, kiosk, clerk) as load:
            while len(load.issued) < 40 or len(load.called) < 5:  # well into the load
                display.next("ticket.updated", timeout=10)
            first.kill()  # SIGKILL in the middle of requests
        assert len(load.issued) >= 40

        again = ServerProcess(env, port=first.port, log=tmp_path / "serve.log")
        servers.append(again.start())
        resynced = display.next("snapshot", timeout=15)  # the display came back on its own

        with world.luot.read() as session:
            stored = {t.id: t for t in session.scalars(sa.select(Ticket).where(Ticket.site_id == site_id))}
            for ticket in load.issued:  # every ticket a kiosk got a 201 for is there, with its number
                assert stored[ticket["id"]].number == ticket["number"]
                assert stored[ticket["id"]].public_code == ticket["public_code"]
            for ticket in load.called:
                assert stored[ticket["id"]].status in ("called", "serving", "done")
            numbers = Tally((t.service_id, t.day, t.number) for t in stored.values())
            assert [key for key, count in numbers.items() if count > 1] == []
            waiting = Tally(t.service_id for t in stored.values() if t.status == "waiting")
        # The new snapshot is the state after the crash, not what the display had before it.
        shown = {w["service_id"]: w["waiting"] for w in resynced["waiting_by_service"]}
        assert shown == {service_id: waiting.get(service_id, 0) for service_id in shown}
        assert set(load.services) <= set(shown)

        # And the restarted server works: a kiosk gets the next number after the last one stored.
        response = requests.post(
            f"{again.url}/api/v1/sites/{site_id}/tickets",
            json={"service_id": load.services[0]},
            headers=kiosk,
            timeout=5,
        )
        assert response.status_code == 201
        assert response.json()["number"] not in {t.number for t in stored.values()}
    finally:
        display.close()


def test_stopping_the_server_releases_the_scheduler_lease(
    make_app: Callable[..., Flask], sqlite_url: str, servers: list[ServerProcess], tmp_path: Path
) -> None:
    world = World(make_app(sqlite_url))
    env = {"LUOT_DATABASE_URL": sqlite_url, "LUOT_INSTANCE_PATH": str(tmp_path / "instance")}
    server = ServerProcess(env)
    servers.append(server.start())

    def lease() -> SchedulerLease | None:
        with world.luot.read() as session:
            return session.get(SchedulerLease, LEASE)

    for _ in range(100):  # the scheduler's first round runs as the server starts
        held = lease()
        if held is not None:
            break
        time.sleep(0.1)
    assert held is not None
    holder_pid = int(held.holder.split(":")[1])  # the worker that serves, a child of `luot serve`
    assert _parent_of(holder_pid) == server.pid
    assert server.terminate() == 0
    released = lease()
    assert released is not None
    assert released.expires_at.replace(tzinfo=released.expires_at.tzinfo or UTC) < datetime.now(UTC)


def test_the_serving_worker_dies_with_luot_serve(servers: list[ServerProcess], tmp_path: Path) -> None:
    """gunicorn's worker never outlives a ``luot serve`` killed outright: the port is free again for the
    next start (a power cut stays a power cut)."""
    server = ServerProcess({"LUOT_INSTANCE_PATH": str(tmp_path / "instance"), "LUOT_SCHEDULER": "off"})
    servers.append(server.start())
    (worker,) = _children_of(server.pid)
    server.kill()
    # gone, or dead and waiting for its new parent to reap it
    wait_until(lambda: _state_of(worker) in ("", "Z"), "the worker died with luot serve")
    with pytest.raises(requests.ConnectionError):
        requests.get(f"{server.url}/api/v1/health", timeout=5)


def _children_of(pid: int) -> list[int]:
    return [int(child) for child in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]


def _state_of(pid: int) -> str:
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except FileNotFoundError:
        return ""
    for line in status.splitlines():
        if line.startswith("State:"):
            return line.split()[1]
    return ""


def _parent_of(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("PPid:"):
            return int(line.split()[1])
    raise AssertionError(f"no process {pid}")
