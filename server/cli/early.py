"""What ``luot serve`` under ``LUOT_ASYNC_MODE=gevent`` needs before anything else is imported: gevent's
monkey-patching of the standard library (sockets, threads, locks, ``select``, ``time.sleep``).

It runs first thing when the ``luot`` command is imported (:mod:`server.cli`), and only when the command is
one that serves (``serve``, ``demo``) in gevent mode: every other command, and the tests' in-process apps,
keep the plain standard library. Patched this early, everything made later cooperates with gevent's loop:
the writers' turns (server/db/engine.py), the scheduler's and spooler's threads (greenlets), Redis, and
psycopg 3, which chooses its gevent-aware wait when it is imported after the patch.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence

SERVING_COMMANDS = frozenset({"serve", "demo"})


def patch_for_gevent(argv: Sequence[str] | None = None) -> bool:
    """Monkey-patch if this process is about to serve in gevent mode; whether it did."""
    if (os.environ.get("LUOT_ASYNC_MODE") or "").strip().lower() != "gevent":
        return False
    args = list(sys.argv if argv is None else argv)[1:]
    command = next((arg for arg in args if not arg.startswith("-")), None)
    if command not in SERVING_COMMANDS:
        return False
    from gevent import monkey

    monkey.patch_all()
    return True
