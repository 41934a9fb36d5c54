"""Ticket issue over HTTP while Socket.IO clients flood ``refresh`` without reading, against the same issue
with nobody flooding, in the same run and on the same server (the idle figure is the floor).

Each flooder is what issue 23 describes: a bare websocket that connects with a kiosk token, sends
``refresh`` 200 times a second without reading the answers, and connects again each time the server cuts
it off. Four of them run in a process of their own, so that they do not share the measuring client's
GIL. The server must keep the issue latency within 2x of its idle figure and cut every flooder off.

Runs alone: ``python -m bench.flood [--quick]`` prints JSON.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import websocket

from .common import bearer, fresh_database, luot_serve, seed, summary_ms
from .issue import sequential

FLOODERS = 4
RATE = 200  # refreshes a second per flooder, as in the report of issue 23


def flood(server_url: str, token: str, rate: float, stop: Any, cut: Any, sent_total: Any) -> None:
    """One flooder: connect, send ``refresh`` ``rate`` times a second without reading, come back when cut."""
    url = server_url.replace("http://", "ws://") + "/socket.io/?EIO=4&transport=websocket"
    while not stop.is_set():
        sent = 0
        ws = websocket.WebSocket()
        try:
            ws.connect(url, timeout=5)
            ws.recv()  # Engine.IO's open packet
            ws.send("40" + json.dumps({"token": token}))
            began = time.monotonic()
            while not stop.is_set():
                ws.send('42["refresh"]')
                sent += 1
                ahead = began + sent / rate - time.monotonic()
                if ahead > 0:
                    time.sleep(ahead)
        except (websocket.WebSocketException, OSError):
            pass  # cut off: come back, as a hostile client would
        finally:
            ws.shutdown()
            with cut.get_lock():
                cut.value += 1
            with sent_total.get_lock():
                sent_total.value += sent


def flooders(server_url: str, token: str, count: int, rate: float, stop: Any, cut: Any, sent: Any) -> None:
    """The flooders of one process (apart from the one that measures, so that they do not share its GIL)."""
    threads = [
        threading.Thread(target=flood, args=(server_url, token, rate, stop, cut, sent)) for _ in range(count)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


def run(work: Path, quick: bool = False) -> dict[str, Any]:
    count = 200 if quick else 1000
    with fresh_database("sqlite", work / "flood", None) as url:
        install = seed(url, work / "flood" / "instance", sites=1)
        site = install.sites[0]
        headers = bearer(install.kiosk[site["id"]])
        body = {"service_id": site["services"][0]}
        with luot_serve(install.env) as server:
            issue_url = f"{server.url}/api/v1/sites/{site['id']}/tickets"
            idle = summary_ms(sequential(issue_url, headers, body, count))
            context = multiprocessing.get_context("fork")
            stop, cut, sent = context.Event(), context.Value("i", 0), context.Value("q", 0)
            token = install.kiosk[site["id"]]
            process = context.Process(
                target=flooders, args=(server.url, token, FLOODERS, RATE, stop, cut, sent), daemon=True
            )
            process.start()
            try:
                flooded = summary_ms(sequential(issue_url, headers, body, count))
            finally:
                stop.set()
                process.join(timeout=30)
    ratio = round(flooded["median_ms"] / idle["median_ms"], 2) if idle["median_ms"] else None
    return {
        "flooders": FLOODERS,
        "refreshes_per_s_each": RATE,
        "idle": idle,
        "during_flood": flooded,
        "median_vs_idle": ratio,
        "p99_vs_idle": round(flooded["p99_ms"] / idle["p99_ms"], 2) if idle["p99_ms"] else None,
        "flooder_connections_cut": cut.value,
        "refreshes_sent": sent.value,
    }


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.flood", description=__doc__)
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="luot-bench-flood-") as folder:
        print(json.dumps(run(Path(folder), args.quick), indent=2))


if __name__ == "__main__":
    main()
