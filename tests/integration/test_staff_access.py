"""What the staff tablet relies on: a clerk sees and acts on their own sites only, and the queue is listed
the way their counter would call it."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import LiveServer, World
from tests.realtime_client import refused


@pytest.fixture
def island(world: World) -> dict[str, Any]:
    """Site B (Cát Hải) with a waiting ticket and its counter open, and a clerk of site A (Cát Bà)."""
    island_clerk = world.staff("clerk", sites=("CH",))
    ticket = world.issue(world.device("kiosk", site="CH"), site="CH")
    return {
        "site": world.site("CH")["id"],
        "service": world.service("CH", "HT")["id"],
        "counter": world.open_counter(island_clerk, site="CH"),
        "ticket": ticket["id"],
        "island_clerk": island_clerk,
        "cat_ba_clerk": world.staff("clerk", sites=("CB",)),
    }


READS = ["/api/v1/sites/{site}/queue", "/api/v1/sites/{site}/counters", "/api/v1/me/today?site_id={site}"]
ACTIONS = [
    "/api/v1/sites/{site}/tickets",
    "/api/v1/counters/{counter}/open",
    "/api/v1/counters/{counter}/pause",
    "/api/v1/counters/{counter}/close",
    "/api/v1/counters/{counter}/call-next",
    "/api/v1/tickets/{ticket}/call",
    "/api/v1/tickets/{ticket}/recall",
    "/api/v1/tickets/{ticket}/start",
    "/api/v1/tickets/{ticket}/complete",
    "/api/v1/tickets/{ticket}/no-show",
    "/api/v1/tickets/{ticket}/transfer",
    "/api/v1/tickets/{ticket}/cancel",
]


def test_a_clerk_of_site_a_can_neither_see_nor_act_on_site_b(
    world: World, island: dict[str, Any], live_server: LiveServer
) -> None:
    clerk = island["cat_ba_clerk"]

    for path in READS:
        response = world.client.get(path.format(**island), headers=clerk)
        assert response.status_code == 403, (path, response.json)
        assert response.json["error"]["code"] == "forbidden"
    body = {"service_id": island["service"], "counter_id": island["counter"], "request_id": "r-1"}
    for path in ACTIONS:
        response = world.client.post(path.format(**island), json=body, headers=clerk)
        assert response.status_code == 403, (path, response.json)
    error = refused(live_server.url, {"token": clerk["Authorization"].split()[1], "site_id": island["site"]})
    assert error["data"]["code"] == "forbidden"

    # Nothing changed at site B: its ticket still waits, its counter is still open and free.
    after = world.client.get(f"/api/v1/sites/{island['site']}/queue", headers=island["island_clerk"]).json
    assert [(t["id"], t["status"]) for t in after] == [(island["ticket"], "waiting")]
    counters = world.client.get(f"/api/v1/sites/{island['site']}/counters", headers=island["island_clerk"])
    assert counters.json[0]["status"] == "open" and counters.json[0]["current_ticket"] is None


def test_the_queue_of_a_counter_lists_only_its_services_in_call_order(world: World) -> None:
    kiosk, clerk = world.device("kiosk"), world.staff("clerk")
    land = world.issue(kiosk, service="DD")
    regular = world.issue(kiosk, service="HT")
    elderly = world.issue(kiosk, service="CT", priority="elderly")
    site = world.site("CB")["id"]

    listed = world.client.get(
        f"/api/v1/sites/{site}/queue?counter_id={world.counter_id('CB', 'Q1')}", headers=clerk
    ).json
    assert [(t["number"], t["rule"]) for t in listed] == [
        (elderly["number"], "priority"),
        (regular["number"], "longest_wait"),
    ]
    assert land["number"] not in {t["number"] for t in listed}
    assert all(t["waited_s"] >= 0 for t in listed)
