"""The shared front-end foundation in a real browser: served assets, strings, live connection."""

from __future__ import annotations

from typing import Any

from tests.conftest import LiveServer, World


def test_a_page_loads_its_strings_and_follows_a_ticket_live(
    world: World, live_server: LiveServer, new_page: Any
) -> None:
    ticket = world.issue(world.device("kiosk"))
    page = new_page(390, 844)
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(f"{live_server.url}/t/{ticket['public_code']}")
    page.wait_for_selector("body[data-live=on][data-status=waiting]")
    assert page.inner_text("#number") == ticket["number"]
    assert page.inner_text("[data-i18n='status.number']") == "Số thứ tự của ông/bà"
    font = page.evaluate("getComputedStyle(document.body).fontFamily")
    assert "Be Vietnam Pro" in font
    assert page.evaluate("document.fonts.check('16px \"Be Vietnam Pro\"', 'Lượt')")
    assert errors == []
