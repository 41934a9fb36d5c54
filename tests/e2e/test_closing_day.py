"""Closing the day in a real browser: the citizen's status page says, in Vietnamese and English, that the
ticket expired when the day closed, and a ticket kept overnight shows its day beside its number on the
status page, the tablet's queue and ticket, and the wall display."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from flask import Flask
from playwright.sync_api import expect

from server.jobs.scheduler import Sweeper
from tests.conftest import Clock, LiveServer, World
from tests.e2e.test_display import open_display
from tests.e2e.test_staff_tablet import sign_in
from tests.integration.test_closing_day import day_config

PHONE = (390, 844)
HANOI = ZoneInfo("Asia/Ho_Chi_Minh")


def local(day: date, hour: int) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=HANOI).astimezone(UTC)


@pytest.fixture
def local_today() -> date:
    """The phone's today (the browser runs in Hà Nội's time zone on the real clock), read as the test
    starts; the server's clock is set on it and the day before."""
    return datetime.now(HANOI).date()


@pytest.fixture
def clock(local_today: date) -> Clock:
    return Clock(local(local_today - timedelta(days=1), 9))


@pytest.fixture
def app(make_app: Callable[..., Flask], sqlite_url: str, clock: Clock) -> Flask:
    app = make_app(sqlite_url, day_config(always_open=True))  # its day closes at local midnight
    app.extensions["luot"].clock = clock
    return app


def open_status(new_page: Callable[..., Any], base: str, ticket: dict[str, Any], status: str) -> Any:
    page = new_page(*PHONE, timezone_id="Asia/Ho_Chi_Minh")
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.errors = errors
    page.goto(f"{base}/t/{ticket['public_code']}")
    page.wait_for_selector(f"body[data-status={status}][data-live=on]")
    return page


def test_the_status_page_says_the_ticket_expired_when_the_day_closed_in_both_languages(
    world: World, live_server: LiveServer, new_page: Callable[..., Any], clock: Clock, local_today: date
) -> None:
    kiosk = world.device("kiosk")
    mine = world.issue(kiosk)
    phone = open_status(new_page, live_server.url, mine, "waiting")

    clock.set(local(local_today, 8))
    assert Sweeper(world.app, holder="test").run_once()

    phone.wait_for_selector("body[data-status=expired]")  # told live, on its own room
    assert phone.is_hidden("#waiting") and phone.is_visible("#finished")
    assert phone.inner_text("#finished") == (
        "Phiếu này đã hết hạn: trung tâm đã hết giờ làm việc trước khi đến lượt bạn. "
        "Vui lòng lấy số mới khi trung tâm mở cửa."
    )
    phone.click("#language-switch")
    assert phone.inner_text("#finished") == (
        "This ticket has expired: the centre closed for the day before your turn. "
        "Please take a new ticket when it opens."
    )
    assert phone.errors == []


def test_a_ticket_kept_overnight_shows_its_day_beside_its_number(
    world: World, live_server: LiveServer, new_page: Callable[..., Any], clock: Clock, local_today: date
) -> None:
    kiosk = world.device("kiosk")
    kept = world.issue(kiosk, service="DD")  # the land service keeps its queue overnight
    clock.set(local(local_today, 8))
    assert Sweeper(world.app, holder="test").run_once()
    today = world.issue(kiosk, service="DD")
    assert today["number"] == kept["number"]

    phone = open_status(new_page, live_server.url, kept, "waiting")
    yesterday = local_today - timedelta(days=1)
    assert phone.inner_text("#number") == kept["number"]
    assert phone.inner_text("#number-day") == f"Số của ngày {yesterday:%d/%m}"
    phone.click("#language-switch")
    assert phone.inner_text("#number-day") == f"Number of {yesterday:%d/%m}"

    other = open_status(new_page, live_server.url, today, "waiting")
    assert other.is_hidden("#number-day")
    assert other.inner_text("#ahead") == "1"  # yesterday's ticket is ahead of it
    assert phone.errors == [] and other.errors == []


def test_the_tablet_and_the_display_show_the_day_of_a_number_kept_overnight(
    world: World, live_server: LiveServer, new_page: Callable[..., Any], clock: Clock, local_today: date
) -> None:
    kiosk = world.device("kiosk")
    kept = world.issue(kiosk, service="DD")  # C100 of yesterday, kept overnight
    world.issue(kiosk)  # A001 of yesterday: expires with its day
    clock.set(local(local_today, 8))
    assert Sweeper(world.app, holder="test").run_once()
    today = world.issue(kiosk, service="DD")  # C100 of today
    day = f"{local_today - timedelta(days=1):%d/%m}"
    world.staff(username="lan")

    display = open_display(new_page(1920, 1080), live_server.url, world.device_token("display"))
    tablet = new_page(1366, 768)
    sign_in(tablet, live_server, "lan", counter="Q3")
    tablet.click("#primary")  # open the counter
    expect(tablet.locator("#primary")).to_have_attribute("data-action", "call_next")
    # no A001 of yesterday; the day on a line of its own once the page's stylesheet applies (waited for)
    expect(tablet.locator("#queue-list .entry-number")).to_have_text(
        [f"{kept['number']}\n{day}", today["number"]], use_inner_text=True
    )

    tablet.click("#primary")  # call next: yesterday's C100
    expect(tablet.locator("#ticket-number")).to_have_text(f"{kept['number']} · {day}")
    expect(display.locator("#now-number")).to_have_text(f"{kept['number']} · {day}")
    assert display.errors == []
