"""The public booking page in a real Chromium on a phone-sized screen: book, get the code, check in on
the kiosk's screen, and be called before the walk-ins who came earlier."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from flask import Flask

from tests.booking import MONDAY_7AM, at, book, booking_config
from tests.conftest import Clock, LiveServer, World
from tests.e2e.conftest import open_kiosk, screenshot, type_on_keypad

PHONE = {"width": 390, "height": 844}


@pytest.fixture
def clock() -> Clock:
    return Clock(MONDAY_7AM)


@pytest.fixture
def world(make_app: Callable[..., Flask], sqlite_url: str, clock: Clock) -> World:
    app = make_app(sqlite_url, booking_config())
    app.extensions["luot"].clock = clock
    return World(app)


@pytest.fixture
def server(world: World) -> Iterator[LiveServer]:
    live = LiveServer(world.app).start()
    yield live
    live.stop()


def test_book_on_the_phone_check_in_at_the_kiosk_and_be_called_first(
    world: World, server: LiveServer, clock: Clock, new_page: Any
) -> None:
    page = new_page(**PHONE)
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(f"{server.url}/book")

    page.click("[data-service=HT]")
    page.wait_for_selector("[data-site=CB] .earliest")
    assert page.inner_text("[data-site=CB] .earliest") == "Giờ trống sớm nhất: 08:00, Thứ 2, 23/11"
    assert "Xã Cát Hải, đảo Cát Hải" in page.inner_text("[data-site=CH]")
    screenshot(page, "book-1-sites")

    page.click("[data-site=CB] button")
    page.wait_for_selector(".slot[data-start='2026-11-23T09:00:00+07:00']")
    assert page.get_attribute(".day[data-date='2026-11-24']", "disabled") is not None  # a public holiday
    assert "Ngày Văn hóa Việt Nam" in page.inner_text(".day[data-date='2026-11-24']")
    screenshot(page, "book-2-time")

    page.click(".slot[data-start='2026-11-23T09:00:00+07:00']")
    page.fill("input[name=name]", "Nguyễn Thị Hoa")
    page.fill("input[name=phone]", "0912 345 678")
    screenshot(page, "book-3-details")
    page.click("#details button[type=submit]")

    page.wait_for_selector("#appointment[data-state=booked]")
    code = page.inner_text("#code")
    assert len(code) == 6
    assert "Đã đặt lịch" in page.inner_text("#message")
    assert page.inner_text("#when") == "09:00, Thứ Hai, 23/11/2026"
    assert page.evaluate("document.getElementById('qr').naturalWidth") > 0  # the SVG QR code loaded
    assert "/api/v1/appointments/" in (page.get_attribute("#ics", "href") or "")
    assert f"/book/{code}?token=" in page.input_value("#link")
    screenshot(page, "book-4-confirmation")

    page.click("[data-lang=en]")
    assert page.inner_text("#status") == "Booked"
    assert page.inner_text("#when") == "09:00, Monday, 23/11/2026"
    page.click("[data-lang=vi]")

    # At the centre: two walk-ins take tickets at 08:30; the citizen checks in at 08:52 on the kiosk.
    kiosk, clerk = world.device("kiosk"), world.staff("clerk")
    clock.set(at(8, 30))
    walk_ins = [world.issue(kiosk) for _ in range(2)]
    clock.set(at(8, 52))
    kiosk_page, ticket = check_in_on_the_kiosk(new_page, server.url, kiosk, code)
    assert ticket["late"] is False and ticket["appointment_start"] == "2026-11-23T09:00:00+07:00"
    assert "09:00" in kiosk_page.inner_text("#ticket-note")  # the appointment's time on the ticket

    counter_id = world.open_counter(clerk)
    called = world.client.post(f"/api/v1/counters/{counter_id}/call-next", headers=clerk).json
    assert (called["id"], called["call_rule"]) == (ticket["id"], "appointment")
    then = world.client.post(f"/api/v1/tickets/{called['id']}/start", headers=clerk)
    assert then.status_code == 200
    world.client.post(f"/api/v1/tickets/{called['id']}/complete", headers=clerk)
    assert (
        world.client.post(f"/api/v1/counters/{counter_id}/call-next", headers=clerk).json["id"]
        == walk_ins[0]["id"]
    )

    page.reload()
    page.wait_for_selector("#appointment[data-state=checked_in]")
    assert page.inner_text("#ticket") == f"Số thứ tự của ông/bà: {ticket['number']}"
    assert errors == []


def check_in_on_the_kiosk(
    new_page: Any, base_url: str, kiosk: dict[str, str], code: str, *, scan: bool = False
) -> tuple[Any, dict[str, Any]]:
    """Type the code on the kiosk's keypad, or (``scan``) hold the booking's QR up to the scanner at the home
    screen; the page and the ticket it shows, as the API gave it."""
    page = open_kiosk(new_page, base_url, kiosk["Authorization"].split()[1])
    with page.expect_response(lambda r: r.url.endswith(f"/appointments/{code}/check-in")) as answer:
        if scan:
            page.keyboard.type(code)  # what the USB QR scanner types, then Enter
            page.keyboard.press("Enter")
        else:
            page.click("[data-action=appointment]")
            page.wait_for_selector("body[data-screen=appointment]")
            type_on_keypad(page, "appointment", code)
            page.click("[data-action=check-in]")
    assert answer.value.status == 201
    ticket: dict[str, Any] = answer.value.json()
    page.wait_for_selector("body[data-screen=ticket]")
    assert page.inner_text("#ticket-number") == ticket["number"]
    assert page.errors == []
    return page, ticket


def test_a_late_check_in_on_the_kiosk_becomes_a_walk_in_ticket_and_says_so(
    world: World, server: LiveServer, clock: Clock, new_page: Any
) -> None:
    booked = book(world, at(9))
    clock.set(at(9, 20))  # past the 15 minutes of check_in_late_minutes
    # the booking's QR shown to the scanner at the home screen, without choosing "I have an appointment"
    page, ticket = check_in_on_the_kiosk(
        new_page, server.url, world.device("kiosk"), booked["code"], scan=True
    )
    assert ticket["late"] is True and ticket["appointment_id"] == booked["id"]
    assert "sau giờ hẹn" in page.inner_text("#ticket-note")


def test_reschedule_and_cancel_on_the_private_page(world: World, server: LiveServer, new_page: Any) -> None:
    booked = world.client.post(
        "/api/v1/appointments",
        json={
            "site_id": world.site("CB")["id"],
            "service_id": world.service("CB", "HT")["id"],
            "start": at(9).isoformat(),
            "name": "Trần Văn Nam",
            "phone": "0987654321",
            "language": "en",
        },
    ).json
    page = new_page(**PHONE)
    page.goto(booked["manage_url"].replace("http://localhost", server.url) + "&lang=en")
    page.wait_for_selector("#appointment[data-state=booked]")
    page.click("#reschedule")
    island = world.site("CH")["id"]
    page.select_option("#sites", str(island))
    page.click(f"#picker[data-site='{island}'] .slot[data-start='2026-11-23T10:00:00+07:00']")
    page.click("#reschedule-save")
    page.wait_for_selector("#message:has-text('moved')")
    assert page.inner_text("#site") == "Trung tâm Phục vụ hành chính công - Cát Hải"
    assert page.inner_text("#when").startswith("10:00")
    page.click("#cancel")
    page.click("#cancel-yes")
    page.wait_for_selector("#appointment[data-state=cancelled]")
    assert page.is_hidden("#reschedule")
    screenshot(page, "book-5-cancelled-en")

    page.goto(f"{server.url}/book/{booked['code']}?token=wrong")
    page.wait_for_selector("#appointment[data-state=invalid]")
    assert "không hợp lệ" in page.inner_text("#error")
