"""Correct under concurrency, on SQLite and on PostgreSQL, with real threads and real databases."""

from __future__ import annotations

import copy
import threading
from collections import Counter
from collections.abc import Callable
from typing import Any, Protocol

import pytest
from flask import Flask
from sqlalchemy import func, select

from server.db.models import Ticket
from tests.conftest import TEST_CONFIG, World


class Answer(Protocol):
    status_code: int

    @property
    def json(self) -> Any: ...


class Client(Protocol):
    def post(self, url: str, *, json: Any = None, headers: Any = None) -> Answer: ...


Connect = Callable[[], Client]


def run_together(workers: int, work: Callable[[int], Any]) -> list[Any]:
    """Start ``workers`` threads that begin ``work`` at the same instant; return their results."""
    barrier = threading.Barrier(workers)
    results: list[Any] = [None] * workers
    errors: list[BaseException] = []

    def run(index: int) -> None:
        barrier.wait()
        try:
            results[index] = work(index)
        except BaseException as exc:  # reported below, never lost in a thread
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors, errors
    return results


@pytest.fixture
def concurrent_world(make_app: Callable[..., Flask], database_url: str) -> World:
    return World(make_app(database_url, LUOT_RATE_LIMITS=False))


def test_sixteen_kiosks_issuing_at_once_get_400_distinct_numbers(concurrent_world: World) -> None:
    check_kiosks_get_distinct_numbers(concurrent_world, concurrent_world.app.test_client, 16, 25)


def check_kiosks_get_distinct_numbers(world: World, connect: Connect, kiosks: int, each: int) -> None:
    """``kiosks`` kiosks issue ``each`` tickets at once: no number twice, none lost. ``connect()``: a client
    of the server under test (the app's test client here; a real ``luot serve`` elsewhere)."""
    devices = [world.device("kiosk") for _ in range(kiosks)]
    site, service = world.site("CB")["id"], world.service("CB", "HT")["id"]

    def issue(index: int) -> list[str]:
        client = connect()
        numbers = []
        for _ in range(each):
            response = client.post(
                f"/api/v1/sites/{site}/tickets", json={"service_id": service}, headers=devices[index]
            )
            assert response.status_code == 201, response.json
            numbers.append(response.json["number"])
        return numbers

    total = kiosks * each
    numbers = [n for batch in run_together(kiosks, issue) for n in batch]
    assert len(numbers) == total
    assert len(set(numbers)) == total
    assert sorted(numbers) == [f"A{i:03d}" for i in range(1, total + 1)]
    with world.luot.read() as session:
        assert session.scalar(select(func.count()).select_from(Ticket)) == total


def test_eight_counters_calling_at_once_never_get_the_same_ticket(
    make_app: Callable[..., Flask], database_url: str
) -> None:
    world = World(make_app(database_url, eight_counters()))
    check_counters_never_call_the_same_ticket(world, world.app.test_client)


def eight_counters() -> dict[str, Any]:
    """The test configuration with eight counters serving ``CT`` at the first site."""
    config = copy.deepcopy(TEST_CONFIG)
    config["communes"][0]["sites"][0]["counters"] = [
        {"code": f"Q{n}", "number": n, "name": f"Quầy {n}", "services": ["CT"]} for n in range(1, 9)
    ]
    return config


def check_counters_never_call_the_same_ticket(world: World, connect: Connect) -> None:
    """Eight counters (:func:`eight_counters`) call at once with six tickets waiting: six calls, six
    different tickets, two answers that nobody waits."""
    kiosk = world.device("kiosk")
    for _ in range(6):  # fewer tickets than counters: two counters must be told nobody waits
        world.issue(kiosk, service="CT")
    counters = []
    for n in range(1, 9):
        clerk = world.staff("clerk")
        counters.append((clerk, world.open_counter(clerk, counter=f"Q{n}")))

    def call(index: int) -> Any:
        headers, counter_id = counters[index]
        response = connect().post(f"/api/v1/counters/{counter_id}/call-next", headers=headers)
        return response.status_code, (response.json or {}).get("id")

    results = run_together(8, call)
    called = [ticket_id for status, ticket_id in results if status == 200]
    assert sorted(status for status, _ in results) == [200] * 6 + [204] * 2
    assert len(called) == len(set(called)) == 6


def test_a_retried_staff_action_with_the_same_request_id_does_not_act_twice(concurrent_world: World) -> None:
    check_a_retried_call_acts_once(concurrent_world, concurrent_world.app.test_client)


def check_a_retried_call_acts_once(world: World, connect: Connect) -> None:
    """The same ``call-next`` (one ``request_id``) sent four times at once: one call, four same answers."""
    kiosk = world.device("kiosk")
    first, second = world.issue(kiosk), world.issue(kiosk)
    clerk = world.staff("clerk")
    counter_id = world.open_counter(clerk)

    def call_with_same_id(_index: int) -> Any:
        response = connect().post(
            f"/api/v1/counters/{counter_id}/call-next", json={"request_id": "tablet-7f3a"}, headers=clerk
        )
        return response.status_code, response.json["id"]

    results = run_together(4, call_with_same_id)  # the tablet retried three times during a network blip
    assert results == [(200, first["id"])] * 4
    queue = world.client.get(f"/api/v1/sites/{world.site('CB')['id']}/queue", headers=clerk).json
    assert [entry["id"] for entry in queue] == [second["id"]]


def test_a_request_id_reused_for_another_action_is_refused(world: World) -> None:
    kiosk, clerk = world.device("kiosk"), world.staff("clerk")
    ticket = world.issue(kiosk)
    counter_id = world.open_counter(clerk)
    world.client.post(f"/api/v1/counters/{counter_id}/call-next", json={"request_id": "r1"}, headers=clerk)
    response = world.client.post(
        f"/api/v1/tickets/{ticket['id']}/start", json={"request_id": "r1"}, headers=clerk
    )
    assert (response.status_code, response.json["error"]["code"]) == (409, "request_id_reused")


def test_ticket_actions_retried_with_their_request_id_act_once(world: World) -> None:
    kiosk, clerk = world.device("kiosk"), world.staff("clerk")
    ticket = world.issue(kiosk)
    counter_id = world.open_counter(clerk)
    world.client.post(f"/api/v1/counters/{counter_id}/call-next", headers=clerk)
    for _ in range(3):
        response = world.client.post(
            f"/api/v1/tickets/{ticket['id']}/recall", json={"request_id": "recall-1"}, headers=clerk
        )
        assert response.status_code == 200
    from server.db.models import TicketEvent

    with world.luot.read() as session:
        kinds = Counter(
            session.scalars(select(TicketEvent.kind).where(TicketEvent.ticket_id == ticket["id"]))
        )
    assert kinds == {"issued": 1, "called": 1, "recalled": 1}
