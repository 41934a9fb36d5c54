"""The clerk's day on the tablet in a real browser: a pause with its reason, shown on the manager's live view
with how long; a recall confirmed with its count; a transfer with a preset reason; a closed counter that does
not read as a break."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.conftest import PASSWORD, LiveServer, World
from tests.e2e.conftest import WAIT_MS
from tests.realtime_client import Listener

WAIT_S = WAIT_MS / 1000


@pytest.fixture
def open_page(new_page: Any) -> Iterator[Any]:
    errors: list[str] = []

    def open_(width: int = 1280, height: int = 800) -> Any:
        page = new_page(width, height)
        page.on("pageerror", lambda error: errors.append(str(error)))
        return page

    yield open_
    assert errors == []


def sign_in(page: Any, server: LiveServer, path: str, username: str) -> None:
    page.goto(f"{server.url}{path}")
    page.fill("#signin-form [name=username]", username)
    page.fill("#signin-form [name=password]", PASSWORD)
    page.click("#signin-form [type=submit]")


def test_a_pause_with_its_reason_reaches_the_managers_live_view(
    world: World, live_server: LiveServer, open_page: Any, listen: Any
) -> None:
    kiosk = world.device("kiosk")
    world.staff(username="lan")
    world.staff("manager", sites=("CB", "CH"), username="hoa")
    ticket = world.issue(kiosk, service="HT")
    world.issue(kiosk, service="HT")
    display: Listener = listen({"token": world.device_token("display"), "site_id": world.site("CB")["id"]})
    display.next("snapshot", timeout=WAIT_S)

    manager = open_page(1440, 900)
    sign_in(manager, live_server, "/manage", "hoa")
    q1 = manager.locator(".site-card[data-site-code=CB] li[data-counter=Q1]")
    expect(q1.locator(".pill")).to_have_text("Đóng quầy")  # closed is not "Nghỉ" (a break)

    tablet = open_page()
    sign_in(tablet, live_server, "/staff", "lan")
    tablet.click("#setup-counters [data-counter=Q1]")
    expect(tablet.locator("#counter-status")).to_have_text("Đóng quầy")
    tablet.locator("#primary").click()  # open
    expect(tablet.locator("#counter-status")).to_have_text("Đang mở")

    # A recall says so on screen, with its count.
    tablet.locator("#primary").click()  # call next
    expect(tablet.locator("#ticket-number")).to_have_text(ticket["number"])
    tablet.click("#act-recall")
    expect(tablet.locator("#message")).to_have_text(f"Đã gọi lại {ticket['number']} (lần gọi thứ 2).")

    # A transfer offers preset reasons; the chosen one fills the box and can still be edited.
    tablet.locator("#primary").click()  # start
    expect(tablet.locator("#ticket")).to_have_attribute("data-status", "serving")
    tablet.click("#act-transfer")
    dialog = tablet.locator("#transfer-dialog")
    dialog.get_by_label("Chứng thực").check()
    dialog.locator("[data-reason=wrong_service]").click()
    expect(dialog.locator("[name=reason]")).to_have_value("Lấy nhầm số của lĩnh vực khác")
    dialog.locator("[type=submit]").click()
    expect(dialog).to_be_hidden()

    # The pause asks why; the manager sees the reason and for how long.
    tablet.click("#counter-pause")
    pause = tablet.locator("#pause-dialog")
    expect(pause).to_be_visible()
    pause.get_by_label("Họp").check()
    pause.locator("[type=submit]").click()
    expect(pause).to_be_hidden()
    expect(tablet.locator("#counter-status")).to_have_text("Tạm dừng — Họp")
    changed = display.next("counter.updated", timeout=WAIT_S)
    while changed["counter"]["status"] != "paused":
        changed = display.next("counter.updated", timeout=WAIT_S)
    assert changed["counter"]["pause_reason"] == "meeting"
    expect(q1.locator(".pill")).to_have_text("Tạm dừng")
    expect(q1.locator(".pause")).to_have_text("Họp · đã 0 phút")
    expect(q1.locator(".pause")).to_have_attribute("data-reason", "meeting")
