"""``luot backup`` and ``luot restore``: a one-box installation's SQLite database, copied while serving and
put back with the servers stopped; on PostgreSQL they refuse, saying which ``pg_dump``/``pg_restore``
to run."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

import click

from .base import Failure, bring_up_to_date, failing_cleanly, open_database


@click.command()
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@failing_cleanly
def backup(file: Path) -> None:
    """Copy the database to FILE while the server keeps serving (SQLite; PostgreSQL: use pg_dump)."""
    from ..db.backup import BackupError, backup_sqlite, postgres_commands

    database = open_database(migrate=False)  # copied as it is: no migration first
    if not database.is_sqlite:
        dump, _restore = postgres_commands(database.url, str(file))
        raise Failure(f"PostgreSQL is backed up with pg_dump: {dump}")
    folder = file.absolute().parent
    if not folder.is_dir():
        raise Failure(f"there is no folder {folder} to write the backup into")
    if not os.access(folder, os.W_OK):
        raise Failure(f"the folder {folder} cannot be written to")
    try:
        size = backup_sqlite(database, file)
    except BackupError as exc:
        raise Failure(str(exc)) from exc
    except sqlite3.Error as exc:
        raise Failure(f"the backup {file} could not be written: {exc}") from exc
    click.echo(f"backed up to {file} ({size} bytes)")


@click.command()
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--yes", is_flag=True, help="Do not ask before replacing the current data.")
@failing_cleanly
def restore(file: Path, yes: bool) -> None:
    """Replace the database's content with the backup FILE (stop the servers first)."""
    from ..db.backup import BackupError, check_backup, postgres_commands, restore_sqlite

    database = open_database(migrate=False)  # replaced as it is: no migration first
    if not database.is_sqlite:
        _dump, command = postgres_commands(database.url, str(file))
        raise Failure(f"PostgreSQL is restored with pg_restore: {command}")
    try:
        check_backup(file)  # before asking, so that nobody is asked about a file that is no backup
        if not yes:
            click.confirm(f"Replace every record in {database.url.database} with {file}?", abort=True)
        restore_sqlite(database, file)
    except BackupError as exc:
        raise Failure(str(exc)) from exc
    except sqlite3.Error as exc:
        raise Failure(f"{database.url.database} could not be replaced: {exc}") from exc
    bring_up_to_date(database)  # a backup taken before an update gets today's schema
    click.echo(f"restored from {file}")
