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
