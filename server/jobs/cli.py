"""``luot scheduler``: the installation's scheduler as its own process (province scale)."""

from __future__ import annotations

import signal
import threading
from typing import Any

import click


@click.command()
@click.option("--once", is_flag=True, help="Run one sweep and exit (what cron or a test would do).")
def scheduler(once: bool) -> None:
    """Run the scheduler: reminders, no-shows, notification delivery (one per installation)."""
    from ..cli import open_app
    from .scheduler import Sweeper, start_scheduler, stop_scheduler

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
