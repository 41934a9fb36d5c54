"""The day's appointments of an intake point on the manager's page, in a real Chromium: the states and their
counts, and a manager who finds an appointment by its code; phone numbers only masked."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from flask import Flask
from playwright.sync_api import expect

from tests.booking import MONDAY_7AM, at, book, booking_config
from tests.conftest import PASSWORD, Clock, LiveServer, World
from tests.e2e.conftest import screenshot


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


def test_a_manager_finds_an_appointment_by_its_code(
    world: World, server: LiveServer, clock: Clock, new_page: Any
) -> None:
    first = book(world, at(9), name="Nguyễn Thị Hoa", phone="0912345678")
    wanted = book(world, at(9, 10), name="Lê Văn Bình", phone="0987000111")
    book(world, at(14), name="Trần Văn Cường", phone="0987000222")
    clock.set(at(8, 50))
    kiosk = world.device("kiosk")
    checked_in = world.client.post(f"/api/v1/appointments/{first['code']}/check-in", json={}, headers=kiosk)
    assert checked_in.status_code == 201, checked_in.json
    world.staff("manager", sites=("CB",), username="hoa")

    page = new_page(1440, 900)
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(f"{server.url}/manage")
    page.fill("#signin-form [name=username]", "hoa")
    page.fill("#signin-form [name=password]", PASSWORD)
    page.click("#signin-form [type=submit]")
    expect(page.locator("body")).to_have_attribute("data-view", "live")
    page.click("#tab-appointments")
    page.fill("#appointments-date", "2026-11-23")
    page.click("#appointments-form [type=submit]")
    rows = page.locator("#appointments-list tbody tr")
    expect(rows).to_have_count(3)
    expect(page.locator("#appointments-counts [data-state=booked] .kpi-value")).to_have_text("2")
    expect(page.locator("#appointments-counts [data-state=checked_in] .kpi-value")).to_have_text("1")
    expect(page.locator(f"tr[data-code='{first['code']}']")).to_have_attribute("data-state", "checked_in")
    expect(page.locator(f"tr[data-code='{first['code']}'] .state")).to_have_text("Đã đến")
    assert "0912345678" not in page.inner_text("#appointments-list")
    expect(page.locator(f"tr[data-code='{first['code']}']")).to_contain_text("091****678")

    page.fill("#appointments-code", wanted["code"].lower())
    page.click("#appointments-form [type=submit]")
    expect(rows).to_have_count(1)
    expect(rows.first).to_have_attribute("data-code", wanted["code"])
    expect(rows.first).to_contain_text("Lê Văn Bình")
    expect(rows.first).to_contain_text("098****111")
    page.evaluate("document.fonts.ready.then(() => true)")
    screenshot(page, "manage-appointments")

    page.fill("#appointments-code", "0987000222")  # a phone number is not a code: nothing is found
    page.click("#appointments-form [type=submit]")
    expect(rows).to_have_count(0)
    expect(page.locator("#appointments-message")).to_contain_text("0987000222")
    assert errors == []
