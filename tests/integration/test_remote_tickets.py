"""Remote tickets: taken before arriving, never called before the kiosk confirms the arrival, placed by
their take time, capped by the site's share, limited per person, expired when they never come."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest

from server.jobs.scheduler import Sweeper
from tests.conftest import Clock, World
from tests.integration.test_near_turn import MORNING, Gateway, notify_config

pytest_plugins = ["tests.integration.test_near_turn"]


@pytest.fixture
def clock() -> Clock:
    return Clock(MORNING)


@pytest.fixture
def world(make_world: Callable[..., World]) -> World:
    return make_world(notify_config(remote_expire_calls=2))


def take(world: World, phone: str, service: str = "HT", **body: Any) -> Any:
    site = world.site("CB")["id"]
    return world.client.post(
        f"/api/v1/sites/{site}/remote-tickets",
        json={"service_id": world.service("CB", service)["id"], "phone": phone, **body},
    )


def arrive(world: World, kiosk: dict[str, str], code: str, site: str = "CB") -> Any:
    return world.client.post(
        f"/api/v1/sites/{world.site(site)['id']}/arrivals", json={"public_code": code}, headers=kiosk
    )


def call_next(world: World, staff: dict[str, str], counter: int) -> Any:
    return world.client.post(f"/api/v1/counters/{counter}/call-next", headers=staff)


def finish(world: World, staff: dict[str, str], ticket_id: int) -> None:
    for action in ("start", "complete"):
        assert (
            world.client.post(f"/api/v1/tickets/{ticket_id}/{action}", headers=staff, json={}).status_code
            == 200
        )


def test_a_remote_ticket_is_never_called_before_it_arrives_then_keeps_its_place(
    world: World, clock: Clock
) -> None:
    kiosk, staff = world.device("kiosk"), world.staff()
    counter = world.open_counter(staff)
    taken = take(world, "0912000001")
    assert taken.status_code == 201, taken.json
    remote = taken.json
    assert remote["status"] == "pending_arrival" and remote["position"] == 1
    assert remote["status_url"].endswith(f"/t/{remote['public_code']}")
    status = world.client.get(f"/api/v1/tickets/status/{remote['public_code']}").json
    assert (status["status"], status["position"]) == ("pending_arrival", 1)
    clock.advance(minutes=1)
    walk_in = world.issue(kiosk)
    assert call_next(world, staff, counter).status_code == 200  # the walk-in: the remote one is not here
    finish(world, staff, walk_in["id"])
    assert call_next(world, staff, counter).status_code == 204  # nobody waits who is here
    refused = world.client.post(
        f"/api/v1/tickets/{remote['id']}/call", headers=staff, json={"counter_id": counter}
    )
    assert refused.status_code == 409

    later = world.issue(kiosk)
    clock.advance(minutes=1)
    arrived = arrive(world, kiosk, remote["status_url"])  # the scanner types the status page's URL
    assert arrived.status_code == 200, arrived.json
    assert arrived.json["status"] == "waiting" and arrived.json["position"] == 1  # its turn had passed
    assert call_next(world, staff, counter).json["id"] == remote["id"]
    assert arrive(world, kiosk, remote["public_code"]).status_code == 409  # already at the counter
    finish(world, staff, remote["id"])
    assert call_next(world, staff, counter).json["id"] == later["id"]


def test_arriving_in_time_keeps_the_place_of_the_take_time(world: World, clock: Clock) -> None:
    kiosk, staff = world.device("kiosk"), world.staff()
    counter = world.open_counter(staff)
    first = world.issue(kiosk)
    clock.advance(minutes=1)
    remote = take(world, "0912000001").json
    assert remote["position"] == 2
    clock.advance(minutes=1)
    after = world.issue(kiosk)
    clock.advance(minutes=5)
    assert arrive(world, kiosk, remote["public_code"]).json["position"] == 2
    order = [call_next(world, staff, counter).json["id"]]
    finish(world, staff, order[0])
    order.append(call_next(world, staff, counter).json["id"])
    finish(world, staff, order[1])
    order.append(call_next(world, staff, counter).json["id"])
    assert order == [first["id"], remote["id"], after["id"]]


def test_only_a_kiosk_of_the_site_or_its_desk_confirms_an_arrival(world: World) -> None:
    remote = take(world, "0912000001").json
    assert (
        arrive(world, world.device("kiosk", site="CH"), remote["public_code"], site="CH").status_code == 404
    )
    assert arrive(world, world.device("kiosk", site="CH"), remote["public_code"]).status_code == 403
    assert arrive(world, world.device("display"), remote["public_code"]).status_code == 403
    assert arrive(world, world.staff(sites=("CH",)), remote["public_code"]).status_code == 403
    assert arrive(world, world.device("kiosk"), "no-such-code").status_code == 404
    assert arrive(world, world.staff(), remote["public_code"]).status_code == 200  # at the desk


def test_the_share_cap_and_the_person_limit_answer_409_and_429(world: World) -> None:
    # Hộ tịch: 10 minutes a citizen, two counters → 12 calls in the next hour; 30 % → 3 remote tickets.
    for n in range(3):
        assert take(world, f"091200000{n}").status_code == 201
    full = take(world, "0912000009")
    assert full.status_code == 409 and full.json["error"]["code"] == "remote_full"
    assert "kiosk" in full.json["error"]["message"]
    assert take(world, "0912000009", service="CT").status_code == 201  # another service has its own share
    assert take(world, "0912000009", service="CT").status_code == 201
    limited = take(world, "0912000009", service="CT")  # the site allows two tickets a person
    assert limited.status_code == 429 and limited.json["error"]["code"] == "person_limit"
    bad = take(world, "12345")
    assert bad.status_code == 422


def test_unconfirmed_tickets_expire_when_passed_by_calls_and_at_closing_and_show_in_the_figures(
    world: World, clock: Clock
) -> None:
    kiosk, staff, manager = world.device("kiosk"), world.staff(), world.staff("manager")
    counter = world.open_counter(staff)
    passed = take(world, "0912000001").json
    clock.advance(minutes=1)
    walk_ins = [world.issue(kiosk) for _ in range(2)]
    sweeper = Sweeper(world.app, holder="x")
    for ticket in walk_ins:
        call_next(world, staff, counter)
        sweeper.run_once()
        finish(world, staff, ticket["id"])
    sweeper.run_once()  # passed by two calls: the site's remote_expire_calls
    status = world.client.get(f"/api/v1/tickets/status/{passed['public_code']}").json
    assert status["status"] == "expired"
    assert arrive(world, kiosk, passed["public_code"]).status_code == 409

    tomorrow = take(world, "0912000002").json
    arrived = take(world, "0912000003").json
    assert arrive(world, kiosk, arrived["public_code"]).status_code == 200
    site = world.site("CB")["id"]
    answer = world.client.get(f"/api/v1/sites/{site}/messages", headers=manager)
    assert answer.status_code == 200, answer.json
    today = answer.json
    clock.advance(days=1)  # the day is over: what never came has expired, and so has the arrival not served
    sweeper.run_once()
    assert world.client.get(f"/api/v1/tickets/status/{tomorrow['public_code']}").json["status"] == "expired"
    day = (MORNING + timedelta(hours=7)).date().isoformat()
    manager = world.staff("manager")  # a new day, a new sign-in
    figures = world.client.get(f"/api/v1/sites/{site}/messages?date={day}", headers=manager).json
    assert today["remote"] == {"taken": 3, "arrived": 1, "expired": 1}
    assert figures["remote"] == {"taken": 3, "arrived": 1, "expired": 3}


def test_a_remote_ticket_gets_its_near_message_before_it_arrives(
    make_world: Callable[..., World], sms: Gateway
) -> None:
    world = make_world(LUOT_NOTIFIER="sms", LUOT_SMS_URL=sms.url)
    remote = take(world, "0912000001").json
    Sweeper(world.app, holder="x").run_once()
    assert [m["reference"] for m in sms.received] == [f"luot-ticket-{remote['id']}-near"]
    assert sms.received[0]["to"] == "0912000001"


def test_an_unconfirmed_ticket_survives_the_lunch_break_and_expires_at_closing(
    make_world: Callable[..., World], clock: Clock
) -> None:
    hours = {day: ["07:30-11:30", "13:30-17:00"] for day in ("mon", "tue", "wed", "thu", "fri")}
    world = make_world(notify_config(always_open=False, hours=hours))
    remote = take(world, "0912000001")
    assert remote.status_code == 201, remote.json
    sweeper = Sweeper(world.app, holder="x")

    def status() -> str:
        return str(world.client.get(f"/api/v1/tickets/status/{remote.json['public_code']}").json["status"])

    clock.set(MORNING + timedelta(hours=3, minutes=45))  # 11:45, lunch
    sweeper.run_once()
    assert status() == "pending_arrival"
    clock.set(MORNING + timedelta(hours=9, minutes=5))  # 17:05, closed for the day
    sweeper.run_once()
    assert status() == "expired"
