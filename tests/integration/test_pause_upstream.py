"""A pause made at a site box reaches the upstream with its reason and since when (the counter's runtime
columns the box owns)."""

from __future__ import annotations

from tests.conftest import World
from tests.integration.test_site_boxes import Pair, _login, pair  # noqa: F401 - the fixture


def test_a_pause_at_a_box_reaches_the_upstream_with_its_reason(pair: Pair) -> None:  # noqa: F811
    site = pair.site_id
    World(pair.upstream).device_token("kiosk", "CB")
    pair.link.round()
    clerk = _login(pair.down, "clerk-cb")
    manager = _login(pair.up, "manager-cb")
    counter = pair.down.get(f"/api/v1/sites/{site}/counters", headers=clerk).json[0]["id"]
    assert pair.down.post(f"/api/v1/counters/{counter}/open", json={}, headers=clerk).status_code == 200
    paused = pair.down.post(f"/api/v1/counters/{counter}/pause", json={"reason": "system"}, headers=clerk)
    assert paused.status_code == 200
    pair.link.round()
    upstream = next(
        c for c in pair.up.get(f"/api/v1/sites/{site}/counters", headers=manager).json if c["id"] == counter
    )
    assert (upstream["status"], upstream["pause_reason"]) == ("paused", "system")
    assert upstream["status_since"] == paused.json["status_since"]
