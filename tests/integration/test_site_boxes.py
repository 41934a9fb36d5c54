"""Site boxes, in one process: an upstream (SQLite or PostgreSQL) behind a real HTTP server, and a box
(SQLite) whose link to it runs round by round, so that each guarantee is checked at a known moment."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import requests
from flask import Flask
from flask.testing import FlaskClient

from server.domain.access import Role
from server.jobs.site_box import UpstreamLink
from server.services.accounts import auth as auth_service
from server.services.site_boxes import links
from tests.booking import MONDAY_7AM, booking_config
from tests.conftest import PASSWORD, Clock, LiveServer, World


@dataclass
class Pair:
    upstream: Flask
    server: LiveServer
    box: Flask
    link: UpstreamLink
    token: str
    site_id: int

    @property
    def up(self) -> FlaskClient:
        return self.upstream.test_client()

    @property
    def down(self) -> FlaskClient:
        return self.box.test_client()


def _login(client: FlaskClient, username: str) -> dict[str, str]:
    answer = client.post("/api/v1/auth/login", json={"username": username, "password": PASSWORD})
    assert answer.status_code == 200, answer.json
    return {"Authorization": f"Bearer {answer.json['token']}"}


@pytest.fixture
def pair(make_app: Callable[..., Flask], database_url: str, tmp_path: Path, sqlite_template: Path) -> Any:
    upstream = make_app(database_url, booking_config(), LUOT_INSTANCE_PATH=str(tmp_path / "upstream"))
    luot = upstream.extensions["luot"]
    for username, role in (("clerk-cb", Role.CLERK), ("manager-cb", Role.MANAGER)):
        auth_service.add_user(
            luot.uow(),
            luot.hasher,
            username=username,
            password=PASSWORD,
            role=role,
            site_codes=["CB"],
            at=luot.now(),
        )
    new = links.add_link(luot.uow(), "CB", luot.now())
    server = LiveServer(upstream).start()
    box_file = tmp_path / "box.sqlite3"
    shutil.copy(sqlite_template, box_file)
    box = make_app(
        f"sqlite:///{box_file}",
        config=None,
        LUOT_INSTANCE_PATH=str(tmp_path / "box"),
        LUOT_UPSTREAM_URL=server.url,
        LUOT_UPSTREAM_TOKEN=new.token,
    )
    clock = Clock(MONDAY_7AM)  # one clock for both: waits and estimates read the same "now"
    upstream.extensions["luot"].clock = clock
    box.extensions["luot"].clock = clock
    link = UpstreamLink(box, box.extensions["luot.site_box"])
    link.bootstrap()
    yield Pair(upstream, server, box, link, new.token, new.site_id)
    server.stop()


def _service(client: FlaskClient, site_id: int, code: str) -> int:
    return next(s["id"] for s in client.get(f"/api/v1/sites/{site_id}/services").json if s["code"] == code)


def _morning(pair: Pair, kiosk: dict[str, str], clerk: dict[str, str], tickets: int = 4) -> None:
    site = pair.site_id
    client = pair.down
    service = _service(client, site, "HT")
    for _ in range(tickets):
        assert (
            client.post(
                f"/api/v1/sites/{site}/tickets", json={"service_id": service}, headers=kiosk
            ).status_code
            == 201
        )
    counter = next(c["id"] for c in client.get(f"/api/v1/sites/{site}/counters", headers=clerk).json)
    assert client.post(f"/api/v1/counters/{counter}/open", json={}, headers=clerk).status_code == 200
    answer = client.post(f"/api/v1/counters/{counter}/call-next", json={}, headers=clerk)
    assert answer.status_code == 200, (answer.status_code, answer.json)
    called = answer.json
    assert client.post(f"/api/v1/tickets/{called['id']}/start", json={}, headers=clerk).status_code == 200
    assert client.post(f"/api/v1/tickets/{called['id']}/complete", json={}, headers=clerk).status_code == 200
    last = client.post(f"/api/v1/counters/{counter}/call-next", json={}, headers=clerk)
    if last.status_code == 200:
        no_show = client.post(f"/api/v1/tickets/{last.json['id']}/no-show", json={}, headers=clerk)
        assert no_show.status_code == 200


def _views(client: FlaskClient, site: int, manager: dict[str, str]) -> dict[str, Any]:
    return {
        "stats": client.get(f"/api/v1/sites/{site}/stats", headers=manager).json,
        "wait": client.get(f"/api/v1/sites/{site}/wait").json,
        "queue": client.get(f"/api/v1/sites/{site}/queue", headers=manager).json,
        "log": client.get(f"/api/v1/sites/{site}/tickets.csv", headers=manager).get_data(as_text=True),
        "counters": client.get(f"/api/v1/sites/{site}/counters", headers=manager).json,
    }


def test_a_box_takes_its_site_and_its_accounts_from_the_upstream(pair: Pair) -> None:
    site = pair.site_id
    sites = pair.down.get("/api/v1/sites").json
    assert [s["code"] for s in sites] == ["CB"]
    assert [s["code"] for s in pair.down.get(f"/api/v1/sites/{site}/services").json] == ["HT", "CT", "DD"]
    kiosk = {"Authorization": f"Bearer {World(pair.upstream).device_token('kiosk', 'CB')}"}
    pair.link.round()  # the kiosk enrolled upstream now works at the box
    clerk = _login(pair.down, "clerk-cb")
    service = _service(pair.down, site, "HT")
    issued = pair.down.post(f"/api/v1/sites/{site}/tickets", json={"service_id": service}, headers=kiosk)
    assert issued.status_code == 201, issued.json
    assert issued.json["number"] == "A001"
    assert pair.down.get(f"/api/v1/sites/{site}/queue", headers=clerk).json[0]["number"] == "A001"


def test_the_upstream_refuses_the_writes_a_box_owns(pair: Pair) -> None:
    world = World(pair.upstream)
    site = pair.site_id
    kiosk = world.device("kiosk", "CB")
    answer = pair.up.post(
        f"/api/v1/sites/{site}/tickets", json={"service_id": _service(pair.up, site, "HT")}, headers=kiosk
    )
    assert answer.status_code == 409
    assert answer.json["error"]["code"] == "site_box_owns"
    clerk = _login(pair.up, "clerk-cb")
    counter = world.counter_id("CB", "Q1")
    answer = pair.up.post(f"/api/v1/counters/{counter}/open", headers=clerk)
    assert answer.status_code == 409
    assert answer.json["error"]["code"] == "site_box_owns"
    # A kiosk agent pointed at the upstream gets no lease of the box's numbers: both would issue them.
    answer = pair.up.post("/api/v1/kiosk-agent/leases", json={"used": []}, headers=kiosk)
    assert answer.status_code == 409
    assert answer.json["error"]["code"] == "site_box_owns"
    # The other site of the commune is the upstream's own: it serves as before.
    world.issue(world.device("kiosk", "CH"), site="CH")


def test_records_reach_the_upstream_once_and_in_order(pair: Pair) -> None:
    site = pair.site_id
    kiosk = {"Authorization": f"Bearer {World(pair.upstream).device_token('kiosk', 'CB')}"}
    pair.link.round()
    clerk = _login(pair.down, "clerk-cb")
    manager_down = _login(pair.down, "manager-cb")
    manager_up = _login(pair.up, "manager-cb")
    _morning(pair, kiosk, clerk)
    status = pair.down.get(f"/api/v1/sites/{site}/sync", headers=manager_down).json
    assert status["mode"] == "site_box"
    assert status["behind"] > 0
    pair.link.round()
    box_views = _views(pair.down, site, manager_down)
    assert box_views["stats"]["issued"] == 4
    assert box_views["stats"]["served"] == 1
    assert _views(pair.up, site, manager_up) == box_views
    status = pair.up.get(f"/api/v1/sites/{site}/sync", headers=manager_up).json
    assert status["mode"] == "site_box"
    assert status["behind"] == 0
    assert status["box_seq"] == status["upstream_seq"] > 0
    assert pair.down.get(f"/api/v1/sites/{site}/sync", headers=manager_down).json["behind"] == 0
    # A batch sent again (a lost answer) changes nothing, and the next change continues the order.
    again = requests.post(
        f"{pair.server.url}/api/v1/site-box/changes",
        json={"changes": _all_changes(pair), "box_seq": 0, "box_changes": 0},
        headers={"Authorization": f"Bearer {pair.token}"},
        timeout=10,
    )
    assert again.status_code == 200, again.text
    assert _views(pair.up, site, manager_up) == box_views
    _morning(pair, kiosk, clerk, tickets=2)
    pair.link.applied = None  # as after a restart: the box asks where to resume
    pair.link.round()
    assert _views(pair.up, site, manager_up) == _views(pair.down, site, manager_down)


def _all_changes(pair: Pair) -> list[dict[str, Any]]:
    from server.services.site_boxes import box

    with pair.box.extensions["luot"].read() as session:
        return box.pending(session, 0, 500).changes


def test_a_revoked_token_and_another_sites_records_are_refused(pair: Pair) -> None:
    site = pair.site_id
    kiosk = {"Authorization": f"Bearer {World(pair.upstream).device_token('kiosk', 'CB')}"}
    pair.link.round()
    _morning(pair, kiosk, _login(pair.down, "clerk-cb"), tickets=1)
    changes = _all_changes(pair)
    other = [dict(change) for change in changes]
    tickets = other[0]["rows"]["tickets"]
    other[0]["rows"] = {"tickets": [{**tickets[0], "site_id": site + 1}]}
    refused = requests.post(
        f"{pair.server.url}/api/v1/site-box/changes",
        json={"changes": other},
        headers={"Authorization": f"Bearer {pair.token}"},
        timeout=10,
    )
    assert refused.status_code == 403
    assert refused.json()["error"]["code"] == "other_site"
    luot = pair.upstream.extensions["luot"]
    links.revoke_links(luot.uow(), "CB", luot.now())
    refused = requests.post(
        f"{pair.server.url}/api/v1/site-box/changes",
        json={"changes": changes},
        headers={"Authorization": f"Bearer {pair.token}"},
        timeout=10,
    )
    assert refused.status_code == 401
    pair.link.round()
    assert not pair.link.connected
    manager = _login(pair.up, "manager-cb")
    assert pair.up.get(f"/api/v1/sites/{site}/stats", headers=manager).json["issued"] == 0


def test_bookings_made_upstream_reach_the_box(pair: Pair) -> None:
    site = pair.site_id
    service = _service(pair.up, site, "HT")
    day = MONDAY_7AM.date().isoformat()
    slots = pair.up.get(f"/api/v1/sites/{site}/slots?service_id={service}&date={day}").json
    slots = [slot for slot in slots if slot["available"]]
    booked = pair.up.post(
        "/api/v1/appointments",
        json={
            "site_id": site,
            "service_id": service,
            "start": slots[0]["start"],
            "name": "Nguyễn Văn A",
            "phone": "0912345678",
        },
    )
    assert booked.status_code == 201, booked.json
    pair.link.round()
    code, token = booked.json["code"], booked.json["manage_token"]
    assert pair.down.get(f"/api/v1/appointments/{code}?token={token}").json["status"] == "booked"
    assert pair.up.post(f"/api/v1/appointments/{code}/cancel", json={"token": token}).status_code == 200
    pair.link.round()
    assert pair.down.get(f"/api/v1/appointments/{code}?token={token}").json["status"] == "cancelled"


def test_site_box_add_prints_a_token_that_revoke_shuts_out(
    make_app: Callable[..., Flask], sqlite_url: str
) -> None:
    from tests.commands import luot, refused, succeeded

    app = make_app(sqlite_url)
    token = succeeded(luot(app, "site-box", "add", "--site", "CH")).stdout.strip()
    assert token.startswith("sb_")
    client = app.test_client()
    headers = {"Authorization": f"Bearer {token}"}
    feed = client.get("/api/v1/site-box/feed", headers=headers)
    assert feed.status_code == 200
    assert [s["code"] for s in feed.json["config"]["sites"]] == ["CH"]
    assert "event_seq" not in feed.json["config"]["sites"][0]
    assert all("failed_logins" not in u for u in feed.json["config"]["users"])
    assert "revoked 1" in succeeded(luot(app, "site-box", "revoke", "--site", "CH")).stdout
    assert client.get("/api/v1/site-box/feed", headers=headers).status_code == 401
    refused(luot(app, "site-box", "add", "--site", "NOPE"), "NOPE")


def test_the_upstream_closes_its_own_sites_days_and_leaves_a_box_sites_to_its_box(pair: Pair) -> None:
    from server.services.queue import closing

    site = pair.site_id
    kiosk = {"Authorization": f"Bearer {World(pair.upstream).device_token('kiosk', 'CB')}"}
    pair.link.round()
    service = _service(pair.down, site, "HT")
    assert (
        pair.down.post(
            f"/api/v1/sites/{site}/tickets", json={"service_id": service}, headers=kiosk
        ).status_code
        == 201
    )
    pair.link.round()  # the box's waiting ticket is now on the upstream too
    World(pair.upstream).issue(World(pair.upstream).device("kiosk", "CH"), site="CH")
    luot = pair.upstream.extensions["luot"]
    closed = closing.close_days(luot.uow, luot.now() + timedelta(days=2))
    assert closed.expired == 1  # Cát Hải's, the upstream's own; Cát Bà's is its box's to close
    manager = _login(pair.up, "manager-cb")
    assert [t["status"] for t in pair.up.get(f"/api/v1/sites/{site}/queue", headers=manager).json] == [
        "waiting"
    ]


def test_a_box_leaves_reminders_and_no_shows_of_bookings_to_the_upstream(pair: Pair) -> None:
    from server.jobs.scheduler import Sweeper

    site = pair.site_id
    service = _service(pair.up, site, "HT")
    day = MONDAY_7AM.date().isoformat()
    slot = next(
        s
        for s in pair.up.get(f"/api/v1/sites/{site}/slots?service_id={service}&date={day}").json
        if s["available"]
    )
    booked = pair.up.post(
        "/api/v1/appointments",
        json={
            "site_id": site,
            "service_id": service,
            "start": slot["start"],
            "name": "Trần Thị B",
            "phone": "0912345679",
        },
    )
    assert booked.status_code == 201, booked.json
    pair.link.round()
    clock = pair.box.extensions["luot"].clock
    assert isinstance(clock, Clock)
    clock.advance(hours=8)  # long past the appointment: the upstream would mark it a no-show
    assert Sweeper(pair.box, holder="box").run_once()
    code, token = booked.json["code"], booked.json["manage_token"]
    assert pair.down.get(f"/api/v1/appointments/{code}?token={token}").json["status"] == "booked"
