"""``luot backup`` and ``luot restore``: a one-box installation's SQLite database, copied while serving and
put back with the servers stopped; on PostgreSQL they say which ``pg_dump``/``pg_restore`` to run."""

from __future__ import annotations

import sys
from pathlib import Path

import click


@click.command()
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
def backup(file: Path) -> None:
    """Copy the database to FILE while the server keeps serving (SQLite); PostgreSQL: prints pg_dump."""
    from ..app import create_app
    from ..db.backup import BackupError, backup_sqlite, postgres_commands
    from ..db.engine import Database

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


@click.command()
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--yes", is_flag=True, help="Do not ask before replacing the current data.")
def restore(file: Path, yes: bool) -> None:
    """Replace the database's content with the backup FILE (stop the servers first)."""
    from ..app import create_app
    from ..db.backup import BackupError, postgres_commands, restore_sqlite
    from ..db.engine import Database
    from ..db.migrate import upgrade

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
