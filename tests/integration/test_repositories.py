"""SQL of the queue's repositories whose result the fakes cannot vouch for, on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta

from flask import Flask

from server.db.models import Ticket
from server.db.repositories import Repositories
from tests.conftest import World

NOON = datetime(2026, 11, 23, 5, 0, tzinfo=UTC)  # 12:00 in Hà Nội


def ticket_row(site_id: int, service_id: int, index: int, day: date, status: str, since: datetime) -> Ticket:
    """The ``index``-th ticket row a test writes straight to the database, issued and waiting ``since``."""
    return Ticket(
        site_id=site_id,
        service_id=service_id,
        issued_service_id=service_id,
        day=day,
        sequence=index + 1,
        number=f"X{index + 1:03d}",
        status=status,
        public_code=f"code-{index}",
        issued_at=since,
        waiting_since=since,
    )


def test_the_pace_of_a_service_is_its_last_completed_tickets_newest_first(
    make_app: Callable[..., Flask], database_url: str
) -> None:
    world = World(make_app(database_url))
    site_id, civil, land = (
        world.site("CB")["id"],
        world.service("CB", "HT")["id"],
        world.service("CB", "DD")["id"],
    )
    day = NOON.date()
    # Twelve civil-status tickets completed a minute apart (the n-th took 60 + n seconds), two land
    # ones (160 and 161 s), one civil-status ticket still being served and one completed yesterday.
    done = [(civil, n, NOON + timedelta(minutes=n), "done", day) for n in range(12)]
    done += [(land, 100 + n, NOON + timedelta(minutes=n), "done", day) for n in range(2)]
    done += [(civil, 999, NOON + timedelta(minutes=30), "serving", day)]
    done += [(civil, 998, NOON - timedelta(days=1), "done", day - timedelta(days=1))]
    with world.luot.uow() as uow:
        for index, (service_id, extra_s, finished_at, status, ticket_day) in enumerate(done):
            since = finished_at - timedelta(minutes=20)
            row = ticket_row(site_id, service_id, index, ticket_day, status, since)
            row.finished_at, row.service_s = finished_at, 60 + extra_s
            uow.session.add(row)
        uow.commit()

    with world.luot.read() as session:
        recent = Repositories(session).tickets.recent_service_times(site_id, day, per_service=10)

    assert recent == {civil: [60 + n for n in range(11, 1, -1)], land: [161, 160]}


def test_the_count_of_who_is_ahead_of_a_regular_ticket_is_the_policy_s(
    make_app: Callable[..., Flask], database_url: str
) -> None:
    import random

    from server.domain.policy import Ahead, Candidate
    from server.domain.tickets import Priority

    world = World(make_app(database_url))
    site_id, civil, land = (
        world.site("CB")["id"],
        world.service("CB", "HT")["id"],
        world.service("CB", "DD")["id"],
    )
    day, generator = NOON.date(), random.Random(7)
    # Sixty waiting tickets with ties in their waiting times, priority ones and appointments due or not,
    # plus tickets the count must leave out: another service's, yesterday's, one already called.
    rows = []
    for _ in range(60):
        since = NOON - timedelta(minutes=generator.choice([0, 5, 5, 10, 30]))
        appointment = generator.choice(
            [None, None, None, NOON - timedelta(minutes=20), NOON + timedelta(hours=1)]
        )
        priority = generator.choice([Priority.NONE, Priority.NONE, Priority.ELDERLY])
        rows.append((civil, since, appointment, priority, "waiting", day))
    rows += [(land, NOON - timedelta(hours=1), None, Priority.NONE, "waiting", day)]
    rows += [(civil, NOON - timedelta(days=1), None, Priority.NONE, "waiting", day - timedelta(days=1))]
    rows += [(civil, NOON - timedelta(hours=1), None, Priority.NONE, "called", day)]
    candidates = []
    with world.luot.uow() as uow:
        for index, (service_id, since, appointment, priority, status, ticket_day) in enumerate(rows):
            ticket = ticket_row(site_id, service_id, index, ticket_day, status, since)
            ticket.priority, ticket.appointment_start = priority.value, appointment
            uow.session.add(ticket)
            uow.session.flush()
            if index < 60:
                candidates.append(Candidate(ticket.id, civil, priority, since, appointment))
        uow.commit()

    with world.luot.read() as session:
        tickets = Repositories(session).tickets
        for candidate in candidates:
            ahead = Ahead(candidate.ticket_id, candidate.waiting_since, NOON + timedelta(minutes=10))
            expected = sum(1 for other in candidates if ahead.includes(other))
            assert tickets.waiting_ahead(site_id, civil, ahead, day) == expected
