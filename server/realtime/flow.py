"""What one Socket.IO client may ask of the server, and what may wait for it: flow control per connection.

Any public client is hostile (docs/security.md), so no single connection may make the server work or
remember without bound:

- **Every message a client sends** (an event in any namespace, a namespace connect, an ack) takes a token
  from its connection's bucket (``LUOT_SOCKET_EVENTS_BURST`` tokens, refilled at
  ``LUOT_SOCKET_EVENTS_PER_S``). A flood that empties it is answered with one ``error`` event
  ``{code: "rate_limited", message}`` and the connection is closed; nothing it sent after that is handled.
- **Handlers run on the connection's own reader thread** (``async_handlers=False``): a connection is handled
  one message at a time, so it never holds more than one thread, and a client that sends faster than the
  server answers is slowed by TCP itself instead of spawning a thread per message.
- **``refresh`` is coalesced** (:class:`SnapshotPacer`): a connection gets at most one snapshot per
  ``LUOT_SOCKET_SNAPSHOT_INTERVAL_S``; the refreshes that arrive in between become one snapshot at the end
  of the interval.
- **What waits for a slow reader is bounded** (:class:`SendQueue`): Engine.IO keeps one queue of packets per
  connection, written by one writer thread that blocks while the client does not read. Once more than
  ``LUOT_SOCKET_BACKLOG_PACKETS`` packets or ``LUOT_SOCKET_BACKLOG_BYTES`` bytes wait, the reader is behind
  for good: the rest is dropped, the connection closed and its TCP connection shut down, so that the blocked
  writer ends too. A screen that was dropped reconnects and gets a fresh snapshot, as after any cut.

Without these, one client sending ``refresh`` 200 times a second without reading made the server build a
snapshot for each, queue them all, and spend a thread on each: ticket issues over HTTP stalled.
"""

from __future__ import annotations

import contextlib
import logging
import queue
import socket
import threading
import time
from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs

from socketio import packet as sio_packet

log = logging.getLogger(__name__)

RATE_LIMITED = "rate_limited"
MALFORMED = "malformed_request"  # the code of a 400 on the HTTP side (server/api/errors.py)


@dataclass(frozen=True)
class FlowSettings:
    events_per_s: float = 5.0
    events_burst: int = 30
    snapshot_interval_s: float = 1.0
    backlog_packets: int = 1000
    backlog_bytes: int = 1024 * 1024
    close_grace_s: float = 2.0  # how long a closed connection may take to read its last packets

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> FlowSettings:
        defaults = cls()
        return cls(
            events_per_s=float(config.get("LUOT_SOCKET_EVENTS_PER_S", defaults.events_per_s)),
            events_burst=int(config.get("LUOT_SOCKET_EVENTS_BURST", defaults.events_burst)),
            snapshot_interval_s=float(
                config.get("LUOT_SOCKET_SNAPSHOT_INTERVAL_S", defaults.snapshot_interval_s)
            ),
            backlog_packets=int(config.get("LUOT_SOCKET_BACKLOG_PACKETS", defaults.backlog_packets)),
            backlog_bytes=int(config.get("LUOT_SOCKET_BACKLOG_BYTES", defaults.backlog_bytes)),
        )


class TokenBucket:
    """``burst`` tokens, refilled at ``rate`` per second; :meth:`take` says whether one was left."""

    def __init__(self, rate: float, burst: int, clock: Callable[[], float] = time.monotonic) -> None:
        self._rate = rate
        self._burst = float(burst)
        self._tokens = float(burst)
        self._clock = clock
        self._at = clock()
        self.exhausted = False

    def take(self) -> bool:
        now = self._clock()
        self._tokens = min(self._burst, self._tokens + (now - self._at) * self._rate)
        self._at = now
        if self._tokens < 1:
            return False
        self._tokens -= 1
        return True


def _size(item: Any) -> int:
    data = getattr(item, "data", None)
    return len(data) if isinstance(data, str | bytes) else 16


class SendQueue(queue.Queue[Any]):
    """Engine.IO's per-connection packet queue, bounded without ever blocking the one who sends.

    ``put`` never waits: past the bound it drops the packet, marks the queue overflowed and calls
    ``on_overflow`` once (from the sending thread: it must only start the drop). ``None``, Engine.IO's
    "the connection is closed" mark for the writer, always goes in.
    """

    def __init__(self, max_packets: int, max_bytes: int) -> None:
        super().__init__()
        self.max_packets = max_packets
        self.max_bytes = max_bytes
        self.bytes = 0
        self.overflowed = False
        self.on_overflow: Callable[[], None] | None = None
        # Set once the writer has sent everything up to the close: Engine.IO's writer takes the closing
        # ``None`` twice (it puts it back after a batch, then ends on it).
        self.drained = threading.Event()
        self._nones = 0

    def put(self, item: Any, block: bool = True, timeout: float | None = None) -> None:
        if item is not None:
            with self.mutex:
                first = False
                if not self.overflowed and (
                    len(self.queue) >= self.max_packets or self.bytes + _size(item) > self.max_bytes
                ):
                    self.overflowed = first = True
                dropped = self.overflowed
            if dropped:
                if first and self.on_overflow is not None:
                    self.on_overflow()
                return
        super().put(item, block, timeout)

    # Called by queue.Queue with its mutex held.
    def _init(self, maxsize: int) -> None:
        self.queue: deque[Any] = deque()

    def _put(self, item: Any) -> None:
        self.queue.append(item)
        self.bytes += _size(item)

    def _get(self) -> Any:
        item = self.queue.popleft()
        self.bytes -= _size(item)
        if item is None:
            self._nones += 1
            if self._nones >= 2:
                self.drained.set()
        return item


class SnapshotPacer:
    """At most one snapshot per ``interval`` per connection; the refreshes in between become one."""

    def __init__(
        self,
        interval: float,
        start_task: Callable[..., Any],
        sleep: Callable[[float], Any],
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._interval = interval
        self._start_task = start_task
        self._sleep = sleep
        self._clock = clock
        self._lock = threading.Lock()
        self._last: dict[str, float] = {}
        self._pending: set[str] = set()

    def sent(self, sid: str) -> None:
        with self._lock:
            self._last[sid] = self._clock()

    def request(self, sid: str, send: Callable[[], None]) -> None:
        """Run ``send`` now if the last snapshot is old enough, else once at the end of the interval."""
        with self._lock:
            if sid in self._pending:
                return  # one is already due: this refresh joins it
            wait = self._last.get(sid, float("-inf")) + self._interval - self._clock()
            if wait > 0:
                self._pending.add(sid)
            else:
                self._last[sid] = self._clock()
        if wait > 0:
            self._start_task(self._later, sid, wait, send)
        else:
            send()

    def _later(self, sid: str, wait: float, send: Callable[[], None]) -> None:
        self._sleep(wait)
        with self._lock:
            if sid not in self._pending:  # the connection went away meanwhile
                return
            self._pending.discard(sid)
            self._last[sid] = self._clock()
        try:
            send()
        except Exception:
            log.exception("could not send the snapshot %s asked for", sid)

    def forget(self, sid: str) -> None:
        with self._lock:
            self._last.pop(sid, None)
            self._pending.discard(sid)


class FlowControl:
    """Installs the limits on one Socket.IO server (one per app)."""

    def __init__(self, server: Any, settings: FlowSettings) -> None:
        self.server = server
        self.settings = settings
        self._buckets: dict[str, TokenBucket] = {}
        self.pacer = SnapshotPacer(settings.snapshot_interval_s, server.start_background_task, server.sleep)
        eio = server.eio
        self._on_message = eio.handlers["message"]
        self._on_disconnect = eio.handlers.get("disconnect")
        eio.on("message", self._message)
        eio.on("disconnect", self._disconnect)
        # A connection that began with long-polling and upgraded has its websocket on another TCP
        # connection than the one its environ names: remember that one, to shut it down when dropped.
        self._upgraded: dict[str, socket.socket] = {}
        self._handle_request = eio.handle_request
        eio.handle_request = self._request
        if server.async_mode == "threading":  # gevent's queues are another kind; left unbounded there
            eio.create_queue = self._create_queue

    def _request(self, environ: dict[str, Any], start_response: Any) -> Any:
        if environ.get("HTTP_UPGRADE", "").lower() == "websocket" and "werkzeug.socket" in environ:
            sid = parse_qs(environ.get("QUERY_STRING", "")).get("sid", [None])[0]
            if sid is not None and sid in self.server.eio.sockets:
                self._upgraded[sid] = environ["werkzeug.socket"]
        return self._handle_request(environ, start_response)

    def _create_queue(self, *_args: Any, **_kwargs: Any) -> SendQueue:
        return SendQueue(self.settings.backlog_packets, self.settings.backlog_bytes)

    def watch(self, eio_sid: str) -> None:
        """Drop the connection as soon as what waits for it passes the bound."""
        sock = self.server.eio.sockets.get(eio_sid)
        if sock is not None and isinstance(sock.queue, SendQueue):
            sock.queue.on_overflow = lambda: self._behind(eio_sid)

    def _behind(self, eio_sid: str) -> None:
        log.warning("a Socket.IO client fell too far behind its packets; dropping it")
        self.server.start_background_task(self.drop, eio_sid, None, 0.0)

    def _message(self, eio_sid: str, data: Any) -> Any:
        bucket = self._buckets.get(eio_sid)
        if bucket is None:
            settings = self.settings
            bucket = self._buckets[eio_sid] = TokenBucket(settings.events_per_s, settings.events_burst)
        if bucket.exhausted:
            return None
        if not bucket.take():
            bucket.exhausted = True
            log.warning("a Socket.IO client sent too many messages; closing its connection")
            self.drop(
                eio_sid,
                {"code": RATE_LIMITED, "message": "Too many messages on this connection."},
                self.settings.close_grace_s,
            )
            return None
        try:
            return self._on_message(eio_sid, data)
        except (ValueError, TypeError, KeyError, IndexError, AttributeError) as exc:
            # A packet that does not decode (auth that is not JSON …): refuse a connect with a code, ignore
            # anything else; never let it end the reader with a traceback.
            if isinstance(data, str) and data[:1] == str(sio_packet.CONNECT):
                self.server._send_packet(
                    eio_sid,
                    self.server.packet_class(
                        sio_packet.CONNECT_ERROR,
                        data={"message": "The connection request is malformed.", "data": {"code": MALFORMED}},
                        namespace=_namespace_of(data),
                    ),
                )
            log.info("ignored a malformed Socket.IO packet: %s", exc)
            return None

    def _disconnect(self, eio_sid: str, *args: Any) -> Any:
        self._buckets.pop(eio_sid, None)
        self._upgraded.pop(eio_sid, None)
        if self._on_disconnect is not None:
            return self._on_disconnect(eio_sid, *args)
        return None

    def drop(self, eio_sid: str, error: dict[str, Any] | None, grace: float) -> None:
        """Close a connection now without waiting for its writer: send ``error`` (if any) and Engine.IO's
        close, then, after ``grace``, shut its TCP connection down if the client has not read them."""
        eio_socket = self.server.eio.sockets.get(eio_sid)
        if eio_socket is None or eio_socket.closed or eio_socket.closing:
            return
        environ = self.server.environ.get(eio_sid) or {}
        tcp = self._upgraded.get(eio_sid)
        if tcp is None and environ.get("HTTP_UPGRADE", "").lower() == "websocket":
            tcp = environ.get("werkzeug.socket")
        # (None: a long-polling connection, whose requests end by themselves)
        if error is not None:
            for namespace in list(self.server.manager.get_namespaces()):
                sid = self.server.manager.sid_from_eio_sid(eio_sid, namespace)
                if sid is not None:
                    event = self.server.packet_class(
                        sio_packet.EVENT, data=["error", error], namespace=namespace
                    )
                    self.server._send_packet(eio_sid, event)
        eio_socket.close(wait=False, abort=False, reason=self.server.eio.reason.SERVER_DISCONNECT)
        if tcp is not None:
            drained = eio_socket.queue.drained if isinstance(eio_socket.queue, SendQueue) else None
            if grace > 0 and drained is not None:
                self.server.start_background_task(self._shut_down, tcp, drained, grace)
            else:
                self._shut_down(tcp, None, 0.0)

    def _shut_down(self, tcp: socket.socket, drained: threading.Event | None, grace: float) -> None:
        """Shut the TCP connection down once its last packets are written (or ``grace`` has passed):
        a client that goes on sending after its close would otherwise keep a reader thread busy."""
        if drained is not None:
            drained.wait(grace)
        if tcp.fileno() == -1:  # the client read its close and went
            return
        with contextlib.suppress(OSError):
            tcp.shutdown(socket.SHUT_RDWR)  # the writer blocked on this client's full buffer fails and ends


def _namespace_of(data: str) -> str:
    rest = data[1:]
    if rest.startswith("/"):
        return rest.split(",", 1)[0]
    return "/"
