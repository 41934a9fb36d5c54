"""The ``luot`` command. Every command that touches the database first brings it to the current schema."""

from __future__ import annotations

import json
import signal
import sys
from pathlib import Path
from typing import Any

import click
from flask import Flask

from display.cli import display as display_commands
from printers.cli import kiosk_agent, print_test, printer_uri

from .app import create_app
from .config import InsecureConfiguration
from .db.engine import Database
from .db.migrate import upgrade
from .domain.access import DeviceKind, Role
from .domain.errors import LuotError
from .extension import Luot
from .jobs.cli import scheduler as scheduler_command
from .kiosk_cli import device_code
from .services.accounts import auth as auth_service
from .services.sites.config_file import load_config, read_config_file


def open_app(overrides: dict[str, Any] | None = None) -> tuple[Flask, Luot]:
    try:
        app = create_app(overrides)
    except InsecureConfiguration as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(2)
    extension: Luot = app.extensions["luot"]
    upgrade(extension.database)
    return app, extension


def _fail(exc: LuotError) -> None:
    click.echo(f"error: {exc}", err=True)
    sys.exit(2)


@click.group()
@click.version_option(package_name="luot")
def main() -> None:
    """Lượt — queue and appointment system for commune Public Administration Service Centres."""


@main.group()
def db() -> None:
    """Database schema."""


@db.command("upgrade")
def db_upgrade() -> None:
    """Apply pending migrations (safe when several processes start at once)."""
    open_app()
    click.echo("database is at the current schema")


@main.group()
def config() -> None:
    """Site configuration."""


@config.command("load")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def config_load(path: Path) -> None:
    """Load a site-configuration file (YAML or JSON); loading it twice changes nothing."""
    _flask_app, extension = open_app()
    try:
        report = load_config(extension.uow(), read_config_file(path), extension.now())
    except LuotError as exc:
        _fail(exc)
        return
    for label in report.created:
        click.echo(f"created {label}")
    for label in report.updated:
        click.echo(f"updated {label}")
    for label in report.not_in_file:
        click.echo(f"left as it is (not in the file): {label}")
    click.echo(f"{len(report.created)} created, {len(report.updated)} updated, {report.unchanged} unchanged")


@main.group()
def user() -> None:
    """Staff accounts."""


@user.command("add")
@click.argument("username")
@click.option("--role", type=click.Choice([r.value for r in Role]), required=True)
@click.option("--site", "sites", multiple=True, help="Site code (repeat for several sites).")
@click.option("--name", "display_name", default="", help="Full name shown on the tablet.")
@click.option("--password-stdin", is_flag=True, required=True, help="Read the password from standard input.")
def user_add(
    username: str, role: str, sites: tuple[str, ...], display_name: str, password_stdin: bool
) -> None:
    """Create a staff account (or update its role, sites and password)."""
    password = sys.stdin.readline().rstrip("\n")
    _flask_app, extension = open_app()
    try:
        info = auth_service.add_user(
            extension.uow(),
            extension.hasher,
            username=username,
            password=password,
            role=Role(role),
            site_codes=list(sites),
            at=extension.now(),
            display_name=display_name,
        )
    except LuotError as exc:
        _fail(exc)
        return
    click.echo(f"user {info.username} ({info.role}) on sites {info.site_ids}")


@main.group()
def device() -> None:
    """Kiosks and displays."""


@device.command("add")
@click.option("--site", "site_code", required=True)
@click.option("--kind", type=click.Choice([k.value for k in DeviceKind]), required=True)
@click.option("--name", required=True)
@click.option(
    "--printer", default=None, callback=printer_uri, help="Printer URI, e.g. tcp://192.168.1.50:9100"
)
def device_add(site_code: str, kind: str, name: str, printer: str | None) -> None:
    """Enrol a device; prints its token (shown only once) on standard output."""
    _flask_app, extension = open_app()
    try:
        _info, token = auth_service.add_device(
            extension.uow(),
            site_code=site_code,
            kind=DeviceKind(kind),
            name=name,
            printer_uri=printer,
            at=extension.now(),
        )
    except LuotError as exc:
        _fail(exc)
        return
    click.echo(token)


@device.command("list")
def device_list() -> None:
    """Every enrolled kiosk and display: id, site, kind, name, and whether it was revoked."""
    _flask_app, extension = open_app()
    with extension.read() as session:
        devices = auth_service.list_devices(session)
    for info, site_code, revoked_at in devices:
        state = f"revoked {revoked_at:%Y-%m-%d %H:%M}" if revoked_at else "active"
        click.echo(f"{info.id}\t{site_code}\t{info.kind}\t{info.name}\t{state}")


@device.command("revoke")
@click.argument("device_id", type=int)
def device_revoke(device_id: int) -> None:
    """Revoke a device (a stolen kiosk, a replaced TV): its token stops working at once."""
    _flask_app, extension = open_app()
    try:
        info = auth_service.revoke_device(extension.uow(), device_id, extension.now())
    except LuotError as exc:
        _fail(exc)
        return
    click.echo(f"revoked {info.kind} {info.name} (id {info.id})")


@user.command("disable")
@click.argument("username")
def user_disable(username: str) -> None:
    """Disable a staff account and end its sessions at once (``user add`` again re-enables it)."""
    _flask_app, extension = open_app()
    try:
        info = auth_service.disable_user(extension.uow(), username, extension.now())
    except LuotError as exc:
        _fail(exc)
        return
    click.echo(f"disabled {info.username}; every session of the account has ended")


device.add_command(device_code)


@device.command("set-printer")
@click.argument("device_id", type=int)
@click.option("--printer", callback=printer_uri, help="Printer URI (agent:// for the kiosk's print agent).")
@click.option("--none", "no_printer", is_flag=True, help="The kiosk has no printer.")
def device_set_printer(device_id: int, printer: str | None, no_printer: bool) -> None:
    """Change a kiosk's printer; the kiosk keeps its enrolment."""
    from .services.printing import SetDevicePrinter, set_device_printer

    if (printer is None) == (not no_printer):
        raise click.UsageError("give --printer URI, or --none")
    _flask_app, extension = open_app()
    try:
        info = set_device_printer(
            SetDevicePrinter(actor=None, device_id=device_id, printer_uri=printer, at=extension.now()),
            extension.uow(),
        )
    except LuotError as exc:
        _fail(exc)
        return
    click.echo(f"device {info.id} ({info.name}) prints at {info.printer_uri or 'no printer'}")


@main.command()
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
def backup(file: Path) -> None:
    """Copy the database to FILE while the server keeps serving (SQLite); PostgreSQL: prints pg_dump."""
    from .db.backup import BackupError, backup_sqlite, postgres_commands

    database: Database = create_app().extensions["luot"].database  # copied as it is: no migration first
    if not database.is_sqlite:
        dump, _restore = postgres_commands(database.url, str(file))
        click.echo(f"PostgreSQL: back up with\n  {dump}", err=True)
        sys.exit(2)
    try:
        size = backup_sqlite(database, file)
    except BackupError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(2)
    click.echo(f"backed up to {file} ({size} bytes)")


@main.command()
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--yes", is_flag=True, help="Do not ask before replacing the current data.")
def restore(file: Path, yes: bool) -> None:
    """Replace the database's content with the backup FILE (stop the servers first)."""
    from .db.backup import BackupError, postgres_commands, restore_sqlite

    app = create_app()
    database: Database = app.extensions["luot"].database
    if not database.is_sqlite:
        _dump, command = postgres_commands(database.url, str(file))
        click.echo(f"PostgreSQL: restore with\n  {command}", err=True)
        sys.exit(2)
    if not yes:
        click.confirm(f"Replace every record in {database.url.database} with {file}?", abort=True)
    try:
        restore_sqlite(database, file)
    except BackupError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(2)
    upgrade(database)  # a backup taken before an update gets today's schema
    click.echo(f"restored from {file}")


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
def serve(host: str, port: int) -> None:
    """Serve the API, Socket.IO and the screens."""
    app, _extension = open_app()
    run_server(app, host, port)


def run_server(app: Flask, host: str, port: int) -> None:
    """Serve until SIGINT or SIGTERM; on the way out, stop the scheduler and release its lease, so that a
    restarted server (or ``luot scheduler``) takes over at once instead of waiting for the lease to expire."""
    from .jobs.scheduler import scheduler_enabled, start_scheduler, stop_scheduler
    from .realtime import socketio

    def _stop(_signal: int, _frame: Any) -> None:
        raise KeyboardInterrupt  # the server's loop ends on it and returns

    signal.signal(signal.SIGTERM, _stop)
    if scheduler_enabled(app):
        start_scheduler(app)  # one box: reminders and no-shows run in the server process
    _start_printing(app)
    click.echo(f"Lượt is serving on http://{host}:{port}/")
    try:
        socketio.run(app, host=host, port=port, allow_unsafe_werkzeug=True, log_output=False)
    except KeyboardInterrupt:
        pass
    finally:
        stop_scheduler(app)
        app.extensions["luot"].close()


def _start_printing(app: Flask) -> None:
    """Say at once when tickets cannot be printed in Vietnamese; print what was queued before a restart."""
    from printers.render import FontMissing, find_font

    try:
        find_font(False)
        find_font(True)
    except FontMissing as exc:
        click.echo(f"error: tickets cannot be printed: {exc}", err=True)
    app.extensions["luot"].spooler.recover()


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@click.option(
    "--simulate/--no-simulate", default=False, help="Play a realistic day so the screens show life."
)
@click.option("--speed", default=30.0, show_default=True, help="Simulated seconds per real second.")
@click.option("--serve/--no-serve", "serve_", default=True, help="Seed only, without serving.")
def demo(host: str, port: int, simulate: bool, speed: float, serve_: bool) -> None:
    """Seed a two-site ward of Bắc Ninh on SQLite, print its URLs and credentials, and serve it."""
    from .demo import seed

    app, extension = open_app(seed.demo_overrides())
    base = f"http://{host}:{port}"
    credentials = seed.seed(app, extension)
    click.echo(seed.describe(credentials, base))
    if simulate:
        from .demo.simulate import start_simulation

        start_simulation(app, extension, speed=speed)
        click.echo(f"simulating a day at {speed:g}× speed")
    if serve_:
        run_server(app, host, port)
    else:
        click.echo(json.dumps({"seeded": True}))


main.add_command(scheduler_command)
main.add_command(display_commands)
main.add_command(print_test)
main.add_command(kiosk_agent)

if __name__ == "__main__":
    main()
