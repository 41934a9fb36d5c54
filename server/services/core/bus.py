"""The after-commit message bus: one place where committed domain events go.

A unit of work hands the events of its transaction to :meth:`MessageBus.publish` right after commit, in
commit order. The subscribers are registered once, when the app is created: the Socket.IO publisher, the
print spooler and the outbox. So any use case that issues a ticket, from any caller (an API route, a
scheduler job, the demo), gets it printed and announced without that caller doing anything.

Subscribers run on the committing thread and must only hand the events on (to a queue, a worker); one
that fails is logged and never stops the others, nor the use case, whose transaction has committed.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence

from ...domain.events import Event

log = logging.getLogger(__name__)

Subscriber = Callable[[Sequence[Event]], None]


class MessageBus:
    def __init__(self) -> None:
        self._subscribers: list[tuple[str, Subscriber]] = []

    def subscribe(self, name: str, subscriber: Subscriber) -> None:
        self._subscribers.append((name, subscriber))

    def publish(self, events: Sequence[Event]) -> None:
        for name, subscriber in self._subscribers:
            try:
                subscriber(events)
            except Exception:
                log.exception("the %s subscriber failed on %d events", name, len(events))
