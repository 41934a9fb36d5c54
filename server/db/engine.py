"""Engines and sessions for SQLite (one box) and PostgreSQL (province scale).

SQLite runs in WAL mode with ``synchronous=NORMAL``, foreign keys on and a busy timeout; transactions
that write begin with ``BEGIN IMMEDIATE`` so that two writers queue for the lock up front instead of
failing half-way (``with_for_update()`` is ignored by SQLite, so nothing here relies on it).

Within one process, writers also queue on :attr:`Database.write_lock` before they begin. On SQLite, its
own busy handler polls with growing sleeps, so under twenty busy kiosks a writer could lose the race for
the lock again and again for seconds, while a waiter on a process lock is woken the moment it is free. On
PostgreSQL, the writers of a site all update the same rows (the service's number counter, the site's
event ``seq``) and hold those row locks until commit; with many request threads sharing one interpreter,
a transaction holding them waited for the GIL while the others piled up behind its locks (20 busy kiosks:
p99 over 5 s). Taking turns in the process first keeps each transaction short. Processes still run side
by side, each with its own turn.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.orm import Session, sessionmaker

BUSY_TIMEOUT_MS = 30_000


def normalise_url(url: str | URL) -> URL:
    """Accept plain ``postgresql://`` URLs and pick the psycopg 3 driver for them."""
    parsed = make_url(url)
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed


class Database:
    """One database: its engine, a session factory for writers and one for readers."""

    def __init__(self, url: str | URL, **engine_options: Any) -> None:
        self.url = normalise_url(url)
        self.is_sqlite = self.url.get_backend_name() == "sqlite"
        if self.is_sqlite:
            options: dict[str, Any] = {
                "connect_args": {"check_same_thread": False, "timeout": BUSY_TIMEOUT_MS / 1000},
                "pool_size": 8,
                "max_overflow": 24,
            }
        else:
            options = {"pool_size": 10, "max_overflow": 30, "pool_pre_ping": True}
        options.update(engine_options)
        self.engine: Engine = create_engine(self.url, **options)
        if self.is_sqlite:
            _configure_sqlite(self.engine)
        self.write_lock: contextlib.AbstractContextManager[Any] = threading.RLock()
        writer = self.engine.execution_options(luot_write=True)
        self._writers = sessionmaker(writer, expire_on_commit=False, autoflush=False)
        self._readers = sessionmaker(self.engine, expire_on_commit=False, autoflush=False)
        # Called by every unit of work before it commits (site boxes, see server.services.site_boxes):
        # ``check(session, events) -> events`` before the events are numbered, ``record(session, events)``
        # after.
        self.before_numbering: list[Callable[[Session, list[Any]], list[Any]]] = []
        self.before_commit: list[Callable[[Session, list[Any]], None]] = []

    def listen_writes(self, name: str, listener: Callable[..., Any]) -> None:
        """Register a session event listener (``after_flush`` …) on the writers' sessions."""
        event.listen(self._writers, name, listener)

    def write_session(self) -> Session:
        return self._writers()

    def read_session(self) -> Session:
        return self._readers()

    def dispose(self) -> None:
        self.engine.dispose()


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy's "begin" event below issue BEGIN itself instead of the sqlite3 module.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        write = connection.get_execution_options().get("luot_write", False)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")
