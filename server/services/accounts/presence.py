"""A device's presence (kiosk, display, rating pad): when it was last seen, online now.

Every request with a device token and every Socket.IO connection of one tells :class:`DevicePresence`,
which writes ``devices.last_seen_at`` at most once a minute per device (in its own small transaction, no
event) and counts this process's live connections. A failed write (a read-only database) is logged and
never fails the request. With several server processes, a connection held by another process is known
here by its last-seen time only: online for two minutes after it connected or last made a request.
"""

from __future__ import annotations

import logging
import threading
from collections import Counter
from collections.abc import Callable
from datetime import datetime

from sqlalchemy import or_, update

from ...db.models import Device
from ...domain.presence import worth_writing
from ..core.unit_of_work import UnitOfWork

log = logging.getLogger(__name__)


class DevicePresence:
    """One per app: the last-seen times this process wrote and its live Socket.IO connections."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._written: dict[int, datetime] = {}
        self._connections: Counter[int] = Counter()

    def seen(self, uows: Callable[[], UnitOfWork], device_id: int, at: datetime, force: bool = False) -> None:
        """The device made a request (or connected, or left) at ``at``."""
        with self._lock:
            if not force and not worth_writing(self._written.get(device_id), at):
                return
            self._written[device_id] = at
        try:
            earlier = or_(Device.last_seen_at.is_(None), Device.last_seen_at < at)
            with uows() as uow:
                uow.session.execute(
                    update(Device).where(Device.id == device_id, earlier).values(last_seen_at=at)
                )
                uow.commit()
        except Exception:  # never fail the device's own request for this
            log.warning("could not record when device %s was last seen", device_id, exc_info=True)
            with self._lock:
                self._written.pop(device_id, None)

    def connected(self, uows: Callable[[], UnitOfWork], device_id: int, at: datetime) -> None:
        with self._lock:
            self._connections[device_id] += 1
        self.seen(uows, device_id, at)

    def disconnected(self, device_id: int) -> None:
        """One of its connections here closed (the caller records when, with ``seen(…, force=True)``)."""
        with self._lock:
            self._connections[device_id] -= 1
            if self._connections[device_id] <= 0:
                del self._connections[device_id]

    def is_connected(self, device_id: int) -> bool:
        with self._lock:
            return self._connections.get(device_id, 0) > 0
