"""Satisfaction ratings in a real Chromium: a clerk completes a ticket, the rating pad of that counter asks
within a second, a tap on 2 asks for reasons, the answer reaches the manager's live view; the phone may
then not rate it again (409) and a pad of another counter gets 403; the status page rates a done ticket
once. Screenshots for the README (the pad asking, its reasons, its thanks, the status page's question,
the dashboard's satisfaction view)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import expect

from server.domain.access import DeviceKind
from server.domain.days import business_day
from server.services.accounts import auth as auth_service
from tests.conftest import PASSWORD, LiveServer, World
from tests.e2e.conftest import screenshot

PAD = (1024, 600)  # a small landscape tablet facing the citizen
PHONE = (390, 844)


@pytest.fixture
def open_page(new_page: Any) -> Iterator[Any]:
    errors: list[str] = []

    def open_(width: int, height: int) -> Any:
        page = new_page(width, height)
        page.on("pageerror", lambda error: errors.append(str(error)))
        return page

    yield open_
    assert errors == []


def pad_token(world: World, counter: str) -> str:
    _info, token = auth_service.add_device(
        world.luot.uow(),
        site_code="CB",
        kind=DeviceKind.RATING,
        name=f"Đánh giá {counter}",
        printer_uri=None,
        at=world.luot.now(),
        counter_code=counter,
    )
    return token


def post(world: World, path: str, headers: dict[str, str], body: dict[str, Any] | None = None) -> Any:
    response = world.client.post(f"/api/v1/{path}", json=body or {}, headers=headers)
    assert response.status_code in (200, 201), response.json
    return response.json


def snap(page: Any, name: str) -> None:
    page.evaluate("document.fonts.ready.then(() => true)")
    screenshot(page, name)


def test_the_pad_asks_when_its_counter_completes_and_the_manager_sees_the_answer(
    world: World, live_server: LiveServer, open_page: Any
) -> None:
    kiosk = world.device("kiosk")
    token = pad_token(world, "Q1")
    other_pad = {"Authorization": f"Bearer {pad_token(world, 'Q2')}"}
    world.staff("manager", sites=("CB",), username="hoa")
    clerk = world.staff(username="lan")
    counter = world.open_counter(clerk)

    manager = open_page(1440, 900)
    manager.goto(f"{live_server.url}/manage")
    manager.fill("#signin-form [name=username]", "hoa")
    manager.fill("#signin-form [name=password]", PASSWORD)
    manager.click("#signin-form [type=submit]")
    expect(manager.locator(".site-card[data-site-code=CB] .live-satisfaction")).to_be_visible()

    pad = open_page(*PAD)
    pad.goto(f"{live_server.url}/rate?token={token}")
    expect(pad.locator("body")).to_have_attribute("data-state", "idle")
    assert "token=" not in pad.url  # kept in local storage, not in the address bar

    ticket = world.issue(kiosk)
    post(world, f"counters/{counter}/call-next", clerk)
    post(world, f"tickets/{ticket['id']}/start", clerk)
    expect(pad.locator("#pad-serving")).to_have_text(ticket["number"])
    expect(pad.locator("#pad-clerk")).to_have_text("lan")
    snap(pad, "rating-pad-idle")

    # Timed with the page's own clock: when the completion is sent, and when the question appears.
    pad.evaluate(
        """() => new MutationObserver((_, observer) => {
          if (document.body.dataset.state !== "asking") return;
          window.askedAt = Date.now();
          observer.disconnect();
        }).observe(document.body, { attributes: true })"""
    )
    sent = pad.evaluate("Date.now()")
    post(world, f"tickets/{ticket['id']}/complete", clerk, {"dossier_code": "H34.12-0001"})
    pad.wait_for_selector("body[data-state=asking] .face-2")
    assert pad.evaluate("window.askedAt") - sent < 1000  # asks within a second
    assert pad.inner_text(".rating-question .vi") == "Ông/bà hài lòng với sự phục vụ như thế nào?"
    assert not pad.locator(".rating-question .en").is_visible()  # English on a tap
    for face in pad.locator(".face").all():
        box = face.bounding_box()
        assert box is not None and box["width"] >= 60 and box["height"] >= 60
    pad.click("#pad-english")
    expect(pad.locator(".rating-question .en")).to_have_text("How satisfied are you?")
    snap(pad, "rating-pad-asking")

    pad.click(".face-2")
    expect(pad.locator(".rating-reasons")).to_be_visible()
    pad.click(".reason[data-code=waiting_time]")
    pad.click(".reason[data-code=guidance_unclear]")
    for letter in "cho la":
        pad.click(f".okey:text-is('{letter}')" if letter != " " else ".okey.wide")
    pad.click(".okey.tone:text-is('á')")  # the tone mark goes on the letter before it: "lá"
    for target in pad.locator(".reason, .okey, .send").all():
        box = target.bounding_box()
        assert box is not None and box["height"] >= 60
    snap(pad, "rating-pad-reasons")
    pad.click(".send")
    expect(pad.locator(".rating-thanks")).to_be_visible()
    snap(pad, "rating-pad-thanks")
    expect(pad.locator("body")).to_have_attribute("data-state", "idle", timeout=10_000)

    flagged = manager.locator(".site-card[data-site-code=CB] .sat-alert")
    expect(flagged).to_have_count(1)
    expect(flagged).to_contain_text(ticket["number"])
    expect(flagged).to_contain_text("Thời gian chờ lâu")
    expect(flagged).to_contain_text("Hướng dẫn chưa rõ ràng")
    snap(manager, "manage-live-rating")

    phone = world.client.post(f"/api/v1/tickets/status/{ticket['public_code']}/rating", json={"score": 5})
    assert phone.status_code == 409 and phone.json["error"]["code"] == "already_rated"
    other = world.client.post(f"/api/v1/tickets/{ticket['id']}/rating", json={"score": 5}, headers=other_pad)
    assert other.status_code == 403

    from server.db.models import Rating

    with world.luot.read() as session:
        rating = session.query(Rating).one()
        assert (rating.score, rating.channel, rating.reasons) == (
            2,
            "counter",
            ["waiting_time", "guidance_unclear"],
        )
        assert rating.comment == "cho lá"  # NFC: one code point for á


def test_the_status_page_rates_a_done_ticket_once(
    world: World, live_server: LiveServer, open_page: Any
) -> None:
    kiosk = world.device("kiosk")
    clerk = world.staff(username="lan")
    counter = world.open_counter(clerk)
    ticket = world.issue(kiosk)
    phone = open_page(*PHONE)
    phone.goto(f"{live_server.url}/t/{ticket['public_code']}")
    phone.wait_for_selector("body[data-status=waiting][data-live=on]")
    assert phone.locator("#rating").count() == 0  # not before the ticket is done

    post(world, f"counters/{counter}/call-next", clerk)
    post(world, f"tickets/{ticket['id']}/start", clerk)
    post(world, f"tickets/{ticket['id']}/complete", clerk, {"dossier_code": "H34.12-261203-0007"})
    phone.wait_for_selector("body[data-status=done] #rating .face-4")
    # the done page: the dossier's code, and what happens next
    assert phone.inner_text("#dossier") == "Mã hồ sơ của ông/bà\nH34.12-261203-0007"
    assert "tra cứu tình trạng hồ sơ" in phone.inner_text("#next-steps")
    expect(phone.locator("#ring-on")).to_be_hidden()  # nothing left to ring for
    snap(phone, "status-rating-portrait")
    phone.click("#rating .face-4")
    expect(phone.locator("#rating .rating-thanks")).to_be_visible()

    again = world.client.post(f"/api/v1/tickets/status/{ticket['public_code']}/rating", json={"score": 1})
    assert again.status_code == 409
    phone.reload()
    phone.wait_for_selector("body[data-status=done] #rating")
    assert phone.locator("#rating .face").count() == 0  # rated: the question is not offered again
    expect(phone.locator("#dossier-code")).to_have_text("H34.12-261203-0007")  # from the status API too


def test_the_dashboard_shows_satisfaction_beside_waiting_time(
    world: World, live_server: LiveServer, open_page: Any
) -> None:
    kiosk = world.device("kiosk")
    world.staff("manager", sites=("CB",), username="hoa")
    clerk = world.staff(username="lan")
    counter = world.open_counter(clerk)
    for score in (5, 4, 2, None, 5):
        ticket = world.issue(kiosk)
        post(world, f"counters/{counter}/call-next", clerk)
        post(world, f"tickets/{ticket['id']}/start", clerk)
        post(world, f"tickets/{ticket['id']}/complete", clerk)
        if score is not None:
            reasons = ["staff_attitude"] if score <= 3 else []
            body = {"score": score, "reasons": reasons}
            answered = world.client.post(f"/api/v1/tickets/status/{ticket['public_code']}/rating", json=body)
            assert answered.status_code == 201
    page = open_page(1440, 1100)
    page.goto(f"{live_server.url}/manage")
    page.fill("#signin-form [name=username]", "hoa")
    page.fill("#signin-form [name=password]", PASSWORD)
    page.click("#signin-form [type=submit]")
    page.click("#tab-history")
    today = business_day(
        world.luot.now(), "Asia/Ho_Chi_Minh"
    ).isoformat()  # the site's date, not the browser's
    page.fill("#history-date", today)
    page.click("#history-form [type=submit]")
    table = page.locator("#table-satisfaction")
    expect(table.locator("tbody tr").first).to_contain_text("4/5")  # ratings / served
    expect(table.locator("tbody tr").first).to_contain_text("80")  # response rate 80 %
    page.locator("#history-satisfaction").scroll_into_view_if_needed()
    snap(page, "manage-satisfaction")


def test_the_pad_and_the_status_pages_question_run_under_the_content_security_policy(
    world: World, live_server: LiveServer, new_page: Any
) -> None:
    from tests.e2e.test_content_security_policy import settled, watch

    clerk = world.staff(username="lan")
    counter = world.open_counter(clerk)
    ticket = world.issue(world.device("kiosk"))
    post(world, f"counters/{counter}/call-next", clerk)
    post(world, f"tickets/{ticket['id']}/start", clerk)
    post(world, f"tickets/{ticket['id']}/complete", clerk)
    screens = [
        (f"/rate?token={pad_token(world, 'Q1')}", "body[data-state=asking] .face-5"),  # still within 30 s
        (f"/t/{ticket['public_code']}", "body[data-status=done] #rating .face-5"),
    ]
    for path, ready in screens:
        page = new_page(1024, 768, bypass_csp=False)
        problems = watch(page)
        response = page.goto(f"{live_server.url}{path}")
        assert "frame-ancestors 'none'" in response.headers["content-security-policy"]
        page.wait_for_selector(ready, state="attached")
        settled(page)
        assert problems == [], (path, problems)
