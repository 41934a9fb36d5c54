"""A real Socket.IO client for tests: records every event it receives, in order."""

from __future__ import annotations

import threading
import time
from typing import Any

import socketio

EVENTS = (
    "snapshot",
    "ticket.called",
    "ticket.updated",
    "queue.changed",
    "counter.updated",
    "appointment.updated",
    "notices.changed",
    "printer.status",
    "print.updated",
    "rating.requested",
    "rating.given",
)


def disconnect(client: socketio.Client) -> None:
    """Disconnect without websocket-client's 3-second wait for a closing frame that its own reader
    thread has already consumed."""
    websocket = client.eio.ws
    if websocket is not None:
        close = websocket.close
        websocket.close = lambda *args, **kwargs: close(*args, **{**kwargs, "timeout": 0.2})
    client.disconnect()


class Listener:
    """A real python-socketio client that records every event it receives, in order."""

    def __init__(self, url: str, auth: dict[str, Any], reconnect: bool = False, delay_max: float = 1) -> None:
        """``reconnect``: come back by itself after the server went away, as the screens do, waiting
        twice as long after each failed attempt up to ``delay_max`` seconds between two."""
        self.history: list[tuple[str, dict[str, Any]]] = []
        self._arrived = threading.Condition()
        self._cursor: dict[str | None, int] = {}
        self.client = socketio.Client(
            reconnection=reconnect,
            reconnection_delay=0.2,
            reconnection_delay_max=delay_max,
            randomization_factor=0,
        )
        self.disconnected = threading.Event()  # set when the server closes the connection
        self.errors: list[dict[str, Any]] = []
        for name in EVENTS:
            self.client.on(name, lambda data, name=name: self._record(name, data))
        self.client.on("disconnect", lambda *_reason: self.disconnected.set())
        self.client.on("error", self.errors.append)
        self.client.connect(url, auth=auth, transports=["websocket"], wait_timeout=5)

    def _record(self, name: str, data: dict[str, Any]) -> None:
        with self._arrived:
            self.history.append((name, data))
            self._arrived.notify_all()

    def next(self, name: str | None = None, timeout: float = 5) -> dict[str, Any]:
        """The next event called ``name`` not yet returned (any event when ``name`` is None)."""
        deadline = time.monotonic() + timeout
        with self._arrived:
            while True:
                start = self._cursor.get(name, 0)
                for index in range(start, len(self.history)):
                    event, data = self.history[index]
                    if name is None or event == name:
                        self._cursor[name] = index + 1
                        return data
                self._cursor[name] = len(self.history)
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise TimeoutError(f"no {name or 'event'} within {timeout}s; got {self.history}")
                self._arrived.wait(remaining)

    def settle(self, seconds: float = 0.3) -> list[tuple[str, dict[str, Any]]]:
        time.sleep(seconds)
        return list(self.history)

    def close(self) -> None:
        disconnect(self.client)


def refused(url: str, auth: Any, within: float = 5) -> dict[str, Any]:
    """Connect with ``auth`` expecting a refusal within ``within`` seconds; return the ``connect_error``
    the server sent."""
    client = socketio.Client(reconnection=False)
    errors: list[dict[str, Any]] = []
    answered = threading.Event()
    client.on("connect_error", lambda data: (errors.append(data), answered.set()))
    client.on("connect", answered.set)
    client.connect(url, auth=auth, transports=["websocket"], wait=False)
    assert answered.wait(within), f"the server did not answer within {within}s"
    connected = client.connected and client.namespaces
    disconnect(client)
    assert not connected and errors, "the connection was accepted"
    return errors[0]
