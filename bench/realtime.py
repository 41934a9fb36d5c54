"""Call → ``ticket.called`` received, with 100 and 1,000 Socket.IO clients on one process (spread over 50
site rooms, then all in one room), across two processes through Redis, and against a bare Flask-SocketIO
broadcast server (the floor) in the same run; then how many connections a process holds and its memory
per connection.

Latency is measured from just before the clerk's HTTP request leaves to the moment each client in the
site's room has read the event: the full path a display depends on (HTTP, transaction, publisher, emit).
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
import uuid
from collections import defaultdict
from pathlib import Path
from typing import Any

import requests

from .common import (
    ROOT,
    Installation,
    Process,
    bearer,
    fresh_database,
    luot_serve,
    seed,
    summary_ms,
    threads_of,
)

SITES = 50
SWARM_SIZE = 500  # clients per swarm process


class Swarm:
    """Socket.IO clients in child processes (:mod:`bench.swarm`)."""

    def __init__(self, url: str, auths: list[dict[str, Any]]) -> None:
        self.processes = []
        for start in range(0, len(auths), SWARM_SIZE):
            process = subprocess.Popen(
                [sys.executable, "-m", "bench.swarm", url],
                cwd=ROOT,
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                text=True,
            )
            assert process.stdin is not None
            process.stdin.write(json.dumps(auths[start : start + SWARM_SIZE]) + "\n")
            process.stdin.flush()
            self.processes.append(process)
        self.connected = self.failed = 0
        for process in self.processes:
            assert process.stdout is not None
            counts = json.loads(process.stdout.readline())
            self.connected += counts["connected"]
            self.failed += counts["failed"]

    def arrivals(self) -> list[list[Any]]:
        """Every ``ticket.called`` each client read: ``[site_id, seq, time]``; the swarms then exit."""
        result: list[list[Any]] = []
        for process in self.processes:
            assert process.stdin is not None and process.stdout is not None
            process.stdin.write("\n")
            process.stdin.flush()
            result.extend(json.loads(process.stdout.readline()))
            process.wait(timeout=30)
        return result

    def close(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                process.kill()
                process.wait(timeout=10)


class LuotCalls:
    """Calls at Lượt's counters: call-next (measured), then a no-show that frees the counter again."""

    def __init__(self, install: Installation, call_url: str, per_site: int) -> None:
        self.install, self.url = install, call_url
        self.session = requests.Session()
        self.staff = bearer(install.staff_token)
        for site in install.sites:
            counter = site["counters"][0]
            self.session.post(f"{call_url}/api/v1/counters/{counter}/open", headers=self.staff, timeout=10)
            kiosk = bearer(install.kiosk[site["id"]])
            for _ in range(per_site):
                response = self.session.post(
                    f"{call_url}/api/v1/sites/{site['id']}/tickets",
                    json={"service_id": site["services"][0]},
                    headers=kiosk,
                    timeout=10,
                )
                response.raise_for_status()

    def auth(self, site_index: int) -> dict[str, Any]:
        site = self.install.sites[site_index]
        return {"token": self.install.display[site["id"]], "site_id": site["id"]}

    def site_id(self, site_index: int) -> int:
        return int(self.install.sites[site_index]["id"])

    def call(self, site_index: int) -> None:
        counter = self.install.sites[site_index]["counters"][0]
        response = self.session.post(
            f"{self.url}/api/v1/counters/{counter}/call-next", headers=self.staff, timeout=30
        )
        if response.status_code != 200:
            raise RuntimeError(f"call-next: {response.status_code} {response.text[:200]}")

    def after(self, site_index: int) -> None:
        counter = self.install.sites[site_index]["counters"][0]
        state = self.session.get(
            f"{self.url}/api/v1/sites/{self.site_id(site_index)}/counters", headers=self.staff, timeout=30
        ).json()
        current = next(c for c in state if c["id"] == counter)["current_ticket"]
        if current:
            self.session.post(
                f"{self.url}/api/v1/tickets/{current['id']}/no-show", headers=self.staff, timeout=30
            )


class FloorCalls:
    def __init__(self, url: str) -> None:
        self.url = url
        self.session = requests.Session()

    def auth(self, site_index: int) -> dict[str, Any]:
        return {"site_id": site_index + 1}

    def site_id(self, site_index: int) -> int:
        return site_index + 1

    def call(self, site_index: int) -> None:
        self.session.post(f"{self.url}/call/{site_index + 1}", timeout=30).raise_for_status()

    def after(self, site_index: int) -> None:
        pass


def measure(
    calls: Any, connect_url: str, clients: int, rooms: int, rounds: int, pace_s: float, pid: int | None = None
) -> dict[str, Any]:
    """Connect ``clients`` spread over ``rooms`` site rooms, make ``rounds`` calls (one site after the other)
    and time every delivery."""
    auths = [calls.auth(i % rooms) for i in range(clients)]
    rss_before = _rss(pid)
    swarm = Swarm(connect_url, auths)
    try:
        rss_after = _rss(pid)
        threads = threads_of(pid) if pid else None
        sent: dict[int, list[float]] = defaultdict(list)
        for n in range(rounds):
            index = n % rooms
            started = time.time()
            calls.call(index)
            sent[calls.site_id(index)].append(started)
            time.sleep(pace_s)
            # Lượt's counter is freed by a no-show, which the site's room hears too: let that broadcast
            # end before the next call leaves, or the next call would be timed behind it.
            calls.after(index)
            time.sleep(pace_s)
        time.sleep(1)  # the last deliveries
        arrivals = swarm.arrivals()
    finally:
        swarm.close()
    latencies, expected = [], 0
    members = defaultdict(int)
    for i in range(clients):
        members[calls.site_id(i % rooms)] += 1
    by_site: dict[int, set[int]] = defaultdict(set)
    for site_id, seq, _at in arrivals:
        by_site[site_id].add(seq)
    rank = {site_id: {seq: k for k, seq in enumerate(sorted(seqs))} for site_id, seqs in by_site.items()}
    for site_id, seq, at in arrivals:
        k = rank[site_id][seq]
        if k < len(sent[site_id]):
            latencies.append(at - sent[site_id][k])
    for site_id, times in sent.items():
        expected += len(times) * members[site_id]
    result: dict[str, Any] = {
        "clients": clients,
        "rooms": rooms,
        "connected": swarm.connected,
        "failed": swarm.failed,
        "calls": rounds,
        "deliveries": len(latencies),
        "missing": expected - len(latencies),
        **summary_ms(latencies),
    }
    if pid:
        result["rss_mb"] = round(rss_after / 1024, 1)
        result["kb_per_connection"] = round((rss_after - rss_before) / max(swarm.connected, 1), 1)
        result["threads"] = threads
    return result


def _rss(pid: int | None) -> int:
    from .common import rss_kb

    return rss_kb(pid) if pid else 0


def scenarios(quick: bool) -> list[tuple[str, int, int, int, float]]:
    """(name, clients, rooms, calls, pause after each call)."""
    rounds = 50 if quick else 150
    return [
        ("100_clients_50_rooms", 100, SITES, rounds, 0.1),
        ("1000_clients_50_rooms", 1000, SITES, rounds, 0.1),
        ("1000_clients_1_room", 1000, 1, rounds // 3, 0.3),
    ]


def run(work: Path, postgres: str | None, redis: str | None, quick: bool = False) -> dict[str, Any]:
    results: dict[str, Any] = {"luot": {}, "floor": {}}
    plan = scenarios(quick)
    # Enough waiting tickets at every site for every call the scenarios make there.
    per_site = sum(-(-r // rooms) for _n, _c, rooms, r, _p in plan) + 5
    with fresh_database("sqlite", work / "realtime", None) as url:
        install = seed(url, work / "realtime" / "instance", sites=SITES)
        with luot_serve(install.env) as server:
            calls = LuotCalls(install, server.url, per_site)
            for name, clients, rooms, rounds, pace in plan:
                results["luot"][name] = measure(
                    calls, server.url, clients, rooms, rounds, pace, server.serving_pid
                )
        with Process(["-m", "bench.floor", "broadcast", "--port", "{port}"], {}, "/health") as floor:
            for name, clients, rooms, rounds, pace in plan:
                results["floor"][name] = measure(
                    FloorCalls(floor.url), floor.url, clients, rooms, rounds, pace, floor.serving_pid
                )
    results["two_processes_redis"] = _two_processes(work, postgres, redis, quick)
    return results  # connections one process holds: the part `modes`, in each mode


def _two_processes(work: Path, postgres: str | None, redis: str | None, quick: bool) -> dict[str, Any]:
    if not (postgres and redis):
        return {"skipped": "needs LUOT_BENCH_POSTGRES_URL and LUOT_BENCH_REDIS_URL"}
    rounds = 50 if quick else 150
    with fresh_database("postgres", work / "redis", postgres) as url:
        install = seed(url, work / "redis" / "instance", sites=SITES)
        env = {
            **install.env,
            "LUOT_MESSAGE_QUEUE": redis,
            "LUOT_MESSAGE_QUEUE_CHANNEL": f"luot-bench-{uuid.uuid4().hex[:8]}",
        }
        with luot_serve(env) as a, luot_serve(env) as b:
            calls = LuotCalls(install, a.url, rounds // SITES + 5)
            # Clerks on process A, every display on process B.
            return {
                "1000_clients_50_rooms": measure(calls, b.url, 1000, SITES, rounds, 0.1, b.serving_pid),
            }


def capacity(work: Path, mode: str, steps: list[int]) -> dict[str, Any]:
    """Connect display clients to one process in steps; its memory and threads at each step, and how long
    an HTTP request takes while it holds them."""
    result: dict[str, Any] = {"mode": mode, "steps": []}
    with fresh_database("sqlite", work / f"capacity-{mode}", None) as url:
        install = seed(url, work / f"capacity-{mode}" / "instance", sites=SITES)
        with luot_serve({**install.env, "LUOT_ASYNC_MODE": mode}) as server:
            calls = LuotCalls(install, server.url, 5)
            base = server.rss_kb()
            result["idle_rss_mb"] = round(base / 1024, 1)
            swarms: list[Swarm] = []
            try:
                held = 0
                for step in steps:
                    swarm = Swarm(server.url, [calls.auth(i % SITES) for i in range(held, step)])
                    swarms.append(swarm)
                    held += swarm.connected
                    rss = server.rss_kb()
                    result["steps"].append(
                        {
                            "asked": step,
                            "connected": held,
                            "failed": swarm.failed,
                            "rss_mb": round(rss / 1024, 1),
                            "threads": threads_of(server.serving_pid),
                            "kb_per_connection": round((rss - base) / max(held, 1), 1),
                            "http_ms": _http_ms(server.url),
                        }
                    )
                    if swarm.failed:
                        break
            finally:
                for swarm in swarms:
                    swarm.close()
    return result


def _http_ms(url: str) -> float | None:
    """One ``GET /api/v1/sites`` while the connections are held: its time, or None if it got no answer."""
    started = time.monotonic()
    try:
        requests.get(f"{url}/api/v1/sites", timeout=60).raise_for_status()
    except requests.RequestException:
        return None
    return round((time.monotonic() - started) * 1000, 1)
