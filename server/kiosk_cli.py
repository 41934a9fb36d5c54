"""``luot device code``: a short enrolment code for a kiosk or display (registered in :mod:`server.cli`)."""

from __future__ import annotations

import sys
from zoneinfo import ZoneInfo

import click

from printers.cli import printer_uri

from .domain.access import DeviceKind
from .domain.errors import LuotError


@click.command("code")
@click.option("--site", "site_code", required=True)
@click.option("--kind", type=click.Choice([k.value for k in DeviceKind]), required=True)
@click.option("--name", required=True, help="The device's name; an active device of that name is reused.")
@click.option(
    "--printer", default=None, callback=printer_uri, help="Printer URI, e.g. tcp://192.168.1.50:9100"
)
def device_code(site_code: str, kind: str, name: str, printer: str | None) -> None:
    """Print a short code (valid once, for a day) to type on the kiosk's or display's enrolment screen."""
    from .app import create_app
    from .db.migrate import upgrade
    from .services.accounts.enrolment import issue_code

    app = create_app()
    extension = app.extensions["luot"]
    upgrade(extension.database)
    try:
        issued = issue_code(
            extension.uow(),
            extension.secret,
            site_code=site_code,
            kind=DeviceKind(kind),
            name=name,
            printer_uri=printer,
            at=extension.now(),
        )
    except LuotError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(2)
    until = issued.expires_at.astimezone(ZoneInfo("Asia/Ho_Chi_Minh")).strftime("%Y-%m-%d %H:%M")
    click.echo(issued.code)
    click.echo(
        f"{kind} '{issued.device.name}' (device {issued.device.id}): valid once, until {until}", err=True
    )
