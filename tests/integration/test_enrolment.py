"""Enrolling a kiosk by a short code: `luot device code`, then `POST /api/v1/devices/enrol` once."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import sqlalchemy as sa
from flask import Flask

from server.db.models import EnrolmentCode
from server.domain.access import DeviceKind
from server.services.accounts.enrolment import issue_code
from tests.commands import luot, succeeded
from tests.conftest import Clock, World


def new_code(world: World, kind: str = "kiosk", name: str = "Kiosk sảnh") -> str:
    issued = issue_code(
        world.luot.uow(),
        world.luot.secret,
        site_code="CB",
        kind=DeviceKind(kind),
        name=name,
        printer_uri=None,
        at=world.luot.now(),
    )
    return issued.code


def enrol(world: World, code: str, **body: str) -> Any:
    return world.client.post("/api/v1/devices/enrol", json={"code": code, **body})


def test_a_code_enrols_a_kiosk_once(world: World) -> None:
    code = new_code(world)
    assert len(code) == 9 and code[4] == "-"
    first = enrol(world, code.lower().replace("-", ""), kind="kiosk")
    assert first.status_code == 201, first.json
    assert first.json["device"]["kind"] == "kiosk"
    assert first.json["device"]["site_id"] == world.site("CB")["id"]
    me = world.client.get("/api/v1/device", headers={"Authorization": f"Bearer {first.json['token']}"})
    assert me.status_code == 200 and me.json["name"] == "Kiosk sảnh"

    again = enrol(world, code)
    assert again.status_code == 404 and again.json["error"]["code"] == "unknown_enrolment_code"


def test_a_code_expires_after_a_day(world: World, clock: Clock) -> None:
    code = new_code(world)
    clock.advance(hours=24, seconds=1)
    response = enrol(world, code)
    assert response.status_code == 404 and response.json["error"]["code"] == "unknown_enrolment_code"


def test_a_new_code_for_the_same_device_replaces_the_unused_one(world: World) -> None:
    old, new = new_code(world), new_code(world)
    assert enrol(world, old).status_code == 404
    response = enrol(world, new)
    assert response.status_code == 201
    assert response.json["device"]["name"] == "Kiosk sảnh"


def test_a_display_code_typed_on_a_kiosk_is_refused_and_stays_usable(world: World) -> None:
    code = new_code(world, kind="display", name="Màn hình sảnh")
    refused = enrol(world, code, kind="kiosk")
    assert refused.status_code == 409 and refused.json["error"]["code"] == "wrong_device_kind"
    assert enrol(world, code, kind="display").status_code == 201


def test_malformed_and_unknown_codes(world: World) -> None:
    assert enrol(world, "12").status_code == 422
    assert enrol(world, "ABCD-EFGH").status_code == 404
    assert world.client.post("/api/v1/devices/enrol", json={}).status_code == 422


def test_codes_are_stored_only_as_keyed_hashes(world: World) -> None:
    code = new_code(world).replace("-", "")
    with world.luot.read() as session:
        stored = session.scalars(sa.select(EnrolmentCode.code_hash)).all()
    assert len(stored) == 1
    assert code not in stored[0] and code.lower() not in stored[0]


def test_luot_device_code_prints_a_code_the_kiosk_can_use(
    make_app: Callable[..., Flask], database_url: str
) -> None:
    command = make_app(database_url)  # the command's own app…
    result = succeeded(
        luot(command, "device", "code", "--site", "CB", "--kind", "kiosk", "--name", "Kiosk sảnh")
    )
    code = result.stdout.strip()
    assert len(code) == 9 and "valid once" in result.stderr

    serving = make_app(database_url, config=None)  # …and the server's, with the installation's same secret
    response = serving.test_client().post("/api/v1/devices/enrol", json={"code": code})
    assert response.status_code == 201, response.json
    assert response.json["device"]["name"] == "Kiosk sảnh"
