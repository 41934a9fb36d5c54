"""A remote ticket's holder arrives: the kiosk reads the status page's QR from a scanner that types like a
keyboard, confirms the arrival and shows the ticket, now waiting."""

from __future__ import annotations

from typing import Any

from tests.conftest import LiveServer, World
from tests.e2e.conftest import open_kiosk


def test_the_kiosk_confirms_an_arrival_from_the_scanned_status_page_qr(
    world: World, live_server: LiveServer, new_page: Any
) -> None:
    site = world.site("CB")["id"]
    taken = world.client.post(
        f"/api/v1/sites/{site}/remote-tickets",
        json={"service_id": world.service("CB", "HT")["id"], "phone": "0912000001"},
    )
    assert taken.status_code == 201, taken.json
    ticket = taken.json
    page = open_kiosk(new_page, live_server.url, world.device_token("kiosk"))
    page.keyboard.type(ticket["status_url"])  # what a USB QR scanner types, then Enter
    page.keyboard.press("Enter")
    page.wait_for_selector("body[data-screen=ticket]")
    assert page.inner_text("#ticket-number") == ticket["number"]
    status = world.client.get(f"/api/v1/tickets/status/{ticket['public_code']}").json
    assert status["status"] == "waiting"
    assert page.errors == []


def test_a_number_for_today_is_taken_on_a_phone_from_the_door_poster(
    world: World, live_server: LiveServer, new_page: Any
) -> None:
    site = world.site("CB")["id"]
    poster = new_page(794, 1123)  # A4 at 96 dpi
    poster.goto(f"{live_server.url}/poster/{site}")
    assert "lấy số bằng điện thoại" in poster.inner_text("h1")
    qr = poster.request.get(f"{live_server.url}/poster/{site}/qr.svg")
    assert qr.ok and "svg" in qr.headers["content-type"]

    page = new_page(390, 844)
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(f"{live_server.url}/today/{site}")
    page.wait_for_selector("#service option", state="attached")
    page.fill("input[name=phone]", "0912 000 001")
    page.click("#today button[type=submit]")
    page.wait_for_selector("body[data-status=pending_arrival]")
    assert page.is_visible("#arrive-qr") and page.is_visible("#ahead")
    assert errors == []
