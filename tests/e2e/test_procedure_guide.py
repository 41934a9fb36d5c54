"""The procedure guide in a real Chromium: what to bring on the kiosk (reached with the speech mode's keys,
then by touch), on the ticket's status page while it waits, and on the booking confirmation, in
Vietnamese and English."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from playwright.sync_api import expect

from tests.booking import at, book, booking_config
from tests.conftest import Clock, LiveServer, World
from tests.e2e.conftest import open_kiosk, screenshot
from tests.procedures import GUIDE, MARRIAGE, load_guide

PHONE = (390, 844)


@pytest.fixture
def world(make_app: Callable[..., Flask], sqlite_url: str, tmp_path: Path) -> World:
    app = make_app(sqlite_url, booking_config())
    app.extensions["luot"].clock = Clock(at(8, 30))  # a Monday morning: open, and bookable from 9:30
    load_guide(app, tmp_path, GUIDE + MARRIAGE)
    return World(app)


@pytest.fixture
def server(world: World) -> Iterator[LiveServer]:
    live = LiveServer(world.app).start()
    yield live
    live.stop()


def test_the_papers_to_bring_on_the_kiosk_the_status_page_and_the_booking_confirmation(
    world: World, server: LiveServer, new_page: Any
) -> None:
    page = open_kiosk(new_page, server.url, world.device_token("kiosk"))

    # With the keypad's keys: the first tile (Hộ tịch), then the guide's button after "Get a ticket".
    page.keyboard.press("ArrowRight")
    page.keyboard.press("Enter")
    page.wait_for_selector("body[data-screen=review]")
    expect(page.locator("#procedures-count")).to_have_text("2 thủ tục")
    page.keyboard.press("ArrowRight")
    expect(page.locator("#procedures-button")).to_be_focused()
    # The screen asks for the centre's recording of the papers (none is built in: docs/procedures.md).
    with page.expect_request(lambda r: r.url.endswith("/api/v1/voice/vi/procedures_ht.wav")):
        page.keyboard.press("Enter")
    page.wait_for_selector("body[data-screen=procedures]")
    expect(page.locator("#procedures-take")).to_be_focused()  # the speech mode's first choice here
    assert page.inner_text("#procedures-title") == "Giấy tờ cần mang: Hộ tịch"
    cards = page.locator("#procedures-list .procedure")
    expect(cards).to_have_count(2)
    assert cards.nth(0).locator("li").all_inner_texts() == ["Tờ khai đăng ký khai sinh", "Giấy chứng sinh"]
    assert "Lệ phí\nMiễn lệ phí" in cards.nth(0).inner_text()
    assert "Thời hạn giải quyết\nTrong ngày" in cards.nth(0).inner_text()
    assert "Mã thủ tục 1.001193" in cards.nth(0).inner_text()
    assert "Hai bên nam, nữ cùng có mặt." in cards.nth(1).inner_text()
    screenshot(page, "procedure-guide")
    page.keyboard.press("Escape")  # back to the service's screen
    page.wait_for_selector("body[data-screen=review]")

    page.click("#language-switch")
    page.click("#procedures-button")
    page.wait_for_selector("body[data-screen=procedures]")
    assert page.inner_text("#procedures-title") == "What to bring for Civil status"
    assert cards.nth(0).locator("li").all_inner_texts() == ["Birth registration form", "Giấy chứng sinh"]
    assert "Fee\nFree" in cards.nth(0).inner_text()
    assert "Both partners come in person." in cards.nth(1).inner_text()
    with page.expect_response(lambda r: r.url.endswith("/tickets")) as issued:
        page.click("#procedures-take")
    page.wait_for_selector("body[data-screen=ticket]")
    public_code = issued.value.json()["public_code"]
    assert page.errors == []

    # The status page while the ticket waits: one folding section per procedure.
    phone = new_page(*PHONE)
    phone.goto(f"{server.url}/t/{public_code}")
    phone.wait_for_selector("body[data-status=waiting]")
    expect(phone.locator("#guide")).to_be_visible()
    expect(phone.locator("#guide-title")).to_have_text("Giấy tờ cần mang")
    birth = phone.locator("#guide [data-procedure='1.001193']")
    expect(birth.locator("summary")).to_have_text("Đăng ký khai sinh")
    expect(birth.locator("li").first).to_be_hidden()
    birth.locator("summary").click()
    expect(birth.locator("li").first).to_have_text("Tờ khai đăng ký khai sinh")
    phone.click("#language-switch")
    expect(birth.locator("summary")).to_have_text("Birth registration")
    expect(birth.locator("li").first).to_have_text("Birth registration form")  # still open
    clerk = world.staff("clerk")
    counter_id = world.open_counter(clerk)
    world.client.post(f"/api/v1/counters/{counter_id}/call-next", headers=clerk)
    phone.wait_for_selector("body[data-status=called]")
    expect(phone.locator("#guide")).to_be_hidden()  # at the counter: the papers are for before

    # The booking confirmation.
    booked = book(world, at(10), language="vi")
    confirmation = new_page(*PHONE)
    confirmation.goto(booked["manage_url"].replace("http://localhost", server.url) + "&new=1")
    confirmation.wait_for_selector("#appointment[data-state=booked]")
    expect(confirmation.locator("#guide")).to_be_visible()
    guide = confirmation.locator("#guide-list")
    expect(guide.locator("h3")).to_have_text(["Đăng ký khai sinh", "Đăng ký kết hôn"])
    assert "Giấy chứng sinh" in guide.inner_text()
    confirmation.click("[data-lang=en]")
    expect(guide.locator("h3")).to_have_text(["Birth registration", "Marriage registration"])
    assert "Birth registration form" in guide.inner_text()

    # A service that takes no tickets now still shows its papers, without the ticket button.
    ht = world.service("CB", "HT")["id"]
    closing = world.client.patch(
        f"/api/v1/services/{ht}", headers=world.staff("manager"), json={"is_open": False}
    )
    assert closing.status_code == 200, closing.json
    closed = open_kiosk(new_page, server.url, world.device_token("kiosk"))
    closed.click(f".tile[data-service-id='{ht}']")
    closed.wait_for_selector("body[data-screen=review]")
    expect(closed.locator("#review-closed")).to_be_visible()
    closed.click("#procedures-closed")
    closed.wait_for_selector("body[data-screen=procedures]")
    expect(closed.locator("#procedures-list .procedure")).to_have_count(2)
    expect(closed.locator("#procedures-take")).to_be_hidden()
    assert closed.errors == []
