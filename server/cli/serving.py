"""Running Lượt: ``luot serve``, ``luot demo`` and ``luot scheduler`` (the scheduler as its own process, at
province scale)."""

from __future__ import annotations

import json
import signal
import socket
import threading
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from ..config import from_environment
from .base import Failure, failing_cleanly, given_app, open_app, settings

if TYPE_CHECKING:
    from flask import Flask


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@click.option(
    "--dev",
    is_flag=True,
    help="Werkzeug's development server in this one process, for debugging; never for a centre.",
)
@failing_cleanly
def serve(host: str, port: int, dev: bool) -> None:
    """Serve the API, Socket.IO and the screens (gunicorn, one worker; see docs/deploy.md)."""
    app, _extension = open_app()
    run_server(app, host, port, dev=dev)


def run_server(
    app: Flask,
    host: str,
    port: int,
    *,
    dev: bool = False,
    overrides: Mapping[str, Any] | None = None,
    also: Callable[[Flask], None] | None = None,
) -> None:
    """Serve until SIGINT or SIGTERM. ``app`` is the command's, checked and its database up to date; with
    gunicorn (server/cli/wsgi.py) the worker makes its own from the same configuration (``overrides`` on
    top of the environment) and ``app`` only serves the checks. ``also(app)``: more to start beside the
    requests, in the process that serves (the demo's simulation)."""
    check_address(host, port)
    config = app.config
    mode = config["LUOT_ASYNC_MODE"]
    if dev or given_app() is not None:  # a test's app is served as it is, in this process
        _run_dev_server(app, host, port, also)
        return
    from . import wsgi

    connections = config.get("LUOT_SERVE_CONNECTIONS") or wsgi.DEFAULT_CONNECTIONS[mode]
    worker_config = from_environment(dict(overrides or {}))
    app.extensions["luot"].close()  # nothing of it is inherited by the worker: its own app, its own pool

    def make_app() -> Flask:
        from ..app import create_app

        return create_app(dict(worker_config))

    def start(served: Flask) -> Callable[[], None]:
        stop = start_serving(served, host, port)
        if also is not None:
            also(served)
        return stop

    click.echo(f"Lượt is serving on http://{host}:{port}/ (gunicorn, {mode}, {connections} connections)")
    status = wsgi.serve(host, port, mode, int(connections), wsgi.Serving(make_app, start))
    if status != 0:
        raise Failure(f"the server stopped with status {status} (its log above says why)")
    wsgi.exit_now(0)  # the arbiter holds no app and its worker is gone: nothing is left to close


def start_serving(app: Flask, host: str, port: int) -> Callable[[], None]:
    """Start what runs beside the requests in the process that serves; returns what stops it all. On the
    way out the scheduler is stopped and its lease released, so that a restarted server (or
    ``luot scheduler``) takes over at once instead of waiting for the lease to expire."""
    from ..jobs.scheduler import scheduler_enabled, start_scheduler, stop_scheduler

    app.extensions["luot"].public.listen(host, port)  # the QR codes' address, unless LUOT_PUBLIC_URL says
    if scheduler_enabled(app):
        start_scheduler(app)  # one box: reminders and no-shows run in the server process
    link = _start_upstream_link(app)
    _start_printing(app)

    def stop() -> None:
        if link is not None:
            link.stop()
        stop_scheduler(app)

    return stop


def _run_dev_server(app: Flask, host: str, port: int, also: Callable[[Flask], None] | None) -> None:
    """Werkzeug's development server, in this process; its app closed by its opener when the command ends."""
    from ..realtime import socketio

    def _stop(_signal: int, _frame: Any) -> None:
        raise KeyboardInterrupt  # the server's loop ends on it and returns

    signal.signal(signal.SIGTERM, _stop)
    stop = start_serving(app, host, port)
    if also is not None:
        also(app)
    click.echo(f"Lượt is serving on http://{host}:{port}/ (development server)")
    try:
        socketio.run(app, host=host, port=port, allow_unsafe_werkzeug=True, log_output=False)
    except KeyboardInterrupt:
        pass
    finally:
        stop()


def _start_upstream_link(app: Flask) -> Any:
    """A site box: take its site from the upstream (waiting for it on first start), then keep sending
    and pulling in the background."""
    journal = app.extensions.get("luot.site_box")
    if journal is None:
        return None
    from ..jobs.site_box import UpstreamLink

    link = UpstreamLink(app, journal)
    click.echo(f"site box of {link.url}: taking this site's configuration")
    link.start()
    app.extensions["luot"].bus.subscribe("upstream link", link.handle)
    return link


def check_address(host: str, port: int) -> None:
    """Refuse at once, before anything starts, an address this machine cannot serve on (a port taken by
    another program, a host that is not this machine's)."""
    try:
        family, kind, proto, _name, address = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0]
        with socket.socket(family, kind, proto) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as the server will
            probe.bind(address)
    except OSError as exc:
        raise Failure(f"cannot serve on {host}:{port}: {exc.strerror or exc}") from exc


def _start_printing(app: Flask) -> None:
    """Say at once when tickets cannot be printed in Vietnamese; print what was queued before a restart."""
    from printers.render import FontMissing, find_font

    try:
        find_font(False)
        find_font(True)
    except FontMissing as exc:
        click.echo(f"error: tickets cannot be printed: {exc}", err=True)
    app.extensions["luot"].spooler.recover()


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@click.option(
    "--simulate/--no-simulate", default=False, help="Play a realistic day so the screens show life."
)
@click.option("--speed", default=30.0, show_default=True, help="Simulated seconds per real second.")
@click.option("--serve/--no-serve", "serve_", default=True, help="Seed only, without serving.")
@failing_cleanly
def demo(host: str, port: int, simulate: bool, speed: float, serve_: bool) -> None:
    """Seed a two-site ward of Bắc Ninh on SQLite, print its URLs and credentials, and serve it."""
    from ..demo import seed

    overrides = seed.demo_overrides(Path(settings()["LUOT_INSTANCE_PATH"]))
    app, extension = open_app(overrides)
    base = f"http://{host}:{port}"
    credentials = seed.seed(app, extension)
    click.echo(seed.describe(credentials, base))
    also = None
    if simulate:
        from ..demo.simulate import start_simulation

        def also(served: Flask) -> None:  # in the process that serves: its events reach its screens
            start_simulation(served, served.extensions["luot"], speed=speed)

        click.echo(f"simulating a day at {speed:g}× speed")
    if serve_:
        run_server(app, host, port, overrides=overrides, also=also)
    else:
        click.echo(json.dumps({"seeded": True}))


@click.command()
@click.option("--once", is_flag=True, help="Run one sweep and exit (what cron or a test would do).")
@failing_cleanly
def scheduler(once: bool) -> None:
    """Run the scheduler: reminders, no-shows, notification delivery (one per installation)."""
    from ..jobs.scheduler import Sweeper, start_scheduler, stop_scheduler

    app, _extension = open_app()
    if once:
        sweeper = Sweeper(app)
        acted = sweeper.run_once()
        if acted:
            sweeper.release()
        click.echo("swept" if acted else "another scheduler holds the lease; nothing done")
        return
    stop = threading.Event()

    def _stop(_signal: int, _frame: Any) -> None:
        stop.set()

    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, _stop)
    start_scheduler(app)
    click.echo("Lượt scheduler running (Ctrl+C to stop)")
    stop.wait()
    stop_scheduler(app)
