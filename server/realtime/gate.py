"""Keeps a new connection's snapshot and its room's events in order, within one process.

A connection reads its snapshot (the room's state at the site's ``seq`` S), joins its room, then sends
the snapshot. The publisher meanwhile emits committed events from its own task, a little after their
commit. Without care an event could fall between the read and the join (never received: a call the
display never announces), or be emitted after the join though the snapshot already holds it (announced
twice). So both take turns on one lock: a connection reads, joins and sends under it, and is admitted
with S; the publisher emits each message under it, skipping the connections whose snapshot already holds
it. Events that another process publishes through the message queue do not pass here.
"""

from __future__ import annotations

import threading
from typing import Any


class RoomGate:
    def __init__(self) -> None:
        self.lock = threading.RLock()  # a socket closed while a message goes out may come back here
        self._fresh: dict[str, dict[str, int]] = {}  # room -> sid -> the seq its snapshot holds
        self._room_of: dict[str, set[str]] = {}

    def admit(self, room: str, sid: str, snapshot: Any) -> None:
        """``sid`` joined ``room`` with ``snapshot`` (``lock`` held): the events its ``seq`` holds are
        skipped for it."""
        seq = snapshot.get("seq") if isinstance(snapshot, dict) else None
        if isinstance(seq, int) and seq > 0:
            self._fresh.setdefault(room, {})[sid] = seq
            self._room_of.setdefault(sid, set()).add(room)

    def skip(self, room: str, payload: Any) -> list[str]:
        """The connections of ``room`` whose snapshot holds this message already (held: ``lock``)."""
        fresh = self._fresh.get(room)
        seq = payload.get("seq") if isinstance(payload, dict) else None
        if not fresh or not isinstance(seq, int) or seq <= 0:
            return []
        skipped = [sid for sid, held in fresh.items() if held >= seq]
        for sid in [sid for sid, held in fresh.items() if held <= seq]:  # later events are all theirs
            self._drop(room, sid)
        return skipped

    def forget(self, sid: str) -> None:
        with self.lock:
            for room in list(self._room_of.get(sid, ())):
                self._drop(room, sid)

    def _drop(self, room: str, sid: str) -> None:
        fresh = self._fresh.get(room, {})
        fresh.pop(sid, None)
        if not fresh:
            self._fresh.pop(room, None)
        rooms = self._room_of.get(sid)
        if rooms is not None:
            rooms.discard(room)
            if not rooms:
                del self._room_of[sid]
