"""``luot serve`` through gunicorn, run inside the command (no ``gunicorn`` command line, no config file).

Flask-SocketIO's deployment rules: one worker process, never several (Socket.IO sessions live in a process;
several processes are several ``luot serve`` behind nginx, sharing Redis). The worker class follows
``LUOT_ASYNC_MODE``: ``gthread`` for ``threading`` (each websocket holds one of its threads, so it has as many
threads as connections it may hold), ``gevent`` for ``gevent`` (a greenlet per connection).

The ``luot serve`` process is gunicorn's arbiter: it has checked the configuration and brought the database up
to date before anything starts, and it holds no app while serving (it forks). The worker builds the app, then
starts what runs beside the requests (the scheduler, exactly one per process; a site box's upstream link; the
print spooler's recovery). On SIGTERM the arbiter asks the worker to stop: the worker first closes its
Socket.IO connections (clients reconnect to the next server), then stops the link and the scheduler (its
lease released, so that a restarted server takes over at once) and closes the app. A worker never outlives
its arbiter: it is killed with it (a power cut stays a power cut).
"""

from __future__ import annotations

import ctypes
import gc
import logging
import os
import sys
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, NoReturn

from gunicorn.app.base import BaseApplication
from gunicorn.workers.gthread import ThreadWorker

if TYPE_CHECKING:
    from flask import Flask

log = logging.getLogger("luot.serve")

# Connections one process holds at most (LUOT_SERVE_CONNECTIONS), by mode: a threading worker needs a
# thread per websocket (docs/performance.md: 2,000 held well, beyond that the threads run out); a gevent
# worker a greenlet.
DEFAULT_CONNECTIONS = {"threading": 2000, "gevent": 20000}
HTTP_THREADS = 100  # threading mode: threads kept for HTTP requests beyond LUOT_SERVE_CONNECTIONS
GRACEFUL_TIMEOUT_S = 10  # what the arbiter grants the worker to stop before it kills it
PR_SET_PDEATHSIG = 1
# Objects allocated between collections of the youngest generation (Python's default: 700); see
# settle_the_collector.
GC_YOUNG_THRESHOLD = 10_000


class Serving:
    """What runs beside the requests in the process that serves: started once the app is made, stopped
    once, on the way out (:func:`server.cli.serving.start_serving`)."""

    def __init__(self, make_app: Callable[[], Flask], start: Callable[[Flask], Callable[[], None]]) -> None:
        self._make_app = make_app
        self._start = start
        self.app: Flask | None = None
        self._stop: Callable[[], None] | None = None
        self._closing: threading.Thread | None = None
        self._lock = threading.Lock()

    def load(self) -> Flask:
        self.app = self._make_app()
        self._stop = self._start(self.app)
        settle_the_collector()
        return self.app

    def closing(self) -> None:
        """SIGTERM reached the worker: close the Socket.IO connections at once (in the background: this is
        a signal handler), so that the worker's wait for its open connections ends with them."""
        if self.app is None or self._closing is not None:
            return
        self._closing = threading.Thread(target=_disconnect_all, name="luot-closing", daemon=True)
        self._closing.start()

    def stop(self) -> None:
        with self._lock:
            if self._closing is not None:
                self._closing.join(GRACEFUL_TIMEOUT_S / 2)
            stop, self._stop = self._stop, None
            if stop is not None:
                stop()
            app, self.app = self.app, None
            if app is not None:
                app.extensions["luot"].close()


def settle_the_collector() -> None:
    """Keep Python's cycle collector from stalling every connection of the worker.

    A full collection walks every tracked object of the process; with a thousand connections held that took
    120–200 ms here, during which no websocket of the worker is written (docs/performance.md, *Call →
    display*). What the app built at start (modules, the ORM's mappings, the routes) lives as long as the
    process: frozen, it is left out of every later collection. Collections of the youngest generation then
    come after 10,000 allocations instead of 700, so that fewer short-lived objects, alive by chance at a
    collection, are promoted into the old generation and bring on its next full walk.
    """
    gc.collect()
    gc.freeze()
    _young, middle, old = gc.get_threshold()
    gc.set_threshold(GC_YOUNG_THRESHOLD, middle, old)


def _disconnect_all() -> None:
    from ..realtime import socketio

    try:
        socketio.server.eio.disconnect()  # every client of this process
    except Exception:  # the worker stops anyway; say why its clients were not told
        log.exception("could not close the Socket.IO connections")


class _Stopping:
    """A worker that closes its Socket.IO connections as soon as it is asked to stop."""

    app: LuotServer
    alive: bool

    def handle_exit(self, sig: int, frame: Any) -> None:
        self.alive = False
        self.app.serving.closing()


class LuotThreadWorker(_Stopping, ThreadWorker):  # type: ignore[misc]
    def handle_exit(self, sig: int, frame: Any) -> None:
        super().handle_exit(sig, frame)
        # Its loop waits up to a second for a connection or a callback: wake it, so that it stops now.
        # (A callback that does nothing, through gunicorn's own wake-up pipe: safe in a signal handler.)
        waking = getattr(self, "method_queue", None)
        if waking is not None:
            waking.defer(_nothing)


def _nothing() -> None:
    pass


def _gevent_worker() -> type:
    from gunicorn.workers.ggevent import GeventWorker

    class LuotGeventWorker(_Stopping, GeventWorker):  # type: ignore[misc]
        def handle_exit(self, sig: int, frame: Any) -> None:
            import gevent

            self.alive = False  # gevent runs this in its loop, where nothing may block: in a greenlet
            gevent.spawn(self.app.serving.closing)

    return LuotGeventWorker


def _die_with_parent(_arbiter: Any, _worker: Any) -> None:
    """The worker is killed with its arbiter (Linux); elsewhere gunicorn's own check, within a second."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, 9)  # SIGKILL
    except (OSError, AttributeError):
        return
    if os.getppid() == 1:  # the arbiter died before the line above
        os._exit(1)


class LuotServer(BaseApplication):  # type: ignore[misc]
    """gunicorn's application: its settings given here, the app made in the worker by ``serving``."""

    def __init__(self, serving: Serving, options: dict[str, Any]) -> None:
        self.serving = serving
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self) -> Flask:
        return self.serving.load()


def gunicorn_options(host: str, port: int, mode: str, connections: int, serving: Serving) -> dict[str, Any]:
    address = f"[{host}]:{port}" if ":" in host else f"{host}:{port}"

    def worker_exit(_arbiter: Any, _worker: Any) -> None:
        try:
            serving.stop()
        finally:
            # Nothing more to wait for: a connection's thread still blocked on its socket must not keep the
            # worker alive until the arbiter kills it.
            exit_now(0)

    options: dict[str, Any] = {
        "bind": [address],
        "workers": 1,
        # gthread: a thread per request being answered, websockets included; kept-alive HTTP connections
        # wait without one, and count here too.
        "worker_connections": connections * 2 + HTTP_THREADS if mode != "gevent" else connections,
        "graceful_timeout": GRACEFUL_TIMEOUT_S,
        "timeout": 30,
        "keepalive": 5,
        "preload_app": False,
        "post_fork": _die_with_parent,
        "worker_exit": worker_exit,
        "loglevel": "warning",
        "errorlog": "-",
        "accesslog": None,
        "proc_name": "luot",
        "control_socket_disable": True,
    }
    if mode == "gevent":
        options["worker_class"] = _gevent_worker()
    else:
        options["worker_class"] = LuotThreadWorker
        # Every websocket holds its thread for as long as it is open: threads beyond the connections
        # answer HTTP requests when the websockets have taken theirs.
        options["threads"] = connections + HTTP_THREADS
    return options


def exit_now(status: int) -> NoReturn:
    """End this process once everything it held is closed: its output flushed, without the interpreter's
    tear-down of every module it imported (more than half a second, for nothing left to clean)."""
    logging.shutdown()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(status)


def serve(host: str, port: int, mode: str, connections: int, serving: Serving) -> int:
    """Serve until stopped; the arbiter's exit status (0 after SIGTERM or SIGINT)."""
    try:
        LuotServer(serving, gunicorn_options(host, port, mode, connections, serving)).run()
    except SystemExit as exc:
        return exc.code if isinstance(exc.code, int) else 1
    return 0
