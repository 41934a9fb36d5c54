"""The outbox's subscriber on the message bus.

Messages that leave the server (reminders, and the citizens' "your turn is near" messages) are written to
the outbox (``notifications``) in the transaction that causes them, and delivered after commit by the one
scheduler. When that transaction commits in the process that runs the scheduler, this subscriber wakes
the scheduler's delivery at once instead of leaving the messages to its next round. It wakes it too
when a queue changed (a ticket issued, called, cancelled…): the round begins by deciding which near-turn
and called messages that change made due (:mod:`server.services.near_turn.messages`).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence

from ..domain.events import Event, OutboxQueued, QueueChanged, TicketCalled, TicketChanged, TicketIssued

log = logging.getLogger(__name__)


WAKING = (OutboxQueued, TicketIssued, TicketCalled, TicketChanged, QueueChanged)


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
        if any(isinstance(event, WAKING) for event in events):
            for wake in list(self._wakers):
                wake()
