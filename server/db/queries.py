"""The few statements whose SQL differs between SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import date

from sqlalchemy import text
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


def lock_key(session: Session, key: str) -> None:
    """Serialise transactions about one ``key`` (e.g. one citizen) until commit.

    PostgreSQL takes a transaction-scoped advisory lock; SQLite needs nothing, as its write transactions
    already hold the database's single write lock (``BEGIN IMMEDIATE``).
    """
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(hashtext(:key))"), {"key": key})
