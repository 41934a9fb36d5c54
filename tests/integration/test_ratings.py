"""Satisfaction ratings (API.md "Satisfaction rating") on SQLite and PostgreSQL: by phone and by the
counter's pad, once per ticket, the rules' 403/409/410/422, the event log, and the pad's Socket.IO room."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask

from server.domain.access import DeviceKind
from server.services.accounts import auth as auth_service
from tests.conftest import Clock, World


@pytest.fixture
def world_and_clock(make_app: Callable[..., Flask], database_url: str) -> tuple[World, Clock]:
    app = make_app(database_url)
    clock = Clock(datetime(2026, 12, 2, 2, 0, tzinfo=UTC))  # 09:00 in Viet Nam
    app.extensions["luot"].clock = clock
    return World(app), clock


def pad(world: World, counter: str = "Q1", site: str = "CB") -> dict[str, str]:
    _info, token = auth_service.add_device(
        world.luot.uow(),
        site_code=site,
        kind=DeviceKind.RATING,
        name=f"pad {counter}",
        printer_uri=None,
        at=world.luot.now(),
        counter_code=counter,
    )
    return {"Authorization": f"Bearer {token}"}


def post(
    world: World, path: str, body: dict[str, Any] | None = None, headers: dict[str, str] | None = None
) -> Any:
    return world.client.post(f"/api/v1/{path}", json=body or {}, headers=headers or {})


def served(
    world: World, clerk: dict[str, str], counter_id: int, dossier: str = "H34.12-0001"
) -> dict[str, Any]:
    """Issue a ticket, then call, start and complete the next one at the counter."""
    world.issue(world.device("kiosk"))
    called = post(world, f"counters/{counter_id}/call-next", headers=clerk)
    assert called.status_code == 200, called.json
    assert post(world, f"tickets/{called.json['id']}/start", headers=clerk).status_code == 200
    done = post(world, f"tickets/{called.json['id']}/complete", {"dossier_code": dossier}, clerk)
    assert done.status_code == 200, done.json
    return dict(done.json)


def test_the_phone_rates_a_served_ticket_once(world_and_clock: tuple[World, Clock]) -> None:
    world, clock = world_and_clock
    clerk = world.staff("clerk")
    counter = world.open_counter(clerk)
    ticket = served(world, clerk, counter)
    code = ticket["public_code"]

    clock.advance(hours=2)
    offer = world.client.get(f"/api/v1/tickets/status/{code}/rating").json
    assert offer["open"] is True and offer["rated"] is False
    answer = post(world, f"tickets/status/{code}/rating", {"score": 2, "reasons": ["waiting_time"]})
    assert answer.status_code == 201, answer.json
    assert answer.json == {
        "ticket": {"number": ticket["number"]},
        "score": 2,
        "reasons": ["waiting_time"],
        "channel": "phone",
    }
    again = post(world, f"tickets/status/{code}/rating", {"score": 5})
    assert again.status_code == 409 and again.json["error"]["code"] == "already_rated"
    assert world.client.get(f"/api/v1/tickets/status/{code}/rating").json["open"] is False

    from server.db.models import Rating, TicketEvent

    with world.luot.read() as session:
        rating = session.scalars(sa.select(Rating)).one()
        assert (rating.score, rating.channel, rating.dossier_code) == (2, "phone", "H34.12-0001")
        assert rating.counter_id == counter and rating.clerk_id is not None
        kinds = session.scalars(
            sa.select(TicketEvent.kind).where(TicketEvent.ticket_id == ticket["id"])
        ).all()
        assert kinds[-1] == "rated"


def test_the_phone_cannot_rate_before_service_nor_after_the_window(
    world_and_clock: tuple[World, Clock],
) -> None:
    world, clock = world_and_clock
    waiting = world.issue(world.device("kiosk"))
    early = post(world, f"tickets/status/{waiting['public_code']}/rating", {"score": 4})
    assert early.status_code == 409 and early.json["error"]["code"] == "not_served"

    clerk = world.staff("clerk")
    ticket = served(world, clerk, world.open_counter(clerk))
    clock.advance(hours=24, seconds=1)
    late = post(world, f"tickets/status/{ticket['public_code']}/rating", {"score": 4})
    assert late.status_code == 410 and late.json["error"]["code"] == "rating_closed"


@pytest.mark.parametrize(
    "body",
    [{"score": 0}, {"score": 6}, {"score": "5"}, {"score": 3, "reasons": ["no_such_reason"]}, {}],
)
def test_bad_answers_are_422(world_and_clock: tuple[World, Clock], body: dict[str, Any]) -> None:
    world, _clock = world_and_clock
    clerk = world.staff("clerk")
    ticket = served(world, clerk, world.open_counter(clerk))
    answer = post(world, f"tickets/status/{ticket['public_code']}/rating", body)
    assert answer.status_code == 422, answer.json
    assert "error" in answer.json


def test_the_pad_of_the_counter_rates_then_the_phone_gets_409(world_and_clock: tuple[World, Clock]) -> None:
    world, clock = world_and_clock
    mine, other = pad(world, "Q1"), pad(world, "Q2")
    clerk = world.staff("clerk")
    ticket = served(world, clerk, world.open_counter(clerk))

    state = world.client.get("/api/v1/rating-pad", headers=mine).json
    assert state["pending"]["ticket"] == {"id": ticket["id"], "number": ticket["number"]}
    assert state["reasons"][0]["code"] == "waiting_time"

    assert post(world, f"tickets/{ticket['id']}/rating", {"score": 4}, other).status_code == 403
    assert post(world, f"tickets/{ticket['id']}/rating", {"score": 4}, clerk).status_code == 403
    manager = world.staff("manager")
    assert post(world, f"tickets/{ticket['id']}/rating", {"score": 4}, manager).status_code == 403
    kiosk = world.device("kiosk")
    assert post(world, f"tickets/{ticket['id']}/rating", {"score": 4}, kiosk).status_code == 403

    clock.advance(seconds=10)
    answer = post(world, f"tickets/{ticket['id']}/rating", {"score": 2, "reasons": ["staff_attitude"]}, mine)
    assert answer.status_code == 201, answer.json
    assert answer.json["channel"] == "counter"
    phone = post(world, f"tickets/status/{ticket['public_code']}/rating", {"score": 5})
    assert phone.status_code == 409 and phone.json["error"]["code"] == "already_rated"
    assert world.client.get("/api/v1/rating-pad", headers=mine).json["pending"] is None


def test_the_pad_window_closes_after_its_seconds(world_and_clock: tuple[World, Clock]) -> None:
    world, clock = world_and_clock
    mine = pad(world, "Q1")
    clerk = world.staff("clerk")
    ticket = served(world, clerk, world.open_counter(clerk))
    clock.advance(seconds=31)
    assert world.client.get("/api/v1/rating-pad", headers=mine).json["pending"] is None  # no longer asks
    clock.advance(seconds=90)  # 30 s to ask, 90 s more to choose reasons: past both
    late = post(world, f"tickets/{ticket['id']}/rating", {"score": 5}, mine)
    assert late.status_code == 410 and late.json["error"]["code"] == "rating_closed"
    # The phone still may, for 24 hours.
    assert post(world, f"tickets/status/{ticket['public_code']}/rating", {"score": 5}).status_code == 201


def test_the_database_keeps_one_rating_per_ticket(world_and_clock: tuple[World, Clock]) -> None:
    world, _clock = world_and_clock
    clerk = world.staff("clerk")
    ticket = served(world, clerk, world.open_counter(clerk))
    assert post(world, f"tickets/status/{ticket['public_code']}/rating", {"score": 5}).status_code == 201

    from server.db.models import Rating

    with world.luot.database.write_session() as session:
        first = session.scalars(sa.select(Rating)).one()
        session.add(
            Rating(
                ticket_id=first.ticket_id,
                site_id=first.site_id,
                service_id=first.service_id,
                score=1,
                reasons=[],
                channel="counter",
                finished_at=first.finished_at,
                created_at=first.created_at,
            )
        )
        with pytest.raises(sa.exc.IntegrityError):
            session.flush()
        session.rollback()


def test_reasons_default_and_follow_the_configuration(world_and_clock: tuple[World, Clock]) -> None:
    world, _clock = world_and_clock
    site = world.site("CB")["id"]
    reasons = world.client.get(f"/api/v1/sites/{site}/rating-reasons").json
    assert [r["code"] for r in reasons] == [
        "waiting_time",
        "staff_attitude",
        "guidance_unclear",
        "asked_to_come_back",
        "unofficial_payment",
        "other",
    ]
    assert reasons[0]["name"] == "Thời gian chờ lâu" and reasons[0]["name_en"] == "Waiting time"

    import copy

    from server.services.sites.config_file import load_config
    from tests.conftest import TEST_CONFIG

    config = copy.deepcopy(TEST_CONFIG)
    config["communes"][0]["sites"][0]["ratings"] = {
        "pad_seconds": 45,
        "window_hours": 2,
        "reasons": [{"code": "noise", "name": "Ồn ào", "name_en": "Noise"}],
    }
    load_config(world.luot.uow(), config, world.luot.now())
    assert world.client.get(f"/api/v1/sites/{site}/rating-reasons").json == [
        {"code": "noise", "name": "Ồn ào", "name_en": "Noise"}
    ]
    assert world.client.get("/api/v1/sites/99999/rating-reasons").status_code == 404


def test_the_pad_hears_rating_requested_in_its_counters_room(world: World, listen: Any) -> None:
    mine = pad(world, "Q1")
    token = mine["Authorization"].split()[1]
    other_token = pad(world, "Q2")["Authorization"].split()[1]
    listener = listen({"token": token})
    other = listen({"token": other_token})
    snapshot = listener.next("snapshot")
    assert snapshot["counter"]["id"] == world.counter_id("CB", "Q1")
    manager = world.staff("manager")
    site_id = world.site("CB")["id"]
    live = listen({"token": manager["Authorization"].split()[1], "site_id": site_id})
    live.next("snapshot")

    clerk = world.staff("clerk")
    counter = world.open_counter(clerk)
    ticket = served(world, clerk, counter)
    asked = listener.next("rating.requested")
    assert asked["counter_id"] == counter and asked["site_id"] == site_id
    assert asked["ticket"] == {"id": ticket["id"], "number": ticket["number"]}
    assert asked["clerk"]["name"] and asked["expires_at"] and asked["seq"] > 0

    answer = post(
        world, f"tickets/{ticket['id']}/rating", {"score": 1, "reasons": ["unofficial_payment"]}, mine
    )
    assert answer.status_code == 201
    given = live.next("rating.given")
    assert given["rating"]["score"] == 1 and given["rating"]["unsatisfied"] is True
    assert given["rating"]["reasons"] == ["unofficial_payment"]
    assert "comment" not in given["rating"]
    # The other counter's pad heard nothing of it.
    other.next("snapshot")
    assert all(name != "rating.requested" for name, _ in other.history)


def test_device_add_of_a_rating_pad_needs_its_counter(world: World) -> None:
    from server.domain.errors import InvalidValue, NotFound

    with pytest.raises(InvalidValue):
        auth_service.add_device(
            world.luot.uow(),
            site_code="CB",
            kind=DeviceKind.RATING,
            name="p",
            printer_uri=None,
            at=world.luot.now(),
        )
    with pytest.raises(NotFound):
        pad(world, "Q9")
