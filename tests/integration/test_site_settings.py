"""A manager's settings of their sites: a service's target and open state, a counter's services."""

from __future__ import annotations

from tests.conftest import World


def test_a_manager_changes_a_services_target_and_closes_it(world: World) -> None:
    manager = world.staff("manager", sites=("CB",))
    island = world.staff("manager", sites=("CH",))
    clerk = world.staff("clerk", sites=("CB",))
    site = world.site("CB")["id"]
    ht = world.service("CB", "HT")["id"]

    settings = world.client.get(f"/api/v1/sites/{site}/settings", headers=manager)
    assert settings.status_code == 200
    assert [(s["code"], s["target_wait_minutes"], s["is_open"]) for s in settings.json["services"]] == [
        ("HT", 20, True),
        ("CT", 15, True),
        ("DD", 30, True),
    ]
    assert [(c["code"], len(c["service_ids"])) for c in settings.json["counters"]] == [
        ("Q1", 2),
        ("Q2", 2),
        ("Q3", 1),
    ]

    changed = world.client.patch(f"/api/v1/services/{ht}", json={"target_wait_minutes": 25}, headers=manager)
    assert changed.status_code == 200, changed.json
    assert (changed.json["target_wait_minutes"], changed.json["is_open"]) == (25, True)
    closed = world.client.patch(f"/api/v1/services/{ht}", json={"is_open": False}, headers=manager)
    assert (closed.json["target_wait_minutes"], closed.json["is_open"]) == (25, False)
    refused = world.client.post(
        f"/api/v1/sites/{site}/tickets", json={"service_id": ht}, headers=world.device("kiosk")
    )
    assert refused.status_code == 409
    assert refused.json["error"]["code"] == "service_closed"
    assert world.service("CB", "HT")["target_wait_minutes"] == 25

    for headers in (island, clerk):
        assert (
            world.client.patch(f"/api/v1/services/{ht}", json={"is_open": True}, headers=headers).status_code
            == 403
        )
        assert world.client.get(f"/api/v1/sites/{site}/settings", headers=headers).status_code == 403
    for body in ({"target_wait_minutes": 0}, {"target_wait_minutes": "20"}, {"is_open": "maybe"}):
        answer = world.client.patch(f"/api/v1/services/{ht}", json=body, headers=manager)
        assert answer.status_code == 422, body
    assert (
        world.client.patch("/api/v1/services/999", json={"is_open": True}, headers=manager).status_code == 404
    )


def test_a_manager_sets_the_services_of_a_counter(world: World) -> None:
    manager = world.staff("manager", sites=("CB",))
    q3 = world.counter_id("CB", "Q3")
    ht, dd = world.service("CB", "HT")["id"], world.service("CB", "DD")["id"]
    island_service = world.service("CH", "HT")["id"]

    answer = world.client.put(
        f"/api/v1/counters/{q3}/services", json={"service_ids": [dd, ht]}, headers=manager
    )
    assert answer.status_code == 200, answer.json
    assert answer.json["service_ids"] == [dd, ht]
    counters = world.client.get(f"/api/v1/sites/{world.site('CB')['id']}/counters", headers=manager).json
    assert next(c for c in counters if c["code"] == "Q3")["services"] == [dd, ht]

    for ids in ([], [ht, ht], [island_service]):
        refused = world.client.put(
            f"/api/v1/counters/{q3}/services", json={"service_ids": ids}, headers=manager
        )
        assert refused.status_code == 422, ids
    clerk = world.staff("clerk", sites=("CB",))
    assert (
        world.client.put(
            f"/api/v1/counters/{q3}/services", json={"service_ids": [ht]}, headers=clerk
        ).status_code
        == 403
    )


def test_every_settings_change_on_the_page_is_in_the_audit_log_with_who_and_when(world: World) -> None:
    from sqlalchemy import select

    from server.db.models import AuditRecord

    manager = world.staff("manager", sites=("CB",), username="hoa")
    site = world.site("CB")["id"]
    ht, ct = world.service("CB", "HT")["id"], world.service("CB", "CT")["id"]
    q1 = world.counter_id("CB", "Q1")
    assert (
        world.client.patch(f"/api/v1/services/{ht}", json={"is_open": False}, headers=manager).status_code
        == 200
    )
    put = world.client.put(f"/api/v1/counters/{q1}/services", json={"service_ids": [ct]}, headers=manager)
    assert put.status_code == 200
    notices = {"notices": [{"text": "Nghỉ trưa từ 11:30"}]}
    assert world.client.put(f"/api/v1/sites/{site}/notices", json=notices, headers=manager).status_code == 200
    refused = world.client.patch(f"/api/v1/services/{ht}", json={"target_wait_minutes": 0}, headers=manager)
    assert refused.status_code == 422  # refused: nothing changed, nothing recorded

    with world.luot.read() as session:
        records = session.scalars(select(AuditRecord).order_by(AuditRecord.id)).all()
        got = [(r.kind, r.site_id, r.detail, r.at is not None) for r in records]
        data = [r.data for r in records]
    assert got == [
        ("service_changed", site, "service_changed by hoa", True),
        ("counter_services_changed", site, "counter_services_changed by hoa", True),
        ("notices_replaced", site, "notices_replaced by hoa", True),
    ]
    assert data[0] == {"service": "HT", "target_wait_minutes": 20, "open": False, "changed": ["open"]}
    assert data[1] == {"counter": "Q1", "services": ["CT"]}
    assert data[2] == {"count": 1}
