"""Near-turn and called messages: decided from the queue, queued once per ticket and kind, delivered to real
local HTTP servers standing in for an SMS gateway and Zalo's ZNS endpoint, retried, never blocking."""

from __future__ import annotations

import copy
import json
import threading
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

from server.db.models import Ticket, TicketMessage
from server.jobs.scheduler import Sweeper, start_scheduler, stop_scheduler
from tests.conftest import TEST_CONFIG, Clock, World

MORNING = datetime(2026, 11, 25, 1, 0, tzinfo=UTC)  # 08:00 in Hà Nội, a Wednesday


class Gateway:
    """A real HTTP server that records every request; ``answer`` sets what it replies."""

    def __init__(self) -> None:
        self.received: list[dict[str, Any]] = []
        self.headers: list[dict[str, str]] = []
        self.status = 200
        self.body: dict[str, Any] = {"status": "queued"}
        gateway = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                gateway.received.append(json.loads(body))
                gateway.headers.append(dict(self.headers))
                self.send_response(gateway.status)
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                self.wfile.write(json.dumps(gateway.body).encode())

            def log_message(self, *_args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/send"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def references(self) -> list[str]:
        return sorted(m.get("reference") or m.get("tracking_id") for m in self.received)

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def sms() -> Iterator[Gateway]:
    server = Gateway()
    yield server
    server.close()


@pytest.fixture
def zns() -> Iterator[Gateway]:
    server = Gateway()
    server.body = {"error": 0, "message": "Success", "data": {"msg_id": "1"}}
    yield server
    server.close()


def notify_config(**keys: Any) -> dict[str, Any]:
    config = copy.deepcopy(TEST_CONFIG)
    config["communes"][0]["sites"][0].update({"notify_near_position": 2, "notify_near_minutes": 0, **keys})
    return config


@pytest.fixture
def clock() -> Clock:
    return Clock(MORNING)


@pytest.fixture
def make_world(make_app: Callable[..., Flask], database_url: str, clock: Clock) -> Callable[..., World]:
    def make(config: dict[str, Any] | None = None, **settings: Any) -> World:
        app = make_app(database_url, config or notify_config(), **settings)
        app.extensions["luot"].clock = clock
        return World(app)

    return make


def messages(world: World) -> list[tuple[str, str, str, str | None]]:
    with world.luot.read() as session:
        rows = session.execute(
            select(Ticket.number, TicketMessage.kind, TicketMessage.status, TicketMessage.channel)
            .join(Ticket, Ticket.id == TicketMessage.ticket_id)
            .order_by(TicketMessage.id)
        ).all()
        return [tuple(row) for row in rows]  # type: ignore[misc]


def call_next(world: World, staff: dict[str, str], counter_id: int) -> dict[str, Any]:
    response = world.client.post(f"/api/v1/counters/{counter_id}/call-next", headers=staff)
    assert response.status_code == 200, response.json
    body = response.json
    return dict(body.get("ticket", body))


def act(world: World, staff: dict[str, str], ticket_id: int, action: str) -> None:
    response = world.client.post(f"/api/v1/tickets/{ticket_id}/{action}", headers=staff, json={})
    assert response.status_code == 200, response.json


def serve(world: World, staff: dict[str, str], ticket: dict[str, Any]) -> None:
    act(world, staff, ticket["id"], "start")
    act(world, staff, ticket["id"], "complete")


def test_a_morning_sends_one_near_and_one_called_per_ticket_with_a_phone_even_across_a_restart(
    make_world: Callable[..., World], clock: Clock, sms: Gateway
) -> None:
    settings = {"LUOT_NOTIFIER": "sms", "LUOT_SMS_URL": sms.url}
    world = make_world(**settings)
    kiosk, staff = world.device("kiosk"), world.staff()
    counter = world.open_counter(staff)
    phones = {0: "0912000001", 2: "0912000003", 3: "0912000004", 5: "0912000006"}
    tickets = [world.issue(kiosk, phone=phones.get(i)) for i in range(7)]
    sweeper = Sweeper(world.app, holder="morning")
    sweeper.run_once()
    sweeper.run_once()
    assert messages(world) == [("A001", "near", "sent", "sms")]  # A002 (position 2) has no phone

    act(world, staff, tickets[3]["id"], "cancel")  # A004 leaves before its turn comes near
    for expected in ("A001", "A002"):
        called = call_next(world, staff, counter)
        assert called["number"] == expected
        sweeper.run_once()
        serve(world, staff, called)
        clock.advance(minutes=10)
    # Mid-morning the server restarts: a new process on the same database, a new scheduler.
    world = make_world(**settings)
    sweeper = Sweeper(world.app, holder="after-restart")
    sweeper.run_once()
    for expected in ("A003", "A005", "A006", "A007"):
        called = call_next(world, staff, counter)
        assert called["number"] == expected
        sweeper.run_once()
        sweeper.run_once()
        serve(world, staff, called)
    sweeper.run_once()

    ids = {t["number"]: t["id"] for t in tickets}
    assert sms.references() == sorted(
        f"luot-ticket-{ids[number]}-{kind}"
        for number in ("A001", "A003", "A006")
        for kind in ("near", "called")
    )
    texts = {m["reference"]: m["text"] for m in sms.received}
    called_text = texts[f"luot-ticket-{ids['A003']}-called"]
    assert "A003" in called_text and "quầy 1" in called_text and "Cát Bà" in called_text
    near_text = texts[f"luot-ticket-{ids['A006']}-near"]
    assert "A006" in near_text and "sắp đến lượt" in near_text
    assert all(len(text) <= 70 for text in texts.values())
    assert {m["to"] for m in sms.received} == {phones[0], phones[2], phones[5]}
    with world.luot.read() as session:  # served: their phone numbers are not kept
        assert session.scalars(select(Ticket.phone).where(Ticket.phone.is_not(None))).all() == []


def test_a_near_still_queued_is_cancelled_when_the_ticket_is_called_first(
    make_world: Callable[..., World], sms: Gateway
) -> None:
    world = make_world(LUOT_NOTIFIER="sms", LUOT_SMS_URL=sms.url)
    kiosk, staff = world.device("kiosk"), world.staff()
    counter = world.open_counter(staff)
    world.issue(kiosk, phone="0912000001")
    from server.services.near_turn.messages import queue_due

    queue_due(world.luot.uow(), world.luot.now())  # queued, not yet sent
    call_next(world, staff, counter)
    Sweeper(world.app, holder="x").run_once()
    assert [(kind, status) for _n, kind, status, _c in messages(world)] == [
        ("near", "cancelled"),
        ("called", "sent"),
    ]
    assert [m["reference"].rsplit("-", 1)[1] for m in sms.received] == ["called"]


def test_a_gateway_that_answers_500_is_retried_then_marked_failed_without_blocking_the_queue(
    make_world: Callable[..., World], clock: Clock, sms: Gateway
) -> None:
    sms.status, sms.body = 500, {"error": "gateway down"}
    world = make_world(LUOT_NOTIFIER="sms", LUOT_SMS_URL=sms.url)
    kiosk, staff = world.device("kiosk"), world.staff()
    counter = world.open_counter(staff)
    world.issue(kiosk, phone="0912000001")
    world.issue(kiosk, phone="0912000002")
    sweeper = Sweeper(world.app, holder="x")
    sweeper.run_once()
    assert {status for _n, _k, status, _c in messages(world)} == {"queued"}  # waiting for its retry
    assert call_next(world, staff, counter)["number"] == "A001"  # the queue goes on
    for _ in range(6):
        clock.advance(minutes=10)
        sweeper.run_once()
    assert [(n, k, s) for n, k, s, _c in messages(world)] == [
        ("A001", "near", "cancelled"),
        ("A002", "near", "failed"),
        ("A001", "called", "failed"),
    ]
    assert len([m for m in sms.received if m["reference"].endswith("-called")]) == 4  # MAX_ATTEMPTS
    with world.luot.read() as session:
        error = session.scalar(select(TicketMessage.error).where(TicketMessage.status == "failed"))
    assert error is not None and "500" in error and "gateway down" in error


def test_zns_is_tried_first_and_sms_takes_over_when_zalo_refuses(
    make_world: Callable[..., World], sms: Gateway, zns: Gateway
) -> None:
    world = make_world(
        notify_config(notify_channels=["zns", "sms"]),
        LUOT_SMS_URL=sms.url,
        LUOT_ZNS_URL=zns.url,
        LUOT_ZNS_ACCESS_TOKEN="zalo-token",
        LUOT_ZNS_TEMPLATE_NEAR="301",
        LUOT_ZNS_TEMPLATE_CALLED="302",
    )
    kiosk, staff = world.device("kiosk"), world.staff()
    counter = world.open_counter(staff)
    first = world.issue(kiosk, phone="0912000001")
    sweeper = Sweeper(world.app, holder="x")
    sweeper.run_once()
    assert zns.received == [
        {
            "phone": "84912000001",
            "template_id": "301",
            "template_data": {"number": "A001", "site": "Trung tâm Phục vụ hành chính công - Cát Bà"},
            "tracking_id": f"luot-ticket-{first['id']}-near",
        }
    ]
    assert {k.lower(): v for k, v in zns.headers[0].items()}["access_token"] == "zalo-token"
    zns.body = {"error": -124, "message": "Phone number is not a Zalo user"}
    call_next(world, staff, counter)
    sweeper.run_once()
    assert zns.received[1]["template_data"]["counter"] == "1"
    assert [m["reference"] for m in sms.received] == [f"luot-ticket-{first['id']}-called"]
    assert [(k, s, c) for _n, k, s, c in messages(world)] == [
        ("near", "sent", "zns"),
        ("called", "sent", "sms"),
    ]


def test_english_tickets_and_unaccented_sites_get_160_character_plain_texts(
    make_world: Callable[..., World], sms: Gateway
) -> None:
    world = make_world(notify_config(sms_unaccented=True), LUOT_NOTIFIER="sms", LUOT_SMS_URL=sms.url)
    kiosk = world.device("kiosk")
    world.issue(kiosk, phone="0912000001")
    Sweeper(world.app, holder="x").run_once()
    text = sms.received[0]["text"]
    assert text == "So A001 sap den luot tai Trung tam Phuc vu hanh chinh cong - Cat Ba"
    assert text.isascii() and len(text) <= 160


def test_messages_leave_within_seconds_of_the_call_with_the_scheduler_running(
    make_world: Callable[..., World], clock: Clock, sms: Gateway
) -> None:
    world = make_world(LUOT_NOTIFIER="sms", LUOT_SMS_URL=sms.url)
    kiosk, staff = world.device("kiosk"), world.staff()
    counter = world.open_counter(staff)
    sweeper = Sweeper(world.app, holder="live", interval_s=600)  # its own rounds would come too late
    start_scheduler(world.app, sweeper)
    try:
        world.issue(kiosk, phone="0912000001")
        deadline = time.monotonic() + 10
        while len(sms.received) < 1:
            assert time.monotonic() < deadline, "no near message within 10 s"
            time.sleep(0.05)
        call_next(world, staff, counter)
        deadline = time.monotonic() + 10
        while len(sms.received) < 2:
            assert time.monotonic() < deadline, "no called message within 10 s"
            time.sleep(0.05)
    finally:
        stop_scheduler(world.app)
    assert [m["reference"].rsplit("-", 1)[1] for m in sms.received] == ["near", "called"]


def test_managers_see_each_message_its_delivery_and_the_estimate_error_and_clerks_do_not(
    make_world: Callable[..., World], clock: Clock, sms: Gateway
) -> None:
    world = make_world(LUOT_NOTIFIER="sms", LUOT_SMS_URL=sms.url)
    kiosk, staff = world.device("kiosk"), world.staff()
    counter = world.open_counter(staff)
    world.issue(kiosk, phone="0912000001")
    world.issue(kiosk, phone="0912000002")
    sweeper = Sweeper(world.app, holder="x")
    sweeper.run_once()  # A001 near (promised now), A002 near (position 2)
    clock.advance(minutes=3)
    first = call_next(world, staff, counter)
    sweeper.run_once()
    serve(world, staff, first)
    clock.advance(minutes=4)
    call_next(world, staff, counter)
    sweeper.run_once()
    site = world.site("CB")["id"]
    assert world.client.get(f"/api/v1/sites/{site}/messages", headers=staff).status_code == 403
    answer = world.client.get(f"/api/v1/sites/{site}/messages", headers=world.staff("manager"))
    assert answer.status_code == 200, answer.json
    report = answer.json
    assert report["counts"]["sent"] == 4 and report["counts"]["failed"] == 0
    assert [(m["number"], m["kind"], m["status"], m["channel"]) for m in report["messages"]] == [
        ("A001", "near", "sent", "sms"),
        ("A002", "near", "sent", "sms"),
        ("A001", "called", "sent", "sms"),
        ("A002", "called", "sent", "sms"),
    ]
    assert "0912000001" not in answer.get_data(as_text=True)
    # A001 was promised at once and called 3 min later; A002 was promised in 10 min, called after 7.
    assert report["estimate_error_s"] == {"n": 2, "p50": -180, "p90": 180}
    assert report["remote"] == {"taken": 0, "arrived": 0, "expired": 0}
