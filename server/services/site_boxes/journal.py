"""On every server: which rows of the tables a box owns a transaction wrote; on a box, the outgoing
change each committed transaction of its site becomes, and the ids of its new rows.

The tracker is an ``after_flush`` listener on the writers' sessions: it notes the key and site of every
new or changed row of :data:`server.domain.sync.OWNED_TABLES`. A box's :class:`Journal` then writes, just
before the transaction commits and inside it, one :class:`SiteBoxChange` with the images of those rows
and the transaction's numbered events: the outbox of the upstream link.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, event, func, inspect, select
from sqlalchemy.orm import Mapper, Session, object_session

from ...db.engine import Database
from ...db.models import (
    Appointment,
    AppointmentEvent,
    Counter,
    CounterEvent,
    PrinterState,
    PrintJob,
    Rating,
    Site,
    SiteBoxChange,
    SiteBoxState,
    Ticket,
    TicketEvent,
    TicketLease,
)
from ...domain import sync
from ...domain.events import Event
from . import rows

log = logging.getLogger("luot.site_box")

TOUCHED = "luot.site_box.touched"
APPLYING = "luot.site_box.applying"  # the upstream storing a box's change
PULLING = "luot.site_box.pulling"  # a box storing what it pulled from the upstream
IDS = "luot.site_box.ids"

TRACKED: dict[type[Any], str] = {
    Ticket: "tickets",
    TicketEvent: "ticket_events",
    Counter: "counters",
    PrintJob: "print_jobs",
    PrinterState: "printer_states",
    Appointment: "appointments",
    AppointmentEvent: "appointment_events",
    Rating: "ratings",
    CounterEvent: "counter_events",
    # Not sent upstream (a lease is the box's business with its own kiosks), but a write only the box
    # makes: numbers leased by the upstream for the box's site would be issued twice.
    TicketLease: "ticket_leases",
}


@dataclass(frozen=True)
class Touched:
    table: str
    key: tuple[Any, ...]
    site_id: int
    new: bool
    owned: bool  # a write only the site's box may make


def _track(session: Session, _context: Any) -> None:
    touched: set[Touched] = session.info.setdefault(TOUCHED, set())
    for obj, new in [(o, True) for o in session.new] + [(o, False) for o in session.dirty]:
        name = TRACKED.get(type(obj))
        if name is None:
            continue
        state = inspect(obj)
        key = tuple(state.mapper.primary_key_from_instance(obj))
        if name == "counters":
            owned = not new and any(state.attrs[c].history.has_changes() for c in sync.COUNTER_RUNTIME[:3])
        elif name in ("appointments",):
            owned = obj.status in sync.APPOINTMENT_BOX_STATUSES and (
                new or state.attrs["status"].history.has_changes()
            )
        elif name == "appointment_events":
            owned = obj.status in sync.APPOINTMENT_BOX_STATUSES
        else:
            owned = True
        touched.add(Touched(name, key, int(obj.site_id), new, owned))
    session.info.pop(IDS, None)


def install_tracker(database: Database) -> None:
    database.listen_writes("after_flush", _track)


def touched_rows(session: Session) -> set[Touched]:
    found: set[Touched] = session.info.get(TOUCHED, set())
    return found


# -- on a box ------------------------------------------------------------------------------------------

_BOX_ENGINES: dict[Any, int] = {}  # engine's pool → the site its box serves (new rows numbered in its range)


def _number_new_row(_mapper: Mapper[Any], connection: Connection, target: Any) -> None:
    site_id = _BOX_ENGINES.get(connection.engine.pool)
    if site_id is None or getattr(target, "id", None) is not None:
        return
    session = object_session(target)
    t = _mapper.local_table
    name = str(getattr(t, "name", ""))
    cache: dict[str, int] = session.info.setdefault(IDS, {}) if session is not None else {}
    last = cache.get(name)
    if last is None:
        base, limit = sync.id_base(name, site_id), sync.id_limit(name, site_id)
        column = t.c.id
        last = (
            connection.execute(
                select(func.max(column)).where(column > base, column < limit)
            ).scalar_one_or_none()
            or base
        )
    target.id = last + 1
    cache[name] = last + 1


for _model in (Ticket, TicketEvent, PrintJob, AppointmentEvent, Rating, CounterEvent):
    event.listen(_model, "before_insert", _number_new_row)


class Journal:
    """A box's ``before_commit`` hook: the site's committed change, as an outgoing :class:`SiteBoxChange`."""

    def __init__(self, database: Database) -> None:
        self.database = database
        self.site_id: int | None = None

    def serve(self, site_id: int) -> None:
        """From now on this box serves ``site_id``: number its new rows, journal its changes."""
        self.site_id = site_id
        _BOX_ENGINES[self.database.engine.pool] = site_id

    def __call__(self, session: Session, events: Sequence[Event]) -> None:
        site_id = self.site_id
        if site_id is None:
            site_id = session.scalar(select(SiteBoxState.site_id).where(SiteBoxState.id == 1))
            if site_id is None:
                return  # not yet given its site: nothing of a site to send
            self.serve(site_id)
        session.flush()
        touched = session.info.pop(TOUCHED, set())
        mine = [e for e in events if e.sequenced and e.site_id == site_id]
        images: dict[str, list[dict[str, Any]]] = {}
        if not session.info.get(PULLING):
            for name in sync.OWNED_TABLES:
                keys = [t.key[0] for t in touched if t.table == name and t.site_id == site_id]
                if name in ("appointments", "appointment_events"):
                    keys = [t.key[0] for t in touched if t.table == name and t.site_id == site_id and t.owned]
                if not keys:
                    continue
                if name == "printer_states":
                    images[name] = [
                        rows.image(row, [c.name for c in rows.table(name).columns])
                        for row in session.execute(
                            select(rows.table(name)).where(
                                rows.table(name).c.site_id == site_id,
                                rows.table(name).c.printer_uri.in_(
                                    [t.key[1] for t in touched if t.table == name]
                                ),
                            )
                        )
                    ]
                    continue
                columns = ["id", "site_id", *sync.COUNTER_RUNTIME] if name == "counters" else None
                images[name] = rows.read_images(session, name, keys, columns)
        if not images and not mine:
            return
        seq = max((e.seq for e in mine), default=0) or session.scalar(
            select(Site.event_seq).where(Site.id == site_id)
        )
        session.add(
            SiteBoxChange(
                site_id=site_id,
                seq=int(seq or 0),
                at=datetime.now(UTC),
                rows=images,
                events=[sync.encode_event(e) for e in mine],
            )
        )
        session.flush()
