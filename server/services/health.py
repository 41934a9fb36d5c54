"""The server's health as a writer sees it (``GET /api/v1/health``): the database is ``ok`` only when a
write goes through, within a short timeout (a write probe, rolled back); a database file made read-only,
deleted or replaced, or a PostgreSQL server that cannot be reached, is ``error``, never an exception."""

from __future__ import annotations

import logging
import sqlite3
from dataclasses import dataclass

from sqlalchemy.exc import SQLAlchemyError

from .. import __version__
from ..db.engine import Database

log = logging.getLogger(__name__)

PROBE_TIMEOUT_S = 2.0


@dataclass(frozen=True)
class Health:
    status: str
    db: str
    version: str

    @property
    def ok(self) -> bool:
        return self.status == "ok"


def check(database: Database, timeout_s: float = PROBE_TIMEOUT_S) -> Health:
    """``ok``/``ok`` when a write probe on ``database`` succeeds; ``error``/``error`` (logged) otherwise."""
    try:
        database.probe_write(timeout_s)
    except (SQLAlchemyError, sqlite3.Error, OSError) as exc:
        reason = getattr(exc, "orig", None) or exc
        log.warning("health: the database cannot be written: %s", " ".join(str(reason).split())[:300])
        return Health("error", "error", __version__)
    return Health("ok", "ok", __version__)
