"""Clerks first: four clerks working while 30 kiosk threads issue across 10 sites of one process.

The clerks call, start and complete tickets one after another (a short pause between presses), first
on an idle server (their floor), then while every kiosk issues as fast as answers come back. The
target: the clerks' p99 under load at most 3× their idle p99, and the kiosks' throughput at least half
the floor's 20-kiosk throughput (a bare route doing the same insert, measured in the same run).
"""

from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import Any

import requests

from .common import Installation, Process, bearer, fresh_database, luot_serve, seed, summary_ms
from .issue import concurrent

SITES, KIOSKS_PER_SITE, CLERKS = 10, 3, 4
THINK_S = 0.2  # between a clerk's presses: far quicker than a real clerk, who serves for minutes


class Clerks:
    """Each clerk in its own thread: call next, start, complete, again; every press timed."""

    def __init__(self, url: str, install: Installation) -> None:
        self.url, self.install = url, install
        self.durations: list[float] = []
        self.errors: list[str] = []
        self.lock = threading.Lock()
        for clerk in install.clerks:
            response = requests.post(
                f"{url}/api/v1/counters/{clerk['counter_id']}/open",
                headers=bearer(clerk["token"]),
                timeout=10,
            )
            response.raise_for_status()

    def work(self, stop: threading.Event, presses: int | None = None) -> None:
        threads = [threading.Thread(target=self._clerk, args=(c, stop, presses)) for c in self.install.clerks]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()

    def _clerk(self, clerk: dict[str, Any], stop: threading.Event, presses: int | None) -> None:
        session = requests.Session()
        headers = bearer(clerk["token"])
        done = 0
        while not stop.is_set() and (presses is None or done < presses):
            ticket = self._press(session, f"/api/v1/counters/{clerk['counter_id']}/call-next", headers)
            done += 1
            stop.wait(THINK_S)
            if ticket is None:
                continue
            for action in ("start", "complete"):
                self._press(session, f"/api/v1/tickets/{ticket['id']}/{action}", headers)
                done += 1
                stop.wait(THINK_S)

    def _press(self, session: requests.Session, path: str, headers: dict[str, str]) -> dict[str, Any] | None:
        began = time.perf_counter()
        response = session.post(self.url + path, json={}, headers=headers, timeout=60)
        elapsed = time.perf_counter() - began
        with self.lock:
            self.durations.append(elapsed)
            if response.status_code not in (200, 204):
                self.errors.append(f"{path}: {response.status_code} {response.text[:120]}")
        return response.json() if response.status_code == 200 else None

    def take(self) -> list[float]:
        with self.lock:
            taken, self.durations = self.durations, []
            return taken


def kiosks_issuing(url: str, install: Installation, stop: threading.Event) -> dict[str, Any]:
    """``KIOSKS_PER_SITE`` kiosk threads per site issuing until ``stop``; their count and latencies."""
    durations: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()

    def kiosk(site: dict[str, Any], index: int) -> None:
        session = requests.Session()
        headers = bearer(install.kiosk[site["id"]])
        body = {"service_id": site["services"][index % len(site["services"])]}
        mine: list[float] = []
        while not stop.is_set():
            began = time.perf_counter()
            response = session.post(
                f"{url}/api/v1/sites/{site['id']}/tickets", json=body, headers=headers, timeout=60
            )
            mine.append(time.perf_counter() - began)
            if response.status_code != 201:
                with lock:
                    errors.append(f"{response.status_code} {response.text[:120]}")
        with lock:
            durations.extend(mine)

    threads = [
        threading.Thread(target=kiosk, args=(site, n))
        for site in install.sites
        for n in range(KIOSKS_PER_SITE)
    ]
    began = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - began
    return {
        "kiosks": len(threads),
        "sites": len(install.sites),
        "tickets": len(durations),
        "errors": len(errors),
        "first_error": errors[0] if errors else None,
        "throughput_per_s": round(len(durations) / elapsed, 1),
        **summary_ms(durations),
    }


def run_engine(
    kind: str, work: Path, postgres: str | None, seconds: float, idle_presses: int
) -> dict[str, Any]:
    result: dict[str, Any] = {}
    with fresh_database(kind, work / f"clerks-{kind}", postgres) as url:
        install = seed(url, work / f"clerks-{kind}" / "instance", sites=SITES, clerks=CLERKS)
        with luot_serve(install.env) as server:
            for site in install.sites[:CLERKS]:  # enough waiting for the idle round
                for _ in range(idle_presses):
                    requests.post(
                        f"{server.url}/api/v1/sites/{site['id']}/tickets",
                        json={"service_id": site["services"][0]},
                        headers=bearer(install.kiosk[site["id"]]),
                        timeout=10,
                    ).raise_for_status()
            clerks = Clerks(server.url, install)
            clerks.work(threading.Event(), presses=idle_presses)
            result["clerks_idle"] = summary_ms(clerks.take())
            stop = threading.Event()
            working = threading.Thread(target=clerks.work, args=(stop,))
            working.start()
            timer = threading.Timer(seconds, stop.set)
            timer.start()
            result["kiosks_busy"] = kiosks_issuing(server.url, install, stop)
            working.join()
            result["clerks_busy"] = summary_ms(clerks.take())
            result["clerk_errors"] = len(clerks.errors)
        site = install.sites[0]
        bodies = [{"service_id": service} for service in site["services"]]
        floor = Process(["-m", "bench.floor", "issue", "--port", "{port}"], install.env, "/health")
        with floor:
            result["floor_20_kiosks"] = concurrent(
                f"{floor.url}/sites/{site['id']}/tickets", {}, bodies, 20, 20 if seconds < 20 else 100
            )
    idle, busy = result["clerks_idle"]["p99_ms"], result["clerks_busy"]["p99_ms"]
    result["clerks_p99_vs_idle"] = round(busy / idle, 2) if idle else None
    floor_rate = result["floor_20_kiosks"]["throughput_per_s"]
    result["issue_throughput_vs_floor"] = (
        round(result["kiosks_busy"]["throughput_per_s"] / floor_rate, 2) if floor_rate else None
    )
    return result


def run(work: Path, postgres: str | None, quick: bool = False) -> dict[str, Any]:
    seconds, idle_presses = (8.0, 30) if quick else (45.0, 120)
    results: dict[str, Any] = {"sqlite": run_engine("sqlite", work, None, seconds, idle_presses)}
    if postgres:
        results["postgresql"] = run_engine("postgres", work, postgres, seconds, idle_presses)
    else:
        results["postgresql"] = {"skipped": "no PostgreSQL server (LUOT_BENCH_POSTGRES_URL)"}
    return results
