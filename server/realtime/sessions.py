"""Closing the Socket.IO connections of revoked tokens, at once and in every server process.

Each connection made with a token joins that token's room (``token:{id}``) in its namespace. When a use
case revokes tokens (logout, ``luot device revoke``, ``luot user disable``) it emits
:class:`~server.domain.events.TokensRevoked`; after commit the bus hands it to :func:`handle`, which tells
every process to disconnect the members of those rooms. With a message queue (Redis) the order travels
as an emit to a namespace no client can join (:data:`NAMESPACE`), which each process's manager intercepts
before delivery; without one it is carried out in this process only — so a revocation made from the
command line of a one-box install (another process, no message queue) is refused at the socket's next
``refresh`` or reconnect, not at once.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

from socketio.pubsub_manager import PubSubManager

from ..domain.events import Event, TokensRevoked

log = logging.getLogger(__name__)

NAMESPACE = "/luot.revoked"  # never registered: no client can connect to it
NAMESPACES = ("/", "/agent")


def token_room(token_id: int) -> str:
    return f"token:{token_id}"


class Sessions:
    """One per Socket.IO server: knows how to reach each process's connections of a token."""

    def __init__(self, server: Any) -> None:
        self.server = server
        manager = server.manager
        if isinstance(manager, PubSubManager):
            deliver = manager._handle_emit  # every host runs it: this one at emit, the others from the queue

            def intercept(message: dict[str, Any]) -> Any:
                if message.get("namespace") == NAMESPACE:
                    try:
                        (payload,) = message.get("data") or [{}]
                        self.disconnect_here([int(t) for t in payload.get("token_ids", [])])
                    except Exception:
                        log.exception("could not close the connections of revoked tokens")
                    return None
                return deliver(message)

            manager._handle_emit = intercept

    def handle(self, events: Sequence[Event]) -> None:
        """The bus's subscriber."""
        token_ids = sorted({t for e in events if isinstance(e, TokensRevoked) for t in e.token_ids})
        if not token_ids:
            return
        if isinstance(self.server.manager, PubSubManager):
            self.server.emit("revoked", {"token_ids": token_ids}, namespace=NAMESPACE)
        else:
            self.disconnect_here(token_ids)

    def disconnect_here(self, token_ids: Sequence[int]) -> None:
        """Disconnect this process's connections made with any of ``token_ids``."""
        manager = self.server.manager
        for namespace in NAMESPACES:
            for token_id in token_ids:
                for sid, _eio_sid in list(manager.get_participants(namespace, token_room(token_id))):
                    log.info("closing a Socket.IO connection of a revoked token")
                    self.server.disconnect(sid, namespace=namespace, ignore_queue=True)
