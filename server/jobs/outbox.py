"""The outbox's subscriber on the message bus.

Messages that leave the server (reminders, and the citizens' "your turn is near" messages) are written to
the outbox (``notifications``) in the transaction that causes them, and delivered after commit by the one
scheduler. When that transaction commits in the process that runs the scheduler, this subscriber wakes
the scheduler's delivery at once instead of leaving the messages to its next round.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence

from ..domain.events import Event, OutboxQueued

log = logging.getLogger(__name__)


class Outbox:
    def __init__(self) -> None:
        self._wakers: list[Callable[[], None]] = []

    def on_queued(self, wake: Callable[[], None]) -> None:
        """Call ``wake`` whenever a committed transaction queued messages (the scheduler's delivery)."""
        self._wakers.append(wake)

    def forget(self, wake: Callable[[], None]) -> None:
        if wake in self._wakers:
            self._wakers.remove(wake)

    def handle(self, events: Sequence[Event]) -> None:
        if any(isinstance(event, OutboxQueued) for event in events):
            for wake in list(self._wakers):
                wake()
