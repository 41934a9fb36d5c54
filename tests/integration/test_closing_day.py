"""Closing the day, driving the app's clock across closing time and midnight on SQLite and PostgreSQL: the
scheduler expires what still waits or is called (an event each, the citizen's status page told), the next
day's queue is empty and numbers restart without two active tickets holding one, a service kept overnight
keeps its tickets, the person limit counts active tickets whatever their day, and stats count expired."""

from __future__ import annotations

import copy
import csv
import io
import threading
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask

from server.db.models import Ticket, TicketEvent
from server.jobs.scheduler import Sweeper
from server.services.queue import closing
from tests.conftest import TEST_CONFIG, Clock, LiveServer, World
from tests.realtime_client import Listener

MONDAY_9AM = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)  # 09:00 in Viet Nam, Monday 23 November
FIVE_PM = MONDAY_9AM + timedelta(hours=8)  # closing time
MIDNIGHT = datetime(2026, 11, 23, 17, 0, tzinfo=UTC)  # 00:00 on Tuesday in Viet Nam
TUESDAY_8AM = MIDNIGHT + timedelta(hours=8)
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri")


def day_config(*, always_open: bool = False) -> dict[str, Any]:
    """The test centre, open 07:30–11:30 and 13:30–17:00 on weekdays; its land service (DD, C100…)
    keeps its queue overnight."""
    config = copy.deepcopy(TEST_CONFIG)
    site = config["communes"][0]["sites"][0]
    site["always_open"] = always_open
    site["hours"] = {day: ["07:30-11:30", "13:30-17:00"] for day in WEEKDAYS}
    site["services"][2]["overnight"] = True
    return config


@pytest.fixture
def make_world(make_app: Callable[..., Flask], database_url: str) -> Callable[..., tuple[World, Clock]]:
    def make(always_open: bool = False) -> tuple[World, Clock]:
        clock = Clock(MONDAY_9AM)
        app = make_app(database_url, day_config(always_open=always_open))
        app.extensions["luot"].clock = clock
        return World(app), clock

    return make


@pytest.fixture
def live() -> Iterator[Callable[[Flask], LiveServer]]:
    started: list[LiveServer] = []
    listeners: list[Listener] = []

    def start(app: Flask) -> LiveServer:
        server = LiveServer(app).start()
        started.append(server)
        return server

    yield start
    for listener in listeners:
        listener.close()
    for server in started:
        server.stop()


def status(world: World, ticket: dict[str, Any]) -> str:
    response = world.client.get(f"/api/v1/tickets/status/{ticket['public_code']}")
    assert response.status_code == 200, response.json
    return str(response.json["status"])


def sweep(world: World) -> None:
    assert Sweeper(world.app, holder="test").run_once()


def expired_events(world: World) -> list[int]:
    with world.luot.read() as session:
        return list(
            session.scalars(
                sa.select(TicketEvent.ticket_id).where(TicketEvent.kind == "expired").order_by(TicketEvent.id)
            )
        )


def active_numbers(world: World) -> list[tuple[str, str]]:
    with world.luot.read() as session:
        rows = session.execute(
            sa.select(Ticket.number, Ticket.day).where(Ticket.status.in_(["waiting", "called", "serving"]))
        )
        return sorted((number, day.isoformat()) for number, day in rows)


def test_at_closing_time_the_scheduler_expires_waiting_and_called_tickets_and_tells_their_pages(
    make_world: Callable[..., tuple[World, Clock]], live: Callable[[Flask], LiveServer]
) -> None:
    world, clock = make_world()
    kiosk, clerk = world.device("kiosk"), world.staff("clerk")
    called = world.issue(kiosk)  # A001
    waiting = world.issue(kiosk)  # A002
    kept = world.issue(kiosk, service="DD")  # C100, kept overnight
    q1 = world.open_counter(clerk)
    assert world.client.post(f"/api/v1/counters/{q1}/call-next", headers=clerk).json["id"] == called["id"]

    server = live(world.app)
    display = Listener(server.url, {"token": world.device_token("display"), "site_id": called["site_id"]})
    phone = Listener(server.url, {"public_code": waiting["public_code"]})
    try:
        since = display.next("snapshot")["seq"]

        def newer(name: str, than: int) -> dict[str, Any]:
            """The next ``name`` with a ``seq`` above ``than``: an earlier one (published before the
            snapshot, or by the sweep before closing) may still arrive first."""
            while (message := display.next(name))["seq"] <= than:
                pass
            return message

        clock.set(FIVE_PM - timedelta(seconds=1))
        sweep(world)
        assert (status(world, called), status(world, waiting)) == ("called", "waiting")

        clock.set(FIVE_PM)
        sweep(world)
        assert (status(world, called), status(world, waiting), status(world, kept)) == (
            "expired",
            "expired",
            "waiting",
        )
        page = phone.next("ticket.updated")["ticket"]
        assert (page["public_code"], page["status"], page["position"]) == (
            waiting["public_code"],
            "expired",
            0,
        )
        updates = [newer("ticket.updated", since) for _ in range(2)]
        assert {(u["ticket"]["id"], u["ticket"]["status"], u["action"]) for u in updates} == {
            (called["id"], "expired", "expire"),
            (waiting["id"], "expired", "expire"),
        }
        queue = newer("queue.changed", max(u["seq"] for u in updates))
        assert queue["seq"] == max(u["seq"] for u in updates) + 1
        waits = {row["service_id"]: row["waiting"] for row in queue["waiting_by_service"]}
        assert waits[called["service_id"]] == 0 and waits[kept["service_id"]] == 1
    finally:
        display.close()
        phone.close()

    counters = world.client.get(f"/api/v1/sites/{called['site_id']}/counters", headers=clerk).json
    assert next(c for c in counters if c["id"] == q1)["current_ticket"] is None  # free for tomorrow
    sweep(world)  # idempotent: nothing expires twice
    assert sorted(expired_events(world)) == sorted([called["id"], waiting["id"]])


def test_at_midnight_the_day_closes_and_the_next_days_queue_starts_empty_with_no_number_held_twice(
    make_world: Callable[..., tuple[World, Clock]],
) -> None:
    world, clock = make_world(always_open=True)  # open all day: its day closes at local midnight
    kiosk = world.device("kiosk")
    clock.set(MIDNIGHT - timedelta(hours=1))
    late = world.issue(kiosk)  # A001 of Monday
    site_id = late["site_id"]
    clock.set(MIDNIGHT - timedelta(seconds=1))
    sweep(world)
    assert status(world, late) == "waiting"

    clock.set(MIDNIGHT + timedelta(minutes=1))  # before the scheduler has run, the queue is already today's
    clerk = world.staff("clerk")
    assert world.client.get(f"/api/v1/sites/{site_id}/queue", headers=clerk).json == []
    early = world.issue(kiosk)
    assert early["number"] == late["number"] == "A001" and early["position"] == 1
    sweep(world)
    assert status(world, late) == "expired" and status(world, early) == "waiting"
    assert active_numbers(world) == [("A001", "2026-11-24")]
    queue = world.client.get(f"/api/v1/sites/{site_id}/queue", headers=clerk).json
    assert [entry["id"] for entry in queue] == [early["id"]]
    waits = world.client.get(f"/api/v1/sites/{site_id}/wait").json
    assert sum(row["waiting"] for row in waits) == 1


def test_a_service_kept_overnight_keeps_its_tickets_and_their_day_in_the_next_days_queue(
    make_world: Callable[..., tuple[World, Clock]],
) -> None:
    world, clock = make_world()
    kiosk = world.device("kiosk")
    yesterday = world.issue(kiosk, service="DD")  # C100 of Monday
    world.issue(kiosk)  # A001 of Monday: expires
    clock.set(TUESDAY_8AM)
    clerk = world.staff("clerk")
    sweep(world)
    today = world.issue(kiosk, service="DD")  # C100 again: numbering restarts each day

    assert status(world, yesterday) == "waiting"
    assert today["number"] == yesterday["number"] == "C100"
    queue = world.client.get(f"/api/v1/sites/{today['site_id']}/queue", headers=clerk).json
    assert [(e["id"], e["number"], e["day"]) for e in queue] == [
        (yesterday["id"], "C100", "2026-11-23"),
        (today["id"], "C100", "2026-11-24"),
    ]
    assert today["position"] == 2  # behind yesterday's ticket


def test_the_person_limit_counts_active_tickets_whatever_their_day(
    make_world: Callable[..., tuple[World, Clock]],
) -> None:
    world, clock = make_world()  # the limit is two active tickets per person
    kiosk = world.device("kiosk")
    phone = "0912345678"
    world.issue(kiosk, service="DD", phone=phone)  # kept overnight: still active on Tuesday
    world.issue(kiosk, phone=phone)  # expires with Monday
    clock.set(TUESDAY_8AM)
    sweep(world)

    world.issue(kiosk, service="CT", phone=phone)
    refused = world.client.post(
        f"/api/v1/sites/{world.site('CB')['id']}/tickets",
        json={"service_id": world.service("CB", "HT")["id"], "phone": phone},
        headers=kiosk,
    )
    assert refused.status_code == 429 and refused.json["error"]["code"] == "person_limit"


def test_stats_count_expired_tickets_as_not_served(make_world: Callable[..., tuple[World, Clock]]) -> None:
    world, clock = make_world()
    kiosk, clerk = world.device("kiosk"), world.staff("clerk")
    manager = world.staff("manager")
    for _ in range(3):
        world.issue(kiosk)
    q1 = world.open_counter(clerk)
    served = world.client.post(f"/api/v1/counters/{q1}/call-next", headers=clerk).json
    for action in ("start", "complete"):
        assert world.client.post(f"/api/v1/tickets/{served['id']}/{action}", headers=clerk).status_code == 200
    world.client.post(f"/api/v1/counters/{q1}/call-next", headers=clerk)  # called, never started
    clock.set(FIVE_PM)
    sweep(world)

    site_id = served["site_id"]
    report = world.client.get(f"/api/v1/sites/{site_id}/stats?from=2026-11-23&to=2026-11-23", headers=manager)
    assert report.status_code == 200, report.json
    figures = report.json
    assert (figures["issued"], figures["served"], figures["expired"]) == (3, 1, 2)
    (civil,) = [row for row in figures["by_service"] if row["code"] == "HT"]
    assert (civil["issued"], civil["served"], civil["expired"]) == (3, 1, 2)
    exported = world.client.get(
        f"/api/v1/sites/{site_id}/stats.csv?from=2026-11-23&to=2026-11-23", headers=manager
    )
    rows = list(csv.reader(io.StringIO(exported.get_data(as_text=True))))
    assert ["total", "", "", "expired", "2"] in rows
    assert any(row[0] == "service" and row[3] == "expired" and row[4] == "2" for row in rows)


def test_two_processes_closing_the_day_at_once_expire_each_ticket_once(
    make_world: Callable[..., tuple[World, Clock]], make_app: Callable[..., Flask], database_url: str
) -> None:
    world, _clock = make_world()
    kiosk = world.device("kiosk")
    tickets = [world.issue(kiosk) for _ in range(5)]
    other = make_app(database_url, None)  # a second server process on the same database
    uows = [world.luot.uow, other.extensions["luot"].uow]
    start = threading.Barrier(2)
    results: list[closing.Closed] = []

    def close(index: int) -> None:
        start.wait()
        results.append(closing.close_days(uows[index], FIVE_PM))

    threads = [threading.Thread(target=close, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sum(r.expired for r in results) == 5
    assert sorted(expired_events(world)) == sorted(t["id"] for t in tickets)
