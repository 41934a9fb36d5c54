"""The publisher's order of work (server/realtime/publisher.py): each event's messages, then a yield to the
connections' writers, before the next event is worked out. Under gevent an emit only queues each client's
packet; without the yield a call's `ticket.called` would wait, in every client's queue, for the read of
the queue behind its `queue.changed`."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Any

from server.domain.early_warnings import NO_OUTLOOK, Outlook
from server.domain.events import CounterRef, Event, QueueChanged, ServiceWaiting, TicketCalled, TicketInfo
from server.realtime.publisher import Publisher

AT = datetime(2026, 12, 2, 8, 0, tzinfo=UTC)


class Recorder:
    """An emitter and a follow-up reader writing what is done, in order, into one log."""

    def __init__(self) -> None:
        self.log: list[str] = []
        self.task: Callable[[], None] | None = None

    def emit(self, event: str, data: Any = None, *, to: str | None = None, skip_sid: Any = None) -> None:
        self.log.append(f"{event} → {to}")

    def start_background_task(self, target: Callable[..., Any], *args: Any) -> object:
        self.task = lambda: target(*args)
        return self.task

    def sleep(self, seconds: float = 0) -> None:
        self.log.append("yield")

    def note(self, events: Sequence[Event]) -> None:
        pass

    def read(self, site_id: int, positions: bool) -> Any:
        self.log.append(f"read site {site_id}")
        return _FollowUp()


class _FollowUp:
    outlook: Outlook = NO_OUTLOOK
    positions: Sequence[dict[str, Any]] = ()


def test_each_event_goes_out_before_the_next_is_worked_out() -> None:
    recorder = Recorder()
    publisher = Publisher(recorder, follow_up=recorder)
    ticket = TicketInfo(
        id=7,
        site_id=1,
        number="A0007",
        service_id=3,
        status="called",
        priority="regular",
        public_code="abc",
        position=0,
        estimated_wait_s=0,
        counter=None,
        issued_at=AT,
    )
    counter = CounterRef(id=2, number=2, name="Quầy 2")
    waiting = (ServiceWaiting(service_id=3, waiting=4, estimated_wait_s=600),)
    publisher.publish(
        [
            TicketCalled(site_id=1, seq=10, ticket=ticket, counter=counter, called_at=AT),
            QueueChanged(site_id=1, seq=11, waiting_by_service=waiting),
        ]
    )
    publisher.close()
    assert recorder.task is not None
    recorder.task()  # the publisher's task: this batch, then the stop

    assert recorder.log == [
        "ticket.called → site:1",
        "ticket.updated → ticket:abc",
        "ticket.called → counter:2",
        "yield",  # the call is written to every client before the queue behind it is read
        "read site 1",
        "queue.changed → site:1",
        "yield",
    ]
