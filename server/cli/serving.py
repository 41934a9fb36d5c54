"""Running Lượt: ``luot serve``, ``luot demo`` and ``luot scheduler`` (the scheduler as its own process, at
province scale)."""

from __future__ import annotations

import json
import signal
import socket
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from .base import Failure, failing_cleanly, open_app, settings

if TYPE_CHECKING:
    from flask import Flask


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@failing_cleanly
def serve(host: str, port: int) -> None:
    """Serve the API, Socket.IO and the screens."""
    app, _extension = open_app()
    run_server(app, host, port)


def run_server(app: Flask, host: str, port: int) -> None:
    """Serve until SIGINT or SIGTERM; on the way out, stop the scheduler and release its lease, so that a
    restarted server (or ``luot scheduler``) takes over at once instead of waiting for the lease to expire.
    The app itself is closed by its opener, when the command ends."""
    from ..jobs.scheduler import scheduler_enabled, start_scheduler, stop_scheduler
    from ..realtime import socketio

    def _stop(_signal: int, _frame: Any) -> None:
        raise KeyboardInterrupt  # the server's loop ends on it and returns

    check_address(host, port)
    app.extensions["luot"].public.listen(host, port)  # the QR codes' address, unless LUOT_PUBLIC_URL says
    signal.signal(signal.SIGTERM, _stop)
    if scheduler_enabled(app):
        start_scheduler(app)  # one box: reminders and no-shows run in the server process
    link = _start_upstream_link(app)
    _start_printing(app)
    click.echo(f"Lượt is serving on http://{host}:{port}/")
    try:
        socketio.run(app, host=host, port=port, allow_unsafe_werkzeug=True, log_output=False)
    except KeyboardInterrupt:
        pass
    finally:
        if link is not None:
            link.stop()
        stop_scheduler(app)


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

    app, extension = open_app(seed.demo_overrides(Path(settings()["LUOT_INSTANCE_PATH"])))
    base = f"http://{host}:{port}"
    credentials = seed.seed(app, extension)
    click.echo(seed.describe(credentials, base))
    if simulate:
        from ..demo.simulate import start_simulation

        start_simulation(app, extension, speed=speed)
        click.echo(f"simulating a day at {speed:g}× speed")
    if serve_:
        run_server(app, host, port)
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
