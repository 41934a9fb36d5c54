"""Site boxes, what a cut leaves to reconcile: a citizen who booked upstream while the box's link was cut
checks in at the box by code all the same, and the box reconciles the ticket when the link returns."""

from __future__ import annotations

import socket
from typing import Any

from server.domain.appointments import signed_code
from server.domain.days import business_day
from tests.booking import MONDAY_7AM
from tests.conftest import World
from tests.integration.test_site_boxes import Pair, _login, _service, pair

__all__ = ["pair"]  # the fixture, shared with the other site-box tests


def _dead_url() -> str:
    """An address where nothing listens: the link to the upstream is cut."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}"


def _book(pair: Pair, service: int, start: str, phone: str) -> dict[str, Any]:
    answer = pair.up.post(
        "/api/v1/appointments",
        json={
            "site_id": pair.site_id,
            "service_id": service,
            "start": start,
            "name": "Trần Thị B",
            "phone": phone,
        },
    )
    assert answer.status_code == 201, answer.json
    return dict(answer.json)


def _status(client: Any, ticket: dict[str, Any]) -> dict[str, Any]:
    found = client.get(f"/api/v1/tickets/status/{ticket['public_code']}")
    assert found.status_code == 200, found.json
    return dict(found.json)


def test_a_code_booked_during_a_cut_is_checked_in_at_the_box_and_reconciled(pair: Pair) -> None:
    site = pair.site_id
    kiosk = {"Authorization": f"Bearer {World(pair.upstream).device_token('kiosk', 'CB')}"}
    pair.link.round()
    assert pair.link.connected
    url, pair.link.url = pair.link.url, _dead_url()
    pair.link.round()
    assert not pair.link.connected  # the cut

    service = _service(pair.up, site, "HT")
    day = MONDAY_7AM.date().isoformat()
    slots = [
        s
        for s in pair.up.get(f"/api/v1/sites/{site}/slots?service_id={service}&date={day}").json
        if s["available"]
    ]
    kept = _book(pair, service, slots[0]["start"], "0912345678")
    dropped = _book(pair, service, slots[1]["start"], "0912345679")
    assert (
        pair.up.post(
            f"/api/v1/appointments/{dropped['code']}/cancel", json={"token": dropped["manage_token"]}
        ).status_code
        == 200
    )
    secret = pair.upstream.extensions["luot"].secret
    invented = signed_code(secret, site, service, business_day(MONDAY_7AM, "Asia/Ho_Chi_Minh"))
    assert pair.up.get(f"/api/v1/appointments/{invented}?token=x").status_code == 404

    checked: dict[str, dict[str, Any]] = {}
    for name, code in (("kept", kept["code"]), ("dropped", dropped["code"]), ("invented", invented)):
        answer = pair.down.post(f"/api/v1/appointments/{code}/check-in", json={}, headers=kiosk)
        assert answer.status_code == 201, answer.json
        assert answer.json["unconfirmed"] == "pending"
        assert answer.json["appointment"] is None
        assert answer.json["service_id"] == service
        checked[name] = answer.json
    again = pair.down.post(f"/api/v1/appointments/{kept['code']}/check-in", json={}, headers=kiosk)
    assert again.status_code == 409 and again.json["error"]["code"] == "already_checked_in"
    unsigned = "ACDEFG" if not kept["code"].startswith("ACD") else "CDEFGH"
    assert (
        pair.down.post(f"/api/v1/appointments/{unsigned}/check-in", json={}, headers=kiosk).status_code == 404
    )
    assert _status(pair.down, checked["kept"])["unconfirmed"] == "pending"

    pair.box.extensions["luot"].clock.advance(minutes=3)
    pair.link.url = url  # the link returns
    pair.link.round()  # pulls the bookings and reconciles
    pair.link.round()  # sends the reconciliation up
    assert pair.link.connected

    manager = _login(pair.down, "manager-cb")
    kept_ticket = _status(pair.down, checked["kept"])
    assert kept_ticket["unconfirmed"] is None
    assert kept_ticket["status"] == "waiting"
    up_view = pair.up.get(f"/api/v1/appointments/{kept['code']}?token={kept['manage_token']}").json
    assert up_view["status"] == "checked_in"
    assert up_view["ticket"]["number"] == checked["kept"]["number"]
    assert _status(pair.down, checked["dropped"])["unconfirmed"] == "cancelled"
    assert _status(pair.down, checked["invented"])["unconfirmed"] == "unknown"
    queue = pair.down.get(f"/api/v1/sites/{site}/queue", headers=manager).json
    assert {t["id"] for t in queue} >= {t["id"] for t in checked.values()}  # the citizens keep their tickets
    for name, expected in (("kept", None), ("dropped", "cancelled"), ("invented", "unknown")):
        assert _status(pair.up, checked[name])["unconfirmed"] == expected  # the same rows upstream


def test_a_box_suggests_the_other_sites_from_their_last_known_figures_until_they_grow_old(pair: Pair) -> None:
    site = pair.site_id
    world = World(pair.upstream)
    other = world.site("CH")["id"]
    service = _service(pair.up, other, "HT")
    kiosk = {"Authorization": f"Bearer {world.device_token('kiosk', 'CH')}"}
    for _ in range(3):  # the other site is a site of the upstream's own: it issues there
        issued = pair.up.post(f"/api/v1/sites/{other}/tickets", json={"service_id": service}, headers=kiosk)
        assert issued.status_code == 201, issued.json
    clock = pair.box.extensions["luot"].clock
    clock.advance(hours=1)  # open hours
    pair.link.round()
    assert pair.link.connected
    live = {w["service_id"]: w for w in pair.up.get(f"/api/v1/sites/{other}/wait").json}[service]

    heard = pair.down.get(f"/api/v1/sites/{site}/elsewhere")
    assert heard.status_code == 200, heard.json
    [entry] = heard.json
    assert entry["site"]["code"] == "CH" and entry["site"]["name"] == world.site("CH")["name"]
    assert entry["age_s"] == 0
    figures = next(s for s in entry["services"] if s["code"] == "HT")
    assert (figures["waiting"], figures["estimated_wait_s"]) == (3, live["estimated_wait_s"])
    assert figures["open_now"] is True and entry["site"]["open_now"] is True

    url, pair.link.url = pair.link.url, _dead_url()  # the link is cut: the figures age
    clock.advance(minutes=4)
    pair.link.round()
    assert not pair.link.connected
    [entry] = pair.down.get(f"/api/v1/sites/{site}/elsewhere").json
    assert entry["age_s"] == 240
    pair.box.config["LUOT_ELSEWHERE_MAX_AGE_S"] = 120  # a centre's own limit
    assert pair.down.get(f"/api/v1/sites/{site}/elsewhere").json == []
    pair.box.config["LUOT_ELSEWHERE_MAX_AGE_S"] = 300
    clock.advance(minutes=2)
    assert pair.down.get(f"/api/v1/sites/{site}/elsewhere").json == []  # older than five minutes: hidden

    pair.link.url = url
    pair.link.round()
    assert [e["age_s"] for e in pair.down.get(f"/api/v1/sites/{site}/elsewhere").json] == [0]
    assert pair.up.get(f"/api/v1/sites/{other}/elsewhere").json == []  # no box: /sites gives them live
