"""Backups of a one-box installation: SQLite's online backup API, safe while the server is serving.

The copy is a consistent snapshot of one moment (WAL included), written beside the target and renamed
into place, so a half-written file never looks like a backup. Restoring copies a backup back into the
live database with the same API. PostgreSQL installations use ``pg_dump``/``pg_restore`` instead
(:func:`postgres_commands` says how).
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
from collections.abc import Iterator
from pathlib import Path

from sqlalchemy.engine import URL

from .engine import BUSY_TIMEOUT_MS, Database


class BackupError(Exception):
    """What a backup or restore could not do, said for the person running it."""


def sqlite_path(database: Database) -> Path:
    if not database.is_sqlite or not database.url.database or database.url.database == ":memory:":
        raise BackupError("not a SQLite file database")
    return Path(database.url.database)


@contextlib.contextmanager
def _connect(path: Path) -> Iterator[sqlite3.Connection]:
    connection = sqlite3.connect(path, timeout=BUSY_TIMEOUT_MS / 1000)
    try:
        yield connection
    finally:
        connection.close()


def backup_sqlite(database: Database, target: Path) -> int:
    """Copy the live database to ``target`` (replaced if it exists); returns the size in bytes."""
    source_path = sqlite_path(database)
    target = target.resolve()
    if target == source_path.resolve():
        raise BackupError("the backup file must not be the database itself")
    partial = target.with_name(f".{target.name}.partial")
    partial.unlink(missing_ok=True)
    with _connect(source_path) as source, _connect(partial) as copy:
        source.backup(copy)  # one consistent snapshot, even while other processes write
        copy.execute("PRAGMA journal_mode=DELETE")  # a single self-contained file
    os.replace(partial, target)
    return target.stat().st_size


def check_backup(path: Path) -> None:
    """Refuse anything that is not a sound SQLite file of this application."""
    try:
        with _connect(path) as connection:
            (verdict,) = connection.execute("PRAGMA quick_check").fetchone()
            tables = {row[0] for row in connection.execute("SELECT name FROM sqlite_master")}
    except sqlite3.DatabaseError as exc:
        raise BackupError(f"{path} is not a SQLite database: {exc}") from exc
    if verdict != "ok":
        raise BackupError(f"{path} is damaged: {verdict}")
    if not {"alembic_version", "tickets", "sites"} <= tables:
        raise BackupError(f"{path} is not a Lượt database")


def restore_sqlite(database: Database, source: Path) -> None:
    """Replace the live database's content with the backup ``source`` (checked first)."""
    check_backup(source)
    target = sqlite_path(database)
    database.dispose()
    with _connect(source) as backup, _connect(target) as live:
        backup.backup(live)


def postgres_commands(url: URL, file: str) -> tuple[str, str]:
    """The ``pg_dump`` and ``pg_restore`` command lines for a PostgreSQL installation."""
    plain = url.set(drivername="postgresql").render_as_string(hide_password=True)
    return (
        f"pg_dump --format=custom --file={file} '{plain}'",
        f"pg_restore --clean --if-exists --no-owner --dbname='{plain}' {file}",
    )
