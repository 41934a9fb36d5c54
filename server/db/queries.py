"""The few statements whose SQL differs between SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, Integer, cast, func, text
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from .models import TicketSequence


def next_sequence(session: Session, site_id: int, service_id: int, day: date, start: int) -> int:
    """Advance the (site, service, day) counter row and return the new sequence number.

    One ``INSERT … ON CONFLICT DO UPDATE … RETURNING``: the first ticket of the day inserts ``start``,
    every later one increments under the row's lock. Never ``MAX()+1``, never read-then-write.
    """
    insert = postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
    row = TicketSequence
    statement = (
        insert(row)
        .values(site_id=site_id, service_id=service_id, day=day, last=start)
        .on_conflict_do_update(
            index_elements=[row.site_id, row.service_id, row.day],
            set_={"last": row.last + 1},
        )
        .returning(row.last)
    )
    return int(session.execute(statement).scalar_one())


def reserve_sequences(
    session: Session, site_id: int, service_id: int, day: date, start: int, count: int
) -> tuple[int, int]:
    """Advance the (site, service, day) counter row by ``count`` and return the block ``(first, last)`` it
    passed over: numbers :func:`next_sequence` will never hand out (a kiosk agent's lease)."""
    insert = postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
    row = TicketSequence
    statement = (
        insert(row)
        .values(site_id=site_id, service_id=service_id, day=day, last=start + count - 1)
        .on_conflict_do_update(
            index_elements=[row.site_id, row.service_id, row.day],
            set_={"last": row.last + count},
        )
        .returning(row.last)
    )
    last = int(session.execute(statement).scalar_one())
    return last - count + 1, last


def lock_key(session: Session, key: str) -> None:
    """Serialise transactions about one ``key`` (e.g. one citizen) until commit.

    PostgreSQL takes a transaction-scoped advisory lock; SQLite needs nothing, as its write transactions
    already hold the database's single write lock (``BEGIN IMMEDIATE``).
    """
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(hashtext(:key))"), {"key": key})


def local_hour(session: Session, column: Any, timezone: str, offset_s: int) -> ColumnElement[int]:
    """The hour of the day (0–23) of a stored UTC instant, in the site's time zone.

    PostgreSQL converts with the zone itself; SQLite (naive UTC text, ``YYYY-MM-DD HH:MM:SS…``) adds
    ``offset_s``, the zone's UTC offset over the period (Viet Nam has no daylight saving time): a whole
    number of hours is added to the text's hour digits, which is much cheaper than parsing the date.
    """
    if session.get_bind().dialect.name == "postgresql":
        return cast(func.extract("hour", func.timezone(timezone, column)), Integer)
    if offset_s % 3600 == 0:
        utc_hour = cast(func.substr(column, 12, 2), Integer)
        return (utc_hour + (offset_s // 3600 + 24)) % 24
    return cast(func.strftime("%H", column, f"{offset_s:+d} seconds"), Integer)
