"""Accessibility in a real Chromium: axe-core (pinned in package.json, injected by the test, never served by
the app) finds no serious and no critical violation on any page in its main states, the phone's
targets are at least 44 px, and the staff tablet's queue list is reachable by keyboard."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from playwright.sync_api import expect

from tests.booking import MONDAY_7AM, booking_config
from tests.conftest import PASSWORD, Clock, LiveServer, World
from tests.e2e.conftest import open_kiosk, record_short_voice, screenshot
from tests.procedures import load_guide

AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
PHONE = (390, 844)
BLOCKING = ("serious", "critical")


def violations(page: Any) -> list[dict[str, Any]]:
    """The serious and critical violations axe-core finds on the page as it is now."""
    if not AXE.exists():
        pytest.fail(f"{AXE} is missing: run scripts/setup (npm ci installs axe-core)")
    if not page.evaluate("typeof window.axe === 'object'"):
        page.add_script_tag(content=AXE.read_text(encoding="utf-8"))
    page.evaluate("document.fonts.ready.then(() => true)")
    found = page.evaluate(
        """async () => {
            const result = await axe.run(document, { resultTypes: ["violations"] });
            return result.violations.map((v) => ({
                id: v.id, impact: v.impact, help: v.help,
                nodes: v.nodes.map((n) => n.target.join(" ")).slice(0, 5),
            }));
        }"""
    )
    return [v for v in found if v["impact"] in BLOCKING]


class Audit:
    """Runs axe-core on each state and keeps what it found, so one run reports every page at once."""

    def __init__(self) -> None:
        self.found: dict[str, list[dict[str, Any]]] = {}

    def __call__(self, page: Any, state: str) -> None:
        if found := violations(page):
            self.found[state] = found

    def targets(self, page: Any, state: str, selector: str, minimum: int = 44) -> None:
        """Note the targets under ``minimum`` px (44 on a phone, 60 on the kiosk) among ``selector``."""
        if small := small_targets(page, selector, minimum):
            self.found[f"{state}: targets under {minimum} px"] = [{"nodes": small}]

    def report(self) -> str:
        return json.dumps(self.found, ensure_ascii=False, indent=1)


@pytest.fixture
def assert_accessible() -> Iterator[Audit]:
    audit = Audit()
    yield audit
    assert audit.found == {}, audit.report()


# -- kiosk, status page, display, staff tablet, manager dashboard ------------------------------------


def test_kiosk_status_display_staff_and_manage_have_no_serious_or_critical_violation(
    world: World, live_server: LiveServer, new_page: Any, assert_accessible: Audit, tmp_path: Path
) -> None:
    load_guide(world.app, tmp_path)  # the procedure guide on the kiosk and the status page
    kiosk = world.device("kiosk")
    clerk = world.staff("clerk", username="lan")
    world.staff("manager", sites=("CB", "CH"), username="hoa")

    page = open_kiosk(new_page, live_server.url, kiosk["Authorization"].split()[1])
    assert_accessible(page, "kiosk home")
    assert_accessible.targets(page, "kiosk home", "button", 60)
    page.click(".tile[data-service-id]")
    page.wait_for_selector("body[data-screen=review]")
    assert_accessible(page, "kiosk review")
    assert_accessible.targets(page, "kiosk review", "button", 60)
    page.click("#procedures-button")
    page.wait_for_selector("body[data-screen=procedures] #procedures-list .procedure")
    assert_accessible(page, "kiosk procedure guide")
    assert_accessible.targets(page, "kiosk procedure guide", "button", 60)
    page.click("#screen-procedures [data-action=review]")
    page.wait_for_selector("body[data-screen=review]")
    page.click("[data-action=take]")
    page.wait_for_selector("body[data-screen=ticket]")
    assert_accessible(page, "kiosk ticket")
    assert_accessible.targets(page, "kiosk ticket", "button", 60)
    public_code = str(page.get_attribute("#ticket-qr", "src")).split("/")[2]

    phone = new_page(*PHONE)
    phone.goto(f"{live_server.url}/t/{public_code}")
    phone.wait_for_selector("body[data-status=waiting][data-live=on]")
    phone.wait_for_selector("#guide:not([hidden]) details")
    assert_accessible(phone, "status page waiting")
    assert_accessible.targets(phone, "status page waiting", "button, summary")

    display = new_page(1920, 1080)
    display.goto(f"{live_server.url}/display?token={world.device_token('display')}")
    display.wait_for_selector("body[data-state=live]")
    counter_id = world.open_counter(clerk)
    world.client.post(f"/api/v1/counters/{counter_id}/call-next", headers=clerk, json={})
    expect(display.locator("#now-number")).not_to_be_empty()
    assert_accessible(display, "display with a call")

    phone.wait_for_selector("body[data-status=called]")
    assert_accessible(phone, "status page called")

    staff = new_page(1280, 800)
    staff.goto(f"{live_server.url}/staff")
    assert_accessible(staff, "staff sign-in")
    staff.fill("#signin-form [name=username]", "lan")
    staff.fill("#signin-form [name=password]", PASSWORD)
    staff.click("#signin-form [type=submit]")
    staff.click("#setup-counters [data-counter=Q1]")
    expect(staff.locator("body")).to_have_attribute("data-view", "desk")
    world.issue(kiosk, service="CT")
    expect(staff.locator("#queue-list .entry-number").first).to_be_visible()
    assert_accessible(staff, "staff desk")

    manage = new_page(1440, 900)
    manage.goto(f"{live_server.url}/manage")
    assert_accessible(manage, "manage sign-in")
    manage.fill("#signin-form [name=username]", "hoa")
    manage.fill("#signin-form [name=password]", PASSWORD)
    manage.click("#signin-form [type=submit]")
    expect(manage.locator("body")).to_have_attribute("data-view", "live")
    expect(manage.locator(".site-card")).to_have_count(2)
    assert_accessible(manage, "manage live")
    manage.click("#tab-history")
    manage.select_option("#history-scope", f"site:{world.site('CB')['id']}")
    manage.click("#history-form [type=submit]")
    expect(manage.locator("#history-title")).not_to_be_empty()
    assert_accessible(manage, "manage history")


def test_the_staff_queue_list_is_reachable_by_keyboard(
    world: World, live_server: LiveServer, new_page: Any
) -> None:
    kiosk = world.device("kiosk")
    world.issue(kiosk, service="HT")
    world.staff("clerk", username="lan")
    staff = new_page(1280, 800)
    staff.goto(f"{live_server.url}/staff")
    staff.fill("#signin-form [name=username]", "lan")
    staff.fill("#signin-form [name=password]", PASSWORD)
    staff.click("#signin-form [type=submit]")
    staff.click("#setup-counters [data-counter=Q1]")
    expect(staff.locator("#queue-list .entry-number").first).to_be_visible()
    reached = False
    for _ in range(60):
        staff.keyboard.press("Tab")
        if staff.evaluate("!!document.activeElement.closest('#queue-list')"):
            reached = True
            break
    assert reached, "Tab never reaches the queue list"


# -- the booking page on a phone --------------------------------------------------------------------


@pytest.fixture
def booking_world(make_app: Callable[..., Flask], sqlite_url: str, tmp_path: Path) -> World:
    app = make_app(sqlite_url, booking_config())
    app.extensions["luot"].clock = Clock(MONDAY_7AM)
    load_guide(app, tmp_path)  # the papers to bring, on the confirmation
    return World(app)


@pytest.fixture
def booking_server(booking_world: World) -> Iterator[LiveServer]:
    live = LiveServer(booking_world.app).start()
    yield live
    live.stop()


def small_targets(page: Any, selector: str, minimum: int = 44) -> list[str]:
    """The visible targets matching ``selector`` that are less than ``minimum`` px high or wide."""
    return list(
        page.eval_on_selector_all(
            selector,
            """(nodes, minimum) => nodes.filter((n) => n.offsetParent !== null)
                .map((n) => [n.outerHTML.slice(0, 80), n.getBoundingClientRect()])
                .filter(([, r]) => r.height < minimum || r.width < minimum)
                .map(([html, r]) => `${html} ${r.width}x${r.height}`)""",
            minimum,
        )
    )


def test_the_booking_page_has_no_serious_or_critical_violation_and_44_px_targets(
    booking_server: LiveServer, new_page: Any, assert_accessible: Audit
) -> None:
    page = new_page(*PHONE)
    page.goto(f"{booking_server.url}/book")
    page.wait_for_selector("[data-service=HT]")
    assert_accessible(page, "book services")
    page.click("[data-service=HT]")
    page.wait_for_selector("[data-site=CB] .earliest")
    assert_accessible(page, "book sites")
    page.click("[data-site=CB] button")
    page.wait_for_selector(".slot[data-start='2026-11-23T09:00:00+07:00']")
    assert_accessible(page, "book time picker")
    assert_accessible.targets(page, "book time picker", "button")
    page.click(".slot[data-start='2026-11-23T09:00:00+07:00']")
    page.wait_for_selector("#step-details:not([hidden])")
    assert_accessible(page, "book details")
    page.click("#details button[type=submit]")  # empty: each field says what is missing
    expect(page.locator("#name-error")).to_have_text("Mời nhập họ và tên của ông/bà.")
    expect(page.locator("#phone-error")).to_be_visible()
    assert page.get_attribute("input[name=name]", "aria-invalid") == "true"
    assert page.get_attribute("input[name=phone]", "aria-describedby") == "phone-error"
    assert page.is_hidden("#citizen_id-error")  # an optional field left empty is fine
    assert_accessible(page, "book details with errors")
    page.fill("input[name=name]", "Nguyễn Thị Hoa")
    page.fill("input[name=phone]", "0912 345 678")
    page.fill("input[name=citizen_id]", "1234")
    page.click("#details button[type=submit]")
    expect(page.locator("#citizen_id-error")).to_have_text("Số định danh cá nhân (CCCD) gồm 12 chữ số.")
    expect(page.locator("#name-error")).to_have_count(0)
    page.fill("input[name=citizen_id]", "")
    page.click("#details button[type=submit]")
    page.wait_for_selector("#appointment[data-state=booked]")
    page.wait_for_selector("#guide:not([hidden]) .procedure")
    assert_accessible(page, "book confirmation")
    assert_accessible.targets(page, "book confirmation", "button, a.button")
    page.click("#reschedule")
    page.wait_for_selector("#picker .slot")
    assert_accessible(page, "book reschedule")


# -- keyboard only ----------------------------------------------------------------------------------


def tab_to(page: Any, selector: str, presses: int = 80) -> None:
    """Press Tab until the focus is on an element matching ``selector`` (fails if it never gets there)."""
    for _ in range(presses):
        page.keyboard.press("Tab")
        if page.evaluate("(s) => document.activeElement?.matches(s) ?? false", selector):
            return
    raise AssertionError(f"Tab never reaches {selector}")


def test_a_ticket_at_the_kiosk_with_the_keyboard_alone(
    world: World, live_server: LiveServer, new_page: Any
) -> None:
    page = open_kiosk(new_page, live_server.url, world.device_token("kiosk"))
    ht = world.service("CB", "HT")["id"]
    tab_to(page, f".tile[data-service-id='{ht}']")
    page.keyboard.press("Enter")
    page.wait_for_selector("body[data-screen=review]")
    page.wait_for_selector(f"#elsewhere[data-checked='{ht}']", state="attached")
    tab_to(page, "[data-action=take]")
    page.keyboard.press("Enter")
    page.wait_for_selector("body[data-screen=ticket]")
    assert page.inner_text("#ticket-number") == "A001"
    assert page.errors == []


def test_an_appointment_booked_with_the_keyboard_alone(booking_server: LiveServer, new_page: Any) -> None:
    page = new_page(*PHONE)
    page.goto(f"{booking_server.url}/book")
    page.wait_for_selector("[data-service=HT]")
    tab_to(page, "[data-service=HT]")
    page.keyboard.press("Enter")
    page.wait_for_selector("[data-site=CB] .earliest")
    tab_to(page, "[data-site=CB] button")
    page.keyboard.press("Enter")
    page.wait_for_selector(".slot[data-start='2026-11-23T09:00:00+07:00']")
    tab_to(page, ".slot[data-start='2026-11-23T09:00:00+07:00']")
    page.keyboard.press("Enter")
    tab_to(page, "input[name=name]")
    page.keyboard.type("Nguyễn Thị Hoa")
    page.keyboard.press("Tab")
    page.keyboard.type("0912 345 678")
    page.keyboard.press("Enter")  # submits the form
    page.wait_for_selector("#appointment[data-state=booked]")
    assert len(page.inner_text("#code")) == 6


# -- the kiosk's speech mode ------------------------------------------------------------------------


def test_the_speech_mode_takes_a_printed_ticket_with_the_keypad_alone_and_reads_each_screen(
    world: World, live_server: LiveServer, new_page: Any
) -> None:
    kiosk = world.device("kiosk", printer="png://speech")  # inside the instance's printer folder
    # The centre recorded its services' names (and, to keep the test short, every clip as a 5 ms tone).
    services = world.client.get(f"/api/v1/sites/{world.site('CB')['id']}/services").json
    codes = [service["code"].lower() for service in services]
    record_short_voice(Path(world.app.instance_path), *(("vi", f"service_{code}") for code in codes))
    page = open_kiosk(new_page, live_server.url, kiosk["Authorization"].split()[1])
    clips: list[str] = []
    page.on(
        "request",
        lambda r: (
            clips.append(r.url.rsplit("/", 1)[1].removesuffix(".wav")) if r.url.endswith(".wav") else None
        ),
    )

    def heard(*expected: str) -> None:
        """The clips requested since the last call, in order, once the page has started that many."""
        total = len(heard.seen) + len(expected)  # type: ignore[attr-defined]
        page.wait_for_function("(n) => (window.luotSpeech?.played.length ?? 0) >= n", arg=total)
        assert clips[len(heard.seen) : total] == list(expected), clips  # type: ignore[attr-defined]
        heard.seen = clips[:total]  # type: ignore[attr-defined]

    heard.seen = []  # type: ignore[attr-defined]

    first, second = (("kiosk_service", f"digit_{n}", f"service_{codes[n - 1]}") for n in (1, 2))
    page.keyboard.press("ArrowRight")  # starts the mode on the home screen: what to do, the first service
    heard("kiosk_home", *first)
    page.keyboard.press("-")
    heard("kiosk_softer")
    assert page.get_attribute("body", "data-volume") == "0.75"
    page.keyboard.press("ArrowRight")
    heard(*second)
    page.keyboard.press("ArrowLeft")
    heard(*first)  # "Dịch vụ số một", Hộ tịch
    page.keyboard.press("Enter")
    page.wait_for_selector("body[data-screen=review]")
    heard("kiosk_review", *first[1:], "kiosk_take")  # the service chosen, then the focused "Get a ticket"
    screenshot(page, "kiosk-speech-mode")
    page.keyboard.press("Enter")  # "Get a ticket" has the focus
    page.wait_for_selector("body[data-screen=ticket]")
    assert page.inner_text("#ticket-number") == "A001"
    heard("kiosk_your_number", "letter_a", "digit_1", "kiosk_done")  # "Số thứ tự của ông bà là a một …"
    page.keyboard.press("r")
    heard("kiosk_your_number", "letter_a", "digit_1", "kiosk_done")  # read again
    expect(page.locator("#ticket-print")).to_have_attribute("data-print", "printed")
    assert list((Path(world.app.instance_path) / "printers" / "speech").glob("*.png"))  # it was printed
    assert page.get_attribute("body", "data-speech") == "on"
    page.keyboard.press("Escape")  # done: home for the next citizen, the mode ended
    page.wait_for_selector("body[data-screen=home]:not([data-speech])")

    # Without the keypad: a long press anywhere starts the mode, and does not choose what it pressed.
    tile = page.locator("#screen-home .tile[data-service-id]").first.bounding_box()
    page.mouse.move(tile["x"] + 20, tile["y"] + 20)
    page.mouse.down()
    page.wait_for_selector("body[data-speech=on]")  # after the page's 2 s
    page.mouse.up()
    heard("kiosk_home", *first)
    assert page.get_attribute("body", "data-screen") == "home"
    assert page.errors == []


def test_the_manager_s_busy_morning_has_no_serious_or_critical_violation(
    world: World, live_server: LiveServer, new_page: Any, clock: Clock, assert_accessible: Audit
) -> None:
    from tests.e2e.test_manager_dashboard import OPENING, busy_morning

    busy_morning(world, clock)  # waits past their targets: the live view's alerts are up
    clock.set(OPENING + timedelta(hours=4))
    world.staff("manager", sites=("CB", "CH"), username="hoa")
    manage = new_page(1440, 1000)
    manage.goto(f"{live_server.url}/manage")
    manage.fill("#signin-form [name=username]", "hoa")
    manage.fill("#signin-form [name=password]", PASSWORD)
    manage.click("#signin-form [type=submit]")
    expect(manage.locator(".site-card[data-site-code=CB] .today-issued")).not_to_have_text("0")
    assert_accessible(manage, "manage live, busy")
    manage.click("#tab-history")
    manage.select_option("#history-scope", f"site:{world.site('CB')['id']}")
    manage.fill("#history-date", "2026-11-23")
    manage.click("#history-form [type=submit]")
    expect(manage.locator("#history-kpis [data-kpi=served] .kpi-value")).not_to_have_text("0")
    assert_accessible(manage, "manage history, busy")
