"""Setting up an installation: ``luot db``, ``luot config``, ``luot procedures``, ``luot user`` and
``luot device``.

    luot db upgrade
    luot config load sites.yaml [--take-back]                   # settings set on the page stay theirs
    luot procedures load procedures.yaml                      # the procedure guide (docs/procedures.md)
    echo 'a-long-password' | luot user add lan --role clerk --site KB1 --password-stdin
    luot device add --site KB1 --kind kiosk --name "Kiosk sảnh" [--printer URI]
    luot device add --site KB1 --kind rating --counter Q1 --name "Đánh giá quầy 1"
    luot device code --site KB1 --kind display --name "Màn hình sảnh"
    luot device set-printer 7 --printer agent://                # the kiosk keeps its enrolment
    luot device set-printer 7 --printer kiosk-sanh              # a printer declared for the site
    luot device refusals [--site KB1]                           # printer addresses refused via the API

Each command brings the database to the current schema first.
"""

from __future__ import annotations

import sys
from pathlib import Path
from zoneinfo import ZoneInfo

import click

from ..domain.access import DeviceKind, Role
from .base import check_printer, failing_cleanly, open_app, open_database, printer_choice, read_file


@click.group()
def db() -> None:
    """Database schema."""


@db.command("upgrade")
@failing_cleanly
def db_upgrade() -> None:
    """Apply pending migrations (safe when several processes start at once)."""
    open_database()
    click.echo("database is at the current schema")


@click.group()
def config() -> None:
    """Site configuration."""


@config.command("load")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--take-back",
    is_flag=True,
    help="Give the settings set on the manager's page (targets, open, counters' services) back to the file.",
)
@failing_cleanly
def config_load(path: Path, take_back: bool) -> None:
    """Load a site-configuration file (YAML or JSON); loading it twice changes nothing. Settings changed on
    the manager's page are left as set there (and listed) unless --take-back."""
    from ..services.sites.config_file import load_config, read_config_file

    _flask_app, extension = open_app()
    document = read_file(read_config_file, path)
    report = load_config(extension.uow(), document, extension.now(), check_printer, take_back=take_back)
    for label in report.taken_back:
        click.echo(f"given back to the file: {label}")
    for label in report.created:
        click.echo(f"created {label}")
    for label in report.updated:
        click.echo(f"updated {label}")
    for label in report.not_in_file:
        click.echo(f"left as it is (not in the file): {label}")
    for line in report.page_owned:
        click.echo(f"left as set on the manager's page: {line}")
    summary = f"{len(report.created)} created, {len(report.updated)} updated, {report.unchanged} unchanged"
    if report.page_owned:
        summary += (
            f", {len(report.page_owned)} settings left as set on the page (--take-back gives them back)"
        )
    click.echo(summary)


@click.group()
def procedures() -> None:
    """The procedure guide: what citizens bring for each procedure."""


@procedures.command("load")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@failing_cleanly
def procedures_load(path: Path) -> None:
    """Load a procedure file (YAML or JSON); loading it twice changes nothing, and the procedures absent
    from it are hidden (not deleted)."""
    from ..services.sites.procedures import load_procedures, read_procedure_file

    _flask_app, extension = open_app()
    source = read_file(read_procedure_file, path)
    report = load_procedures(extension.uow(), source, extension.now())
    for code in report.created:
        click.echo(f"created procedure {code}")
    for code in report.updated:
        click.echo(f"updated procedure {code}")
    for code in report.hidden:
        click.echo(f"hidden (not in the file): procedure {code}")
    click.echo(
        f"{len(report.created)} created, {len(report.updated)} updated, {len(report.hidden)} hidden, "
        f"{report.unchanged} unchanged"
    )


@click.group()
def user() -> None:
    """Staff accounts."""


@user.command("add")
@click.argument("username")
@click.option("--role", type=click.Choice([r.value for r in Role]), required=True)
@click.option("--site", "sites", multiple=True, help="Site code (repeat for several sites).")
@click.option("--name", "display_name", default="", help="Full name shown on the tablet.")
@click.option("--password-stdin", is_flag=True, required=True, help="Read the password from standard input.")
@failing_cleanly
def user_add(
    username: str, role: str, sites: tuple[str, ...], display_name: str, password_stdin: bool
) -> None:
    """Create a staff account (or update its role, sites and password)."""
    from ..services.accounts import auth as auth_service

    password = sys.stdin.readline().rstrip("\n")
    _flask_app, extension = open_app()
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
    click.echo(f"user {info.username} ({info.role}) on sites {info.site_ids}")


@user.command("disable")
@click.argument("username")
@failing_cleanly
def user_disable(username: str) -> None:
    """Disable a staff account and end its sessions at once (``user add`` again re-enables it)."""
    from ..services.accounts import auth as auth_service

    _flask_app, extension = open_app()
    info = auth_service.disable_user(extension.uow(), username, extension.now())
    click.echo(f"disabled {info.username}; every session of the account has ended")


@click.group()
def device() -> None:
    """Kiosks and displays."""


@device.command("add")
@click.option("--site", "site_code", required=True)
@click.option("--kind", type=click.Choice([k.value for k in DeviceKind]), required=True)
@click.option("--name", required=True)
@click.option(
    "--printer",
    default=None,
    callback=printer_choice,
    help="Printer URI (e.g. tcp://192.168.1.50:9100) or the name of a printer declared for the site",
)
@click.option("--counter", "counter_code", default=None, help="A rating pad's counter code, e.g. Q1")
@failing_cleanly
def device_add(site_code: str, kind: str, name: str, printer: str | None, counter_code: str | None) -> None:
    """Enrol a device; prints its token (shown only once) on standard output."""
    from ..services.accounts import auth as auth_service

    _flask_app, extension = open_app()
    _info, token = auth_service.add_device(
        extension.uow(),
        site_code=site_code,
        kind=DeviceKind(kind),
        name=name,
        printer_uri=printer,
        at=extension.now(),
        counter_code=counter_code,
    )
    click.echo(token)


@device.command("code")
@click.option("--site", "site_code", required=True)
@click.option("--kind", type=click.Choice([k.value for k in DeviceKind]), required=True)
@click.option("--name", required=True, help="The device's name; an active device of that name is reused.")
@click.option(
    "--printer",
    default=None,
    callback=printer_choice,
    help="Printer URI (e.g. tcp://192.168.1.50:9100) or the name of a printer declared for the site",
)
@click.option("--counter", "counter_code", default=None, help="A rating pad's counter code, e.g. Q1")
@failing_cleanly
def device_code(site_code: str, kind: str, name: str, printer: str | None, counter_code: str | None) -> None:
    """Print a short code (valid once, for a day) to type on the kiosk's or display's enrolment screen."""
    from ..services.accounts.enrolment import issue_code

    _flask_app, extension = open_app()
    issued = issue_code(
        extension.uow(),
        extension.secret,
        site_code=site_code,
        kind=DeviceKind(kind),
        name=name,
        printer_uri=printer,
        at=extension.now(),
        counter_code=counter_code,
    )
    until = issued.expires_at.astimezone(ZoneInfo("Asia/Ho_Chi_Minh")).strftime("%Y-%m-%d %H:%M")
    click.echo(issued.code)
    click.echo(
        f"{kind} '{issued.device.name}' (device {issued.device.id}): valid once, until {until}", err=True
    )


@device.command("list")
@failing_cleanly
def device_list() -> None:
    """Every enrolled kiosk and display: id, site, kind, name, and whether it was revoked."""
    from ..services.accounts import auth as auth_service

    _flask_app, extension = open_app()
    with extension.read() as session:
        devices = auth_service.list_devices(session)
    for info, site_code, revoked_at in devices:
        state = f"revoked {revoked_at:%Y-%m-%d %H:%M}" if revoked_at else "active"
        click.echo(f"{info.id}\t{site_code}\t{info.kind}\t{info.name}\t{state}")


@device.command("revoke")
@click.argument("device_id", type=int)
@failing_cleanly
def device_revoke(device_id: int) -> None:
    """Revoke a device (a stolen kiosk, a replaced TV): its token stops working at once."""
    from ..services.accounts import auth as auth_service

    _flask_app, extension = open_app()
    info = auth_service.revoke_device(extension.uow(), device_id, extension.now())
    click.echo(f"revoked {info.kind} {info.name} (id {info.id})")


@device.command("set-printer")
@click.argument("device_id", type=int)
@click.option(
    "--printer",
    callback=printer_choice,
    help="Printer URI (agent:// for the kiosk's print agent) or a declared printer's name.",
)
@click.option("--none", "no_printer", is_flag=True, help="The kiosk has no printer.")
@failing_cleanly
def device_set_printer(device_id: int, printer: str | None, no_printer: bool) -> None:
    """Change a kiosk's printer; the kiosk keeps its enrolment."""
    from ..services.printing import SetDevicePrinter, set_device_printer

    if (printer is None) == (not no_printer):
        raise click.UsageError("give --printer URI, or --none")
    _flask_app, extension = open_app()
    info = set_device_printer(
        SetDevicePrinter(actor=None, device_id=device_id, printer_uri=printer, at=extension.now()),
        extension.uow(),
    )
    click.echo(f"device {info.id} ({info.name}) prints at {info.printer_uri or 'no printer'}")


@device.command("refusals")
@click.option("--site", "site_code", default=None, help="Only this site (default: every site).")
@failing_cleanly
def device_refusals(site_code: str | None) -> None:
    """Printer addresses refused through the API, newest first: when, site, device, who, what, why."""
    from ..services import audit
    from ..services.accounts.auth import sites_by_code

    _flask_app, extension = open_app()
    with extension.read() as session:
        site_id = sites_by_code(session, [site_code])[0].id if site_code else None
        entries = audit.refusals(session, None, site_id)
    for entry in entries:
        click.echo(
            f"{entry.at.isoformat(timespec='seconds')}\tsite {entry.site_id}\tdevice {entry.device_id}\t"
            f"{entry.actor or '-'}\t{entry.attempted}\t{entry.detail}"
        )
    click.echo(f"{len(entries)} refused", err=True)
