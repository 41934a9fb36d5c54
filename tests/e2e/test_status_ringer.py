"""The status page on a phone rings (a Web Audio chime, observed), vibrates and retitles itself when its
ticket becomes near its turn and when it is called."""

from __future__ import annotations

from typing import Any

from tests.conftest import LiveServer, World

# Record every tone the page starts, and every vibration it asks for.
OBSERVE = """
window.__tones = [];
window.__vibrations = [];
const start = OscillatorNode.prototype.start;
OscillatorNode.prototype.start = function (...args) {
  window.__tones.push(this.frequency.value);
  return start.apply(this, args);
};
Object.defineProperty(navigator, "vibrate", {
  value: (pattern) => { window.__vibrations.push(pattern); return true; },
});
"""


def test_the_status_page_rings_when_its_ticket_is_near_and_when_it_is_called(
    world: World, live_server: LiveServer, new_page: Any
) -> None:
    kiosk, clerk = world.device("kiosk"), world.staff()
    ahead = [world.issue(kiosk) for _ in range(4)]
    mine = world.issue(kiosk)  # position 5: not near yet (3 by default, and 40 minutes away)
    counter = world.open_counter(clerk)
    page = new_page(390, 844)
    page.add_init_script(OBSERVE)
    page.goto(f"{live_server.url}/t/{mine['public_code']}")
    page.wait_for_selector("body[data-live=on][data-status=waiting]")
    page.click("#ring-on")  # the touch a phone needs before a page may make sound
    page.wait_for_selector("body[data-ringer=on]")
    assert page.evaluate("window.__tones") == []

    for ticket in ahead[:2]:  # two are called: this ticket is now third
        called = world.client.post(f"/api/v1/counters/{counter}/call-next", headers=clerk).json
        assert called["id"] == ticket["id"]
        for action in ("start", "complete"):
            world.client.post(f"/api/v1/tickets/{ticket['id']}/{action}", headers=clerk, json={})
    page.wait_for_selector("body[data-rang=near]")
    assert page.evaluate("window.__tones") == [660, 880]
    assert page.evaluate("window.__vibrations") == [[300, 150, 300]]
    assert mine["number"] in page.title() and "sắp đến lượt" in page.title()

    response = world.client.post(
        f"/api/v1/tickets/{mine['id']}/call", headers=clerk, json={"counter_id": counter}
    )
    assert response.status_code == 200, response.json
    page.wait_for_selector("body[data-rang=called]")
    assert page.evaluate("window.__tones") == [660, 880, 880, 660, 880]  # near told once, then called
    assert page.evaluate("window.__vibrations")[-1] == [500, 200, 500, 200, 500]
    assert "quầy 1" in page.title()
