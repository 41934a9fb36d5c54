"""Threading or gevent (``python -m bench --only modes``): the idle connections one ``luot serve`` holds in
each mode (target: 10,000 under gevent at ≤ 60 KB each, HTTP still answering), and the call → display
broadcast to 1,000 clients in one room under gevent against its floor, a bare Flask-SocketIO server in
gevent mode, in the same run; then where an idle connection's memory goes, under tracemalloc
(bench/connection_memory.py). Clients: asyncio websocket clients in separate processes (bench/swarm.py).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from . import connection_memory
from .common import Process, fresh_database, luot_serve, seed
from .realtime import SITES, FloorCalls, LuotCalls, capacity, measure

GEVENT_STEPS = [1000, 2000, 4000, 7000, 10000]
# Threading mode holds LUOT_SERVE_CONNECTIONS (2,000 by default) websockets, a thread each; clients beyond
# that wait in the listen queue until the swarm gives up on each (30 s), which only makes the run long.
THREADING_STEPS = [1000, 2000]


def run(work: Path, quick: bool = False) -> dict[str, Any]:
    rounds = 12 if quick else 50
    results: dict[str, Any] = {}
    with fresh_database("sqlite", work / "modes", None) as url:
        install = seed(url, work / "modes" / "instance", sites=SITES)
        env = {**install.env, "LUOT_ASYNC_MODE": "gevent"}
        with luot_serve(env) as server:
            calls = LuotCalls(install, server.url, rounds + 5)
            results["broadcast_gevent"] = measure(calls, server.url, 1000, 1, rounds, 0.3, server.serving_pid)
        floor_args = ["-m", "bench.floor", "broadcast", "--port", "{port}"]
        with Process(floor_args, {"LUOT_ASYNC_MODE": "gevent"}, "/health") as floor:
            results["broadcast_gevent_floor"] = measure(
                FloorCalls(floor.url), floor.url, 1000, 1, rounds, 0.3, floor.serving_pid
            )
    small = [1000, 2000]
    results["capacity_gevent"] = capacity(work, "gevent", small if quick else GEVENT_STEPS)
    results["capacity_threading"] = capacity(work, "threading", small if quick else THREADING_STEPS)
    results["connection_memory_gevent"] = connection_memory.run(work)
    return results
