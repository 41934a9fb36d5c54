"""The manager's accounts and devices API: a manager adds a clerk for their own site and not for another
commune's (403), never an admin; disables an account and resets a password (sessions end); revokes a kiosk
(refused at once); every change in the audit log with who and when."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from flask import Flask
from sqlalchemy import select

from server.db.models import AuditRecord
from server.services.sites.config_file import load_config
from tests.conftest import PASSWORD, Clock, World
from tests.waiting import wait_until

OTHER_COMMUNE: dict[str, Any] = {
    "communes": [
        {
            "code": "27127",
            "name": "Phường Kinh Bắc",
            "province": "Tỉnh Bắc Ninh",
            "sites": [
                {
                    "code": "KB",
                    "name": "Trung tâm Phục vụ hành chính công phường Kinh Bắc",
                    "always_open": True,
                    "services": [{"code": "HT", "name": "Hộ tịch", "prefix": "A"}],
                    "counters": [{"code": "Q1", "number": 1, "name": "Quầy 1", "services": ["HT"]}],
                }
            ],
        }
    ]
}


def post(world: World, path: str, headers: dict[str, str], body: dict[str, Any] | None = None) -> Any:
    return world.client.post(f"/api/v1/{path}", json=body if body is not None else {}, headers=headers)


def test_a_manager_adds_a_clerk_for_their_site_but_not_for_another_communes(app: Flask, world: World) -> None:
    load_config(world.luot.uow(), OTHER_COMMUNE, world.luot.now())
    manager = world.staff("manager", sites=("CB",), username="hoa")
    cat_ba, kinh_bac = world.site("CB")["id"], world.site("KB")["id"]
    added = post(
        world,
        "users",
        manager,
        {"username": "mai", "password": PASSWORD, "role": "clerk", "site_ids": [cat_ba]},
    )
    assert added.status_code == 201, added.json
    assert (added.json["username"], added.json["role"], added.json["site_ids"]) == ("mai", "clerk", [cat_ba])
    signed_in = world.client.post("/api/v1/auth/login", json={"username": "mai", "password": PASSWORD})
    assert signed_in.status_code == 200

    other = post(
        world,
        "users",
        manager,
        {"username": "tung", "password": PASSWORD, "role": "clerk", "site_ids": [kinh_bac]},
    )
    assert (other.status_code, other.json["error"]["code"]) == (403, "forbidden")
    admin = post(
        world, "users", manager, {"username": "x", "password": PASSWORD, "role": "admin", "site_ids": []}
    )
    assert admin.status_code == 403
    taken = post(
        world,
        "users",
        manager,
        {"username": "mai", "password": PASSWORD, "role": "clerk", "site_ids": [cat_ba]},
    )
    assert (taken.status_code, taken.json["error"]["code"]) == (409, "username_taken")
    listed = world.client.get("/api/v1/users", headers=manager).json
    assert "tung" not in {u["username"] for u in listed} and "mai" in {u["username"] for u in listed}

    hoa = world.client.get("/api/v1/me", headers=manager).json["id"]
    with world.luot.read() as session:
        records = session.scalars(select(AuditRecord).where(AuditRecord.kind == "account_added")).all()
        assert [(r.data["username"], r.actor_id, r.site_id) for r in records] == [("mai", hoa, cat_ba)]
        assert records[0].at is not None


def test_disabling_or_resetting_a_password_ends_the_accounts_sessions(world: World) -> None:
    manager = world.staff("manager", sites=("CB",), username="hoa")
    clerk = world.staff("clerk", sites=("CB",), username="lan")
    lan = next(u for u in world.client.get("/api/v1/users", headers=manager).json if u["username"] == "lan")
    assert world.client.get("/api/v1/me", headers=clerk).status_code == 200
    reset = post(
        world,
        f"users/{lan['id']}",
        manager,
        {"role": "clerk", "site_ids": lan["site_ids"], "password": "một mật khẩu mới 2026"},
    )
    assert reset.status_code == 200, reset.json
    assert world.client.get("/api/v1/me", headers=clerk).status_code == 401
    again = world.client.post(
        "/api/v1/auth/login", json={"username": "lan", "password": "một mật khẩu mới 2026"}
    )
    assert again.status_code == 200
    token = {"Authorization": f"Bearer {again.json['token']}"}
    disabled = post(world, f"users/{lan['id']}/disable", manager)
    assert (disabled.status_code, disabled.json["active"]) == (200, False)
    assert world.client.get("/api/v1/me", headers=token).status_code == 401
    with world.luot.read() as session:
        kinds = list(session.scalars(select(AuditRecord.kind).order_by(AuditRecord.id)))
    assert kinds[-2:] == ["account_changed", "account_disabled"]


def test_a_manager_cannot_touch_an_admin_or_a_clerk_of_another_site(world: World) -> None:
    manager = world.staff("manager", sites=("CB",), username="hoa")
    world.staff("admin", sites=(), username="root")
    world.staff("clerk", sites=("CH",), username="nam")
    admin = world.staff("admin", sites=(), username="root2")
    everyone = {u["username"]: u for u in world.client.get("/api/v1/users", headers=admin).json}
    for name in ("root", "nam"):
        refused = post(world, f"users/{everyone[name]['id']}/disable", manager)
        assert refused.status_code == 403


def test_a_revoked_kiosk_is_refused_at_once_and_the_revocation_is_audited(world: World) -> None:
    manager = world.staff("manager", sites=("CB",), username="hoa")
    kiosk = world.device("kiosk")
    site = world.site("CB")["id"]
    (device,) = world.client.get(f"/api/v1/sites/{site}/devices", headers=manager).json
    assert (device["kind"], device["revoked_at"]) == ("kiosk", None)
    world.issue(kiosk)
    revoked = post(world, f"devices/{device['id']}/revoke", manager)
    assert revoked.status_code == 200
    refused = post(world, f"sites/{site}/tickets", kiosk, {"service_id": world.service("CB", "HT")["id"]})
    assert refused.status_code == 401
    other = world.staff("manager", sites=("CH",), username="khanh")
    assert post(world, f"devices/{device['id']}/revoke", other).status_code == 403
    with world.luot.read() as session:
        record = session.scalars(select(AuditRecord).where(AuditRecord.kind == "device_revoked")).one()
        assert (record.site_id, record.data["device_id"]) == (site, device["id"])


def test_a_manager_issues_an_enrolment_code_that_enrols_a_kiosk_of_their_site_only(world: World) -> None:
    manager = world.staff("manager", sites=("CB",), username="hoa")
    site, island = world.site("CB")["id"], world.site("CH")["id"]
    issued = post(world, f"sites/{site}/enrolment-codes", manager, {"kind": "kiosk", "name": "Ki-ốt sảnh"})
    assert issued.status_code == 201, issued.json
    enrolled = world.client.post("/api/v1/devices/enrol", json={"code": issued.json["code"], "kind": "kiosk"})
    assert enrolled.status_code == 201
    kiosk = {"Authorization": f"Bearer {enrolled.json['token']}"}
    body = {"service_id": world.service("CB", "HT")["id"]}
    assert world.client.post(f"/api/v1/sites/{site}/tickets", json=body, headers=kiosk).status_code == 201
    refused = post(world, f"sites/{island}/enrolment-codes", manager, {"kind": "kiosk", "name": "x"})
    assert refused.status_code == 403
    with world.luot.read() as session:
        record = session.scalars(select(AuditRecord).where(AuditRecord.kind == "device_code_issued")).one()
        assert (record.site_id, record.data["name"]) == (site, "Ki-ốt sảnh")


def test_a_devices_last_seen_is_written_at_most_once_a_minute_and_online_follows_its_connection(
    world: World, listen: Any
) -> None:
    clock = Clock(datetime(2026, 11, 23, 1, 0, tzinfo=UTC))
    world.luot.clock = clock
    manager = world.staff("manager")
    kiosk = world.device("kiosk")
    display_token = world.device_token("display")
    site_id = world.site("CB")["id"]

    def devices() -> dict[str, dict[str, Any]]:
        rows = world.client.get(f"/api/v1/sites/{site_id}/devices", headers=manager).json
        return {row["kind"]: row for row in rows}

    assert (devices()["kiosk"]["last_seen_at"], devices()["kiosk"]["online"]) == (None, False)
    assert world.client.get("/api/v1/device", headers=kiosk).status_code == 200
    assert devices()["kiosk"]["last_seen_at"] == "2026-11-23T01:00:00+00:00"
    assert devices()["kiosk"]["online"] is True
    clock.advance(seconds=50)
    world.client.get("/api/v1/device", headers=kiosk)
    assert devices()["kiosk"]["last_seen_at"] == "2026-11-23T01:00:00+00:00"  # not a write per request
    clock.advance(seconds=20)
    world.client.get("/api/v1/device", headers=kiosk)
    assert devices()["kiosk"]["last_seen_at"] == "2026-11-23T01:01:10+00:00"
    clock.advance(minutes=2, seconds=1)
    assert devices()["kiosk"]["online"] is False  # seen more than two minutes ago, no connection

    display = listen({"token": display_token, "site_id": site_id})
    display.next("snapshot", timeout=5)
    assert devices()["display"]["last_seen_at"] == "2026-11-23T01:03:11+00:00"
    clock.advance(minutes=30)
    assert devices()["display"]["online"] is True  # its connection is live, however long ago it connected
    display.close()
    left = "2026-11-23T01:33:11+00:00"
    wait_until(lambda: devices()["display"]["last_seen_at"] == left, "the server saw the display leave", 5)
    clock.advance(minutes=2, seconds=1)
    assert devices()["display"]["online"] is False
