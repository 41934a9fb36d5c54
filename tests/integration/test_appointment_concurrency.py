"""The database enforces capacity: many people racing for the last place of a slot, on SQLite and
PostgreSQL, with real threads."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable

import pytest
from flask import Flask
from sqlalchemy import func, select

from server.db.models import Appointment, AppointmentSlot
from tests.booking import MONDAY_7AM, at, book, booking_config
from tests.conftest import Clock, World
from tests.integration.test_concurrency import run_together


@pytest.fixture
def racing_world(make_app: Callable[..., Flask], database_url: str) -> World:
    # CB's two HT counters, fully bookable: two places per slot, and no per-person limit in the way.
    app = make_app(database_url, booking_config(bookable_share=1, person_limit=0), LUOT_RATE_LIMITS=False)
    app.extensions["luot"].clock = Clock(MONDAY_7AM)
    return World(app)


def test_fifty_bookings_for_the_last_place_give_one_201_and_forty_nine_409(racing_world: World) -> None:
    world = racing_world
    book(world, at(9), phone="0900000000")  # one of the two places is already taken
    site, service = world.site("CB")["id"], world.service("CB", "HT")["id"]

    def race(index: int) -> tuple[int, str | None]:
        response = world.app.test_client().post(
            "/api/v1/appointments",
            json={
                "site_id": site,
                "service_id": service,
                "start": at(9).isoformat(),
                "name": f"Người thứ {index}",
                "phone": f"09{index:08d}",
            },
        )
        return response.status_code, (response.json.get("error") or {}).get("code")

    results = run_together(50, race)
    assert Counter(status for status, _ in results) == {201: 1, 409: 49}
    assert {code for status, code in results if status == 409} == {"slot_full"}
    with world.luot.read() as session:
        assert session.scalar(select(func.count()).select_from(Appointment)) == 2
        slot = session.scalar(select(AppointmentSlot))
        assert slot is not None and (slot.booked, slot.capacity) == (2, 2)


def test_one_person_booking_ten_slots_at_once_gets_only_their_limit(
    make_app: Callable[..., Flask], database_url: str
) -> None:
    app = make_app(database_url, booking_config(person_limit=2), LUOT_RATE_LIMITS=False)
    app.extensions["luot"].clock = Clock(MONDAY_7AM)
    world = World(app)
    site, service = world.site("CB")["id"], world.service("CB", "HT")["id"]

    def race(index: int) -> int:
        response = world.app.test_client().post(
            "/api/v1/appointments",
            json={
                "site_id": site,
                "service_id": service,
                "start": at(9 + index // 6, 10 * (index % 6)).isoformat(),  # ten different slots
                "name": "Cò đặt chỗ",
                "phone": "0911222333",
            },
        )
        return response.status_code

    assert Counter(run_together(10, race)) == {201: 2, 429: 8}
