"""The staff tablet in a real browser: a clerk's day at the counter, two clerks racing for one ticket, a
network that drops an answer, a lost live connection, and the screenshots of the README."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from server.db.models import Ticket
from tests.conftest import PASSWORD, Clock, LiveServer, World
from tests.e2e.conftest import WAIT_MS, screenshot
from tests.realtime_client import Listener

WAIT_S = WAIT_MS / 1000  # the display's listener waits for its events as long as the page waits


@pytest.fixture
def open_page(new_page: Any) -> Iterator[Any]:
    """``new_page`` whose pages must finish without an uncaught script error."""
    errors: list[str] = []

    def open_(width: int = 1280, height: int = 800, **options: Any) -> Any:
        page = new_page(width, height, **options)
        page.on("pageerror", lambda error: errors.append(str(error)))
        return page

    yield open_
    assert errors == []


def sign_in(page: Any, server: LiveServer, username: str, counter: str | None = "Q1") -> None:
    """Sign in on the page and, on first use of this browser, choose the counter."""
    page.goto(f"{server.url}/staff")
    page.fill("#signin-form [name=username]", username)
    page.fill("#signin-form [name=password]", PASSWORD)
    page.click("#signin-form [type=submit]")
    if counter is not None:
        page.click(f"#setup-counters [data-counter={counter}]")
        expect(page.locator("body")).to_have_attribute("data-view", "desk")


def snap(page: Any, name: str) -> None:
    """A README screenshot, once the page's fonts are in (no fallback glyphs in the picture)."""
    page.evaluate("document.fonts.ready.then(() => true)")
    screenshot(page, name)


def update(display: Listener, action: str) -> dict[str, Any]:
    """The next ``ticket.updated`` of the site room for ``action``."""
    while True:
        event = display.next("ticket.updated", timeout=WAIT_S)
        if event.get("action") == action:
            return event


def called(display: Listener, number: str) -> dict[str, Any]:
    """The next ``ticket.called`` of ticket ``number``."""
    while True:
        event = display.next("ticket.called", timeout=WAIT_S)
        if event["ticket"]["number"] == number:
            return event


def numbers(page: Any) -> list[str]:
    return list(page.locator("#queue-list .entry-number").all_inner_texts())


def test_a_clerk_serves_at_the_counter_and_the_display_sees_each_step(
    world: World, live_server: LiveServer, open_page: Any, listen: Any
) -> None:
    kiosk = world.device("kiosk")
    world.issue(kiosk, service="HT")
    world.issue(kiosk, service="HT", priority="elderly")
    world.issue(kiosk, service="CT")
    world.staff(username="lan")
    q1 = world.counter_id("CB", "Q1")
    display = listen({"token": world.device_token("display"), "site_id": world.site("CB")["id"]})
    display.next("snapshot", timeout=WAIT_S)
    page = open_page(1366, 768)

    sign_in(page, live_server, "lan")
    primary = page.locator("#primary")
    expect(primary).to_have_text(re.compile("Mở quầy"))
    primary.click()
    assert display.next("counter.updated", timeout=WAIT_S)["counter"]["status"] == "open"

    # The list is in the order Call next takes it: the elderly citizen first, with the priority marked.
    expect(primary).to_have_attribute("data-action", "call_next")
    assert numbers(page) == ["A002", "A001", "B001"]
    expect(page.locator("#queue-list .entry.next .tag.priority")).to_have_text("Người cao tuổi")
    primary.click()
    expect(page.locator("#ticket-number")).to_have_text("A002")
    expect(page.locator("#ticket-priority")).to_have_text("Người cao tuổi")
    first = called(display, "A002")
    assert (first["counter"]["id"], first["recall"]) == (q1, False)
    expect(page.locator("#act-transfer .reason")).to_have_text("Chỉ dùng khi đang phục vụ")

    page.click("#act-recall")
    assert called(display, "A002")["recall"] is True
    primary.click()  # Start
    expect(page.locator("#ticket")).to_have_attribute("data-status", "serving")
    assert update(display, "start")["ticket"]["number"] == "A002"

    page.fill("#dossier", "H34.NT-2611-0001")  # N and T typed in the field are letters, not shortcuts
    expect(page.locator("#ticket")).to_have_attribute("data-status", "serving")
    page.keyboard.press("Enter")  # in the dossier field, Enter completes
    done = update(display, "complete")["ticket"]
    assert (done["number"], done["status"], done["dossier_code"]) == ("A002", "done", "H34.NT-2611-0001")
    expect(page.locator("#message")).to_have_text("Đã hoàn thành phiếu A002.")

    # From here on the keyboard of a desk PC: Space calls and starts, T transfers, N marks a no-show.
    page.evaluate("document.activeElement.blur()")
    page.keyboard.press("Space")
    expect(page.locator("#ticket-number")).to_have_text("A001")
    page.keyboard.press("Space")
    expect(page.locator("#ticket")).to_have_attribute("data-status", "serving")
    page.keyboard.press("t")
    dialog = page.locator("#transfer-dialog")
    expect(dialog).to_be_visible()
    dialog.get_by_label("Chứng thực").check()
    dialog.locator("[name=reason]").fill("Cần chứng thực bản sao giấy khai sinh")
    dialog.locator("[type=submit]").click()
    expect(dialog).to_be_hidden()
    moved = update(display, "transfer")["ticket"]
    assert (moved["number"], moved["status"]) == ("A001", "waiting")
    assert moved["service_id"] == world.service("CB", "CT")["id"]
    expect(page.locator("#ticket")).to_have_attribute("data-status", "none")

    page.keyboard.press("Space")  # the transferred ticket kept its place: it is called first
    expect(page.locator("#ticket-number")).to_have_text("A001")
    page.keyboard.press("n")  # a no-show loses the citizen's turn: it asks first
    dialog = page.locator("#no-show-dialog")
    expect(dialog).to_contain_text("Đánh dấu A001 vắng mặt?")
    dialog.locator(".close-dialog").click()
    expect(dialog).to_be_hidden()
    expect(page.locator("#ticket")).to_have_attribute("data-status", "called")
    page.keyboard.press("n")
    dialog.locator("[type=submit]").click()
    assert update(display, "no_show")["ticket"]["number"] == "A001"
    expect(page.locator("#message")).to_have_text("Đã ghi nhận phiếu A001 vắng mặt.")

    # A reload comes back to the same counter, with today's figures.
    page.reload()
    expect(page.locator("body")).to_have_attribute("data-view", "desk")
    expect(page.locator("#ticket")).to_have_attribute("data-status", "none")
    expect(page.locator("#queue-list .entry-number")).to_have_text(["B001"])
    expect(page.locator("#figure-served")).to_have_text("1")
    expect(page.locator("#figure-no-shows")).to_have_text("1")
    expect(page.locator("#figure-transferred")).to_have_text("1")

    # A ticket called out of order from the list, then cancelled after a confirmation.
    page.click("#queue-list .entry[data-number=B001] .entry-call")
    expect(page.locator("#ticket-number")).to_have_text("B001")
    assert called(display, "B001")["counter"]["id"] == q1
    page.click("#act-cancel")
    confirm = page.locator("#cancel-dialog")
    expect(confirm).to_contain_text("Hủy phiếu B001?")
    confirm.locator("[type=submit]").click()
    assert update(display, "cancel")["ticket"]["status"] == "cancelled"
    expect(page.locator("#queue-empty")).to_be_visible()
    expect(page.locator("#primary")).to_be_disabled()
    expect(page.locator("#primary-reason")).to_have_text("Không có ai chờ các lĩnh vực của quầy này")

    page.keyboard.press("?")
    expect(page.locator("#help-dialog")).to_be_visible()
    page.keyboard.press("Escape")
    expect(page.locator("#help-dialog")).to_be_hidden()


def test_the_desk_offers_what_the_server_allows_on_the_ticket(
    world: World, live_server: LiveServer, open_page: Any
) -> None:
    world.issue(world.device("kiosk"))
    world.open_counter(world.staff(username="lan"))
    page = open_page(1280, 800)

    def without_no_show(route: Any) -> None:
        """The server's answer, as if it allowed no no-show on the ticket at the counter."""
        response = route.fetch()
        body = response.json()
        for ticket in [c["current_ticket"] for c in body] if isinstance(body, list) else [body]:
            if ticket:
                ticket["actions"] = [action for action in ticket["actions"] if action != "no_show"]
        route.fulfill(response=response, json=body)

    page.route("**/api/v1/sites/*/counters", without_no_show)
    page.route("**/api/v1/counters/*/call-next", without_no_show)
    sign_in(page, live_server, "lan")
    page.click("#primary")
    expect(page.locator("#ticket")).to_have_attribute("data-status", "called")
    expect(page.locator("#primary")).to_have_attribute("data-action", "start")
    expect(page.locator("#act-recall")).to_be_enabled()
    expect(page.locator("#act-no-show")).to_be_disabled()  # a called ticket, but the server says no
    expect(page.locator("#act-no-show .reason")).to_have_text("Chỉ dùng khi đang gọi số")
    page.keyboard.press("n")
    expect(page.locator("#no-show-dialog")).to_be_hidden()


def test_an_ended_session_brings_back_the_sign_in_screen(
    world: World, live_server: LiveServer, open_page: Any
) -> None:
    kiosk = world.device("kiosk")
    world.staff(username="lan")
    page = open_page(1280, 800)
    sign_in(page, live_server, "lan")
    token = page.evaluate("localStorage.getItem('luot.staff.token')")
    expect(page.locator("body")).to_have_attribute("data-live", "online")
    world.client.post("/api/v1/auth/logout", headers={"Authorization": f"Bearer {token}"})

    world.issue(kiosk)  # the page refetches on the event, is refused, and asks to sign in again
    expect(page.locator("body")).to_have_attribute("data-view", "signin")
    expect(page.locator("#signin-message")).to_have_text("Phiên làm việc đã hết hạn. Vui lòng đăng nhập lại.")
    assert page.evaluate("localStorage.getItem('luot.staff.token')") is None

    sign_in(page, live_server, "lan", counter=None)  # and back to the same counter
    expect(page.locator("body")).to_have_attribute("data-view", "desk")
    expect(page.locator("#counter-name")).to_have_text("Quầy 1")


def test_two_clerks_calling_next_at_the_same_instant_for_one_ticket(
    world: World, live_server: LiveServer, open_page: Any
) -> None:
    only = world.issue(world.device("kiosk"))
    pages = []
    for counter in ("Q1", "Q2"):
        username = f"clerk-{counter.lower()}"
        world.open_counter(world.staff(username=username), counter=counter)
        page = open_page(1280, 800)
        sign_in(page, live_server, username, counter)
        expect(page.locator("#primary")).to_be_enabled()
        expect(page.locator("#primary")).to_have_attribute("data-action", "call_next")
        pages.append(page)

    # Both tablets press the button. The network holds each call until the other one is sent too, then
    # lets both go together: the server has them at the same instant, whatever the machine's load.
    held: list[Any] = []

    def hold_until_both(route: Any) -> None:
        held.append(route)
        if len(held) == len(pages):
            for request in held:
                request.continue_()

    for page in pages:
        page.route("**/call-next", hold_until_both)
    for page in pages:
        page.click("#primary")
    for page in pages:
        page.wait_for_function(
            "document.getElementById('ticket-number').textContent"
            " || document.getElementById('message').dataset.kind === 'queue-empty'"
        )

    shown = [page.inner_text("#ticket-number") for page in pages]
    assert sorted(shown) == ["", only["number"]]
    loser = pages[shown.index("")]
    expect(loser.locator("#message")).to_have_text("Không còn ai đang chờ: hàng đợi của quầy này đã hết.")
    counters = world.client.get(
        f"/api/v1/sites/{world.site('CB')['id']}/counters", headers=world.staff()
    ).json
    assert [c["current_ticket"]["number"] for c in counters if c["current_ticket"]] == [only["number"]]


def test_an_answer_lost_on_the_network_is_retried_with_the_same_request_id_and_acts_once(
    world: World, live_server: LiveServer, open_page: Any
) -> None:
    kiosk = world.device("kiosk")
    first, second = world.issue(kiosk), world.issue(kiosk)
    world.open_counter(world.staff(username="hoa"))
    page = open_page(1280, 800)
    sign_in(page, live_server, "hoa")

    sent: list[dict[str, Any]] = []

    def drop_first_answer(route: Any) -> None:
        sent.append(route.request.post_data_json)
        if len(sent) == 1:
            route.fetch()  # the server calls a ticket...
            route.abort("connectionreset")  # ...but its answer never reaches the tablet
        else:
            route.continue_()

    page.route("**/call-next", drop_first_answer)
    with page.expect_response("**/call-next") as answer:  # the retry's: the first one was lost
        page.click("#primary")
    assert answer.value.json()["number"] == first["number"]
    expect(page.locator("#ticket-number")).to_have_text(first["number"])
    assert len(sent) == 2 and sent[0]["request_id"] == sent[1]["request_id"]
    waiting = world.client.get(f"/api/v1/sites/{world.site('CB')['id']}/queue", headers=world.staff()).json
    assert [t["number"] for t in waiting] == [second["number"]]  # only one ticket was called


def test_a_lost_connection_shows_plainly_and_the_page_catches_up_on_reconnect(
    world: World, live_server: LiveServer, open_page: Any
) -> None:
    kiosk = world.device("kiosk")
    world.issue(kiosk)
    world.open_counter(world.staff(username="minh"))
    page = open_page(1280, 800)
    cut = {"on": False}
    sockets: list[Any] = []

    def socket(ws: Any) -> None:
        if cut["on"]:
            ws.close()
            return
        ws.connect_to_server()
        sockets.append(ws)

    page.route_web_socket(re.compile(r".*/socket\.io/.*"), socket)
    sign_in(page, live_server, "minh")
    expect(page.locator("body")).to_have_attribute("data-live", "online")
    mark = page.locator("#luot-connection")
    expect(mark).to_be_hidden()

    cut["on"] = True
    page.route(re.compile(r".*/socket\.io/.*"), lambda route: route.abort())
    for ws in sockets:
        ws.close()
    expect(mark).to_be_visible()
    expect(mark).to_have_text("Mất kết nối với máy chủ — đang kết nối lại…")
    snap(page, "staff-offline")
    issued_meanwhile = world.issue(kiosk, service="CT")

    cut["on"] = False
    page.unroute(re.compile(r".*/socket\.io/.*"))
    expect(mark).to_be_hidden()
    expect(page.locator("#queue-list .entry-number")).to_contain_text([issued_meanwhile["number"]])


def as_appointment(world: World, number: str, start: datetime) -> None:
    """Make a waiting ticket one checked in for an appointment starting at ``start`` (what the appointments
    work will produce)."""
    with world.luot.uow() as uow:
        uow.session.execute(sa.update(Ticket).where(Ticket.number == number).values(appointment_start=start))
        uow.commit()


# A 10-inch tablet (touch, no keyboard) in landscape and portrait, and a desk PC's common screen.
SCREENS = {
    "staff-tablet": {"width": 1280, "height": 800, "has_touch": True},
    "staff-tablet-portrait": {"width": 800, "height": 1280, "has_touch": True},
    "staff-desktop": {"width": 1366, "height": 768, "has_touch": False},
}
OPENING = datetime(2026, 11, 23, 1, 0, tzinfo=UTC)  # 08:00 in Viet Nam: the screenshots never change


@pytest.mark.parametrize("name", SCREENS)
def test_screenshots_of_a_busy_counter(
    world: World, live_server: LiveServer, open_page: Any, clock: Clock, name: str
) -> None:
    def at(minute: int) -> datetime:
        clock.set(OPENING + timedelta(minutes=minute))
        return clock.now

    kiosk = world.device("kiosk")
    for minute, service, priority in [
        (0, "HT", "none"),
        (8, "CT", "none"),
        (23, "HT", "none"),
        (29, "HT", "pregnant"),
        (32, "HT", "none"),
        (33, "CT", "merit"),
        (34, "CT", "none"),
        (37, "HT", "elderly"),
        (38, "HT", "none"),
        (39, "CT", "none"),
        (40, "HT", "infant"),
    ]:
        at(minute)
        world.issue(kiosk, service=service, priority=priority)
    clerk = world.staff(username="thu")
    q1 = world.open_counter(clerk)
    colleague = world.staff(username="nam")
    q2 = world.open_counter(colleague, counter="Q2")
    world.client.post(f"/api/v1/counters/{q2}/call-next", json={}, headers=colleague)
    for _ in range(3):
        ticket = world.client.post(f"/api/v1/counters/{q1}/call-next", json={}, headers=clerk).json
        world.client.post(f"/api/v1/tickets/{ticket['id']}/start", json={}, headers=clerk)
        clock.advance(minutes=7)
        world.client.post(f"/api/v1/tickets/{ticket['id']}/complete", json={}, headers=clerk)
    world.issue(kiosk, service="CT", priority="elderly")
    appointment = world.issue(kiosk, service="HT")
    as_appointment(world, appointment["number"], OPENING + timedelta(minutes=70))
    at(65)
    ticket = world.client.post(f"/api/v1/counters/{q1}/call-next", json={}, headers=clerk).json
    assert ticket["number"] == appointment["number"]  # due in five minutes: called first
    world.client.post(f"/api/v1/tickets/{ticket['id']}/start", json={}, headers=clerk)

    page = open_page(**SCREENS[name])
    sign_in(page, live_server, "thu")
    expect(page.locator("#ticket")).to_have_attribute("data-status", "serving")
    expect(page.locator("#figure-served")).to_have_text("3")
    page.fill("#dossier", "H34.12-261123-0042")
    page.locator("#dossier").blur()
    snap(page, name)
    if name == "staff-desktop":
        page.keyboard.press("t")
        expect(page.locator("#transfer-dialog")).to_be_visible()
        snap(page, "staff-transfer")
        page.keyboard.press("Escape")
        page.click("#language")
        expect(page.locator("#primary-label")).to_have_text("Complete")
        expect(page.locator("#counter-close")).to_be_disabled()  # and the reason says why
        expect(page.locator("#counter-close .reason")).to_have_text("Finish the ticket before closing")
        page.keyboard.press("i")
        page.locator("#issue-dialog").get_by_label("Elderly").check()
        page.locator("#issue-dialog [type=submit]").click()
        expect(page.locator("#issued-number")).to_have_text(re.compile(r"^[AB]\d{3}$"))
        snap(page, "staff-desk-issue-en")


def test_sign_in_screen_and_a_wrong_password(world: World, live_server: LiveServer, open_page: Any) -> None:
    world.staff(username="lan")
    page = open_page(1280, 800, has_touch=True)
    page.goto(f"{live_server.url}/staff")
    page.fill("#signin-form [name=username]", "lan")
    page.fill("#signin-form [name=password]", "not-the-password")
    page.click("#signin-form [type=submit]")
    expect(page.locator("#signin-message")).to_have_text("Sai tên đăng nhập hoặc mật khẩu.")
    snap(page, "staff-signin")
