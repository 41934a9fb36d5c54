"""Bad input on every route: always a 4xx with API.md's error shape, never a 5xx, nothing lost."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import Clock, World, new_app


def assert_error(response: Any, status: int, code: str | None = None) -> None:
    assert response.status_code == status, (response.status_code, response.get_data(as_text=True))
    body = response.get_json()
    assert set(body) == {"error"}, body
    assert isinstance(body["error"]["code"], str) and body["error"]["code"]
    assert isinstance(body["error"]["message"], str) and body["error"]["message"]
    if code is not None:
        assert body["error"]["code"] == code, body


Refusing = tuple[World, dict[str, Any]]  # the shared centre and what its requests name


def centre(world: World) -> dict[str, Any]:
    """A kiosk, a clerk at an open counter and a waiting ticket: what the requests below name."""
    kiosk = world.device("kiosk")
    clerk = world.staff("clerk")
    ticket = world.issue(kiosk)
    counter = world.open_counter(clerk)
    return {
        "kiosk": kiosk,
        "clerk": clerk,
        "ticket": ticket["id"],
        "counter": counter,
        "site": world.site("CB")["id"],
        "service": world.service("CB", "HT")["id"],
    }


@pytest.fixture
def setup(world: World) -> dict[str, Any]:
    return centre(world)


@pytest.fixture(scope="module")
def refusing(tmp_path_factory: pytest.TempPathFactory, sqlite_template: Path) -> Iterator[Refusing]:
    """One centre for the module's refusals: each case below is answered 4xx and changes nothing (a case
    that did change something fails), so they share it rather than making a centre each."""
    folder = tmp_path_factory.mktemp("refusing")
    shutil.copy(sqlite_template, folder / "luot.sqlite3")
    app = new_app(folder / "instance", f"sqlite:///{folder / 'luot.sqlite3'}")
    world = World(app)
    try:
        yield world, centre(world)
    finally:
        app.extensions["luot"].close()


STAFF_POSTS = [
    "/api/v1/counters/{counter}/call-next",
    "/api/v1/counters/{counter}/open",
    "/api/v1/counters/{counter}/pause",
    "/api/v1/counters/{counter}/close",
    "/api/v1/tickets/{ticket}/call",
    "/api/v1/tickets/{ticket}/recall",
    "/api/v1/tickets/{ticket}/start",
    "/api/v1/tickets/{ticket}/complete",
    "/api/v1/tickets/{ticket}/no-show",
    "/api/v1/tickets/{ticket}/transfer",
    "/api/v1/tickets/{ticket}/cancel",
]
JSON_POSTS = [*STAFF_POSTS, "/api/v1/sites/{site}/tickets", "/api/v1/auth/login"]


@pytest.mark.parametrize("path", JSON_POSTS)
@pytest.mark.parametrize("body", ["{not json", "[1, 2", '{"a": }'])
def test_malformed_json_is_400(refusing: Refusing, path: str, body: str) -> None:
    world, setup = refusing
    response = world.client.post(
        path.format(**setup), data=body, headers={**setup["clerk"], "Content-Type": "application/json"}
    )
    assert_error(response, 400, "malformed_json")


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/api/v1/sites/{site}/tickets", {"service_id": "one"}),
        ("/api/v1/sites/{site}/tickets", {"service_id": 1.5}),
        ("/api/v1/sites/{site}/tickets", {"service_id": True}),
        ("/api/v1/sites/{site}/tickets", {"service_id": 99999999999999999999}),
        ("/api/v1/sites/{site}/tickets", {"service_id": -4}),
        ("/api/v1/sites/{site}/tickets", {"service_id": "{service}", "priority": "vip"}),
        ("/api/v1/sites/{site}/tickets", {"service_id": "{service}", "phone": "12"}),
        ("/api/v1/sites/{site}/tickets", {"service_id": "{service}", "phone": ["0912345678"]}),
        ("/api/v1/sites/{site}/tickets", {"service_id": "{service}", "citizen_id": "12ab"}),
        ("/api/v1/sites/{site}/tickets", {"service_id": "{service}", "language": "fr"}),
        ("/api/v1/sites/{site}/tickets", {"service_id": "{service}", "phone": "09\x0012345678"}),
        ("/api/v1/sites/{site}/tickets", {}),
        ("/api/v1/sites/{site}/tickets", []),
        ("/api/v1/sites/{site}/tickets", "A001"),
        ("/api/v1/tickets/{ticket}/call", {}),
        ("/api/v1/tickets/{ticket}/call", {"counter_id": "Q1"}),
        ("/api/v1/tickets/{ticket}/transfer", {"service_id": None}),
        ("/api/v1/tickets/{ticket}/complete", {"dossier_code": "x" * 65}),
        ("/api/v1/tickets/{ticket}/complete", {"dossier_code": 12}),
        ("/api/v1/counters/{counter}/call-next", {"request_id": ""}),
        ("/api/v1/counters/{counter}/call-next", {"request_id": "r" * 65}),
        ("/api/v1/auth/login", {"username": "a"}),
        ("/api/v1/auth/login", {"username": 5, "password": "x"}),
    ],
)
def test_wrong_types_and_values_are_422(refusing: Refusing, path: str, body: Any) -> None:
    world, setup = refusing
    if isinstance(body, dict):
        body = {
            k: (int(v.format(**setup)) if isinstance(v, str) and v.startswith("{") else v)
            for k, v in body.items()
        }
    headers = setup["kiosk"] if path.endswith("/tickets") else setup["clerk"]
    response = world.client.post(path.format(**setup), json=body, headers=headers)
    assert_error(response, 422)


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/api/v1/sites/999/services"),
        ("get", "/api/v1/sites/999/wait"),
        ("get", "/api/v1/sites/999/queue"),
        ("get", "/api/v1/sites/999/counters"),
        ("get", "/api/v1/tickets/status/no-such-code"),
        ("get", "/api/v1/sites/0/services"),
        ("get", "/api/v1/sites/99999999999999999999999/services"),
        ("get", "/api/v1/sites/abc/services"),
        ("post", "/api/v1/counters/999/call-next"),
        ("post", "/api/v1/counters/999/open"),
        ("post", "/api/v1/tickets/999/start"),
        ("post", "/api/v1/tickets/99999999999/start"),
        ("get", "/api/v1/no-such-route"),
        ("get", "/api/"),
    ],
)
def test_unknown_ids_and_routes_are_404(refusing: Refusing, method: str, path: str) -> None:
    world, setup = refusing
    assert_error(getattr(world.client, method)(path, headers=setup["clerk"]), 404)


def test_unknown_service_of_a_site_is_404(world: World, setup: dict[str, Any]) -> None:
    other_site_service = world.service("CH", "HT")["id"]
    response = world.client.post(
        f"/api/v1/sites/{setup['site']}/tickets",
        json={"service_id": other_site_service},
        headers=setup["kiosk"],
    )
    assert_error(response, 404)


def test_transfer_to_an_unknown_service_is_404(world: World, setup: dict[str, Any]) -> None:
    world.client.post(f"/api/v1/counters/{setup['counter']}/call-next", headers=setup["clerk"])
    world.client.post(f"/api/v1/tickets/{setup['ticket']}/start", headers=setup["clerk"])
    response = world.client.post(
        f"/api/v1/tickets/{setup['ticket']}/transfer", json={"service_id": 999}, headers=setup["clerk"]
    )
    assert_error(response, 404)


@pytest.mark.parametrize(
    ("method", "path"),
    [("delete", "/api/v1/sites"), ("put", "/api/v1/health"), ("get", "/api/v1/auth/login")],
)
def test_wrong_methods_are_405(world: World, method: str, path: str) -> None:
    assert_error(getattr(world.client, method)(path), 405, "method_not_allowed")


@pytest.mark.parametrize("path", [*STAFF_POSTS, "/api/v1/sites/{site}/tickets"])
@pytest.mark.parametrize("authorization", [None, "Bearer nope", "Basic YWRtaW46YWRtaW4=", "Bearer "])
def test_missing_or_invalid_credentials_are_401(
    refusing: Refusing, path: str, authorization: str | None
) -> None:
    world, setup = refusing
    headers = {"Authorization": authorization} if authorization is not None else {}
    body = {"service_id": setup["service"], "counter_id": setup["counter"]}
    assert_error(world.client.post(path.format(**setup), json=body, headers=headers), 401)


def test_a_kiosk_token_of_another_site_cannot_issue_here(world: World, setup: dict[str, Any]) -> None:
    other_kiosk = world.device("kiosk", site="CH")
    response = world.client.post(
        f"/api/v1/sites/{setup['site']}/tickets", json={"service_id": setup["service"]}, headers=other_kiosk
    )
    assert_error(response, 403, "forbidden")


@pytest.mark.parametrize("path", STAFF_POSTS)
def test_a_kiosk_cannot_act_as_staff(refusing: Refusing, path: str) -> None:
    world, setup = refusing
    body = {"counter_id": setup["counter"], "service_id": setup["service"]}
    assert_error(world.client.post(path.format(**setup), json=body, headers=setup["kiosk"]), 403)


@pytest.mark.parametrize("path", STAFF_POSTS)
def test_a_clerk_of_another_site_cannot_act_here(refusing: Refusing, path: str) -> None:
    world, setup = refusing
    other_clerk = world.staff("clerk", sites=("CH",))
    body = {"counter_id": setup["counter"], "service_id": setup["service"]}
    assert_error(world.client.post(path.format(**setup), json=body, headers=other_clerk), 403)


def test_a_clerk_of_another_site_cannot_see_its_queue(world: World, setup: dict[str, Any]) -> None:
    other_clerk = world.staff("clerk", sites=("CH",))
    assert_error(world.client.get(f"/api/v1/sites/{setup['site']}/queue", headers=other_clerk), 403)
    assert_error(world.client.get(f"/api/v1/sites/{setup['site']}/counters", headers=other_clerk), 403)


def test_a_display_may_read_counters_but_not_the_queue(world: World, setup: dict[str, Any]) -> None:
    display = world.device("display")
    assert world.client.get(f"/api/v1/sites/{setup['site']}/counters", headers=display).status_code == 200
    assert_error(world.client.get(f"/api/v1/sites/{setup['site']}/queue", headers=display), 403)


def test_bad_input_loses_nothing(world: World, setup: dict[str, Any], clock: Clock) -> None:
    clock.set(clock())  # frozen: the queue's waits do not age by a second between the two reads
    site, kiosk = setup["site"], setup["kiosk"]
    before = world.client.get(f"/api/v1/sites/{site}/queue", headers=setup["clerk"]).json
    for body in ({"service_id": "x"}, {"service_id": setup["service"], "priority": "vip"}, {}):
        world.client.post(f"/api/v1/sites/{site}/tickets", json=body, headers=kiosk)
    assert world.client.get(f"/api/v1/sites/{site}/queue", headers=setup["clerk"]).json == before
    assert world.issue(kiosk)["number"] == "A002"  # no number was used up by the refused requests


def test_login_with_a_wrong_password_is_401_and_then_slows_the_caller_without_locking_the_account(
    world: World, clock: Clock
) -> None:
    clock.set(clock())  # frozen: the wait earned lasts however slow the answers
    world.staff("clerk", username="lan")
    for _ in range(5):
        assert_error(
            world.client.post("/api/v1/auth/login", json={"username": "lan", "password": "wrong-password"}),
            401,
            "bad_credentials",
        )
    from tests.conftest import PASSWORD

    wrong = world.client.post("/api/v1/auth/login", json={"username": "lan", "password": "wrong-password"})
    assert_error(wrong, 401, "bad_credentials")
    assert_error(
        world.client.post("/api/v1/auth/login", json={"username": "lan", "password": PASSWORD}),
        429,
        "login_throttled",
    )
    elsewhere = world.client.post(
        "/api/v1/auth/login",
        json={"username": "lan", "password": PASSWORD},
        environ_base={"REMOTE_ADDR": "10.0.0.9"},
    )
    assert elsewhere.status_code == 200, elsewhere.json


def test_logout_revokes_the_token(world: World) -> None:
    clerk = world.staff("clerk")
    assert world.client.get("/api/v1/me", headers=clerk).status_code == 200
    assert world.client.post("/api/v1/auth/logout", headers=clerk).status_code == 204
    assert_error(world.client.get("/api/v1/me", headers=clerk), 401)


def test_expired_staff_tokens_are_refused(world: World, clock: Any) -> None:
    clerk = world.staff("clerk")
    clock.advance(hours=13)
    assert_error(world.client.get("/api/v1/me", headers=clerk), 401)
