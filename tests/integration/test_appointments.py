"""Booking, the private link, check-in at the kiosk and the staff's and managers' views, through the API."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, time
from pathlib import Path
from typing import Any

import icalendar
import pytest
from flask import Flask
from sqlalchemy import select

from server.db.models import Appointment, AppointmentEvent, Ticket
from tests.booking import MONDAY_7AM, VN, at, book, booking_config
from tests.conftest import Clock, World


@pytest.fixture
def clock() -> Clock:
    return Clock(MONDAY_7AM)


@pytest.fixture
def world(make_app: Callable[..., Flask], sqlite_url: str, clock: Clock) -> World:
    app = make_app(sqlite_url, booking_config())
    app.extensions["luot"].clock = clock
    return World(app)


def slots(world: World, day: str = "2026-11-23", site: str = "CB") -> list[dict[str, Any]]:
    site_id, service_id = world.site(site)["id"], world.service(site, "HT")["id"]
    response = world.client.get(f"/api/v1/sites/{site_id}/slots?service_id={service_id}&date={day}")
    assert response.status_code == 200, response.json
    return list(response.json)


# -- slots and booking -----------------------------------------------------------------------------


def test_free_slots_follow_the_hours_the_notice_and_the_share(world: World) -> None:
    today = slots(world)
    assert today[0] == {
        "start": "2026-11-23T08:00:00+07:00",  # 07:30 and 07:50 are within the hour's notice
        "end": "2026-11-23T08:10:00+07:00",
        "capacity": 1,  # two counters serve HT, half of them bookable
        "available": 1,
    }
    assert not any("T12:" in s["start"] for s in today)
    assert slots(world, "2026-11-29") == []  # a Sunday
    assert slots(world, "2026-12-31") == []  # beyond the 14-day horizon


def test_a_booking_gets_a_code_a_private_link_and_takes_its_place(world: World) -> None:
    booked = book(world, at(9), email="hoa@example.org")
    assert booked["status"] == "booked"
    assert booked["start"] == "2026-11-23T09:00:00+07:00"
    assert len(booked["code"]) == 6 and len(booked["manage_token"]) >= 32
    assert booked["manage_url"].endswith(f"/book/{booked['code']}?token={booked['manage_token']}")
    assert booked["ics_url"].endswith(
        f"/api/v1/appointments/{booked['code']}.ics?token={booked['manage_token']}"
    )
    assert booked["qr_url"].endswith(f"/book/qr/{booked['code']}.svg")
    assert booked["phone"] == "091****678"
    assert booked["site_address"] == "Thị trấn Cát Bà"
    assert next(s for s in slots(world) if s["start"] == booked["start"])["available"] == 0

    full = book(world, at(9), phone="0987654321", expect=409)
    assert full["error"]["code"] == "slot_full"

    with world.luot.read() as session:
        row = session.scalar(select(Appointment))
        assert row is not None and booked["manage_token"] not in row.token_hash
        assert [e.kind for e in session.scalars(select(AppointmentEvent))] == ["booked"]


def test_the_citizen_id_is_kept_only_as_a_keyed_hash(world: World) -> None:
    book(world, at(9), citizen_id="001099012345")
    with world.luot.read() as session:
        row = session.scalar(select(Appointment))
    assert row is not None and row.citizen_id_hash and "001099012345" not in row.citizen_id_hash


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ({"start": "2026-11-23T09:00:00"}, 422, "invalid_value"),  # no offset: ambiguous
        ({"start": "2026-11-23T09:05:00+07:00"}, 422, "not_a_slot"),  # off the grid
        ({"start": "2026-11-23T12:00:00+07:00"}, 422, "not_a_slot"),  # lunch break
        ({"start": "2026-11-23T07:30:00+07:00"}, 409, "too_soon"),
        ({"start": "2026-12-21T09:00:00+07:00"}, 422, "beyond_horizon"),
        ({"phone": "12345"}, 422, "invalid_value"),
        ({"name": ""}, 422, "invalid_value"),
        ({"citizen_id": "12"}, 422, "invalid_value"),
    ],
)
def test_a_bad_booking_is_refused_with_a_clear_error(
    world: World, body: dict[str, Any], status: int, code: str
) -> None:
    payload = {
        "site_id": world.site("CB")["id"],
        "service_id": world.service("CB", "HT")["id"],
        "start": "2026-11-23T09:00:00+07:00",
        "name": "Trần Văn Nam",
        "phone": "0912345678",
        **body,
    }
    response = world.client.post("/api/v1/appointments", json=payload)
    assert (response.status_code, response.json["error"]["code"]) == (status, code), response.json


def test_a_service_that_is_not_bookable_is_refused(world: World) -> None:
    refused = book(world, at(9), service="CT", expect=409)
    assert refused["error"]["code"] == "not_bookable"


def test_one_person_may_hold_only_so_many_open_bookings(world: World) -> None:
    book(world, at(9), phone="0912000111")
    book(world, at(10), phone="+84 912 000 111")  # the same number, written differently
    third = book(world, at(11), phone="0912000111", expect=429)
    assert third["error"]["code"] == "person_limit"
    # the citizen ID counts too, whatever phone number is given
    book(world, at(9, 10), phone="0933000001", citizen_id="001099012345")
    book(world, at(9, 20), phone="0933000002", citizen_id="001099012345")
    assert book(world, at(9, 30), phone="0933000003", citizen_id="001099012345", expect=429)


# -- the private link ------------------------------------------------------------------------------


def test_the_private_link_shows_and_cancels_and_the_place_is_freed(world: World) -> None:
    booked = book(world, at(9))
    code, token = booked["code"], booked["manage_token"]
    shown = world.client.get(f"/api/v1/appointments/{code}?token={token}")
    assert shown.status_code == 200 and shown.json["name"] == "Nguyễn Thị Hoa"
    assert world.client.get(f"/api/v1/appointments/{code}?token=wrong").status_code == 404
    assert world.client.get(f"/api/v1/appointments/{code.lower()}?token={token}").status_code == 200

    wrong = world.client.post(f"/api/v1/appointments/{code}/cancel", json={"token": "nope"})
    assert wrong.status_code == 404
    cancelled = world.client.post(f"/api/v1/appointments/{code}/cancel", json={"token": token})
    assert cancelled.status_code == 200 and cancelled.json["status"] == "cancelled"
    again = world.client.post(f"/api/v1/appointments/{code}/cancel", json={"token": token})
    assert (again.status_code, again.json["error"]["code"]) == (409, "appointment_cancelled")
    assert next(s for s in slots(world) if s["start"] == booked["start"])["available"] == 1


def test_rescheduling_moves_the_booking_and_frees_the_old_place(world: World) -> None:
    booked = book(world, at(9))
    code, token = booked["code"], booked["manage_token"]
    moved = world.client.post(
        f"/api/v1/appointments/{code}/reschedule", json={"token": token, "start": at(10, 30).isoformat()}
    )
    assert moved.status_code == 200, moved.json
    assert (moved.json["code"], moved.json["start"]) == (code, "2026-11-23T10:30:00+07:00")
    free = {s["start"]: s["available"] for s in slots(world)}
    assert free["2026-11-23T09:00:00+07:00"] == 1 and free["2026-11-23T10:30:00+07:00"] == 0

    other = book(world, at(11), phone="0987654321")
    full = world.client.post(
        f"/api/v1/appointments/{code}/reschedule", json={"token": token, "start": other["start"]}
    )
    assert (full.status_code, full.json["error"]["code"]) == (409, "slot_full")
    assert (
        world.client.get(f"/api/v1/appointments/{code}?token={token}")
        .json["start"]
        .endswith("10:30:00+07:00")
    )

    # to the other island's centre, same commune: the service is matched by its code
    island = world.client.post(
        f"/api/v1/appointments/{code}/reschedule",
        json={"token": token, "start": at(14).isoformat(), "site_id": world.site("CH")["id"]},
    )
    assert island.status_code == 200, island.json
    assert island.json["site_id"] == world.site("CH")["id"]
    assert island.json["service_id"] == world.service("CH", "HT")["id"]
    assert island.json["site_address"] == "Xã Cát Hải, đảo Cát Hải"


def test_the_ics_file_parses_and_carries_the_address_and_time_zone(world: World) -> None:
    booked = book(world, at(9))
    response = world.client.get(booked["ics_url"].split("localhost", 1)[1])
    assert response.status_code == 200
    assert response.mimetype == "text/calendar"
    calendar = icalendar.Calendar.from_ical(response.data)
    (event,) = calendar.walk("VEVENT")
    assert event.decoded("dtstart").isoformat() == "2026-11-23T09:00:00+07:00"
    assert event["dtstart"].params["TZID"] == "Asia/Ho_Chi_Minh"
    assert event.decoded("dtend").isoformat() == "2026-11-23T09:10:00+07:00"
    assert "Thị trấn Cát Bà" in str(event["location"])
    assert "Hộ tịch" in str(event["summary"])
    assert booked["code"] in str(event["description"])
    assert [tz["tzid"] for tz in calendar.walk("VTIMEZONE")] == ["Asia/Ho_Chi_Minh"]
    assert world.client.get(f"/api/v1/appointments/{booked['code']}.ics?token=x").status_code == 404


# -- the booking page's choices ----------------------------------------------------------------------


def test_the_commune_offers_each_intake_point_with_its_earliest_slot_and_wait(world: World) -> None:
    services = world.client.get("/api/v1/booking/services?commune=11914").json
    assert [(s["code"], len(s["site_ids"])) for s in services] == [("HT", 2)]
    world.issue(world.device("kiosk", "CH"), site="CH")  # someone waits at Cát Hải today
    book(world, at(8))  # Cát Bà's first slot of the day is taken
    choices = {c["code"]: c for c in world.client.get("/api/v1/booking/sites?service_code=HT").json}
    assert set(choices) == {"CB", "CH"}
    assert choices["CB"]["earliest"]["start"] == "2026-11-23T08:10:00+07:00"
    assert choices["CH"]["earliest"]["start"] == "2026-11-23T08:00:00+07:00"
    assert choices["CH"]["waiting"] == 1 and choices["CH"]["estimated_wait_s"] > 0
    assert choices["CB"]["address"] == "Thị trấn Cát Bà"


def test_the_day_strip_marks_closed_days_and_holidays(world: World, clock: Clock) -> None:
    site_id, service_id = world.site("CB")["id"], world.service("CB", "HT")["id"]
    days = world.client.get(f"/api/v1/sites/{site_id}/slot-days?service_id={service_id}").json
    assert days[0]["date"] == "2026-11-23" and days[0]["open"] and days[0]["available"] > 0
    tuesday = next(d for d in days if d["date"] == "2026-11-24")
    assert tuesday["open"] is False and tuesday["holiday"] == "Ngày Văn hóa Việt Nam"
    sunday = next(d for d in days if d["date"] == "2026-11-29")
    assert (sunday["open"], sunday["holiday"]) == (False, None)
    english = world.client.get(
        f"/api/v1/sites/{site_id}/slot-days?service_id={service_id}", headers={"Accept-Language": "en"}
    ).json
    assert next(d for d in english if d["date"] == "2026-11-24")["holiday"] == "Vietnam Cultural Day"


# -- check-in --------------------------------------------------------------------------------------


def check_in(world: World, code: str, headers: dict[str, str], **body: Any) -> Any:
    return world.client.post(f"/api/v1/appointments/{code}/check-in", json=body, headers=headers)


def test_checking_in_on_time_gives_an_appointment_ticket(world: World, clock: Clock) -> None:
    booked = book(world, at(9))
    kiosk = world.device("kiosk")
    clock.set(at(8, 40))
    response = check_in(world, booked["code"], kiosk)
    assert response.status_code == 201, response.json
    ticket = response.json
    assert ticket["appointment_id"] == booked["id"]
    assert ticket["appointment_start"] == "2026-11-23T09:00:00+07:00"
    assert ticket["late"] is False
    assert (ticket["status"], ticket["number"]) == ("waiting", "A001")  # the service's own numbering
    assert ticket["status_url"].endswith(f"/t/{ticket['public_code']}")
    assert ticket["appointment"]["status"] == "checked_in"

    again = check_in(world, booked["code"], kiosk)
    assert (again.status_code, again.json["error"]["code"]) == (409, "already_checked_in")
    shown = world.client.get(f"/api/v1/appointments/{booked['code']}?token={booked['manage_token']}").json
    assert shown["ticket"]["number"] == "A001"


def test_a_kiosk_retry_with_the_same_request_id_returns_the_same_ticket(world: World, clock: Clock) -> None:
    booked = book(world, at(9))
    kiosk = world.device("kiosk")
    clock.set(at(8, 50))
    first = check_in(world, booked["code"], kiosk, request_id="kiosk-retry-1")
    second = check_in(world, booked["code"], kiosk, request_id="kiosk-retry-1")
    assert first.status_code == second.status_code == 201
    assert first.json["id"] == second.json["id"]


def test_too_early_is_refused_and_too_late_becomes_a_walk_in(world: World, clock: Clock) -> None:
    early, late = book(world, at(9)), book(world, at(10), phone="0987654321")
    kiosk = world.device("kiosk")
    clock.set(at(8, 20))
    refused = check_in(world, early["code"], kiosk)
    assert (refused.status_code, refused.json["error"]["code"]) == (409, "too_early")
    assert "08:30" in refused.json["error"]["message"]

    clock.set(at(10, 20))  # five minutes past the 15-minute late window
    walk_in = check_in(world, late["code"], kiosk)
    assert walk_in.status_code == 201
    assert walk_in.json["late"] is True
    assert walk_in.json["appointment_id"] == late["id"]
    assert walk_in.json["appointment_start"] is None  # queued as a walk-in from now


def test_check_in_needs_a_known_code_and_the_right_site(world: World, clock: Clock) -> None:
    booked = book(world, at(9))
    clock.set(at(8, 45))
    assert check_in(world, "ACDEFG", world.device("kiosk")).status_code == 404
    assert check_in(world, "not-a-code", world.device("kiosk")).status_code == 404
    elsewhere = check_in(world, booked["code"], world.device("kiosk", "CH"))
    assert (elsewhere.status_code, elsewhere.json["error"]["code"]) == (409, "wrong_site")
    assert "Cát Bà" in elsewhere.json["error"]["message"]
    assert check_in(world, booked["code"], world.device("display")).status_code == 403
    assert world.client.post(f"/api/v1/appointments/{booked['code']}/check-in").status_code == 401


def test_the_checked_in_ticket_is_called_before_walk_ins_who_came_earlier(world: World, clock: Clock) -> None:
    booked = book(world, at(9))
    kiosk, clerk = world.device("kiosk"), world.staff("clerk")
    clock.set(at(8, 30))
    walk_ins = [world.issue(kiosk) for _ in range(2)]
    clock.set(at(8, 52))
    ticket = check_in(world, booked["code"], kiosk).json
    counter_id = world.open_counter(clerk)
    called = world.client.post(f"/api/v1/counters/{counter_id}/call-next", headers=clerk).json
    assert (called["id"], called["call_rule"]) == (ticket["id"], "appointment")
    assert [t["number"] for t in walk_ins] == ["A001", "A002"] and ticket["number"] == "A003"


def test_staff_find_someone_by_name_or_phone_and_check_them_in(world: World, clock: Clock) -> None:
    book(world, at(9), name="Nguyễn Thị Hoa", phone="0912345678")
    book(world, at(9, 10), name="Lê Văn Bình", phone="0987000111")
    clerk = world.staff("clerk")
    site_id = world.site("CB")["id"]
    listed = world.client.get(f"/api/v1/sites/{site_id}/appointments", headers=clerk).json
    assert [a["name"] for a in listed] == ["Nguyễn Thị Hoa", "Lê Văn Bình"]
    assert listed[1]["phone"] == "098****111"
    by_name = world.client.get(f"/api/v1/sites/{site_id}/appointments?q=nguyen thi", headers=clerk).json
    by_phone = world.client.get(f"/api/v1/sites/{site_id}/appointments?q=0987000111", headers=clerk).json
    assert [a["name"] for a in by_name] == ["Nguyễn Thị Hoa"]
    assert [a["name"] for a in by_phone] == ["Lê Văn Bình"]
    clock.set(at(9))
    done = check_in(world, by_phone[0]["code"], clerk)
    assert done.status_code == 201 and done.json["appointment_id"] == by_phone[0]["id"]
    assert (
        world.client.get(f"/api/v1/sites/{site_id}/appointments", headers=world.device("kiosk")).status_code
        == 403
    )


# -- managers --------------------------------------------------------------------------------------


def test_a_manager_closes_slots_and_sees_the_day(world: World) -> None:
    booked = book(world, at(9))
    manager, clerk = world.staff("manager"), world.staff("clerk")
    site_id, service_id = world.site("CB")["id"], world.service("CB", "HT")["id"]
    body = {"service_id": service_id, "start": at(9).isoformat(), "end": at(9, 30).isoformat()}
    assert (
        world.client.post(f"/api/v1/sites/{site_id}/slots/close", json=body, headers=clerk).status_code == 403
    )
    closed = world.client.post(f"/api/v1/sites/{site_id}/slots/close", json=body, headers=manager)
    assert closed.status_code == 200, closed.json
    assert [(s["start"][11:16], s["booked"], s["closed"]) for s in closed.json] == [
        ("09:00", 1, True),  # the booking made before stays: the answer says so
        ("09:10", 0, True),
        ("09:20", 0, True),
    ]
    offered = {s["start"][11:16] for s in slots(world)}
    assert {"09:00", "09:10", "09:20"}.isdisjoint(offered) and "09:30" in offered
    refused = book(world, at(9, 10), phone="0987654321", expect=409)
    assert refused["error"]["code"] == "slot_closed"

    board = world.client.get(f"/api/v1/sites/{site_id}/slot-board?date=2026-11-23", headers=manager).json
    assert next(s for s in board if s["start"] == booked["start"])["booked"] == 1
    world.client.post(f"/api/v1/sites/{site_id}/slots/open", json=body, headers=manager)
    assert book(world, at(9, 10), phone="0987654321")["status"] == "booked"


def test_booking_events_reach_the_site_room_without_personal_data(world: World) -> None:
    from tests.conftest import LiveServer
    from tests.realtime_client import Listener

    server = LiveServer(world.app).start()
    try:
        listener = Listener(
            server.url, {"token": world.device_token("display"), "site_id": world.site("CB")["id"]}
        )
        booked = book(world, at(9))
        message = listener.next("appointment.updated")
        listener.close()
    finally:
        server.stop()
    assert message["action"] == "book"
    assert message["appointment"] == {
        "id": booked["id"],
        "service_id": booked["service_id"],
        "start": "2026-11-23T09:00:00+07:00",
        "end": "2026-11-23T09:10:00+07:00",
        "status": "booked",
    }
    assert "0912345678" not in str(message) and booked["code"] not in str(message)


@pytest.mark.parametrize(
    ("local", "on_time"),
    [(time(9, 0), True), (time(23, 40), False)],  # late in the evening: the day's last hours hold them
    ids=["morning", "late-evening"],
)
def test_the_demo_seeds_todays_appointments_once(tmp_path: Path, local: time, on_time: bool) -> None:
    from server.app import create_app
    from server.db.migrate import upgrade
    from server.demo import seed
    from tests.conftest import FAST_HASH

    app = create_app(
        {
            "LUOT_INSTANCE_PATH": str(tmp_path),
            "LUOT_DATABASE_URL": f"sqlite:///{tmp_path / 'demo.sqlite3'}",
            "LUOT_PASSWORD_HASH": FAST_HASH,
        }
    )
    extension = app.extensions["luot"]
    extension.clock = Clock(datetime.combine(MONDAY_7AM.date(), local, tzinfo=VN))
    try:
        upgrade(extension.database)
        seed.seed(app, extension)
        seed.seed(app, extension)
        with extension.read() as session:
            appointments = session.scalars(select(Appointment)).all()
            tickets = session.scalars(select(Ticket).where(Ticket.appointment_id.is_not(None))).all()
        assert sorted(a.status for a in appointments) == ["booked"] * 5 + ["checked_in"] * 2
        assert {a.start.astimezone(VN).date() for a in appointments} == {MONDAY_7AM.date()}
        # The two who arrived queue at their appointment's time, or, checked in after it, as walk-ins.
        assert len(tickets) == 2 and all((t.appointment_start is not None) == on_time for t in tickets)
    finally:
        extension.close()


def test_the_openapi_document_has_the_appointment_routes_of_the_contract(world: World) -> None:
    document = world.client.get("/api/v1/openapi.json").json
    published = {(method, path) for path, item in document["paths"].items() for method in item}
    assert {
        ("get", "/api/v1/sites/{site_id}/slots"),
        ("post", "/api/v1/appointments"),
        ("get", "/api/v1/appointments/{code}"),
        ("post", "/api/v1/appointments/{code}/cancel"),
        ("get", "/api/v1/appointments/{code}.ics"),
        ("post", "/api/v1/appointments/{code}/check-in"),
    } <= published
    check_in = document["paths"]["/api/v1/appointments/{code}/check-in"]["post"]
    assert {"201", "401", "403", "404", "409"} <= set(check_in["responses"])


def test_a_manager_sees_the_days_appointments_by_state_and_finds_one_by_code(
    world: World, clock: Clock
) -> None:
    from server.services.appointments.reminders import sweep

    kept = book(world, at(9), phone="0912345678")
    late = book(world, at(9, 10), phone="0987000111", name="Lê Văn Bình")
    missed = book(world, at(9, 20), phone="0987000222", name="Trần Văn Cường")
    cancelled = book(world, at(9, 30), phone="0987000333", name="Phạm Thị Dung")
    waiting = book(world, at(15), phone="0987000444", name="Hoàng Văn Em")
    kiosk = world.device("kiosk")
    cancel = {"token": cancelled["manage_token"]}
    cancelling = world.client.post(f"/api/v1/appointments/{cancelled['code']}/cancel", json=cancel)
    assert cancelling.status_code == 200
    clock.set(at(9))
    assert check_in(world, kept["code"], kiosk).json["late"] is False
    clock.set(at(9, 40))  # past 09:10's window (15 min): a walk-in ticket
    assert check_in(world, late["code"], kiosk).json["late"] is True
    clock.set(at(10))  # 09:20 + 30 min: the sweeper marks it a no-show
    sweep(world.luot.uow(), clock())

    site_id = world.site("CB")["id"]
    manager = world.staff("manager")
    day = world.client.get(f"/api/v1/sites/{site_id}/appointment-day?date=2026-11-23", headers=manager)
    assert day.status_code == 200, day.json
    assert day.json["counts"] == {"booked": 1, "checked_in": 1, "late": 1, "missed": 1, "cancelled": 1}
    assert day.json["total"] == 5
    states = {a["code"]: a["state"] for a in day.json["appointments"]}
    assert states == {
        kept["code"]: "checked_in",
        late["code"]: "late",
        missed["code"]: "missed",
        cancelled["code"]: "cancelled",
        waiting["code"]: "booked",
    }
    assert {a["phone"] for a in day.json["appointments"]} >= {"091****678", "098****444"}
    assert "0987000444" not in day.get_data(as_text=True)

    found = world.client.get(
        f"/api/v1/sites/{site_id}/appointment-day?code={late['code'].lower()}", headers=manager
    ).json
    assert [a["code"] for a in found["appointments"]] == [late["code"]]
    assert found["appointments"][0]["ticket"]["number"].startswith("A")
    assert found["counts"] == day.json["counts"]  # the counts are the whole day's, search aside
    by_phone = world.client.get(f"/api/v1/sites/{site_id}/appointment-day?code=0987000111", headers=manager)
    assert by_phone.json["appointments"] == []  # by code only
    clerk = world.staff("clerk")
    assert world.client.get(f"/api/v1/sites/{site_id}/appointment-day", headers=clerk).status_code == 403
    other = world.staff("manager", sites=("CH",))
    assert world.client.get(f"/api/v1/sites/{site_id}/appointment-day", headers=other).status_code == 403
