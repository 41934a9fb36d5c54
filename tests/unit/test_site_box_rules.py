"""Site boxes, the rules: events survive JSON unchanged, and each box numbers its rows in its own range."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime

import pytest

from server.domain import sync
from server.domain.events import (
    AppointmentChanged,
    AppointmentRef,
    CounterRef,
    QueueChanged,
    ServiceWaiting,
    TicketCalled,
    TicketInfo,
)

AT = datetime(2026, 11, 23, 1, 5, tzinfo=UTC)


def test_events_come_back_from_json_as_they_were() -> None:
    ticket = TicketInfo(
        id=1_004_000_001,
        site_id=1,
        number="A001",
        service_id=3,
        status="called",
        priority="elderly",
        public_code="abc",
        position=0,
        estimated_wait_s=0,
        counter=CounterRef(id=2, number=1, name="Quầy 1"),
        issued_at=AT,
        called_at=AT,
        actions=("recall", "start"),
    )
    events = [
        TicketCalled(
            site_id=1,
            seq=7,
            at=AT,
            ticket=ticket,
            counter=CounterRef(id=2, number=1, name="Quầy 1"),
            called_at=AT,
        ),
        QueueChanged(
            site_id=1,
            seq=8,
            waiting_by_service=(ServiceWaiting(service_id=3, waiting=2, estimated_wait_s=600),),
        ),
        AppointmentChanged(
            site_id=1,
            seq=9,
            appointment=AppointmentRef(id=5, service_id=3, start=AT, end=AT, status="booked"),
            action="book",
        ),
    ]
    for event in events:
        back = sync.decode_event(sync.encode_event(event))
        assert back == event
        assert back.seq == event.seq


def test_an_unknown_event_type_is_refused() -> None:
    with pytest.raises(sync.UnknownEvent):
        sync.decode_event({"type": "Event", "data": {}})
    with pytest.raises(sync.UnknownEvent):
        sync.decode_event({"type": "Nonsense", "data": {}})


def test_two_boxes_and_the_upstream_never_share_an_id() -> None:
    for table in sync.NUMBERED_TABLES:
        ranges = [(sync.id_base(table, site), sync.id_limit(table, site)) for site in range(1, 50)]
        for (low, high), (next_low, _next_high) in itertools.pairwise(ranges):
            assert low < high <= next_low
    assert sync.id_limit("tickets", 285) < 2**31  # 32-bit keys on PostgreSQL
    assert sync.id_base("tickets", 1) >= 1_000_000_000  # above the upstream's own tickets
