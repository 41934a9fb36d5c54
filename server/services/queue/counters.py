"""Counter use cases: open (a clerk takes the counter), pause (no new calls) with a reason, close. Every
change is appended to the counter's events (``counter_events``) with its time, clerk and reason."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from ...db.models import CounterEvent
from ...domain.access import Principal
from ...domain.errors import N_, Conflict
from ...domain.events import CounterChanged, CounterState
from ...domain.pauses import CounterEventKind, PauseReason
from ..core.idempotency import retry_on_race
from ..core.lookups import get_counter, get_site
from ..core.unit_of_work import UnitOfWork
from .state import QueueState, current_tickets


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
    reason: PauseReason | None = None  # why it is paused (``other`` when a pause gives none)
    note: str | None = None


@retry_on_race
def set_counter_status(cmd: SetCounterStatus, uow: UnitOfWork) -> CounterState:
    with uow:
        counter = get_counter(uow.sites, cmd.counter_id)
        cmd.actor.require(cmd.actor.can_serve(counter.site_id))
        if cmd.status is CounterStatus.CLOSED and counter.current_ticket_id is not None:
            raise Conflict(N_("Finish the ticket at this counter before closing it."), code="counter_busy")
        reason = (cmd.reason or PauseReason.OTHER) if cmd.status is CounterStatus.PAUSED else None
        same = counter.status == cmd.status.value and counter.pause_reason == (reason and reason.value)
        if not same:  # a repeated request changes nothing and records nothing
            counter.status_since = cmd.at
            uow.session.add(
                CounterEvent(
                    site_id=counter.site_id,
                    counter_id=counter.id,
                    kind=_KINDS[cmd.status].value,
                    at=cmd.at,
                    actor_id=cmd.actor.user_id,
                    reason=reason.value if reason else None,
                    note=cmd.note if reason else None,
                )
            )
        counter.status = cmd.status.value
        counter.pause_reason = reason.value if reason else None
        if cmd.status is CounterStatus.OPEN:
            counter.clerk_id = cmd.actor.user_id
        elif cmd.status is CounterStatus.CLOSED:
            counter.clerk_id = None
        uow.flush()
        uow.refresh(counter)  # its clerk, by name
        site = get_site(uow.sites, counter.site_id)
        state = QueueState.load(uow, site, cmd.at)
        info = state.counter_state(counter, current_tickets(uow, [counter]))
        uow.emit(CounterChanged(site_id=counter.site_id, counter=info, at=cmd.at))
        # Open counters share the queue, so every estimate moves.
        uow.emit(state.queue_changed(cmd.at))
        uow.commit()
        return info


_KINDS = {
    CounterStatus.OPEN: CounterEventKind.OPENED,
    CounterStatus.PAUSED: CounterEventKind.PAUSED,
    CounterStatus.CLOSED: CounterEventKind.CLOSED,
}
