"""Personal data kept to the minimum: a citizen ID never appears in clear in the database, the logs or any
Socket.IO message; phone numbers stay out of messages and logs; the retention job erases personal fields
after the configured number of days and leaves the statistics exactly as they were."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask

from server.db.models import Appointment, Base, Ticket, TicketEvent
from server.jobs.scheduler import Sweeper
from server.services import retention
from server.services.appointments import reminders
from server.services.queue import closing
from tests.booking import MONDAY_7AM, at, book, booking_config
from tests.conftest import Clock, LiveServer, World
from tests.realtime_client import Listener

CITIZEN_ID = "001094012345"
CITIZEN_QR = f"{CITIZEN_ID}|012345678|Nguyễn Văn An|01011994|Nam|Cát Bà, Hải Phòng|01012021"
BOOKER_ID = "031188054321"
PHONE = "0912345678"


@pytest.fixture
def centre(make_app: Callable[..., Flask], database_url: str) -> Iterator[dict[str, Any]]:
    app = make_app(database_url, booking_config())
    clock = Clock(MONDAY_7AM)
    app.extensions["luot"].clock = clock
    server = LiveServer(app).start()
    try:
        yield {"app": app, "world": World(app), "clock": clock, "server": server, "url": database_url}
    finally:
        server.stop()


def database_dump(app: Flask, url: str) -> str:
    """Every row of every table as text, plus, on SQLite, the raw bytes of the file and its WAL."""
    database = app.extensions["luot"].database
    parts: list[str] = []
    with database.read_session() as session:
        for table in Base.metadata.sorted_tables:
            for row in session.execute(sa.select(table)):
                parts.append(repr(tuple(row)))
    if url.startswith("sqlite:///"):
        path = Path(url.removeprefix("sqlite:///"))
        for file in (path, path.with_name(path.name + "-wal")):
            if file.exists():
                parts.append(file.read_bytes().decode("latin-1"))
    return "\n".join(parts)


def test_a_citizen_id_never_appears_in_clear(
    centre: dict[str, Any], caplog: pytest.LogCaptureFixture, capfd: pytest.CaptureFixture[str]
) -> None:
    caplog.set_level(logging.DEBUG)
    world: World = centre["world"]
    site = world.site("CB")["id"]
    kiosk, clerk = world.device("kiosk"), world.staff("clerk")
    token = clerk["Authorization"].split()[1]
    staff_room = Listener(centre["server"].url, {"token": token, "site_id": site})
    display_room = Listener(centre["server"].url, {"token": world.device_token("display"), "site_id": site})
    answers: list[Any] = []
    try:
        typed = world.issue(kiosk, citizen_id=CITIZEN_ID, phone=PHONE)
        ticket_room = Listener(centre["server"].url, {"public_code": typed["public_code"]})
        scanned = world.issue(kiosk, service="CT", citizen_id=CITIZEN_QR)
        answers += [typed, scanned]
        booked = book(world, at(8, 0), citizen_id=BOOKER_ID, phone="0987654321")
        answers.append(booked)
        centre["clock"].set(at(7, 50))
        checked_in = world.client.post(f"/api/v1/appointments/{booked['code']}/check-in", headers=kiosk)
        assert checked_in.status_code == 201, checked_in.json
        answers.append(checked_in.json)
        # A second ticket for the same ID is counted against the same person (the keyed hash matches).
        over = world.client.post(
            f"/api/v1/sites/{site}/tickets",
            json={"service_id": world.service("CB", "HT")["id"], "citizen_id": CITIZEN_ID},
            headers=kiosk,
        )
        assert over.status_code == 429 and over.json["error"]["code"] == "person_limit"
        counter = world.open_counter(clerk)
        for _ in range(3):
            called = world.client.post(f"/api/v1/counters/{counter}/call-next", headers=clerk)
            answers.append(called.json)
            ticket_id = called.json["id"]
            for action in ("start", "complete"):
                answers.append(world.client.post(f"/api/v1/tickets/{ticket_id}/{action}", headers=clerk).json)
        for path in (f"/api/v1/sites/{site}/queue", f"/api/v1/sites/{site}/counters"):
            answers.append(world.client.get(path, headers=clerk).json)
        answers.append(
            world.client.get(f"/api/v1/sites/{site}/appointments?date=2026-11-23", headers=clerk).json
        )
        answers.append(world.client.get(f"/api/v1/tickets/status/{typed['public_code']}").json)
        staff_room.next("snapshot")
        display_room.next("snapshot")
        messages = staff_room.settle() + display_room.history + ticket_room.history
        ticket_room.close()
    finally:
        staff_room.close()
        display_room.close()
    assert len(messages) > 10
    sent = json.dumps(messages, ensure_ascii=False, default=str)
    for secret in (CITIZEN_ID, BOOKER_ID, "Nguyễn Văn An"):
        assert secret not in sent, f"{secret} went out over Socket.IO"
        assert secret not in json.dumps(answers, ensure_ascii=False), f"{secret} is in an API answer"
        assert secret not in caplog.text, f"{secret} is in the log"
        out, err = capfd.readouterr()
        assert secret not in out + err, f"{secret} was printed"
        assert secret not in database_dump(centre["app"], centre["url"]), f"{secret} is in the database"
    assert PHONE not in sent and PHONE not in caplog.text
    assert "0987654321" not in sent and "0987654321" not in caplog.text
    # The keyed hash is what the database holds, for the per-person limit and look-up.
    with centre["app"].extensions["luot"].read() as session:
        hashes = set(
            session.scalars(sa.select(Ticket.citizen_id_hash).where(Ticket.citizen_id_hash.is_not(None)))
        )
    assert len(hashes) == 2 and all(len(h) == 64 for h in hashes)


# -- retention ---------------------------------------------------------------------------------------


def statistics(app: Flask, site_id: int, headers: dict[str, str]) -> dict[str, Any]:
    """What every statistic is computed from, without personal fields, and the stats route for the days of
    the test."""
    database = app.extensions["luot"].database
    with database.read_session() as session:
        tickets = [
            tuple(row)
            for row in session.execute(
                sa.select(
                    Ticket.id,
                    Ticket.site_id,
                    Ticket.service_id,
                    Ticket.issued_service_id,
                    Ticket.day,
                    Ticket.number,
                    Ticket.priority,
                    Ticket.status,
                    Ticket.issued_at,
                    Ticket.first_called_at,
                    Ticket.started_at,
                    Ticket.finished_at,
                    Ticket.wait_s,
                    Ticket.service_s,
                    Ticket.counter_id,
                    Ticket.served_by_id,
                    Ticket.call_rule,
                    Ticket.appointment_id,
                ).order_by(Ticket.id)
            )
        ]
        events = [
            (e.ticket_id, e.kind, e.at, e.status, e.service_id, e.counter_id, e.actor_id, e.device_id)
            for e in session.scalars(sa.select(TicketEvent).order_by(TicketEvent.id))
        ]
        appointments = [
            tuple(row)
            for row in session.execute(
                sa.select(Appointment.id, Appointment.site_id, Appointment.service_id, Appointment.start)
                .add_columns(Appointment.status)
                .order_by(Appointment.id)
            )
        ]
        appointment_events = session.execute(sa.text("SELECT COUNT(*) FROM appointment_events")).scalar()
    found: dict[str, Any] = {
        "tickets": tickets,
        "events": events,
        "appointments": appointments,
        "appointment_events": appointment_events,
    }
    answer = app.test_client().get(
        f"/api/v1/sites/{site_id}/stats?from=2026-11-01&to=2027-03-31", headers=headers
    )
    assert answer.status_code == 200, answer.get_data(as_text=True)
    found["stats"] = answer.json
    return found


def test_the_retention_job_erases_personal_fields_and_keeps_the_statistics(
    make_app: Callable[..., Flask], database_url: str
) -> None:
    app = make_app(database_url, booking_config(), LUOT_RETENTION_DAYS=90)
    clock = Clock(MONDAY_7AM)
    app.extensions["luot"].clock = clock
    world = World(app)
    site = world.site("CB")["id"]
    kiosk, clerk = world.device("kiosk"), world.staff("clerk")
    old_booking = book(world, at(8, 0), citizen_id=BOOKER_ID, email="an@example.org")
    world.issue(kiosk, citizen_id=CITIZEN_ID, phone=PHONE)
    world.issue(kiosk, phone="0911111111")
    counter = world.open_counter(clerk)
    first = world.client.post(f"/api/v1/counters/{counter}/call-next", headers=clerk).json
    world.client.post(f"/api/v1/tickets/{first['id']}/start", headers=clerk)
    transferred = world.client.post(
        f"/api/v1/tickets/{first['id']}/transfer",
        json={"service_id": world.service("CB", "CT")["id"], "reason": "Ông An cần chứng thực"},
        headers=clerk,
    )
    assert transferred.status_code == 200, transferred.json
    second = world.client.post(f"/api/v1/counters/{counter}/call-next", headers=clerk).json
    world.client.post(f"/api/v1/tickets/{second['id']}/cancel", json={"reason": "Chị Hoa về"}, headers=clerk)

    # 91 days later, a recent citizen's data must stay.
    clock.set(MONDAY_7AM + timedelta(days=91))
    recent = world.issue(kiosk, citizen_id="001094099999", phone="0922222222")
    reminders.sweep(app.extensions["luot"].uow(), clock())  # the rest of the scheduler's work, done first
    closing.close_days(app.extensions["luot"].uow, clock())
    manager = world.staff("manager")  # signed in today: a token from 91 days ago has expired
    before = statistics(app, site, manager)

    assert Sweeper(app, holder="test").run_once()

    after = statistics(app, site, manager)
    assert after == before
    with app.extensions["luot"].read() as session:
        tickets = {t.id: t for t in session.scalars(sa.select(Ticket))}
        appointment = session.scalars(sa.select(Appointment)).one()
        reasons = [
            e.data.get("reason") for e in session.scalars(sa.select(TicketEvent)) if "reason" in e.data
        ]
    old = [t for t in tickets.values() if t.id != recent["id"]]
    assert all(t.phone is None and t.citizen_id_hash is None for t in old)
    assert tickets[recent["id"]].phone == "0922222222" and tickets[recent["id"]].citizen_id_hash
    assert (appointment.name, appointment.phone, appointment.email, appointment.citizen_id_hash) == (
        "",
        "",
        None,
        None,
    )
    assert reasons and all(reason == "" for reason in reasons)
    # The private link no longer opens anything.
    link = world.client.get(f"/api/v1/appointments/{old_booking['code']}?token={old_booking['manage_token']}")
    assert link.status_code == 404
    # A second run finds nothing more to do.
    assert retention.erase_personal_data(app.extensions["luot"].uow(), clock(), 90) == retention.Erased()


def test_retention_zero_keeps_personal_data(make_app: Callable[..., Flask], sqlite_url: str) -> None:
    app = make_app(sqlite_url)
    world = World(app)
    world.issue(world.device("kiosk"), phone=PHONE)
    later = app.extensions["luot"].now() + timedelta(days=3650)
    assert retention.erase_personal_data(app.extensions["luot"].uow(), later, 0) == retention.Erased()
    with app.extensions["luot"].read() as session:
        assert session.scalars(sa.select(Ticket.phone)).one() == PHONE
