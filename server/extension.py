"""The application's services, reachable from a request as :func:`luot`."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from argon2 import PasswordHasher
from flask import current_app
from sqlalchemy.orm import Session

from .db.engine import Database
from .db.uow import SqlUnitOfWork

if TYPE_CHECKING:
    from .realtime.publisher import Publisher


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass
class Luot:
    database: Database
    publisher: Publisher
    hasher: PasswordHasher
    secret: bytes
    clock: Callable[[], datetime] = utc_now
    spooler: Any = None  # printers.spooler.Spooler, set by the app factory

    def uow(self) -> SqlUnitOfWork:
        return SqlUnitOfWork(self.database, self.publisher.publish)

    def read(self) -> Session:
        return self.database.read_session()

    def now(self) -> datetime:
        return self.clock()

    def close(self) -> None:
        if self.spooler is not None:
            self.spooler.close()
        self.publisher.close()
        self.database.dispose()


def luot() -> Luot:
    extension: Luot = current_app.extensions["luot"]
    return extension
