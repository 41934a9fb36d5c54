"""Leases of ticket numbers and the replay of tickets a kiosk's agent issued offline, through the API, on
SQLite and PostgreSQL."""

from __future__ import annotations

import secrets
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from flask import Flask

from tests.conftest import Clock, World


@pytest.fixture
def app(make_app: Any, database_url: str) -> Flask:
    return make_app(database_url)


def leases(world: World, kiosk: dict[str, str], **used: int) -> Any:
    body = {
        "used": [{"service_id": world.service("CB", code)["id"], "last": last} for code, last in used.items()]
    }
    response = world.client.post("/api/v1/kiosk-agent/leases", json=body, headers=kiosk)
    assert response.status_code == 200, response.json
    return response.json


def blocks(answer: Any, service_id: int) -> list[tuple[int, int]]:
    lease = next(s for s in answer["services"] if s["service_id"] == service_id)
    return [(b["first"], b["last"]) for b in lease["blocks"]]


def replay(world: World, kiosk: dict[str, str], sequence: int, issued_at: str, **extra: Any) -> Any:
    body = {
        "offline_id": extra.pop("offline_id", str(uuid.uuid4())),
        "service_id": world.service("CB", "HT")["id"],
        "sequence": sequence,
        "public_code": secrets.token_urlsafe(12),
        "issued_at": issued_at,
        **extra,
    }
    return world.client.post("/api/v1/kiosk-agent/tickets", json=body, headers=kiosk)


@pytest.fixture(autouse=True)
def mid_morning(clock: Clock) -> None:
    """A fixed instant well inside a business day: what these tests issue a few minutes back stays on it."""
    clock.set(datetime(2026, 11, 23, 3, 0, tzinfo=UTC))  # 10:00 in Hà Nội


def test_the_server_never_issues_a_leased_number(world: World) -> None:
    kiosk = world.device("kiosk")
    service_id = world.service("CB", "HT")["id"]
    before = world.issue(kiosk)
    answer = leases(world, kiosk)
    assert answer["size"] == 20
    ((first, last),) = blocks(answer, service_id)
    assert last - first + 1 == 20
    after = world.issue(kiosk)
    numbers = {int(before["number"][-3:]), int(after["number"][-3:])}
    assert not any(first <= n <= last for n in numbers)
    assert int(after["number"][-3:]) == last + 1

    # Asking again with little used keeps the lease; past half used grants one more block.
    assert blocks(leases(world, kiosk, HT=first + 2), service_id) == [(first, last)]
    renewed = blocks(leases(world, kiosk, HT=first + 10), service_id)
    assert renewed[0] == (first, last) and len(renewed) == 2
    assert renewed[1][0] == last + 2  # after the server's own ticket


def test_replayed_tickets_are_recorded_once_in_their_fair_place(world: World, clock: Clock) -> None:
    kiosk = world.device("kiosk")
    clerk = world.staff("clerk")
    site_id = world.site("CB")["id"]
    ((first, _last),) = blocks(leases(world, kiosk), world.service("CB", "HT")["id"])
    early_at = clock() - timedelta(minutes=3)
    early = early_at.isoformat()
    online = world.issue(kiosk)  # issued by the server after the offline one
    offline_id = str(uuid.uuid4())
    response = replay(world, kiosk, first, early, offline_id=offline_id)
    assert response.status_code == 200, response.json
    ticket = response.json
    assert ticket["created"] is True and ticket["over_limit"] is False
    assert datetime.fromisoformat(ticket["issued_at"]) == early_at
    again = replay(world, kiosk, first, early, offline_id=offline_id)
    assert again.status_code == 200 and again.json["created"] is False and again.json["id"] == ticket["id"]
    queue = world.client.get(f"/api/v1/sites/{site_id}/queue", headers=clerk).json
    assert [q["id"] for q in queue] == [ticket["id"], online["id"]]


def test_replay_refuses_numbers_not_leased_to_the_kiosk(world: World, clock: Clock) -> None:
    kiosk, other = world.device("kiosk"), world.device("kiosk")
    ((first, last),) = blocks(leases(world, kiosk), world.service("CB", "HT")["id"])
    now = clock().isoformat()
    assert replay(world, other, first, now).status_code == 409
    assert replay(world, kiosk, last + 1, now).json["error"]["code"] == "not_leased"
    assert replay(world, world.staff("clerk"), first, now).status_code == 403
    future = (clock() + timedelta(hours=1)).isoformat()
    assert replay(world, kiosk, first, future).status_code == 422


def test_a_replayed_ticket_over_the_person_limit_is_kept_and_flagged(world: World, clock: Clock) -> None:
    kiosk = world.device("kiosk")
    ((first, _last),) = blocks(leases(world, kiosk), world.service("CB", "HT")["id"])
    path = f"/api/v1/sites/{world.site('CB')['id']}/tickets"
    body = {"service_id": world.service("CB", "HT")["id"], "phone": "0912345678"}
    while world.client.post(path, json=body, headers=kiosk).status_code == 201:
        pass  # up to the site's limit
    response = replay(world, kiosk, first, clock().isoformat(), phone="0912345678")
    assert response.status_code == 200, response.json
    assert response.json["over_limit"] is True and response.json["status"] == "waiting"
    clerk = world.staff("clerk")
    queue = world.client.get(f"/api/v1/sites/{world.site('CB')['id']}/queue", headers=clerk).json
    flags = {q["id"]: (q["offline"], q["over_limit"]) for q in queue}
    assert flags.pop(response.json["id"]) == (True, True)  # the clerk sees it flagged
    assert set(flags.values()) == {(False, False)}


def test_leases_of_an_earlier_day_are_released(world: World, clock: Clock) -> None:
    from server.db.models import TicketLease

    kiosk = world.device("kiosk")
    service_id = world.service("CB", "HT")["id"]
    leases(world, kiosk)
    clock.advance(days=1)
    ((first, _last),) = blocks(leases(world, kiosk), service_id)
    assert first == 1  # a new day's numbering
    with world.luot.read() as session:
        rows = session.query(TicketLease).order_by(TicketLease.id).all()
        assert [r.released_at is not None for r in rows if r.service_id == service_id] == [True, False]
