"""The scheduler: reminders into the outbox exactly once, delivered exactly once, no-shows after the
grace; with a controllable clock, two schedulers on one database, real SMTP and HTTP servers, and two
real ``luot scheduler`` processes."""

from __future__ import annotations

import asyncio
import json
import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from flask import Flask
from sqlalchemy import select

from server.db.models import Appointment, Notification
from server.jobs.scheduler import Sweeper, start_scheduler, stop_scheduler
from server.services.appointments import reminders
from tests.booking import MONDAY_7AM, at, book, booking_config
from tests.conftest import Clock, World
from tests.integration.test_concurrency import run_together
from tests.waiting import wait_until

WEDNESDAY = MONDAY_7AM + timedelta(days=2)  # Tuesday 24 November is a public holiday


class SmsGateway:
    """A real HTTP server standing in for an SMS gateway: it records every message it is sent."""

    def __init__(self) -> None:
        received: list[dict[str, Any]] = []
        self.received = received
        self.headers: list[dict[str, str]] = []
        gateway = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                received.append(json.loads(body))
                gateway.headers.append(dict(self.headers))
                self.send_response(200)
                self.end_headers()
                self.wfile.write(b'{"status": "queued"}')

            def log_message(self, *_args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/sms"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def gateway() -> Iterator[SmsGateway]:
    server = SmsGateway()
    yield server
    server.close()


@pytest.fixture
def clock() -> Clock:
    return Clock(MONDAY_7AM)


@pytest.fixture
def make_world(make_app: Callable[..., Flask], sqlite_url: str, clock: Clock) -> Callable[..., World]:
    """Apps on one database (as separate processes would be), sharing the test's clock."""

    def make(**config: Any) -> World:
        app = make_app(sqlite_url, booking_config(), **config)
        app.extensions["luot"].clock = clock
        return World(app)

    return make


def outbox(world: World) -> list[tuple[str, str, str | None]]:
    with world.luot.read() as session:
        rows = session.scalars(select(Notification).order_by(Notification.id))
        return [(n.kind, n.status, n.channel) for n in rows]


def test_each_reminder_is_written_and_sent_once_at_its_lead(
    make_world: Callable[..., World], clock: Clock
) -> None:
    world = make_world()
    booked = book(world, at(9, day=WEDNESDAY))
    sweeper = Sweeper(world.app, holder="only")
    clock.set(at(8, 59, day=WEDNESDAY) - timedelta(days=1))
    assert sweeper.run_once() and outbox(world) == []
    clock.set(at(9, day=WEDNESDAY) - timedelta(days=1))  # the day before
    sweeper.run_once()
    sweeper.run_once()
    assert outbox(world) == [("reminder-1440-202611250200", "sent", "log")]
    clock.set(at(8, day=WEDNESDAY))  # an hour before
    sweeper.run_once()
    assert outbox(world)[1:] == [("reminder-60-202611250200", "sent", "log")]
    clock.set(at(8, 45, day=WEDNESDAY))
    sweeper.run_once()
    assert len(outbox(world)) == 2
    assert booked["status"] == "booked"


def test_a_scheduler_that_was_down_sends_only_the_latest_reminder(
    make_world: Callable[..., World], clock: Clock
) -> None:
    world = make_world()
    book(world, at(9, day=WEDNESDAY))
    clock.set(at(8, 10, day=WEDNESDAY))  # both leads have passed: one message, not two
    Sweeper(world.app).run_once()
    assert outbox(world) == [
        ("reminder-1440-202611250200", "skipped", None),
        ("reminder-60-202611250200", "sent", "log"),
    ]


def test_a_cancelled_or_rescheduled_appointment_is_reminded_accordingly(
    make_world: Callable[..., World], clock: Clock
) -> None:
    world = make_world()
    gone = book(world, at(9, day=WEDNESDAY))
    moved = book(world, at(10, day=WEDNESDAY), phone="0987654321")
    world.client.post(f"/api/v1/appointments/{gone['code']}/cancel", json={"token": gone["manage_token"]})
    sweeper = Sweeper(world.app)
    clock.set(at(10, day=WEDNESDAY) - timedelta(days=1))
    sweeper.run_once()
    assert outbox(world) == [("reminder-1440-202611250300", "sent", "log")]
    world.client.post(
        f"/api/v1/appointments/{moved['code']}/reschedule",
        json={"token": moved["manage_token"], "start": at(14, day=WEDNESDAY).isoformat()},
    )
    clock.set(at(14, day=WEDNESDAY) - timedelta(days=1))
    sweeper.run_once()
    assert outbox(world)[1:] == [("reminder-1440-202611250700", "sent", "log")]  # the new time


def test_two_schedulers_on_one_database_remind_each_citizen_once(
    make_world: Callable[..., World], clock: Clock, gateway: SmsGateway
) -> None:
    settings = {"LUOT_NOTIFIER": "sms", "LUOT_SMS_URL": gateway.url, "LUOT_SMS_TOKEN": "gateway-secret"}
    first, second = make_world(**settings), make_world(**settings)
    for minute in range(0, 60, 10):
        book(first, at(9, minute, day=WEDNESDAY), phone=f"09120000{minute:02d}")
    clock.set(at(8, 5, day=WEDNESDAY))
    acted: dict[str, int] = {"a": 0, "b": 0}
    sweepers = []
    for world, holder in ((first, "a"), (second, "b")):
        sweeper = Sweeper(world.app, holder=holder, interval_s=0.05)
        run_once = sweeper.run_once

        def counted(run_once: Callable[[], bool] = run_once, holder: str = holder) -> bool:
            did = run_once()
            acted[holder] += did
            return did

        sweeper.run_once = counted  # type: ignore[method-assign]
        sweepers.append(sweeper)
        start_scheduler(world.app, sweeper)
    try:
        wait_until(lambda: len(gateway.received) >= 6 and max(acted.values()) > 10)
        time.sleep(0.3)  # time for a duplicate to show up, if there were one
        running = dict(acted)  # when the first stops it hands the lease over: count before that
    finally:
        stop_scheduler(first.app)
        stop_scheduler(second.app)
    assert sorted(m["to"] for m in gateway.received) == [f"09120000{m:02d}" for m in range(0, 60, 10)]
    assert min(running.values()) == 0 and max(running.values()) > 10  # one held the lease throughout
    assert [kind for kind, _status, _channel in outbox(first)].count("reminder-60-202611250200") == 1
    assert {status for _kind, status, _channel in outbox(first)} == {"sent", "skipped"}
    assert gateway.headers[0]["Authorization"] == "Bearer gateway-secret"
    text = gateway.received[0]["text"]
    assert "09:" in text and "25/11/2026" in text and "Cát Bà" in text


def test_even_without_the_lease_two_sweeps_at_once_write_and_send_each_reminder_once(
    make_world: Callable[..., World], clock: Clock, gateway: SmsGateway
) -> None:
    worlds = [make_world(LUOT_NOTIFIER="sms", LUOT_SMS_URL=gateway.url) for _ in range(4)]
    for minute in range(0, 60, 10):
        book(worlds[0], at(9, minute, day=WEDNESDAY), phone=f"09130000{minute:02d}")
    clock.set(at(8, 5, day=WEDNESDAY))
    sweepers = [Sweeper(w.app, holder=f"h{i}") for i, w in enumerate(worlds)]

    def sweep_and_send(index: int) -> None:
        luot = worlds[index].luot
        reminders.sweep(luot.uow(), clock())
        reminders.deliver(luot.uow, sweepers[index].notifier, clock())

    run_together(4, sweep_and_send)
    assert len(gateway.received) == 6
    assert len({m["to"] for m in gateway.received}) == 6


def test_an_appointment_not_checked_in_after_the_grace_is_a_no_show(
    make_world: Callable[..., World], clock: Clock
) -> None:
    world = make_world()
    booked = book(world, at(9))
    kept = book(world, at(9, 10), phone="0987654321")
    kiosk = world.device("kiosk")
    clock.set(at(9, 5))
    assert (
        world.client.post(f"/api/v1/appointments/{kept['code']}/check-in", headers=kiosk).status_code == 201
    )
    sweeper = Sweeper(world.app)
    clock.set(at(9, 30))  # exactly the 30-minute grace: not yet
    sweeper.run_once()
    with world.luot.read() as session:
        assert session.get_one(Appointment, booked["id"]).status == "booked"
    clock.set(at(9, 31))
    sweeper.run_once()
    with world.luot.read() as session:
        assert session.get_one(Appointment, booked["id"]).status == "no_show"
        assert session.get_one(Appointment, kept["id"]).status == "checked_in"
    # someone who turns up after all gets a walk-in ticket and is told so
    late = world.client.post(f"/api/v1/appointments/{booked['code']}/check-in", headers=kiosk)
    assert late.status_code == 201 and late.json["late"] is True


# -- notifier adapters -----------------------------------------------------------------------------


class Mailbox:
    def __init__(self) -> None:
        self.messages: list[Any] = []

    async def handle_DATA(self, _server: Any, _session: Any, envelope: Any) -> str:
        self.messages.append(envelope)
        return "250 OK"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def smtp_server() -> Iterator[tuple[Mailbox, int]]:
    mailbox = Mailbox()
    port = free_port()
    controller = Controller(mailbox, hostname="127.0.0.1", port=port)
    controller.start()
    yield mailbox, port
    controller.stop()
    asyncio.set_event_loop(None)


def test_reminders_go_by_email_to_those_who_gave_an_address(
    make_world: Callable[..., World], clock: Clock, smtp_server: tuple[Mailbox, int]
) -> None:
    mailbox, port = smtp_server
    world = make_world(
        LUOT_NOTIFIER="smtp", LUOT_SMTP_HOST="127.0.0.1", LUOT_SMTP_PORT=port, LUOT_SMTP_FROM="tthc@catba.vn"
    )
    book(world, at(9, day=WEDNESDAY), email="hoa@example.org", language="en")
    book(world, at(9, 10, day=WEDNESDAY), phone="0987654321")  # no address: skipped, not retried
    clock.set(at(8, 5, day=WEDNESDAY))
    Sweeper(world.app).run_once()
    (mail,) = mailbox.messages
    assert mail.rcpt_tos == ["hoa@example.org"] and mail.mail_from == "tthc@catba.vn"
    content = mail.content.decode()
    assert "Reminder: Civil status at 09:00 on 25/11/2026" in content
    # 09:00: the day-before reminder was overtaken, the hour-before one sent; 09:10: no address
    assert [status for _kind, status, _channel in outbox(world)] == ["skipped", "sent", "skipped"]


def test_a_failing_gateway_is_retried_then_given_up(make_world: Callable[..., World], clock: Clock) -> None:
    world = make_world(LUOT_NOTIFIER="sms", LUOT_SMS_URL=f"http://127.0.0.1:{free_port()}/nobody-listens")
    book(world, at(9, day=WEDNESDAY))
    clock.set(at(8, 5, day=WEDNESDAY))
    sweeper = Sweeper(world.app)
    for expected in ("pending", "pending", "failed"):
        sweeper.run_once()
        assert outbox(world)[-1][1] == expected
    with world.luot.read() as session:
        row = session.scalar(select(Notification).where(Notification.status == "failed"))
        assert row is not None and row.attempts == 3 and "URLError" in (row.error or "")


# -- two real processes ----------------------------------------------------------------------------


def test_two_scheduler_processes_send_each_reminder_once(
    make_app: Callable[..., Flask], sqlite_url: str, tmp_path: Path, gateway: SmsGateway
) -> None:
    config = booking_config(notice_minutes=0, reminder_minutes=[60])
    for site in config["communes"][0]["sites"]:
        site["hours"] = {day: ["00:00-24:00"] for day in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}
        site["booking"]["public_holidays"] = False
    app = make_app(sqlite_url, config)
    world = World(app)
    now = datetime.now(UTC)
    app.extensions["luot"].clock = Clock(now - timedelta(hours=2))  # booked two hours ago…
    start = (now + timedelta(minutes=20)).replace(second=0, microsecond=0)
    start += timedelta(minutes=(10 - start.minute % 10) % 10)  # …for a slot 20-30 minutes from now
    book(world, start)
    environment = {
        **os.environ,
        "LUOT_INSTANCE_PATH": str(tmp_path / "instance"),
        "LUOT_DATABASE_URL": sqlite_url,
        "LUOT_NOTIFIER": "sms",
        "LUOT_SMS_URL": gateway.url,
    }
    command = [sys.executable, "-m", "server.cli", "scheduler", "--once"]
    results = run_together(
        2,
        lambda _i: subprocess.run(
            command, env=environment, capture_output=True, text=True, timeout=120, check=False
        ),
    )
    for result in results:
        assert result.returncode == 0, result.stderr
    assert len(gateway.received) == 1
    assert [status for _kind, status, _channel in outbox(world)] == ["sent"]
