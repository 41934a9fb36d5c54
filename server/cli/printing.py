"""``luot print-test`` and ``luot kiosk-agent``: what a technician runs when installing a kiosk's printer.

    luot print-test --printer tcp://192.168.1.50:9100          # a sample ticket, every Vietnamese letter
    luot print-test --printer png://tickets                     # a PNG in the printer folder's tickets/
    luot kiosk-agent --server http://10.0.0.2:5000 --token T --printer usb://0416:5011

A kiosk's printer is chosen with ``luot device set-printer`` (:mod:`.installation`).
"""

from __future__ import annotations

import dataclasses
import logging
import sys
from pathlib import Path

import click

from .base import Failure, failing_cleanly, printer_folders, printer_uri, settings


class PrinterDidNotPrint(Failure):
    """The printer is offline, out of paper or in error: exit status 1, where a refusal is 2."""

    exit_code = 1


@click.command("print-test")
@click.option(
    "--printer", required=True, callback=printer_uri, help="Printer URI, e.g. tcp://192.168.1.50:9100"
)
@click.option(
    "--url", default="http://luot.local/t/mau-thu", show_default=True, help="What the QR code holds."
)
@failing_cleanly
def print_test(printer: str, url: str) -> None:
    """Print a sample ticket with every Vietnamese letter (``?width=384`` for 58 mm paper)."""
    from printers.drivers import PrinterError, is_agent, open_printer
    from printers.render import FontMissing, render_ticket, sample_ticket

    if is_agent(printer):
        raise click.BadParameter(
            "run print-test on the kiosk PC, with its local printer's URI", param_hint="--printer"
        )
    driver = open_printer(printer, folders=printer_folders())
    try:
        image = render_ticket(sample_ticket(url), driver.address.width)
        driver.print_image(image, name="print-test")
    except FontMissing as exc:
        raise Failure(str(exc)) from exc
    except PrinterError as exc:
        raise PrinterDidNotPrint(f"the printer is {exc.status}: {exc.detail}") from exc
    where = f" into {driver.folder()}" if hasattr(driver, "folder") else ""
    click.echo(f"printed a sample ticket {image.width}×{image.height} dots{where}")


@click.command("kiosk-agent")
@click.option(
    "--server", required=True, envvar="LUOT_SERVER", help="The Lượt server, e.g. http://10.0.0.2:5000"
)
@click.option("--token", required=True, envvar="LUOT_DEVICE_TOKEN", help="The kiosk's device token.")
@click.option(
    "--printer", required=True, callback=printer_uri, help="The local printer, e.g. usb://0416:5011"
)
@click.option(
    "--serve-port",
    type=click.IntRange(0, 65535),
    default=None,
    envvar="LUOT_KIOSK_PORT",
    help="Serve the kiosk page on http://localhost:PORT and keep issuing while the server is down.",
)
@click.option(
    "--journal",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    envvar="LUOT_KIOSK_JOURNAL",
    help="The offline journal (SQLite), default ./kiosk-journal.sqlite3.",
)
@click.option(
    "--lease-every",
    type=click.FloatRange(0.1, 3600),
    default=5.0,
    envvar="LUOT_KIOSK_LEASE_EVERY_S",
    help="Seconds between two checks of the leases (and replays of the journal).",
)
@failing_cleanly
def kiosk_agent(
    server: str, token: str, printer: str, serve_port: int | None, journal: Path | None, lease_every: float
) -> None:
    """Print this kiosk's tickets on its local printer (runs on the kiosk PC; see deploy/); with
    --serve-port, serve the kiosk page and issue from a lease of numbers through an outage."""
    from printers.agent import KioskAgent
    from printers.drivers import is_agent
    from printers.spooler import SpoolerSettings

    if is_agent(printer):
        raise click.BadParameter("the agent needs the local printer's URI", param_hint="--printer")
    config = settings()
    timing = dataclasses.asdict(SpoolerSettings.from_config(dict(config)))  # the LUOT_PRINT_* settings
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    agent = KioskAgent(
        server,
        token,
        printer,
        folders=printer_folders(),
        serve_port=serve_port,
        journal=journal,
        lease_every_s=lease_every,
        **timing,
    )
    click.echo(f"printing this kiosk's tickets on {printer}; server {server}")
    if agent.proxy is not None:
        click.echo(f"kiosk page on http://localhost:{agent.proxy.port}/kiosk", nl=True)
    sys.stdout.flush()
    agent.run()
