"""Publishes committed domain events over Socket.IO from one background task per process.

Request threads only enqueue (the unit of work hands events over right after commit, in commit order), so
an HTTP response never waits for a broadcast to a thousand sockets. What follows a change of a site's
queue is worked out here too, from one read of the committed queue per site and batch: the early warnings
and the forecast that a ``queue.changed`` carries to the manager's live view, and, after the batch, the new
position and estimate of each citizen following a waiting ticket that may have moved.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from typing import Any, Protocol

from ..domain.early_warnings import NO_OUTLOOK, Outlook
from ..domain.events import Event, QueueChanged, TicketIssued
from .gate import RoomGate
from .messages import messages_for, ticket_room

log = logging.getLogger(__name__)

_STOP = object()


class Emitter(Protocol):
    def emit(
        self, event: str, data: Any = None, *, to: str | None = None, skip_sid: list[str] | None = None
    ) -> None: ...

    def start_background_task(self, target: Callable[..., Any], *args: Any) -> Any: ...

    def sleep(self, seconds: float = 0) -> None: ...


class FollowUp(Protocol):
    """What follows a change of a site's queue (``server.services.queue.views.FollowUp``)."""

    @property
    def outlook(self) -> Outlook: ...

    @property
    def positions(self) -> Sequence[dict[str, Any]]: ...


class FollowUpReader(Protocol):
    """Reads the follow-up of a site from its committed queue (``server.realtime.FollowUpReader``)."""

    def note(self, events: Sequence[Event]) -> None:
        """Every batch of committed events, in commit order, before any read that follows it."""

    def read(self, site_id: int, positions: bool) -> FollowUp:
        """The follow-up of a site, with its waiting tickets' positions when they may have moved."""
        ...


class Publisher:
    """Takes batches of committed events and emits their messages, in order, from one task."""

    def __init__(
        self,
        emitter: Emitter,
        follow_up: FollowUpReader | None = None,
        make_queue: Callable[[], Any] | None = None,
        gate: RoomGate | None = None,
    ) -> None:
        import queue

        self._emitter = emitter
        self._gate = gate or RoomGate()
        self._follow_up = follow_up
        self._queue: Any = (make_queue or queue.Queue)()
        self._task: Any = None
        self._last_position: dict[str, tuple[int, int]] = {}
        self.closed = False

    def publish(self, events: Sequence[Event]) -> None:
        if self.closed:
            return
        if self._task is None:
            self._task = self._emitter.start_background_task(self._run)
        self._queue.put(list(events))

    def close(self) -> None:
        if self._task is not None and not self.closed:
            self._queue.put(_STOP)
        self.closed = True

    def _run(self) -> None:
        while True:
            batch = self._queue.get()
            if batch is _STOP:
                return
            batches = [batch]
            while not self._queue.empty():  # coalesce what piled up while we were busy
                more = self._queue.get()
                if more is _STOP:
                    self._emit(batches)
                    return
                batches.append(more)
            self._emit(batches)

    def _emit(self, batches: list[list[Event]]) -> None:
        moved: dict[int, int] = {}  # sites whose waiting tickets may have moved, with their last change's seq
        for events in batches:
            moved.update(_reordered_sites(events))
            if self._follow_up is not None:
                self._follow_up.note(events)
        follow_ups: dict[int, FollowUp | None] = {}
        for events in batches:
            for event in events:
                try:
                    outlook = NO_OUTLOOK
                    if isinstance(event, QueueChanged):
                        if event.site_id not in follow_ups:  # one read per site and batch, when first needed
                            follow_ups[event.site_id] = self._read(event.site_id, event.site_id in moved)
                        follow = follow_ups[event.site_id]
                        outlook = follow.outlook if follow is not None else NO_OUTLOOK
                    for message in messages_for(event, outlook):
                        self._send(message.name, message.payload, message.room)
                except Exception:  # a broken socket must not stop the publisher
                    log.exception("could not publish %s", type(event).__name__)
                # Let the connections write this event before the next one is worked out: under gevent
                # the emits above only queue each client's packet, and the writers run when this task
                # yields. A call's `ticket.called` then reaches a full room before its `queue.changed`
                # (and the read of the queue behind it) is even begun.
                self._emitter.sleep(0)
        for site_id, seq in moved.items():
            follow = follow_ups.get(site_id)
            if follow is not None:
                self._push_positions(site_id, seq, follow.positions)

    def _send(self, name: str, payload: Any, room: str) -> None:
        """One message to a room, in turn with the connections joining it (gate.py)."""
        with self._gate.lock:
            skip = self._gate.skip(room, payload)
            self._emitter.emit(name, payload, to=room, skip_sid=skip or None)

    def _read(self, site_id: int, positions: bool) -> FollowUp | None:
        if self._follow_up is None:
            return None
        try:
            return self._follow_up.read(site_id, positions)
        except Exception:
            log.exception("could not read the queue of site %s", site_id)
            return None

    def _push_positions(self, site_id: int, seq: int, waiting: Sequence[dict[str, Any]]) -> None:
        for ticket in waiting:
            code = ticket["public_code"]
            key = (ticket["position"], ticket["estimated_wait_s"])
            if self._last_position.get(code) == key:
                continue
            self._last_position[code] = key
            self._send(
                "ticket.updated", {"seq": seq, "site_id": site_id, "ticket": ticket}, ticket_room(code)
            )
        if len(self._last_position) > 50_000:  # yesterday's tickets: forget them
            self._last_position.clear()


def _reordered_sites(events: Sequence[Event]) -> dict[int, int]:
    """The sites of one unit of work whose waiting tickets may have moved, with their queue change's seq."""
    return {
        event.site_id: event.seq
        for event in events
        if isinstance(event, QueueChanged) and not _joined_at_the_back(events, event)
    }


def _joined_at_the_back(events: Sequence[Event], queue: QueueChanged) -> bool:
    """The unit of work only issued one ticket at the site, and it stands last in its service's line.

    That moves nobody else (its own position went out with it), so the site's other status pages need no
    new pass over the queue: a busy morning of issuing no longer costs one pass per ticket.
    """
    others = [e for e in events if e.site_id == queue.site_id and e is not queue]
    if len(others) != 1 or not isinstance(others[0], TicketIssued):
        return False
    ticket = others[0].ticket
    return any(
        line.service_id == ticket.service_id and line.waiting == ticket.position
        for line in queue.waiting_by_service
    )
