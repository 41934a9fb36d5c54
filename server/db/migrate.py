"""Bring a database to the current schema, safely when several processes start at once.

Every ``luot`` command that touches the database calls :func:`upgrade` first. The migration runs under an
installation-wide lock: a PostgreSQL advisory lock, or for SQLite an exclusive lock on a file beside the
database. A process that finds the schema current does not take the lock at all.
"""

from __future__ import annotations

import contextlib
import fcntl
import functools
from collections.abc import Iterator
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, text

from .engine import Database

MIGRATIONS = Path(__file__).with_name("migrations")
_ADVISORY_KEY = 0x6C756F74  # "luot"


def alembic_config(database: Database | None = None) -> Config:
    """Alembic's configuration: the migration scripts, and the database to migrate when there is one."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    if database is not None:
        config.set_main_option("sqlalchemy.url", database.url.render_as_string(hide_password=False))
    return config


@functools.cache
def head_revision() -> str | None:
    """The newest migration shipped with this code (read once per process)."""
    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def current_revision(connection: Connection) -> str | None:
    return MigrationContext.configure(connection).get_current_revision()


def is_current(database: Database) -> bool:
    with database.engine.connect() as connection:
        return current_revision(connection) == head_revision()


def upgrade(database: Database) -> None:
    """Apply every pending migration (no-op when the schema is current)."""
    if is_current(database):
        return
    with _migration_lock(database):
        if is_current(database):  # another process did it while we waited
            return
        config = alembic_config(database)
        with database.engine.begin() as connection:
            config.attributes["connection"] = connection
            command.upgrade(config, "head")


@contextlib.contextmanager
def _migration_lock(database: Database) -> Iterator[None]:
    if database.is_sqlite:
        path = database.url.database
        lock_path = Path(path + ".migrate.lock") if path and path != ":memory:" else None
        if lock_path is None:
            yield
            return
        lock_path.parent.mkdir(parents=True, exist_ok=True)
        with lock_path.open("w") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)
        return
    with database.engine.connect() as connection:
        connection.execute(text("SELECT pg_advisory_lock(:key)"), {"key": _ADVISORY_KEY})
        connection.commit()
        try:
            yield
        finally:
            connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": _ADVISORY_KEY})
            connection.commit()
