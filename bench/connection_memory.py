"""Where an idle connection's memory goes (part of ``--only modes``): one gevent ``luot serve`` traced by
tracemalloc from its first import (bench/tracing/sitecustomize.py takes a snapshot on a signal), a
snapshot with a few clients connected and one with ``clients`` more, compared line by line. Only Python's
own allocations are traced: the greenlets' saved C stacks and the interpreter's frame chunks are not, so the
traced bytes per connection stay below the RSS ones measured without tracing (bench/realtime.capacity)."""

from __future__ import annotations

import os
import re
import time
import tracemalloc
from pathlib import Path
from typing import Any

from .common import ROOT, fresh_database, luot_serve, seed
from .realtime import SITES, LuotCalls, Swarm
from .tracing.sitecustomize import SNAPSHOT_SIGNAL

TRACING = ROOT / "bench" / "tracing"
WARM = 50  # clients connected before the first snapshot: every lazy import and cache already made
TOP = 12


def run(work: Path, clients: int = 1000) -> dict[str, Any]:
    folder = work / "connection-memory"
    snapshots = folder / "snapshots"
    snapshots.mkdir(parents=True)
    with fresh_database("sqlite", folder, None) as url:
        install = seed(url, folder / "instance", sites=SITES)
        with luot_serve({**install.env, "LUOT_ASYNC_MODE": "gevent", **traced(snapshots)}) as server:
            calls = LuotCalls(install, server.url, 5)
            swarms = [Swarm(server.url, [calls.auth(i % SITES) for i in range(WARM)])]
            try:
                before = snapshot(server.serving_pid, snapshots)
                swarms.append(Swarm(server.url, [calls.auth(i % SITES) for i in range(WARM, WARM + clients)]))
                after = snapshot(server.serving_pid, snapshots)
            finally:
                for swarm in swarms:
                    swarm.close()
    held = swarms[1].connected
    lines = after.compare_to(before, "lineno")
    return {
        "clients": held,
        "failed": swarms[1].failed,
        "traced_kb_per_connection": round(sum(s.size_diff for s in lines) / 1024 / max(held, 1), 1),
        "top_lines": [row(s, max(held, 1), "connection") for s in lines[:TOP]],
    }


def traced(snapshots: Path) -> dict[str, str]:
    """The environment under which a server traces from its first import and dumps snapshots on a signal."""
    return {
        "PYTHONTRACEMALLOC": "1",
        "PYTHONPATH": os.pathsep.join(filter(None, [str(TRACING), os.environ.get("PYTHONPATH")])),
        "LUOT_BENCH_SNAPSHOTS": str(snapshots),
    }


def snapshot(pid: int, folder: Path, timeout: float = 120) -> tracemalloc.Snapshot:
    """Ask the serving process for a snapshot and read it once it is written."""
    path = folder / f"{pid}-{len(list(folder.glob(f'{pid}-*.tracemalloc')))}.tracemalloc"
    os.kill(pid, SNAPSHOT_SIGNAL)
    deadline = time.monotonic() + timeout
    while not path.exists():
        if time.monotonic() > deadline:
            raise RuntimeError(f"no tracemalloc snapshot from process {pid}")
        time.sleep(0.2)
    return tracemalloc.Snapshot.load(str(path))


def row(stat: tracemalloc.StatisticDiff, per: float, unit: str) -> dict[str, Any]:
    """One line's growth between two snapshots, per ``unit`` (``per`` of them, more than 0)."""
    frame = stat.traceback[0]
    where = frame.filename.split("site-packages/")[-1].replace(str(ROOT) + "/", "")
    where = re.sub(r"^.*/lib/python3\.\d+/", "", where)  # the standard library's modules by name
    return {
        "where": f"{where}:{frame.lineno}" if frame.lineno else where,
        f"bytes_per_{unit}": round(stat.size_diff / per),
        f"blocks_per_{unit}": round(stat.count_diff / per, 1),
    }
