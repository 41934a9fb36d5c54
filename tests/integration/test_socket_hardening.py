"""Socket.IO against hostile clients, on a live server with real clients: a flood of ``refresh`` is cut off
without stalling anyone, a reader that stays behind is dropped, every malformed ``auth`` is refused with a
code, revoked tokens lose their sockets at once, and no socket gets what its screen does not show."""

from __future__ import annotations

import json
import threading
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import requests
import websocket
from flask import Flask

from server.domain.access import Role
from server.services.accounts import auth as auth_service
from tests.commands import luot
from tests.conftest import PASSWORD, LiveServer, World
from tests.realtime_client import Listener, refused
from tests.servers import ServerProcess


def raw_socket(server_url: str, auth: dict[str, Any]) -> websocket.WebSocket:
    """A bare websocket that speaks just enough Socket.IO to connect, and reads only when told."""
    ws = websocket.create_connection(
        server_url.replace("http://", "ws://") + "/socket.io/?EIO=4&transport=websocket", timeout=5
    )
    assert ws.recv().startswith("0")  # Engine.IO's open packet
    ws.send("40" + json.dumps(auth))
    return ws


def close(ws: websocket.WebSocket) -> None:
    try:
        ws.close(timeout=0.2)
    except (websocket.WebSocketException, OSError):
        pass
    finally:
        ws.shutdown()


def read_until_closed(ws: websocket.WebSocket, timeout: float = 5) -> list[str]:
    """Every frame the server sent, up to its closing the connection."""
    frames: list[str] = []
    ws.settimeout(timeout)
    while True:
        try:
            frame = ws.recv()
        except (websocket.WebSocketConnectionClosedException, ConnectionError):
            return frames
        if not frame:
            return frames
        frames.append(frame)


def test_a_client_flooding_refresh_is_cut_off_while_kiosks_keep_issuing(
    world: World, live_server: LiveServer
) -> None:
    kiosk = world.device("kiosk")
    flooder_auth = {"token": world.device_token("kiosk")}
    service_id = world.service("CB", "HT")["id"]
    site_id = world.site("CB")["id"]
    issued: list[tuple[int, float]] = []
    done = threading.Event()

    def issue_during_the_flood() -> None:
        try:
            for _ in range(15):
                started = time.monotonic()
                response = requests.post(
                    f"{live_server.url}/api/v1/sites/{site_id}/tickets",
                    json={"service_id": service_id},
                    headers=kiosk,
                    timeout=5,
                )
                issued.append((response.status_code, time.monotonic() - started))
        finally:
            done.set()

    sessions: list[list[str]] = []
    issuer = threading.Thread(target=issue_during_the_flood)
    issuer.start()
    # A hostile client: floods, never reads while flooding, and comes back each time it is cut off.
    while not done.is_set() or not sessions:
        ws = raw_socket(live_server.url, flooder_auth)
        for _ in range(300):
            try:
                ws.send('42["refresh"]')
            except (websocket.WebSocketConnectionClosedException, ConnectionError):
                break
        sessions.append(read_until_closed(ws))
        close(ws)
    issuer.join()

    assert [status for status, _took in issued] == [201] * 15
    for frames in sessions:
        errors = [json.loads(f[2:]) for f in frames if f.startswith('42["error"')]
        assert [e[1]["code"] for e in errors] == ["rate_limited"], frames[:6]
        # Coalesced: a few snapshots at most, never one per refresh.
        assert sum(f.startswith('42["snapshot"') for f in frames) <= 3


def flood_until_cut(ws: websocket.WebSocket, within: float) -> bool:
    """Send ``refresh`` without reading until the server cuts the connection (True) or ``within`` s pass."""
    deadline = time.monotonic() + within
    try:
        while time.monotonic() < deadline:
            ws.send('42["refresh"]')
    except (websocket.WebSocketConnectionClosedException, OSError):
        return True
    return False


def upgraded_socket(server_url: str, auth: dict[str, Any]) -> websocket.WebSocket:
    """A connection that starts with long-polling and upgrades to a websocket, as a fallback client does."""
    base = f"{server_url}/socket.io/?EIO=4&transport=polling"
    sid = json.loads(requests.get(base, timeout=5).text[1:])["sid"]
    assert requests.post(f"{base}&sid={sid}", data="40" + json.dumps(auth), timeout=5).ok
    ws = websocket.create_connection(
        server_url.replace("http://", "ws://") + f"/socket.io/?EIO=4&transport=websocket&sid={sid}", timeout=5
    )
    ws.send("2probe")
    assert ws.recv() == "3probe"
    ws.send("5")
    return ws


@pytest.mark.parametrize("connect", [raw_socket, upgraded_socket], ids=["websocket", "upgraded"])
def test_a_flooder_that_goes_on_sending_after_its_error_is_cut_off(
    world: World, live_server: LiveServer, connect: Callable[..., websocket.WebSocket]
) -> None:
    """Its TCP connection is shut down: the server stops reading what it sends."""
    ws = connect(live_server.url, {"token": world.device_token("kiosk")})
    try:
        assert flood_until_cut(ws, within=10)
    finally:
        close(ws)


def test_a_well_behaved_screen_is_not_limited(world: World, listen: Any) -> None:
    display = listen({"token": world.device_token("display"), "site_id": world.site("CB")["id"]})
    first = display.next("snapshot")
    for _ in range(10):
        display.client.emit("refresh")
    again = display.next("snapshot")
    assert again["seq"] == first["seq"]
    assert not display.disconnected.is_set() and display.errors == []


def test_a_reader_that_stays_behind_its_bound_is_dropped(
    make_app: Callable[..., Flask], sqlite_url: str
) -> None:
    """Over long-polling that never polls, every packet waits in the server: at most the bound does."""
    app = make_app(sqlite_url, LUOT_SOCKET_BACKLOG_PACKETS=20)
    world = World(app)
    kiosk, display_token = world.device("kiosk"), world.device_token("display")
    site_id = world.site("CB")["id"]
    server = LiveServer(app).start()
    try:
        base = f"{server.url}/socket.io/?EIO=4&transport=polling"
        opened = requests.get(base, timeout=5)
        sid = json.loads(opened.text[1:])["sid"]
        url = f"{base}&sid={sid}"
        connect = "40" + json.dumps({"token": display_token, "site_id": site_id})
        assert requests.post(url, data=connect, timeout=5).text.lower() == "ok"
        for _ in range(15):  # some 45 events for the site's room: more than the 20 that may wait
            world.issue(kiosk)
        drained = requests.get(url, timeout=5)
        assert drained.text.count("\x1e") < 20  # what waited was bounded …
        assert requests.get(url, timeout=5).status_code == 400  # … and the reader is gone
    finally:
        server.stop()


@pytest.mark.parametrize(
    "auth",
    [
        {"token": 12345},
        {"token": ["a", "b"]},
        {"token": {"nested": 1}},
        {"token": "x" * 10_000},
        {"token": "t", "site_id": 2**70},
        {"token": "t", "site_id": "1"},
        {"token": "t", "site_id": -1},
        {"token": "t", "site_id": True},
        {"token": "t", "site_id": 1.5},
        {"public_code": 42},
        {"public_code": ["code"]},
        {"public_code": ""},
        {"public_code": "abc", "token": "t"},
        {"unknown": "keys", "only": 1},
        "a string",
        [1, 2, 3],
        [],
        {},
        None,
        12345,  # on the wire "4012345": a connect without auth whose ack id is 12345
    ],
    ids=lambda auth: repr(auth)[:40],
)
def test_every_malformed_auth_is_refused_with_a_code_within_a_second(
    live_server: LiveServer, auth: Any
) -> None:
    no_auth = auth in ({}, [], None, 12345)
    expected = "unauthorized" if no_auth else "malformed_request"
    assert refused(live_server.url, auth, within=1)["data"]["code"] == expected


@pytest.mark.parametrize("namespace", ["", "/agent"])
def test_auth_that_is_not_json_is_refused_with_a_code(live_server: LiveServer, namespace: str) -> None:
    ws = websocket.create_connection(
        live_server.url.replace("http://", "ws://") + "/socket.io/?EIO=4&transport=websocket", timeout=1
    )
    try:
        assert ws.recv().startswith("0")
        ws.send(f"40{namespace}{',' if namespace else ''}{{not json")
        answer = ws.recv()  # within the 1 s timeout
        assert answer.startswith(f"44{namespace}")
        assert json.loads(answer[answer.index("{") :])["data"] == {"code": "malformed_request"}
    finally:
        close(ws)


def test_a_malformed_agent_auth_is_refused_with_a_code(live_server: LiveServer) -> None:
    assert refused(live_server.url + "/agent", {"token": 5}, within=1)["data"]["code"] == "malformed_request"


# -- revoked tokens ------------------------------------------------------------------------------------


def test_revoking_a_device_closes_its_socket_at_once(world: World, app: Flask, listen: Any) -> None:
    token = world.device_token("display")
    headers = {"Authorization": f"Bearer {token}"}
    device_id = world.client.get("/api/v1/device", headers=headers).json["id"]
    display = listen({"token": token, "site_id": world.site("CB")["id"]})
    other = listen({"token": world.device_token("display"), "site_id": world.site("CB")["id"]})
    display.next("snapshot"), other.next("snapshot")

    result = luot(app, "device", "revoke", str(device_id))
    assert result.exit_code == 0, result.output

    assert display.disconnected.wait(2)
    world.issue(world.device("kiosk"))
    assert other.next("ticket.updated")  # the others keep listening
    assert not other.disconnected.is_set()


def test_logging_out_closes_that_sessions_sockets_only(world: World, listen: Any) -> None:
    username = f"clerk-{uuid.uuid4().hex[:6]}"
    world.staff("clerk", username=username)
    login = world.client.post("/api/v1/auth/login", json={"username": username, "password": PASSWORD})
    token, tablet = login.json["token"], world.staff("clerk")
    site_id = world.site("CB")["id"]
    mine = listen({"token": token, "site_id": site_id})
    others = listen({"token": tablet["Authorization"].split()[1], "site_id": site_id})
    mine.next("snapshot"), others.next("snapshot")

    logout = world.client.post("/api/v1/auth/logout", headers={"Authorization": f"Bearer {token}"})
    assert logout.status_code in (200, 204)

    assert mine.disconnected.wait(2)
    assert not others.disconnected.is_set()


def test_disabling_an_account_closes_all_its_sockets(world: World, app: Flask, listen: Any) -> None:
    username = f"clerk-{uuid.uuid4().hex[:6]}"
    first = world.staff("clerk", username=username)
    login = world.client.post("/api/v1/auth/login", json={"username": username, "password": PASSWORD})
    site_id = world.site("CB")["id"]
    tablets = [
        listen({"token": headers["Authorization"].split()[1], "site_id": site_id})
        for headers in (first, {"Authorization": f"Bearer {login.json['token']}"})
    ]
    for tablet in tablets:
        tablet.next("snapshot")
    result = luot(app, "user", "disable", username)
    assert result.exit_code == 0, result.output
    for tablet in tablets:
        assert tablet.disconnected.wait(2)


def test_revoking_a_kiosk_closes_its_print_agent(world: World, app: Flask, live_server: LiveServer) -> None:
    token = world.device_token("kiosk")
    device_id = world.client.get("/api/v1/device", headers={"Authorization": f"Bearer {token}"}).json["id"]
    agent = Listener(live_server.url + "/agent", {"token": token})
    try:
        assert agent.client.connected
        assert luot(app, "device", "revoke", str(device_id)).exit_code == 0
        assert agent.disconnected.wait(2)
    finally:
        agent.close()


@pytest.mark.postgres
def test_a_revocation_on_one_process_closes_the_sockets_held_by_another(
    make_app: Callable[..., Flask],
    postgres_url: str,
    redis_url: str,
    servers: list[ServerProcess],
    tmp_path: Path,
) -> None:
    """A logout through process A, and ``luot device revoke`` run from the command line (this test's own
    process), close the sockets that process B holds, through the Redis message queue."""
    channel = f"luot-test-{uuid.uuid4().hex}"
    app = make_app(postgres_url, LUOT_MESSAGE_QUEUE=redis_url, LUOT_MESSAGE_QUEUE_CHANNEL=channel)
    world = World(app)
    username = f"clerk-{uuid.uuid4().hex[:6]}"
    world.staff("clerk", username=username)
    login = world.client.post("/api/v1/auth/login", json={"username": username, "password": PASSWORD})
    token = login.json["token"]
    display_token = world.device_token("display")
    display_id = world.client.get(
        "/api/v1/device", headers={"Authorization": f"Bearer {display_token}"}
    ).json["id"]
    env = {
        "LUOT_DATABASE_URL": postgres_url,
        "LUOT_INSTANCE_PATH": str(tmp_path / "instance"),
        "LUOT_MESSAGE_QUEUE": redis_url,
        "LUOT_MESSAGE_QUEUE_CHANNEL": channel,
        "LUOT_SCHEDULER": "off",
    }
    a, b = ServerProcess(env, log=tmp_path / "a.log"), ServerProcess(env, log=tmp_path / "b.log")
    servers.extend([a, b])
    a.start(), b.start()
    site_id = world.site("CB")["id"]
    tablet = Listener(b.url, {"token": token, "site_id": site_id})
    display = Listener(b.url, {"token": display_token, "site_id": site_id})
    try:
        tablet.next("snapshot"), display.next("snapshot")
        logout = requests.post(
            f"{a.url}/api/v1/auth/logout", headers={"Authorization": f"Bearer {token}"}, timeout=5
        )
        assert logout.ok, logout.text
        assert tablet.disconnected.wait(3)
        assert not display.disconnected.is_set()

        assert luot(app, "device", "revoke", str(display_id)).exit_code == 0
        assert display.disconnected.wait(3)
    finally:
        tablet.close(), display.close()


# -- what each socket receives ---------------------------------------------------------------------------


def test_a_citizens_socket_gets_a_clerks_display_name_only_when_one_is_set(
    world: World, app: Flask, listen: Any
) -> None:
    extension = app.extensions["luot"]
    plain = f"clerk-{uuid.uuid4().hex[:6]}"
    named = f"clerk-{uuid.uuid4().hex[:6]}"
    first = world.staff("clerk", username=plain)
    auth_service.add_user(
        extension.uow(),
        extension.hasher,
        username=named,
        password=PASSWORD,
        role=Role.CLERK,
        site_codes=["CB"],
        at=extension.now(),
        display_name="Chị Lan",
    )
    login = world.client.post("/api/v1/auth/login", json={"username": named, "password": PASSWORD})
    second = {"Authorization": f"Bearer {login.json['token']}"}
    world.open_counter(first, counter="Q1")
    world.open_counter(second, counter="Q2")
    mine = world.issue(world.device("kiosk"))

    phone = listen({"public_code": mine["public_code"]})
    snapshot = phone.next("snapshot")
    clerks = {c["number"]: c["clerk"] for c in snapshot["counters"]}
    assert clerks[1] is None and clerks[2] == "Chị Lan"
    assert plain not in json.dumps(phone.history) and named not in json.dumps(phone.history)
    assert snapshot["ticket"]["public_code"] == mine["public_code"]


def test_screens_of_a_site_never_receive_ticket_codes(world: World, listen: Any) -> None:
    kiosk, clerk = world.device("kiosk"), world.staff("clerk")
    site_id = world.site("CB")["id"]
    counter_id = world.open_counter(clerk)
    before = world.issue(kiosk)
    world.client.post(f"/api/v1/counters/{counter_id}/call-next", headers=clerk)
    screens = [
        listen({"token": world.device_token("display"), "site_id": site_id}),
        listen({"token": world.device_token("kiosk")}),
        listen({"token": clerk["Authorization"].split()[1], "site_id": site_id}),
    ]
    phone = listen({"public_code": before["public_code"]})
    for screen in screens:
        screen.next("snapshot")
    phone.next("snapshot")
    tickets = [world.issue(kiosk) for _ in range(2)]
    world.client.post(f"/api/v1/tickets/{before['id']}/start", headers=clerk)
    world.client.post(f"/api/v1/tickets/{before['id']}/complete", headers=clerk)
    world.client.post(f"/api/v1/counters/{counter_id}/call-next", headers=clerk)
    for screen in screens:
        screen.next("ticket.called")
        everything = json.dumps(screen.settle(0.2))
        assert "public_code" not in everything
        for ticket in [before, *tickets]:
            assert ticket["public_code"] not in everything
    # The citizen's own room still names its own ticket.
    assert phone.next("ticket.updated")["ticket"]["public_code"] == before["public_code"]
