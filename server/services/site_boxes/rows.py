"""Row images: a table row as JSON and back, and the upserts that store one (SQLite and PostgreSQL)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import Date, Table, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from ...db.models import Base
from ...db.types import UTCDateTime


def table(name: str) -> Table:
    return Base.metadata.tables[name]


def image(row: Any, columns: Iterable[str]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name in columns:
        value = row._mapping[name]
        out[name] = value.isoformat() if isinstance(value, datetime | date) else value
    return out


def read_images(
    session: Session, name: str, ids: Sequence[Any], columns: Sequence[str] | None = None
) -> list[dict[str, Any]]:
    """The current rows of ``name`` whose primary key is in ``ids`` (single-column keys)."""
    t = table(name)
    key = next(iter(t.primary_key.columns))
    names = list(columns or [c.name for c in t.columns])
    found = session.execute(select(*[t.c[n] for n in names]).where(key.in_(list(ids))).order_by(key))
    return [image(row, names) for row in found]


def parse(name: str, values: dict[str, Any]) -> dict[str, Any]:
    """A row image back into Python values, for the columns ``name`` has (others are ignored)."""
    t = table(name)
    out: dict[str, Any] = {}
    for column, value in values.items():
        if column not in t.c:
            continue
        kind = t.c[column].type
        if value is not None and isinstance(kind, UTCDateTime):
            value = datetime.fromisoformat(value)
        elif value is not None and isinstance(kind, Date):
            value = date.fromisoformat(value)
        out[column] = value
    return out


# Rows per multi-row statement: well under SQLite's 32,766 bound parameters for the widest owned table.
MANY_ROWS = 400


def upsert_many(session: Session, name: str, images: Sequence[dict[str, Any]]) -> None:
    """Insert or update many rows of ``name`` by primary key, one statement per group of rows with the
    same columns (and at most :data:`MANY_ROWS`). Each key at most once: the caller keeps a row's last
    image (PostgreSQL refuses to touch a row twice in one statement)."""
    t = table(name)
    key = [c.name for c in t.primary_key.columns]
    dialect = sqlite if session.get_bind().dialect.name == "sqlite" else postgresql
    groups: dict[tuple[str, ...], list[dict[str, Any]]] = {}
    for values in images:
        row = parse(name, values)
        groups.setdefault(tuple(row), []).append(row)
    for columns, group in groups.items():
        for start in range(0, len(group), MANY_ROWS):
            statement = dialect.insert(t).values(group[start : start + MANY_ROWS])
            changes = {c: statement.excluded[c] for c in columns if c not in key}
            if changes:
                session.execute(statement.on_conflict_do_update(index_elements=key, set_=changes))
            else:
                session.execute(statement.on_conflict_do_nothing(index_elements=key))


def upsert(
    session: Session,
    name: str,
    values: dict[str, Any],
    *,
    keys: Sequence[str] | None = None,
    update: Sequence[str] | None = None,
) -> None:
    """Insert the row, or update it where its key (the primary key, or ``keys``) already exists;
    ``update`` limits the columns an existing row takes (default: all but the key)."""
    t = table(name)
    row = parse(name, values)
    key = list(keys or [c.name for c in t.primary_key.columns])
    dialect = sqlite if session.get_bind().dialect.name == "sqlite" else postgresql
    statement = dialect.insert(t).values(row)
    changes = {c: statement.excluded[c] for c in (update or row) if c in row and c not in key}
    if changes:
        session.execute(statement.on_conflict_do_update(index_elements=key, set_=changes))
    else:
        session.execute(statement.on_conflict_do_nothing(index_elements=key))
