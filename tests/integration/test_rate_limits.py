"""Rate limits: per device token, per IP address on public routes (sign-in, booking, status), 429 in API.md's
error shape with ``Retry-After``; counts shared through Redis when the server is scaled out."""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask

from server.config import from_environment
from tests.conftest import World

TIGHT = {
    "token": "5 per minute",
    "public": "8 per minute",
    "login": "3 per minute",
    "booking": "2 per minute",
}


def limited_app(make_app: Callable[..., Flask], url: str, **overrides: Any) -> Flask:
    settings = {
        "LUOT_RATE_LIMITS": True,
        "LUOT_RATE_LIMIT_RULES": {**TIGHT, "status": "4 per minute"},
        "LUOT_RATE_LIMIT_PREFIX": f"luot-test-{uuid.uuid4().hex}",
        **overrides,
    }
    return make_app(url, **settings)


def assert_rate_limited(response: Any) -> None:
    assert response.status_code == 429, (response.status_code, response.get_data(as_text=True))
    assert response.json == {"error": {"code": "rate_limited", "message": response.json["error"]["message"]}}
    assert response.json["error"]["message"]
    assert int(response.headers["Retry-After"]) > 0


def test_sign_in_is_limited_per_ip_address(make_app: Callable[..., Flask], sqlite_url: str) -> None:
    client = limited_app(make_app, sqlite_url).test_client()
    body = {"username": "lan", "password": "wrong-password"}
    for _ in range(3):
        assert client.post("/api/v1/auth/login", json=body).status_code == 401
    assert_rate_limited(client.post("/api/v1/auth/login", json=body))
    # Another address still may.
    other = client.post("/api/v1/auth/login", json=body, environ_base={"REMOTE_ADDR": "10.0.0.7"})
    assert other.status_code == 401


def test_a_device_token_is_limited_across_routes_and_others_are_not(
    make_app: Callable[..., Flask], sqlite_url: str
) -> None:
    world = World(limited_app(make_app, sqlite_url))
    kiosk, display = world.device("kiosk"), world.device("display")
    site = world.site("CB")["id"]
    service = world.service("CB", "HT")["id"]
    answers = [
        world.client.post(f"/api/v1/sites/{site}/tickets", json={"service_id": service}, headers=kiosk)
        for _ in range(3)
    ]
    answers += [world.client.get("/api/v1/device", headers=kiosk) for _ in range(2)]
    assert [a.status_code for a in answers] == [201, 201, 201, 200, 200]
    assert_rate_limited(world.client.get("/api/v1/device", headers=kiosk))
    refused = world.client.post(f"/api/v1/sites/{site}/tickets", json={"service_id": service}, headers=kiosk)
    assert_rate_limited(refused)
    # The display's token has its own count; the refused ticket used up no number.
    assert world.client.get("/api/v1/device", headers=display).status_code == 200
    queue = world.client.get(f"/api/v1/sites/{site}/counters", headers=display)
    assert queue.status_code == 200


def test_booking_and_status_are_limited_per_ip_address(
    make_app: Callable[..., Flask], sqlite_url: str
) -> None:
    client = limited_app(make_app, sqlite_url).test_client()
    body = {"site_id": 1, "service_id": 1, "start": "2026-11-23T09:00:00+07:00", "name": "A", "phone": "1"}
    for _ in range(2):
        assert client.post("/api/v1/appointments", json=body).status_code in (404, 409, 422)
    assert_rate_limited(client.post("/api/v1/appointments", json=body))
    for _ in range(4):
        assert client.get("/api/v1/tickets/status/nosuchcode").status_code == 404
    assert_rate_limited(client.get("/api/v1/tickets/status/nosuchcode"))
    # The page behind a ticket's QR code counts with the API's status route.
    assert client.get("/t/nosuchcode").status_code == 429


def test_public_routes_are_limited_per_ip_address(make_app: Callable[..., Flask], sqlite_url: str) -> None:
    client = limited_app(make_app, sqlite_url).test_client()
    answers = [client.get("/api/v1/sites").status_code for _ in range(8)]
    assert answers == [200] * 8
    assert_rate_limited(client.get("/api/v1/health"))
    # Pages and their files are not counted: a kiosk's browser loads many.
    assert client.get("/kiosk").status_code == 200


def test_rate_limits_off_lets_everything_through(
    make_app: Callable[..., Flask], sqlite_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LUOT_RATE_LIMITS", "off")
    switched_off = from_environment()["LUOT_RATE_LIMITS"]
    assert switched_off is False
    client = limited_app(make_app, sqlite_url, LUOT_RATE_LIMITS=switched_off).test_client()
    assert {client.get("/api/v1/sites").status_code for _ in range(20)} == {200}
    # ten sign-ins a minute is the "login" rate limit: off, each of ten different names gets its answer
    # (the failed-sign-in throttle per address and name is a safeguard of its own and stays on)
    bodies = [{"username": f"lan{i}", "password": "wrong-password"} for i in range(12)]
    assert {client.post("/api/v1/auth/login", json=body).status_code for body in bodies} == {401}


def test_several_server_processes_share_their_counts_through_redis(
    make_app: Callable[..., Flask], sqlite_url: str
) -> None:
    redis_url = os.environ.get("LUOT_TEST_REDIS_URL")
    if not redis_url:
        pytest.skip("LUOT_TEST_REDIS_URL is not set")
    prefix = f"luot-test-{uuid.uuid4().hex}"
    settings = {
        "LUOT_RATE_LIMITS": True,
        "LUOT_RATE_LIMIT_RULES": TIGHT,
        "LUOT_RATE_LIMIT_STORAGE": redis_url,
        "LUOT_RATE_LIMIT_PREFIX": prefix,
    }
    first = make_app(sqlite_url, **settings).test_client()
    second = make_app(sqlite_url, config=None, **settings).test_client()  # a second process, same database
    body = {"username": "lan", "password": "wrong-password"}
    assert first.post("/api/v1/auth/login", json=body).status_code == 401
    assert second.post("/api/v1/auth/login", json=body).status_code == 401
    assert first.post("/api/v1/auth/login", json=body).status_code == 401
    assert_rate_limited(second.post("/api/v1/auth/login", json=body))
