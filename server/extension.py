"""The application's services, reachable from a request as :func:`luot`: the database, the message bus
and its subscribers, and what every use case needs (the clock, the password hasher, the secret).

The subscribers are typed by the protocols below, so that the app container says what each part offers
and mypy follows every call into them.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Protocol

from argon2 import PasswordHasher
from flask import current_app, g, has_request_context
from sqlalchemy.orm import Session

from .config import PublicAddress
from .db.engine import Database
from .db.uow import SqlUnitOfWork
from .domain.events import Event
from .services.accounts.presence import DevicePresence
from .services.core.bus import MessageBus


def utc_now() -> datetime:
    return datetime.now(UTC)


class EventPublisher(Protocol):
    """Sends committed events to the Socket.IO rooms (:class:`server.realtime.publisher.Publisher`)."""

    def publish(self, events: Sequence[Event]) -> None: ...

    def close(self) -> None: ...


class PrintSpooler(Protocol):
    """Prints queued jobs (:class:`printers.spooler.Spooler`)."""

    def handle(self, events: Sequence[Event]) -> None:
        """The bus's subscriber: take the print jobs the events queued."""
        ...

    def recover(self) -> None:
        """At start: hand every job still queued to its printer."""
        ...

    def agent_jobs(self, device_id: int) -> list[dict[str, Any]]:
        """The jobs a kiosk's print agent must print when it connects."""
        ...

    def close(self) -> None: ...


@dataclass
class Luot:
    database: Database
    bus: MessageBus
    publisher: EventPublisher
    hasher: PasswordHasher
    secret: bytes
    public: PublicAddress
    clock: Callable[[], datetime] = utc_now
    spooler: PrintSpooler = field(init=False)  # set by the app factory: it needs this container
    presence: DevicePresence = field(default_factory=DevicePresence)  # devices' last seen, online now

    def uow(self, site_id: int | None = None) -> SqlUnitOfWork:
        """A unit of work; ``site_id`` when the caller knows it (its turn, see :mod:`server.db.engine`).

        A request by a staff member goes before the kiosks and other writers waiting for their turn.
        """
        return SqlUnitOfWork(self.database, self.bus.publish, site_id=site_id, staff=_by_staff())

    def read(self) -> Session:
        return self.database.read_session()

    def now(self) -> datetime:
        return self.clock()

    def close(self) -> None:
        if hasattr(self, "spooler"):
            self.spooler.close()
        self.publisher.close()
        self.database.dispose()


def _by_staff() -> bool:
    """Whether this is a request of a signed-in staff member (its caller was already authenticated)."""
    if not has_request_context():
        return False
    caller = g.get("principal")
    return bool(caller is not None and caller.is_staff)


def luot() -> Luot:
    extension: Luot = current_app.extensions["luot"]
    return extension
