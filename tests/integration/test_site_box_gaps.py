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
