"""Counter use cases: open (a clerk takes the counter), pause (no new calls), close."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from ...domain.access import Principal
from ...domain.errors import N_, Conflict
from ...domain.events import CounterChanged, CounterState, QueueChanged
from ..core.idempotency import retry_on_race
from ..core.lookups import get_counter
from ..core.unit_of_work import UnitOfWork
from .state import QueueState, tickets_by_id


class CounterStatus(StrEnum):
    OPEN = "open"
    PAUSED = "paused"
    CLOSED = "closed"


@dataclass(frozen=True, kw_only=True)
class SetCounterStatus:
    actor: Principal
    counter_id: int
    status: CounterStatus
    at: datetime


@retry_on_race
def set_counter_status(cmd: SetCounterStatus, uow: UnitOfWork) -> CounterState:
    with uow:
        session = uow.session
        counter = get_counter(session, cmd.counter_id)
        cmd.actor.require(cmd.actor.can_serve(counter.site_id))
        if cmd.status is CounterStatus.CLOSED and counter.current_ticket_id is not None:
            raise Conflict(N_("Finish the ticket at this counter before closing it."), code="counter_busy")
        counter.status = cmd.status.value
        if cmd.status is CounterStatus.OPEN:
            counter.clerk_id = cmd.actor.user_id
        elif cmd.status is CounterStatus.CLOSED:
            counter.clerk_id = None
        session.flush()
        session.refresh(counter, ["clerk"])
        state = QueueState.load(session, counter.site, cmd.at)
        info = state.counter_state(counter, tickets_by_id(session, [counter.current_ticket_id]))
        uow.emit(CounterChanged(site_id=counter.site_id, counter=info, at=cmd.at))
        # Open counters share the queue, so every estimate moves.
        uow.emit(
            QueueChanged(site_id=counter.site_id, waiting_by_service=state.waiting_by_service(), at=cmd.at)
        )
        uow.commit()
        return info
