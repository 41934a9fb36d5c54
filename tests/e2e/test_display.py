"""The wall display in a real browser (Debian's Chromium) against a live server: calls shown and
announced, a server restart survived, thousands of calls without growth, and its screenshots."""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import requests
from flask import Flask
from playwright.sync_api import expect
from sqlalchemy import select

from server.db.models import Device, Site
from server.demo.seed import CONFIG as DEMO_CONFIG
from server.domain.events import (
    CounterRef,
    QueueChanged,
    ServiceWaiting,
    TicketCalled,
    TicketChanged,
    TicketInfo,
)
from server.domain.notices import NoticeInfo
from server.services.display import ReplaceNotices, configure_display, replace_notices
from server.services.sites.config_file import read_config_file
from tests.conftest import LiveServer, World
from tests.e2e.conftest import record_short_voice, screenshot
from tests.servers import ServerProcess

PLAYED = "() => window.luotDisplay.announcements().filter((a) => a.outcome === 'played')"


def open_display(page: Any, base: str, token: str) -> Any:
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(f"{base}/display?token={token}")
    page.wait_for_selector("body[data-state=live]")
    page.errors = errors
    return page


def note_when_shown(page: Any, selector: str, text: str) -> None:
    """Have the page note the moment (its ``Date.now()``) ``selector`` first shows ``text``, in
    ``window.shownAt``: what the screen did, timed where it did it, whatever the test process is doing."""
    page.evaluate(
        """([selector, text]) => {
            const node = document.querySelector(selector);
            window.shownAt = null;
            const look = () => {
                if (node.textContent !== text) return;
                window.shownAt = Date.now();
                observer.disconnect();
            };
            const observer = new MutationObserver(look);
            observer.observe(node, { childList: true, characterData: true, subtree: true });
        }""",
        [selector, text],
    )


# Before the page's scripts: note when the first `ticket.called` message reaches the page (Date.now()).
NOTE_FIRST_CALL_RECEIVED = """
(() => {
  const Native = window.WebSocket;
  window.callReceivedAt = null;
  window.WebSocket = class extends Native {
    constructor(...args) {
      super(...args);
      this.addEventListener("message", (event) => {
        if (window.callReceivedAt === null && String(event.data).includes('"ticket.called"')) {
          window.callReceivedAt = Date.now();
        }
      });
    }
  };
})();
"""


def shown_at(page: Any) -> float:
    """When the text noted by :func:`note_when_shown` appeared (ms since the epoch, as ``Date.now()``)."""
    page.wait_for_function("() => window.shownAt !== null")
    return float(page.evaluate("window.shownAt"))


def now_ms() -> float:
    """The machine's clock as the page reads it (``Date.now()``)."""
    return time.time() * 1000


def demo_scene(world: World) -> None:
    """A morning at intake point 1 of the demo ward: six counters at work, people waiting, notices."""
    site = "KB1"
    kiosk = world.device("kiosk", site=site)
    for service in ["HT", "CT", "DD", "BH", "KD", "BT", "DVC", "TKQ", "HT", "CT", "BH", "HT"] * 3:
        world.issue(kiosk, site=site, service=service)
    clerk = world.staff("clerk", sites=(site,))
    for code in ("Q1", "Q2", "Q3", "Q4", "Q5", "Q6"):
        counter_id = world.open_counter(clerk, site=site, counter=code)
        called = world.client.post(f"/api/v1/counters/{counter_id}/call-next", headers=clerk).json
        if code in ("Q1", "Q3", "Q4"):
            world.client.post(f"/api/v1/tickets/{called['id']}/start", headers=clerk)
            world.client.post(f"/api/v1/tickets/{called['id']}/complete", headers=clerk)
            world.client.post(f"/api/v1/counters/{counter_id}/call-next", headers=clerk)
    notices = (
        "Chiều thứ Sáu 27/11 Trung tâm làm việc đến 16:00 · On Friday 27/11 the centre closes at 16:00",
        "Công dân vui lòng mang theo thẻ căn cước · Please bring your ID card",
    )
    replace_notices(
        ReplaceNotices(
            actor=None,
            site_id=world.site(site)["id"],
            notices=tuple(NoticeInfo(text=text) for text in notices),
            at=world.luot.now(),
        ),
        world.luot.uow(),
    )


def test_screenshots_in_landscape_and_portrait(
    make_app: Callable[..., Flask], sqlite_url: str, new_page: Any
) -> None:
    world = World(make_app(sqlite_url, config=read_config_file(DEMO_CONFIG)))
    demo_scene(world)
    server = LiveServer(world.app).start()
    try:
        token = world.device_token("display", site="KB1")
        for name, size in {"display-landscape": (1920, 1080), "display-portrait": (1080, 1920)}.items():
            page = open_display(new_page(*size), server.url, token)
            expect(page.locator("#now-number")).to_have_text("B002")
            expect(page.locator("#ticker")).to_be_visible()
            expect(page.locator("#waits li")).to_have_count(8)  # the services have come too
            page.evaluate("document.fonts.ready.then(() => true)")
            next_frame(page)
            screenshot(page, name)
            assert page.errors == []
    finally:
        server.stop()


def next_frame(page: Any) -> None:
    """Until the page has rendered a frame since now: the board draws at the next frame after a change,
    and the frame after that one starts once it was laid out and painted (replaced text let go)."""
    page.evaluate("() => new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done)))")


def played(page: Any, count: int, timeout: float = 30_000) -> list[dict[str, Any]]:
    """Wait until ``count`` announcements were played to their end; return them."""
    page.wait_for_function(f"() => ({PLAYED})().length >= {count}", timeout=timeout)
    return list(page.evaluate(PLAYED))


# -- done when: a call is seen within a second, a recall heard again ---------------------------------


def test_a_call_shows_within_a_second_and_a_recall_announces_it_again(
    world: World, live_server: LiveServer, new_page: Any
) -> None:
    kiosk, clerk = world.device("kiosk"), world.staff("clerk")
    ticket = world.issue(kiosk)
    counter_id = world.open_counter(clerk, counter="Q2")
    page = new_page(1920, 1080)
    page.add_init_script(NOTE_FIRST_CALL_RECEIVED)
    page = open_display(page, live_server.url, world.device_token("display"))
    expect(page.locator("#now-empty")).to_be_visible()

    note_when_shown(page, "#now-number", ticket["number"])
    response = requests.post(
        f"{live_server.url}/api/v1/counters/{counter_id}/call-next", headers=clerk, timeout=30
    )
    assert response.status_code == 200
    # The page's share, on its own clock: the call is on the wall within a second of reaching it. The
    # server's share (call → event at the screen) is a target of bench/, on an idle machine.
    assert shown_at(page) - page.evaluate("window.callReceivedAt") < 1000
    expect(page.locator("#now-counter")).to_have_text("Quầy 2")
    expect(page.locator("#now-counter-en")).to_have_text("Counter 2")
    expect(page.locator("#counters li").nth(1)).to_contain_text(ticket["number"])

    first = played(page, 1)
    assert [(a["number"], a["counter"], a["recall"]) for a in first] == [(ticket["number"], 2, False)]
    assert first[0]["duration"] > 4  # the chime and the sentence were played to their end

    requests.post(f"{live_server.url}/api/v1/tickets/{ticket['id']}/recall", headers=clerk, timeout=30)
    both = played(page, 2)
    assert [(a["number"], a["counter"], a["recall"]) for a in both] == [
        (ticket["number"], 2, False),
        (ticket["number"], 2, True),
    ]
    assert page.errors == []


def test_a_call_made_while_another_is_announced_is_announced_after_it(
    world: World, live_server: LiveServer, new_page: Any
) -> None:
    kiosk, clerk = world.device("kiosk"), world.staff("clerk")
    first, second = world.issue(kiosk), world.issue(kiosk)
    q1, q2 = world.open_counter(clerk, counter="Q1"), world.open_counter(clerk, counter="Q2")
    page = open_display(new_page(1920, 1080), live_server.url, world.device_token("display"))

    requests.post(f"{live_server.url}/api/v1/counters/{q1}/call-next", headers=clerk, timeout=30)
    page.wait_for_function("() => window.luotDisplay.announcing()")  # the first is being announced…
    requests.post(f"{live_server.url}/api/v1/counters/{q2}/call-next", headers=clerk, timeout=30)

    log = played(page, 2)
    assert [(a["number"], a["counter"]) for a in log] == [(first["number"], 1), (second["number"], 2)]
    for announcement in log:  # each one played whole…
        assert announcement["duration"] > 4
        assert announcement["endedAt"] - announcement["startedAt"] >= announcement["duration"] * 1000 - 100
    assert log[1]["startedAt"] >= log[0]["endedAt"]  # …and the second only after the first
    assert page.errors == []


# -- done when: the server restarts and the display recovers by itself ------------------------------


def serve(app: Flask, servers: list[ServerProcess], port: int | None = None) -> ServerProcess:
    """``luot serve`` as its own process on the app's database and instance folder (on ``port``, when it
    comes back)."""
    env = {"LUOT_INSTANCE_PATH": app.instance_path, "LUOT_DATABASE_URL": app.config["LUOT_DATABASE_URL"]}
    server = ServerProcess(env, port=port).start()
    servers.append(server)
    return server


def test_the_display_recovers_by_itself_when_the_server_restarts(
    world: World, new_page: Any, servers: list[ServerProcess]
) -> None:
    kiosk, clerk = world.device("kiosk"), world.staff("clerk")
    first, second = world.issue(kiosk), world.issue(kiosk)
    counter_id = world.open_counter(clerk, counter="Q1")
    server = serve(world.app, servers)
    base = server.url
    page = open_display(new_page(1920, 1080), base, world.device_token("display"))
    requests.post(f"{base}/api/v1/counters/{counter_id}/call-next", headers=clerk, timeout=30)
    expect(page.locator("#now-number")).to_have_text(first["number"])

    server.terminate()
    expect(page.locator("#luot-connection")).to_be_visible()  # the "reconnecting" mark

    # While the server is down, the counter moves on (straight in the database, as another process
    # would): the display never receives these events and must catch up from the new snapshot.
    world.client.post(f"/api/v1/tickets/{first['id']}/no-show", headers=clerk)
    world.client.post(f"/api/v1/counters/{counter_id}/call-next", headers=clerk)

    note_when_shown(page, "#now-number", second["number"])
    serve(world.app, servers, server.port)
    answering = now_ms()  # the new process answers: from here on it is the display's own doing
    # It tries again at most every 2 s, then takes the new snapshot: back within 10 s (page's clock).
    assert shown_at(page) - answering < 10_000
    expect(page.locator("#luot-connection")).to_be_hidden()
    expect(page.locator("#counters li").first).to_contain_text(second["number"])
    assert page.errors == []


# -- done when: 5,000 calls, and the page does not grow ---------------------------------------------


def drive_calls(world: World, start: int, count: int) -> int:
    """Publish ``count`` calls at site CB through the real unit of work and publisher (as the call use
    cases do), with the queue moving and tickets finishing in between; returns the last ``seq``."""
    with world.luot.read() as session:
        site = session.scalar(select(Site).where(Site.code == "CB"))
        assert site is not None
        counters = [CounterRef(id=c.id, number=c.number, name=c.name) for c in site.counters]
        services = [s.id for s in site.services]
    now = world.luot.now()
    last: int = 0
    for batch in range(start, start + count, 10):
        with world.luot.uow() as uow:
            for n in range(batch, min(batch + 10, start + count)):
                counter = counters[n % len(counters)]
                ticket = TicketInfo(
                    id=1_000_000 + n,
                    site_id=site.id,
                    number=f"{'ABC'[n % 3]}{n % 10_000:04d}",
                    service_id=services[n % len(services)],
                    status="called",
                    priority="none",
                    public_code=f"load-{n}",
                    position=0,
                    estimated_wait_s=0,
                    counter=counter,
                    issued_at=now,
                    called_at=now,
                )
                uow.emit(
                    TicketCalled(
                        site_id=site.id, ticket=ticket, counter=counter, called_at=now, recall=n % 9 == 0
                    )
                )
                if n % 3 == 0:
                    done = dataclasses.replace(ticket, status="done", finished_at=now + timedelta(minutes=5))
                    uow.emit(TicketChanged(site_id=site.id, ticket=done, action="complete"))
                if n % 5 == 0:
                    waiting = tuple(
                        ServiceWaiting(
                            service_id=s, waiting=(n + s) % 13, estimated_wait_s=60 * ((n + s) % 17)
                        )
                        for s in services
                    )
                    uow.emit(QueueChanged(site_id=site.id, waiting_by_service=waiting))
            events = uow.commit()
            last = events[-1].seq
    return last


def test_5000_calls_leave_the_page_s_dom_and_heap_flat(
    world: World, live_server: LiveServer, new_page: Any
) -> None:
    record_short_voice(Path(world.app.instance_path))
    page = open_display(new_page(1920, 1080), live_server.url, world.device_token("display"))
    world.client.put(
        f"/api/v1/sites/{world.site('CB')['id']}/notices",
        json={"notices": [{"text": "Thông báo chạy chữ để trang có đủ mọi phần"}]},
        headers=world.staff("manager"),
    )
    cdp = page.context.new_cdp_session(page)
    cdp.send("Performance.enable")

    def settle(seq: int) -> dict[str, float]:
        """The page's figures once it is quiet: every event handled and drawn, and every call it kept
        announced (a sound that plays holds a listener for its end, so counting during one would count it)."""
        page.wait_for_function("seq => window.luotDisplay.seq() >= seq", arg=seq, timeout=60_000)
        page.wait_for_function("() => !window.luotDisplay.announcing()", timeout=60_000)
        expect(page.locator("body")).to_have_attribute("data-state", "live")  # connected, no mark shown
        expect(page.locator("#luot-connection")).to_be_hidden()
        next_frame(page)
        cdp.send("HeapProfiler.collectGarbage")
        metrics = {m["name"]: m["value"] for m in cdp.send("Performance.getMetrics")["metrics"]}
        return {name: metrics[name] for name in ("Nodes", "JSHeapUsedSize", "JSEventListeners")}

    baseline = settle(drive_calls(world, 0, 500))  # warmed up: every list full, every node made
    # Settling means hearing out the calls still waiting (a few seconds each time): three samples.
    samples = [
        settle(drive_calls(world, start, count)) for start, count in ((500, 900), (1400, 1800), (3200, 1800))
    ]

    expect(page.locator("#now-number")).to_have_text("B4999")  # the page followed every call
    for sample in samples:  # after 1,400, 3,200 and 5,000 calls
        assert sample["Nodes"] == baseline["Nodes"]
        assert sample["JSEventListeners"] == baseline["JSEventListeners"]
        assert sample["JSHeapUsedSize"] <= baseline["JSHeapUsedSize"] * 1.10
    # Keeping each call's payload (about 500 bytes) or a node per call would add over 1.5 MB here; what
    # is left is the noise of a JavaScript engine that compiles and caches as it goes.
    grown = samples[-1]["JSHeapUsedSize"] - samples[0]["JSHeapUsedSize"]
    assert grown < 50 * 3600  # bytes, over the last 3,600 calls
    log = page.evaluate("window.luotDisplay.announcements()")
    assert len(log) <= 40  # the announcer's log is bounded too, and calls that piled up were dropped
    assert {a["outcome"] for a in log} <= {"played", "dropped", "stale"}
    assert page.errors == []


# -- what each display shows, notices, enrolment -----------------------------------------------------


def wait_for_seq(page: Any, world: World, site: str = "CB") -> None:
    """Until the page has handled every event the site has had so far."""
    with world.luot.read() as session:
        seq = session.scalar(select(Site.event_seq).where(Site.code == site))
    page.wait_for_function("seq => window.luotDisplay.seq() >= seq", arg=seq)


def test_a_display_shows_and_announces_only_its_own_counters_and_services(
    world: World, live_server: LiveServer, new_page: Any
) -> None:
    token = world.device_token("display")
    device = requests.get(
        f"{live_server.url}/api/v1/device", headers={"Authorization": f"Bearer {token}"}, timeout=30
    ).json()
    configure_display(world.luot.uow(), device["id"], counters=["Q3"], services=["DD"])
    kiosk, clerk = world.device("kiosk"), world.staff("clerk")
    civil = world.issue(kiosk, service="HT")
    land = world.issue(kiosk, service="DD")
    q1, q3 = world.open_counter(clerk, counter="Q1"), world.open_counter(clerk, counter="Q3")

    page = open_display(new_page(1080, 1920), live_server.url, token)
    assert "token" not in page.url  # kept in local storage, gone from the address bar
    expect(page.locator("#counters li")).to_have_count(1)
    expect(page.locator("#counters li")).to_contain_text("Quầy 3")
    expect(page.locator("#waits li")).to_have_count(1)
    expect(page.locator("#waits li")).to_contain_text("Đất đai")

    requests.post(f"{live_server.url}/api/v1/counters/{q1}/call-next", headers=clerk, timeout=30)
    wait_for_seq(page, world)
    expect(page.locator("#now-empty")).to_be_visible()  # counter 1 is not this display's
    assert page.evaluate("window.luotDisplay.announcing()") is False

    requests.post(f"{live_server.url}/api/v1/counters/{q3}/call-next", headers=clerk, timeout=30)
    expect(page.locator("#now-number")).to_have_text(land["number"])
    assert [(a["number"], a["counter"]) for a in played(page, 1)] == [(land["number"], 3)]

    # A silent display (another one speaks in the same hall): it shows the recall but says nothing.
    configure_display(world.luot.uow(), device["id"], sound=False)
    page.reload()
    page.wait_for_selector("body[data-state=live]")
    requests.post(f"{live_server.url}/api/v1/tickets/{land['id']}/recall", headers=clerk, timeout=30)
    wait_for_seq(page, world)
    assert page.evaluate("window.luotDisplay.announcing()") is False
    assert page.evaluate("window.luotDisplay.announcements()") == []
    assert civil["number"] not in page.inner_text("body")


def test_notices_scroll_along_the_bottom_live_and_only_in_their_period(
    world: World, live_server: LiveServer, new_page: Any
) -> None:
    page = open_display(new_page(1920, 1080), live_server.url, world.device_token("display"))
    expect(page.locator("#ticker")).to_be_hidden()
    url = f"{live_server.url}/api/v1/sites/{world.site('CB')['id']}/notices"
    manager = world.staff("manager")
    later = (world.luot.now() + timedelta(days=1)).isoformat()
    notices = [
        {"text": "Hôm nay Trung tâm làm việc đến 17:00"},
        {"text": "Ngày mai nghỉ", "starts_at": later},
    ]
    assert requests.put(url, json={"notices": notices}, headers=manager, timeout=30).status_code == 200
    expect(page.locator("#ticker")).to_be_visible()
    expect(page.locator("#ticker-text")).to_have_text("Hôm nay Trung tâm làm việc đến 17:00")
    requests.put(url, json={"notices": []}, headers=manager, timeout=30)
    expect(page.locator("#ticker")).to_be_hidden()
    assert page.errors == []


def test_a_display_that_is_not_or_no_longer_enrolled_says_so(
    world: World, live_server: LiveServer, new_page: Any
) -> None:
    page = new_page(1920, 1080)
    page.goto(f"{live_server.url}/display")
    expect(page.locator("#message")).to_contain_text("Màn hình này chưa được đăng ký")

    token = world.device_token("display")
    with world.luot.uow() as uow:
        for device in uow.session.scalars(select(Device).where(Device.kind == "display")):
            device.revoked_at = world.luot.now()
        uow.commit()
    page.goto(f"{live_server.url}/display?token={token}")
    expect(page.locator("#message")).to_contain_text("This device is no longer enrolled")
    expect(page.locator("body")).to_have_attribute("data-state", "refused")


# -- done when: readable from across the hall, and an outage no one can miss ------------------------

SMALLEST_TEXT = """() => {
    const sizes = [];
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
        if (!node.textContent.trim()) continue;
        const element = node.parentElement;
        const style = getComputedStyle(element);
        const unseen = style.visibility === "hidden" || style.opacity === "0";
        if (!element.getClientRects().length || unseen) continue;
        sizes.push([parseFloat(style.fontSize), element.className || element.id || element.tagName,
                    node.textContent.trim().slice(0, 30)]);
    }
    sizes.sort((a, b) => a[0] - b[0]);
    return sizes.slice(0, 5);
}"""


def test_every_text_on_the_wall_is_at_least_40_px_at_1080p(
    make_app: Callable[..., Flask], sqlite_url: str, new_page: Any
) -> None:
    world = World(make_app(sqlite_url, config=read_config_file(DEMO_CONFIG)))
    demo_scene(world)
    server = LiveServer(world.app).start()
    try:
        page = open_display(new_page(1920, 1080), server.url, world.device_token("display", site="KB1"))
        expect(page.locator("#now-number")).to_have_text("B002")
        expect(page.locator("#ticker")).to_be_visible()
        expect(page.locator("#waits li")).to_have_count(8)
        page.evaluate("document.fonts.ready.then(() => true)")
        next_frame(page)
        smallest = page.evaluate(SMALLEST_TEXT)
        assert smallest[0][0] >= 40, smallest
        assert page.errors == []
    finally:
        server.stop()


def test_an_outage_shows_a_full_width_band_after_10_s_and_the_last_calls_stay(
    world: World, new_page: Any, servers: list[ServerProcess]
) -> None:
    kiosk, clerk = world.device("kiosk"), world.staff("clerk")
    first = world.issue(kiosk)
    counter_id = world.open_counter(clerk, counter="Q1")
    server = serve(world.app, servers)
    screen = new_page(1920, 1080)
    screen.clock.install()  # the page's own timers, which the test moves on: ten seconds without the wait
    page = open_display(screen, server.url, world.device_token("display"))
    requests.post(f"{server.url}/api/v1/counters/{counter_id}/call-next", headers=clerk, timeout=30)
    expect(page.locator("#now-number")).to_have_text(first["number"])
    expect(page.locator("#outage")).to_be_hidden()

    # The page's time stops here: the outage starts at this very moment of its clock, however long the
    # server takes to go; then the test runs its timers on, through ten seconds.
    page.clock.pause_at(page.evaluate("Date.now()") / 1000 + 1)  # Unix seconds (the page's ms ÷ 1000)
    server.terminate()
    expect(page.locator("#luot-connection")).to_be_visible()  # the page knows the server is gone
    page.clock.run_for(9_900)
    assert page.is_hidden("#outage")  # a short cut shows only the small "reconnecting" mark
    page.clock.run_for(200)
    assert page.is_visible("#outage")
    page.clock.resume()
    band = page.locator("#outage").bounding_box()
    assert band is not None and band["width"] >= 1920 - 1  # across the whole screen
    expect(page.locator("#now-number")).to_have_text(first["number"])  # the last call stays
    expect(page.locator("#recent")).to_be_visible()
    screenshot(page, "display-outage")

    serve(world.app, servers, server.port)
    expect(page.locator("#outage")).to_be_hidden()
    assert page.errors == []
