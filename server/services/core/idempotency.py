"""Requests that must act once: a client's ``request_id`` and retries after a concurrent change.

Staff actions, kiosk tickets and check-ins may carry a client ``request_id``: the first request with an id
acts and remembers the ticket it acted on; a retry with the same id (a tablet that lost its network) acts
no more and learns which ticket that was.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import ParamSpec, TypeVar

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from ...db.models import StaffRequest
from ...domain.access import Principal
from ...domain.errors import N_, Conflict
from .unit_of_work import Requests

P = ParamSpec("P")
R = TypeVar("R")

ATTEMPTS = 4


def retry_on_race(handler: Callable[P, R]) -> Callable[P, R]:
    """Run a use case again when a concurrent transaction got there first.

    A stale version (another counter claimed the ticket) or a duplicate request id (the same retry
    arriving twice at once) is resolved by running the use case once more on the fresh state.
    """

    @functools.wraps(handler)
    def run(*args: P.args, **kwargs: P.kwargs) -> R:
        for _ in range(ATTEMPTS - 1):
            try:
                return handler(*args, **kwargs)
            except (StaleDataError, IntegrityError):
                continue
        try:
            return handler(*args, **kwargs)
        except (StaleDataError, IntegrityError) as exc:
            raise Conflict(
                N_("Someone else changed this at the same moment; please try again."),
                code="concurrent_update",
            ) from exc

    return run


@dataclass(frozen=True)
class Replay:
    """The request was carried out before: on this ticket (``None`` when it found nobody to call)."""

    ticket_id: int | None


def _principal_key(actor: Principal) -> str:
    return f"user:{actor.user_id}" if actor.user_id is not None else f"device:{actor.device_id}"


def claim_request(
    requests: Requests, actor: Principal, request_id: str | None, action: str, target_id: int, at: datetime
) -> Replay | None:
    """Record ``request_id`` before acting; if it is already recorded, say what it did instead."""
    if request_id is None:
        return None
    principal = _principal_key(actor)
    done = requests.get(principal, request_id)
    if done is not None:
        if done.action != action or done.target_id != target_id:
            raise Conflict(
                N_("This request id was already used for another action."), code="request_id_reused"
            )
        return Replay(done.ticket_id)
    # Stored first: a duplicate running at the same moment waits on this row, then retries and replays.
    requests.add(
        StaffRequest(
            principal=principal, request_id=request_id, action=action, target_id=target_id, created_at=at
        )
    )
    return None


def remember_request(requests: Requests, actor: Principal, request_id: str | None, ticket_id: int) -> None:
    if request_id is not None:
        done = requests.get(_principal_key(actor), request_id)
        assert done is not None, "claim_request stored it in this transaction"
        done.ticket_id = ticket_id
