"""A walk-in's whole path through the API: issue, call, start, complete, and the other actions."""

from __future__ import annotations

from typing import Any

import pytest
from flask.testing import FlaskClient

from tests.conftest import Clock, World


@pytest.fixture
def kiosk(world: World) -> dict[str, str]:
    return world.device("kiosk")


@pytest.fixture
def clerk(world: World) -> dict[str, str]:
    return world.staff("clerk")


def post(client: FlaskClient, path: str, headers: dict[str, str], body: dict[str, Any] | None = None) -> Any:
    return client.post(path, json=body if body is not None else {}, headers=headers)


def test_kiosk_ticket_has_the_contract_fields(world: World, kiosk: dict[str, str]) -> None:
    ticket = world.issue(kiosk)
    assert ticket["number"] == "A001"
    assert ticket["status"] == "waiting"
    assert ticket["priority"] == "none"
    assert ticket["position"] == 1
    assert ticket["issued_at"].endswith("+07:00")
    assert ticket["status_url"].endswith(f"/t/{ticket['public_code']}")
    assert len(ticket["public_code"]) >= 16
    assert ticket["print"] == {"status": "none"}


def test_numbers_follow_each_services_prefix_start_and_digits(world: World, kiosk: dict[str, str]) -> None:
    assert [world.issue(kiosk, service="HT")["number"] for _ in range(2)] == ["A001", "A002"]
    assert world.issue(kiosk, service="CT")["number"] == "B001"
    assert world.issue(kiosk, service="DD")["number"] == "C100"  # start 100, two digits: grows a digit


def test_numbers_restart_on_the_next_local_day(world: World, kiosk: dict[str, str], clock: Clock) -> None:
    from datetime import UTC, datetime

    clock.set(datetime(2026, 11, 23, 16, 50, tzinfo=UTC))  # 23:50 in Viet Nam
    assert world.issue(kiosk)["number"] == "A001"
    assert world.issue(kiosk)["number"] == "A002"
    clock.set(datetime(2026, 11, 23, 17, 5, tzinfo=UTC))  # 00:05 the next day
    assert world.issue(kiosk)["number"] == "A001"


def test_a_ticket_goes_from_waiting_to_done(
    world: World, kiosk: dict[str, str], clerk: dict[str, str]
) -> None:
    client = world.client
    ticket = world.issue(kiosk)
    counter_id = world.open_counter(clerk)

    called = post(client, f"/api/v1/counters/{counter_id}/call-next", clerk).json
    assert (called["id"], called["status"]) == (ticket["id"], "called")
    assert called["counter"] == {"id": counter_id, "number": 1, "name": "Quầy 1"}

    started = post(client, f"/api/v1/tickets/{ticket['id']}/start", clerk).json
    assert started["status"] == "serving"
    done = post(
        client, f"/api/v1/tickets/{ticket['id']}/complete", clerk, {"dossier_code": "H34.12-2611-0001"}
    ).json
    assert (done["status"], done["dossier_code"]) == ("done", "H34.12-2611-0001")

    status = client.get(f"/api/v1/tickets/status/{ticket['public_code']}").json
    assert status["status"] == "done"
    assert set(status) >= {"number", "status", "position", "estimated_wait_s", "counter"}


def test_call_next_returns_204_when_nobody_waits(world: World, clerk: dict[str, str]) -> None:
    counter_id = world.open_counter(clerk)
    response = post(world.client, f"/api/v1/counters/{counter_id}/call-next", clerk)
    assert response.status_code == 204
    assert response.data == b""


@pytest.mark.parametrize(
    ("steps", "action"),
    [
        ([], "start"),
        ([], "complete"),
        ([], "no-show"),
        ([], "recall"),
        (["call"], "complete"),
        (["call", "start"], "no-show"),
        (["call", "start"], "cancel"),
        (["call", "start", "complete"], "start"),
        (["call", "no-show"], "start"),
        (["cancel"], "call"),
    ],
)
def test_illegal_transitions_are_409(
    world: World, kiosk: dict[str, str], clerk: dict[str, str], steps: list[str], action: str
) -> None:
    client = world.client
    ticket = world.issue(kiosk)
    counter_id = world.open_counter(clerk)
    for step in steps:
        body = {"counter_id": counter_id} if step == "call" else {}
        assert post(client, f"/api/v1/tickets/{ticket['id']}/{step}", clerk, body).status_code == 200
    body = {"counter_id": counter_id} if action == "call" else {}
    response = post(client, f"/api/v1/tickets/{ticket['id']}/{action}", clerk, body)
    assert response.status_code == 409
    assert response.json["error"]["code"] == "illegal_transition"


def test_transfer_keeps_number_and_original_issue_time(
    world: World, kiosk: dict[str, str], clerk: dict[str, str]
) -> None:
    client = world.client
    first = world.issue(kiosk, service="HT")
    later = world.issue(kiosk, service="CT")
    counter_id = world.open_counter(clerk)
    post(client, f"/api/v1/tickets/{first['id']}/call", clerk, {"counter_id": counter_id})
    post(client, f"/api/v1/tickets/{first['id']}/start", clerk)
    certification = world.service("CB", "CT")["id"]

    moved = post(
        client,
        f"/api/v1/tickets/{first['id']}/transfer",
        clerk,
        {"service_id": certification, "reason": "cần chứng thực"},
    ).json
    assert (moved["number"], moved["status"], moved["service_id"]) == ("A001", "waiting", certification)
    assert moved["issued_at"] == first["issued_at"]
    # It waited longer than the certification ticket issued after it, so it is called first.
    assert post(client, f"/api/v1/counters/{counter_id}/call-next", clerk).json["id"] == first["id"]
    assert later["id"] != first["id"]


def test_no_show_and_cancel_free_the_counter(
    world: World, kiosk: dict[str, str], clerk: dict[str, str]
) -> None:
    client = world.client
    a, b = world.issue(kiosk), world.issue(kiosk)
    counter_id = world.open_counter(clerk)
    assert post(client, f"/api/v1/counters/{counter_id}/call-next", clerk).json["id"] == a["id"]
    assert (
        post(client, f"/api/v1/counters/{counter_id}/call-next", clerk).json["error"]["code"]
        == "counter_busy"
    )
    assert post(client, f"/api/v1/tickets/{a['id']}/no-show", clerk).json["status"] == "no_show"
    assert post(client, f"/api/v1/counters/{counter_id}/call-next", clerk).json["id"] == b["id"]
    assert (
        post(client, f"/api/v1/tickets/{b['id']}/cancel", clerk, {"reason": "đi nhầm"}).json["status"]
        == "cancelled"
    )
    assert post(client, f"/api/v1/counters/{counter_id}/close", clerk).json["status"] == "closed"


def test_recall_calls_the_same_ticket_again(
    world: World, kiosk: dict[str, str], clerk: dict[str, str]
) -> None:
    ticket = world.issue(kiosk)
    counter_id = world.open_counter(clerk)
    post(world.client, f"/api/v1/counters/{counter_id}/call-next", clerk)
    again = post(world.client, f"/api/v1/tickets/{ticket['id']}/recall", clerk).json
    assert (again["status"], again["counter"]["id"]) == ("called", counter_id)


def test_counter_must_be_open_to_call(world: World, kiosk: dict[str, str], clerk: dict[str, str]) -> None:
    world.issue(kiosk)
    counter_id = world.counter_id("CB", "Q1")
    response = post(world.client, f"/api/v1/counters/{counter_id}/call-next", clerk)
    assert (response.status_code, response.json["error"]["code"]) == (409, "counter_not_open")
    world.client.post(f"/api/v1/counters/{counter_id}/open", headers=clerk)
    world.client.post(f"/api/v1/counters/{counter_id}/pause", headers=clerk)
    assert post(world.client, f"/api/v1/counters/{counter_id}/call-next", clerk).status_code == 409


def test_calling_a_ticket_at_a_counter_that_does_not_serve_it_is_409(
    world: World, kiosk: dict[str, str], clerk: dict[str, str]
) -> None:
    land = world.issue(kiosk, service="DD")
    counter_id = world.open_counter(clerk, counter="Q1")  # civil status and certification only
    response = post(world.client, f"/api/v1/tickets/{land['id']}/call", clerk, {"counter_id": counter_id})
    assert (response.status_code, response.json["error"]["code"]) == (409, "service_not_served")


def test_queue_lists_waiting_tickets_in_call_order(
    world: World, kiosk: dict[str, str], clerk: dict[str, str]
) -> None:
    regular = world.issue(kiosk)
    elderly = world.issue(kiosk, priority="elderly")
    site_id = world.site("CB")["id"]
    queue = world.client.get(f"/api/v1/sites/{site_id}/queue", headers=clerk).json
    assert [(q["id"], q["rule"]) for q in queue] == [
        (elderly["id"], "priority"),
        (regular["id"], "longest_wait"),
    ]
    assert world.client.get(f"/api/v1/tickets/status/{regular['public_code']}").json["position"] == 2


def test_estimates_use_todays_pace_and_open_counters(
    world: World, kiosk: dict[str, str], clerk: dict[str, str], clock: Clock
) -> None:
    clock.set(clock())  # frozen: the longest wait is 0 s however long issuing takes
    site_id = world.site("CB")["id"]
    land = world.service("CB", "DD")["id"]  # planning figure: 10 minutes, one counter
    for _ in range(3):
        world.issue(kiosk, service="DD")
    wait = {w["service_id"]: w for w in world.client.get(f"/api/v1/sites/{site_id}/wait").json}
    assert wait[land] == {
        "service_id": land,
        "waiting": 3,
        "estimated_wait_s": 1800,
        "longest_wait_s": 0,
        "counters_open": 0,
    }

    counter_id = world.open_counter(clerk, counter="Q3")
    first = post(world.client, f"/api/v1/counters/{counter_id}/call-next", clerk).json
    post(world.client, f"/api/v1/tickets/{first['id']}/start", clerk)
    clock.advance(minutes=4)
    post(world.client, f"/api/v1/tickets/{first['id']}/complete", clerk)
    wait = {w["service_id"]: w for w in world.client.get(f"/api/v1/sites/{site_id}/wait").json}
    assert wait[land]["waiting"] == 2
    assert wait[land]["estimated_wait_s"] == 2 * 240  # measured pace: 4 minutes


def test_per_person_limit_is_429(world: World, kiosk: dict[str, str]) -> None:
    for _ in range(2):
        world.issue(kiosk, phone="0912 345 678")
    site, service = world.site("CB")["id"], world.service("CB", "HT")["id"]
    response = world.client.post(
        f"/api/v1/sites/{site}/tickets", json={"service_id": service, "phone": "+84912345678"}, headers=kiosk
    )
    assert response.status_code == 429
    assert response.json["error"]["code"] == "person_limit"
    other = world.client.post(
        f"/api/v1/sites/{site}/tickets", json={"service_id": service, "phone": "0987654321"}, headers=kiosk
    )
    assert other.status_code == 201


def test_per_person_limit_counts_citizen_ids_without_storing_them(
    world: World, kiosk: dict[str, str]
) -> None:
    from sqlalchemy import select

    from server.db.models import Ticket

    qr = "001099012345|123456789|Nguyễn Văn A|01011990|Nam|Hà Nội|01012021"
    world.issue(kiosk, citizen_id=qr)
    world.issue(kiosk, citizen_id="001099012345")
    site, service = world.site("CB")["id"], world.service("CB", "HT")["id"]
    response = world.client.post(
        f"/api/v1/sites/{site}/tickets",
        json={"service_id": service, "citizen_id": "001099012345"},
        headers=kiosk,
    )
    assert response.status_code == 429
    with world.luot.read() as session:
        stored = [t.citizen_id_hash for t in session.scalars(select(Ticket))]
    assert all(value and "001099012345" not in value for value in stored)


def test_closed_service_refuses_tickets(world: World, kiosk: dict[str, str]) -> None:
    from server.db.models import Service

    with world.luot.uow() as uow:
        uow.session.query(Service).filter_by(code="CT").update({"is_open": False})
        uow.commit()
    site, service = world.site("CB")["id"], world.service("CB", "CT")
    assert service["open_now"] is False
    response = world.client.post(
        f"/api/v1/sites/{site}/tickets", json={"service_id": service["id"]}, headers=kiosk
    )
    assert (response.status_code, response.json["error"]["code"]) == (409, "service_closed")


def test_staff_may_issue_at_the_desk(world: World, clerk: dict[str, str]) -> None:
    ticket = world.issue(clerk, priority="merit")
    assert ticket["priority"] == "merit"


def test_error_messages_speak_vietnamese_unless_asked_otherwise(world: World, clerk: dict[str, str]) -> None:
    counter_id = world.counter_id("CB", "Q1")
    vi = world.client.post(f"/api/v1/counters/{counter_id}/call-next", headers=clerk).json["error"]["message"]
    en = world.client.post(
        f"/api/v1/counters/{counter_id}/call-next", headers={**clerk, "Accept-Language": "en"}
    ).json["error"]["message"]
    assert en == "Open the counter before calling."
    assert vi != en and "quầy" in vi.lower()
