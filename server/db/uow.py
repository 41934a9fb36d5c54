"""The unit of work: one transaction per use case, then the events it produced go to the message bus.

Before committing, the events of each site get that site's next ``seq`` numbers from a single
``UPDATE … RETURNING`` on the site row, inside the same transaction. The row stays locked until commit,
so on every database the per-site numbers follow commit order; commit and hand-over to the bus happen
under one process lock, so this process also hands them on in that order.
"""

from __future__ import annotations

import dataclasses
import threading
from collections import defaultdict
from collections.abc import Callable, Sequence
from types import TracebackType
from typing import Self

from sqlalchemy import update
from sqlalchemy.orm import Session

from ..domain.events import Event
from .engine import Database
from .models import Site
from .queries import lock_key
from .repositories import (
    Repositories,
    SqlAppointments,
    SqlPrintJobs,
    SqlRequests,
    SqlSites,
    SqlTickets,
)

Publish = Callable[[Sequence[Event]], None]

_COMMIT_ORDER = threading.Lock()


class SqlUnitOfWork:
    """``with uow: …; uow.commit()`` — anything not committed is rolled back on exit."""

    session: Session
    sites: SqlSites
    tickets: SqlTickets
    requests: SqlRequests
    print_jobs: SqlPrintJobs
    appointments: SqlAppointments

    def __init__(
        self, database: Database, publish: Publish, *, site_id: int | None = None, staff: bool = False
    ) -> None:
        """``publish`` receives the committed events (:meth:`server.services.core.bus.MessageBus.publish`).

        ``site_id`` and ``staff`` say which turn this writer takes and whether it goes first
        (:class:`server.db.engine.WriterTurns`).
        """
        self.database = database
        self._publish = publish
        self._events: list[Event] = []
        self._site_id, self._staff = site_id, staff

    def __enter__(self) -> Self:
        # This process's writers take turns (see engine); a unit of work retried is entered again.
        self._turn = self.database.turns.turn(self._site_id, staff=self._staff)
        self._turn.__enter__()
        try:
            self.session = self.database.write_session()
        except BaseException:
            self._turn.__exit__(None, None, None)
            raise
        repositories = Repositories(self.session)
        self.sites = repositories.sites
        self.tickets = repositories.tickets
        self.requests = repositories.requests
        self.print_jobs = repositories.print_jobs
        self.appointments = repositories.appointments
        self._events = []
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        try:
            self.session.rollback()
            self.session.close()
        finally:
            self._turn.__exit__(None, None, None)

    def lock(self, key: str) -> None:
        lock_key(self.session, key)

    def refresh(self, record: object) -> None:
        self.session.refresh(record)

    def flush(self) -> None:
        self.session.flush()

    def emit(self, event: Event) -> None:
        """Queue ``event`` for the message bus once this unit of work commits."""
        self._events.append(event)

    def commit(self) -> list[Event]:
        for check in self.database.before_numbering:
            self._events = check(self.session, self._events)
        events = self._number_events()
        for record in self.database.before_commit:
            record(self.session, events)
        with _COMMIT_ORDER:
            self.session.commit()
            if events:
                self._publish(events)
        self._events = []
        return events

    def _number_events(self) -> list[Event]:
        if not self._events:
            return []
        self.session.flush()
        by_site: dict[int, list[int]] = defaultdict(list)
        for index, event in enumerate(self._events):
            if event.sequenced and not event.seq:  # a site box's events keep the box's numbers
                by_site[event.site_id].append(index)
        numbered = list(self._events)
        for site_id in sorted(by_site):  # a fixed order, so two transactions never deadlock
            indexes = by_site[site_id]
            last = self.session.execute(
                update(Site)
                .where(Site.id == site_id)
                .values(event_seq=Site.event_seq + len(indexes))
                .returning(Site.event_seq)
            ).scalar_one()
            first = last - len(indexes) + 1
            for offset, index in enumerate(indexes):
                numbered[index] = dataclasses.replace(numbered[index], seq=first + offset)
        return numbered
