"""Loaded by every Python process the bench starts with ``bench/tracing`` on ``PYTHONPATH`` (and
``PYTHONTRACEMALLOC`` set, so that tracemalloc traces from the first import): on the signal below, the
process writes a tracemalloc snapshot into ``LUOT_BENCH_SNAPSHOTS`` (``<pid>-<n>.tracemalloc``, written then
renamed, so a reader never sees half of one). A bench tool only; Lượt itself has no such hook."""

import gc
import os
import signal
import tracemalloc

SNAPSHOT_SIGNAL = signal.SIGRTMIN + 3  # one no gunicorn process handles

_folder = os.environ.get("LUOT_BENCH_SNAPSHOTS")
_taken = 0


def _snapshot(_signal: int, _frame: object) -> None:
    global _taken
    gc.collect()
    path = os.path.join(str(_folder), f"{os.getpid()}-{_taken}.tracemalloc")
    tracemalloc.take_snapshot().dump(path + ".part")
    os.replace(path + ".part", path)
    _taken += 1


if _folder and tracemalloc.is_tracing():
    signal.signal(SNAPSHOT_SIGNAL, _snapshot)
