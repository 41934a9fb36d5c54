"""Engines and sessions for SQLite (one box) and PostgreSQL (province scale).

SQLite runs in WAL mode with ``synchronous=NORMAL``, foreign keys on and a busy timeout; transactions
that write begin with ``BEGIN IMMEDIATE`` so that two writers queue for the lock up front instead of
failing half-way (``with_for_update()`` is ignored by SQLite, so nothing here relies on it).

Within one process, writers also take turns (:class:`WriterTurns`) before they begin, and a staff
member's press goes before the kiosks waiting for their turn, so a clerk never waits behind a queue of
kiosks. On SQLite there is one turn for the database: its own busy handler polls with growing sleeps, so
under twenty busy kiosks a writer could lose the race for the lock again and again for seconds, while a
waiter on a process lock is woken the moment it is free. On PostgreSQL, the writers of a site all update
the same rows (the service's number counter, the site's event ``seq``) and hold those row locks until
commit; with many request threads sharing one interpreter, a transaction holding them waited for the
GIL while the others piled up behind its locks (20 busy kiosks: p99 over 5 s). So there, the writers that
name their site (the kiosks issuing) take that site's turn, and the sites of a process proceed side by
side; writers that name none go straight to the database, whose row locks keep them correct.
"""

from __future__ import annotations

import sqlite3
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any
from urllib.parse import quote

from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.orm import Session, sessionmaker

BUSY_TIMEOUT_MS = 30_000
STAFF_IN_A_ROW = 2
CONNECT_TIMEOUT_S = 10  # PostgreSQL: a host that does not answer fails a request instead of hanging it
# The write probe (health): a statement every writer could run, rolled back. alembic_version is the one
# table no use case writes, so the probe never waits behind, or holds up, a ticket being issued.
PROBE_STATEMENT = "UPDATE alembic_version SET version_num = version_num"


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
            if "connect_timeout" not in self.url.query:
                options["connect_args"] = {"connect_timeout": CONNECT_TIMEOUT_S}
        options.update(engine_options)
        self.engine: Engine = create_engine(self.url, **options)
        if self.is_sqlite:
            _configure_sqlite(self.engine)
        self.turns = WriterTurns(per_site=not self.is_sqlite)
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

    def probe_write(self, timeout_s: float) -> None:
        """Write as a writer would, within ``timeout_s``, and roll back; raises what the write met.

        SQLite: a new connection to the file that is there now (never creating it), ``BEGIN IMMEDIATE``
        and a real update, so that a file made read-only, deleted or replaced is seen as a new writer
        would see it, whatever the pooled connections still hold open. PostgreSQL: a pooled connection,
        with statement and lock timeouts for this transaction only."""
        if self.is_sqlite:
            offload = _off_the_loop()  # its BEGIN IMMEDIATE may wait for a writer of this very process
            if offload is not None:
                offload(self._probe_sqlite, (timeout_s,))
            else:
                self._probe_sqlite(timeout_s)
            return
        millis = max(1, int(timeout_s * 1000))
        with self.engine.connect() as connection, connection.begin() as transaction:
            connection.execute(text(f"SET LOCAL statement_timeout = {millis}"))
            connection.execute(text(f"SET LOCAL lock_timeout = {millis}"))
            connection.execute(text(PROBE_STATEMENT))
            transaction.rollback()

    def _probe_sqlite(self, timeout_s: float) -> None:
        path = self.url.database or ""
        if path in ("", ":memory:"):
            with self.engine.connect() as connection:
                connection.execute(text("SELECT 1"))
            return
        target = f"file:{quote(path)}?mode=rw"
        raw = sqlite3.connect(target, uri=True, timeout=timeout_s, isolation_level=None)
        try:
            raw.execute("BEGIN IMMEDIATE")
            try:
                raw.execute(PROBE_STATEMENT)
            finally:
                raw.execute("ROLLBACK")
        finally:
            raw.close()

    def dispose(self) -> None:
        self.engine.dispose()


class _Turn:
    """One writer at a time; staff waiting go before the others (each group in arrival order).

    So that a row of staff presses never starves the kiosks, after :data:`STAFF_IN_A_ROW` staff turns
    a waiting kiosk has the next one: a clerk waits for at most one kiosk's transaction.
    """

    def __init__(self) -> None:
        lock = threading.Lock()
        self._staff = threading.Condition(lock)
        self._others = threading.Condition(lock)
        self._busy = False
        self._staff_waiting = 0
        self._others_waiting = 0
        self._staff_in_a_row = 0

    @property
    def waiting(self) -> tuple[int, int]:
        """How many staff and other writers wait for this turn."""
        with self._staff:
            return self._staff_waiting, self._others_waiting

    def _staff_next(self) -> bool:
        return self._staff_waiting > 0 and (self._staff_in_a_row < STAFF_IN_A_ROW or not self._others_waiting)

    def acquire(self, staff: bool) -> None:
        with self._staff:
            if staff:
                self._staff_waiting += 1
                try:
                    while self._busy or not self._staff_next():
                        self._staff.wait()
                finally:
                    self._staff_waiting -= 1
                self._staff_in_a_row += 1
            else:
                self._others_waiting += 1
                try:
                    while self._busy or self._staff_next():
                        self._others.wait()
                finally:
                    self._others_waiting -= 1
                self._staff_in_a_row = 0
            self._busy = True

    def release(self) -> None:
        with self._staff:
            self._busy = False
            (self._staff if self._staff_next() else self._others).notify()


class WriterTurns:
    """The turns this process's writers take before they begin a transaction (see the module's text).

    A thread that already holds a turn (a unit of work opened inside another) takes no second one.
    """

    def __init__(self, per_site: bool) -> None:
        self.per_site = per_site
        self._one = _Turn()
        self._by_site: dict[int, _Turn] = {}
        self._guard = threading.Lock()
        self._held = threading.local()

    def waiting(self, site_id: int | None = None) -> tuple[int, int]:
        """How many staff and other writers wait for the turn ``site_id`` takes (``(0, 0)`` if none)."""
        turn = self._turn_for(site_id)
        return turn.waiting if turn else (0, 0)

    def _turn_for(self, site_id: int | None) -> _Turn | None:
        if not self.per_site:
            return self._one
        if site_id is None:
            return None
        with self._guard:
            return self._by_site.setdefault(site_id, _Turn())

    @contextmanager
    def turn(self, site_id: int | None = None, *, staff: bool = False) -> Iterator[None]:
        turn = None if getattr(self._held, "active", False) else self._turn_for(site_id)
        if turn is None:
            yield
            return
        turn.acquire(staff)
        self._held.active = True
        try:
            yield
        finally:
            self._held.active = False
            turn.release()


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
        offload = _off_the_loop() if write else None
        if offload is not None:
            offload(connection.connection.dbapi_connection.execute, ("BEGIN IMMEDIATE",))
            return
        connection.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")


def _off_the_loop() -> Callable[..., Any] | None:
    """Under gevent (the process monkey-patched, see server/cli/early.py): a way to run a call in gevent's
    pool of real threads while this greenlet waits, the others running on.

    A SQLite write begins with ``BEGIN IMMEDIATE``, the one call that may wait: while another process (a
    ``luot`` command, a backup) holds the write lock, SQLite's busy handler sleeps in C for up to
    :data:`BUSY_TIMEOUT_MS`, which would stop every greenlet of the process. That call runs off the loop.
    The others are short C calls on a local file that never wait for a lock: readers in WAL mode never do,
    and writers of this process take turns (:class:`WriterTurns`, gevent-aware once patched) before they
    begin, so one that holds the write lock has no writer of its own process to wait for."""
    monkey = sys.modules.get("gevent.monkey")
    if monkey is None or not monkey.is_module_patched("threading"):
        return None
    import gevent

    apply: Callable[..., Any] = gevent.get_hub().threadpool.apply
    return apply
