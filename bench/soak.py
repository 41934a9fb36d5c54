"""A soak run: simulated 10-hour days, compressed, through the HTTP API and Socket.IO.

Several sites each receive their days' visitors (kiosks issue, clerks call, start and complete every ticket)
as fast as the server answers, while displays stay connected. The server process's resident memory is
sampled throughout: after warming up (the first tenth of the tickets) it must stay flat. With ``trace`` the
server runs under tracemalloc (bench/tracing/) and a snapshot after warm-up is compared with one at the end,
line by line: what still grows, and by how much per thousand tickets.

``python -m bench.soak [--sites 5] [--visitors 700] [--days 1] [--trace]`` prints JSON.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import requests

from . import connection_memory
from .common import bearer, fresh_database, luot_serve, raise_file_limit, seed
from .realtime import Swarm

HOURS = 10  # of one day
TOP = 12


def run(
    work: Path,
    sites: int = 5,
    visitors: int = 700,
    days: int = 1,
    displays_per_site: int = 10,
    trace: bool = False,
) -> dict[str, Any]:
    snapshots = work / "soak" / "snapshots"
    snapshots.mkdir(parents=True, exist_ok=True)
    per_site = visitors * days
    warm_up_tickets = sites * per_site // 10
    traces: dict[str, Any] = {}
    with fresh_database("sqlite", work / "soak", None) as url:
        install = seed(url, work / "soak" / "instance", sites=sites)
        with luot_serve({**install.env, **(connection_memory.traced(snapshots) if trace else {})}) as server:
            staff = bearer(install.staff_token)
            for site in install.sites:
                for counter in site["counters"]:
                    requests.post(f"{server.url}/api/v1/counters/{counter}/open", headers=staff, timeout=10)
            displays = Swarm(
                server.url,
                [
                    {"token": install.display[site["id"]], "site_id": site["id"]}
                    for site in install.sites
                    for _ in range(displays_per_site)
                ],
            )
            samples: list[tuple[float, int]] = []
            issued = [0]
            served = [0]
            errors: list[str] = []
            lock = threading.Lock()
            done_issuing = threading.Event()

            def kiosk(site: dict[str, Any]) -> None:
                session = requests.Session()
                headers = bearer(install.kiosk[site["id"]])
                for n in range(per_site):
                    response = session.post(
                        f"{server.url}/api/v1/sites/{site['id']}/tickets",
                        json={"service_id": site["services"][n % 2]},
                        headers=headers,
                        timeout=30,
                    )
                    with lock:
                        if response.status_code == 201:
                            issued[0] += 1
                        else:
                            errors.append(f"issue {response.status_code}")

            def clerk(counter: int) -> None:
                session = requests.Session()
                while True:
                    response = session.post(
                        f"{server.url}/api/v1/counters/{counter}/call-next", headers=staff, timeout=30
                    )
                    if response.status_code == 204:
                        if done_issuing.is_set():
                            return
                        time.sleep(0.05)
                        continue
                    if response.status_code != 200:
                        with lock:
                            errors.append(f"call {response.status_code}")
                        continue
                    ticket = response.json()
                    for action in ("start", "complete"):
                        session.post(
                            f"{server.url}/api/v1/tickets/{ticket['id']}/{action}", headers=staff, timeout=30
                        )
                    with lock:
                        served[0] += 1

            kiosks = [threading.Thread(target=kiosk, args=(site,)) for site in install.sites]
            clerks = [
                threading.Thread(target=clerk, args=(c,)) for site in install.sites for c in site["counters"]
            ]
            started = time.monotonic()
            for thread in kiosks + clerks:
                thread.start()
            warm: dict[str, int] = {}

            def warmed_up() -> None:  # a snapshot, then the memory, once a tenth of the tickets are served
                if trace:  # taking it costs the server memory of its own (tens of MB), not counted as growth
                    traces["warm"] = connection_memory.snapshot(server.serving_pid, snapshots)
                warm.update(rss_kb=server.rss_kb(), served=served[0])

            while any(thread.is_alive() for thread in kiosks + clerks):
                samples.append((round(time.monotonic() - started, 1), server.rss_kb()))
                if not warm and served[0] >= warm_up_tickets:
                    warmed_up()
                if not any(thread.is_alive() for thread in kiosks):
                    done_issuing.set()
                time.sleep(1)
            elapsed = time.monotonic() - started
            samples.append((round(elapsed, 1), server.rss_kb()))
            if not warm:
                warmed_up()
            if trace:
                traces["end"] = connection_memory.snapshot(server.serving_pid, snapshots)
            displays.arrivals()
            displays.close()
    end, warm_kb = samples[-1][1], warm["rss_kb"]
    result: dict[str, Any] = {
        "sites": sites,
        "visitors_per_site": visitors,
        "days": days,
        "traced": trace,
        "simulated_hours": HOURS * days,
        "tickets_issued": issued[0],
        "tickets_served": served[0],
        "errors": len(errors),
        "displays": sites * displays_per_site,
        "seconds": round(elapsed, 1),
        "speed_up": round(HOURS * days * 3600 / elapsed),
        "rss_mb_start": round(samples[0][1] / 1024, 1),
        "rss_mb_after_warm_up": round(warm_kb / 1024, 1),
        "rss_mb_end": round(end / 1024, 1),
        "rss_mb_max": round(max(kb for _t, kb in samples) / 1024, 1),
        "growth_after_warm_up_pct": round((end - warm_kb) / warm_kb * 100, 1),
        "samples_mb": [[t, round(kb / 1024, 1)] for t, kb in samples[:: max(1, len(samples) // 20)]],
    }
    if trace:
        lines = traces["end"].compare_to(traces["warm"], "lineno")
        thousands = max(served[0] - warm["served"], 1) / 1000
        result["traced_growth_kb"] = round(sum(s.size_diff for s in lines) / 1024, 1)
        result["traced_growth_kb_per_1000_tickets"] = round(result["traced_growth_kb"] / thousands, 1)
        result["top_lines"] = [connection_memory.row(s, thousands, "1000_tickets") for s in lines[:TOP]]
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sites", type=int, default=5)
    parser.add_argument("--visitors", type=int, default=700, help="visitors per site and day")
    parser.add_argument("--days", type=int, default=1)
    parser.add_argument("--trace", action="store_true", help="under tracemalloc: what grows, line by line")
    args = parser.parse_args()
    raise_file_limit()
    with tempfile.TemporaryDirectory() as work:
        print(json.dumps(run(Path(work), args.sites, args.visitors, args.days, trace=args.trace), indent=2))


if __name__ == "__main__":
    main()
