"""Ticket issue over HTTP: sequential latency, then 20 concurrent kiosks; against the floor in the same run.

Each kiosk is a thread with its own keep-alive connection, issuing as fast as answers come back (a real
kiosk issues one ticket per citizen, so this is far beyond a real morning: a load test, not a model).
"""

from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import Any

import requests

from .common import Process, bearer, fresh_database, luot_serve, seed, summary_ms


def sequential(
    url: str, headers: dict[str, str], body: dict[str, Any], count: int, expected: range = range(201, 202)
) -> list[float]:
    session = requests.Session()
    durations = []
    for _ in range(count // 10):  # warm-up: connections, caches, the day's counter row
        session.post(url, json=body, headers=headers, timeout=10)
    for _ in range(count):
        started = time.perf_counter()
        response = session.post(url, json=body, headers=headers, timeout=10)
        durations.append(time.perf_counter() - started)
        if response.status_code not in expected:
            raise RuntimeError(f"issue failed: {response.status_code} {response.text[:200]}")
    return durations


def concurrent(
    url: str, headers: dict[str, str], bodies: list[dict[str, Any]], kiosks: int, per_kiosk: int
) -> dict[str, Any]:
    durations: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()
    start = threading.Barrier(kiosks + 1)

    def kiosk(index: int) -> None:
        session = requests.Session()
        body = bodies[index % len(bodies)]
        session.post(url, json=body, headers=headers, timeout=10)
        mine = []
        start.wait()
        for _ in range(per_kiosk):
            began = time.perf_counter()
            try:
                response = session.post(url, json=body, headers=headers, timeout=30)
                failure = (
                    None if response.status_code == 201 else f"{response.status_code} {response.text[:120]}"
                )
            except requests.RequestException as exc:  # a timeout counts, with its 30 s, not lost
                failure = f"{type(exc).__name__}"
            mine.append(time.perf_counter() - began)
            if failure is not None:
                with lock:
                    errors.append(failure)
        with lock:
            durations.extend(mine)

    threads = [threading.Thread(target=kiosk, args=(i,)) for i in range(kiosks)]
    for thread in threads:
        thread.start()
    start.wait()
    began = time.perf_counter()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - began
    return {
        "kiosks": kiosks,
        "tickets": len(durations),
        "errors": len(errors),
        "first_error": errors[0] if errors else None,
        "throughput_per_s": round(len(durations) / elapsed, 1),
        **summary_ms(durations),
    }


def run_engine(
    kind: str, work: Path, postgres: str | None, sequential_n: int, per_kiosk: int
) -> dict[str, Any]:
    """Luot and its floor on one database engine (each on a fresh database)."""
    result: dict[str, Any] = {}
    with fresh_database(kind, work / kind, postgres) as url:
        install = seed(url, work / kind / "instance", sites=1)
        site = install.sites[0]
        headers = bearer(install.kiosk[site["id"]])
        bodies = [{"service_id": service} for service in site["services"]]
        with luot_serve(install.env) as server:
            issue_url = f"{server.url}/api/v1/sites/{site['id']}/tickets"
            result["luot_sequential"] = summary_ms(sequential(issue_url, headers, bodies[0], sequential_n))
            result["luot_20_kiosks"] = concurrent(issue_url, headers, bodies, 20, per_kiosk)
        floor = Process(["-m", "bench.floor", "issue", "--port", "{port}"], install.env, "/health")
        with floor:
            floor_url = f"{floor.url}/sites/{site['id']}/tickets"
            result["floor_sequential"] = summary_ms(sequential(floor_url, {}, bodies[0], sequential_n))
            result["floor_20_kiosks"] = concurrent(floor_url, {}, bodies, 20, per_kiosk)
    luot_median = result["luot_sequential"]["median_ms"]
    floor_median = result["floor_sequential"]["median_ms"]
    result["median_vs_floor"] = round(luot_median / floor_median, 2) if floor_median else None
    return result


def run(work: Path, postgres: str | None, quick: bool = False) -> dict[str, Any]:
    sequential_n, per_kiosk = (200, 20) if quick else (1000, 100)
    results: dict[str, Any] = {"sqlite": run_engine("sqlite", work, None, sequential_n, per_kiosk)}
    if postgres:
        results["postgresql"] = run_engine("postgres", work, postgres, sequential_n, per_kiosk)
    else:
        results["postgresql"] = {"skipped": "no PostgreSQL server (LUOT_BENCH_POSTGRES_URL)"}
    return results
