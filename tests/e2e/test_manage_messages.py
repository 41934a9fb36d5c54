"""The manager's panel of messages to citizens' phones, under a site's history, in a real browser."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import expect

from server.domain.days import business_day
from server.jobs.scheduler import Sweeper
from tests.conftest import LiveServer, World
from tests.e2e.test_manager_dashboard import sign_in


def test_the_history_of_a_site_lists_its_messages_with_their_delivery(
    world: World, live_server: LiveServer, new_page: Any
) -> None:
    kiosk, clerk = world.device("kiosk"), world.staff()
    world.issue(kiosk, phone="0912000001")
    world.issue(kiosk)
    counter = world.open_counter(clerk)
    sweeper = Sweeper(world.app, holder="test")
    sweeper.run_once()
    world.client.post(f"/api/v1/counters/{counter}/call-next", headers=clerk)
    sweeper.run_once()
    world.staff("manager", username="lan")
    page = new_page(1440, 1000)
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    sign_in(page, live_server, "lan")
    page.click("#tab-history")
    page.select_option("#history-scope", f"site:{world.site('CB')['id']}")
    today = business_day(world.luot.now(), "Asia/Ho_Chi_Minh")  # the site's day, whatever the browser's
    page.fill("#history-date", today.isoformat())
    page.click("#history-form [type=submit]")
    expect(page.locator("#messages-table tbody tr")).to_have_count(2)
    expect(page.locator("#messages-figures")).to_contain_text("Đã gửi 2")
    expect(page.locator("#messages-table")).to_contain_text("Sắp đến lượt")
    assert "0912000001" not in page.content()
    expect(page.locator("#poster-link")).to_have_attribute("href", f"/poster/{world.site('CB')['id']}")
    assert errors == []
