"""What the ``luot`` commands share: the app opener, the one way a command fails, and the printer URI check.

- :func:`open_app` makes the app from the configuration (:func:`server.config.from_environment`), brings
  its database to the current schema, and closes it when the command ends; :func:`open_database` does the
  same with the database alone, and :func:`settings` is that configuration, for the commands that need no
  app.
- A known failure ends a command with one line ``error: …`` on standard error and a non-zero exit status,
  never a traceback: a command raises :class:`Failure`, and :func:`failing_cleanly`, on every command,
  turns into one the failures any command can meet (a refusal of the rules, an unreadable or unsafe
  setting, a database that cannot be reached, a file that cannot be read or written).

Tests hand the commands an app made already as click's context object
(``CliRunner().invoke(main, args, obj=app)``), as Flask's own CLI runner does; the commands then use that
app and its configuration as they are, and leave closing it to its owner.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, ParamSpec, TypeVar

import click
from flask import Flask
from sqlalchemy import exc as sa_exc

from ..config import InsecureConfiguration, InvalidConfiguration, from_environment
from ..domain.errors import LuotError

if TYPE_CHECKING:
    from printers.drivers import PrinterFolders

    from ..db.engine import Database
    from ..extension import Luot

P = ParamSpec("P")
R = TypeVar("R")


class Failure(click.ClickException):
    """A known failure: ``error: MESSAGE`` on one line of standard error, and exit status 2."""

    exit_code = 2

    def __init__(self, message: str) -> None:
        super().__init__(" ".join(message.split()))

    def show(self, file: IO[Any] | None = None) -> None:
        click.echo(f"error: {self.format_message()}", file=file, err=True)


def failing_cleanly(command: Callable[P, R]) -> Callable[P, R]:
    """Decorate a command: the failures any command can meet end it as a :class:`Failure`."""

    @functools.wraps(command)
    def run(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return command(*args, **kwargs)
        except (LuotError, InsecureConfiguration, InvalidConfiguration) as exc:
            raise Failure(str(exc)) from exc
        except sa_exc.OperationalError as exc:
            raise Failure(f"the database failed: {exc.orig or exc}") from exc
        except OSError as exc:
            raise Failure(describe(exc)) from exc

    return run


def read_file(reader: Callable[[Path], R], path: Path) -> R:
    """``reader(path)``, a file the installer wrote; one that is not UTF-8 text is a clear failure."""
    try:
        return reader(path)
    except UnicodeDecodeError as exc:
        raise Failure(f"{path} is not UTF-8 text ({exc.reason} at byte {exc.start})") from exc


def describe(exc: OSError) -> str:
    """``/var/lib/luot: Permission denied`` rather than ``[Errno 13] Permission denied: '/var/lib/luot'``."""
    reason = exc.strerror or str(exc)
    return f"{exc.filename}: {reason}" if exc.filename else reason


def given_app() -> Flask | None:
    """The app a test handed to the command as its context object, if any."""
    return click.get_current_context().find_object(Flask)


def settings(overrides: Mapping[str, Any] | None = None) -> Mapping[str, Any]:
    """The installation's configuration: from the environment, with ``overrides`` on top."""
    app = given_app()
    if app is not None:
        return app.config
    return from_environment(dict(overrides or {}))


def open_app(overrides: Mapping[str, Any] | None = None, *, migrate: bool = True) -> tuple[Flask, Luot]:
    """The app of this command, its database brought to the current schema (``migrate=False``: as it is);
    closed when the command ends."""
    app = given_app()
    if app is None:
        from ..app import create_app

        config = settings(overrides)
        check_database_url(config["LUOT_DATABASE_URL"])
        app = create_app(dict(config))
        click.get_current_context().call_on_close(app.extensions["luot"].close)
    extension: Luot = app.extensions["luot"]
    if migrate:
        bring_up_to_date(extension.database)
    return app, extension


def open_database(*, migrate: bool = True) -> Database:
    """The installation's database alone, for the commands that need no app (``db upgrade``, ``backup``,
    ``restore``: they start in a fraction of the time); brought to the current schema unless
    ``migrate=False``, and closed when the command ends."""
    app = given_app()
    if app is not None:
        database: Database = app.extensions["luot"].database
    else:
        from ..db.engine import Database

        config = settings()
        check_database_url(config["LUOT_DATABASE_URL"])
        Path(config["LUOT_INSTANCE_PATH"]).mkdir(parents=True, exist_ok=True)  # the default SQLite file's
        database = Database(config["LUOT_DATABASE_URL"])
        click.get_current_context().call_on_close(database.dispose)
    if migrate:
        bring_up_to_date(database)
    return database


DATABASE_URLS = "sqlite:///PATH or postgresql://USER@HOST:PORT/DATABASE"


def check_database_url(url: str) -> None:
    """Refuse, before anything connects, an address that is not one of SQLite or PostgreSQL."""
    from ..db.engine import normalise_url

    try:
        backend = normalise_url(url)
    except sa_exc.ArgumentError:
        raise Failure(f"LUOT_DATABASE_URL is not a database address ({DATABASE_URLS})") from None
    if backend.get_backend_name() not in ("sqlite", "postgresql"):
        shown = backend.render_as_string(hide_password=True)
        raise Failure(
            f"LUOT_DATABASE_URL must be a SQLite or PostgreSQL address ({DATABASE_URLS}), not {shown}"
        )


def bring_up_to_date(database: Database) -> None:
    """Apply the pending migrations; a database that cannot be reached, or is newer than this version of
    Lượt, is a :class:`Failure` that says which."""
    from alembic.util import CommandError

    from ..db.migrate import upgrade

    where = database.url.render_as_string(hide_password=True)
    try:
        upgrade(database)
    except sa_exc.OperationalError as exc:
        raise Failure(f"cannot reach the database {where}: {exc.orig or exc}") from exc
    except CommandError as exc:
        raise Failure(f"the database {where} cannot be brought to this version's schema: {exc}") from exc


def printer_folders() -> PrinterFolders:
    """Where ``file://`` and ``png://`` printers may write (``LUOT_PRINTER_DIR``)."""
    from printers.drivers import PrinterFolders

    config = settings()
    return PrinterFolders.from_setting(config.get("LUOT_PRINTER_DIR"), config["LUOT_INSTANCE_PATH"])


def check_printer(value: str) -> str:
    """A URI checked against the drivers and the printer folders, normalised; a
    :class:`~server.domain.printing.PrinterRefused` otherwise (the configuration file's check)."""
    from printers.drivers import InvalidPrinterUri, parse

    from ..domain.errors import N_
    from ..domain.printing import PrinterRefused

    try:
        return parse(value, printer_folders()).uri
    except InvalidPrinterUri as exc:
        raise PrinterRefused(N_("This printer address cannot be used: %(reason)s"), reason=str(exc)) from exc


def printer_uri(_ctx: click.Context | None, _param: click.Parameter | None, value: str | None) -> str | None:
    """A click callback: a URI checked against the drivers and the printer folders; one ``error:`` line
    otherwise."""
    from printers.drivers import InvalidPrinterUri, parse

    if value is None or value == "":
        return None
    try:
        folders = printer_folders()
    except InvalidConfiguration as exc:  # the callback runs before the command's own failing_cleanly
        raise Failure(str(exc)) from exc
    try:
        return parse(value, folders).uri
    except InvalidPrinterUri as exc:
        raise Failure(f"--printer: {exc}") from exc


def printer_choice(ctx: click.Context | None, param: click.Parameter | None, value: str | None) -> str | None:
    """A click callback: as :func:`printer_uri`, or the name of a printer declared for the site (no
    ``:``; the service looks it up)."""
    if value is not None and value.strip() and ":" not in value:
        return value.strip()
    return printer_uri(ctx, param, value)
