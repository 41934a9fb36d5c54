"""The audit of staff overrides: managers see who called out of order, cancelled, marked no-show or
transferred, when, where and why; calls the queue policy chose are not overrides; clerks may not look."""

from __future__ import annotations

from tests.conftest import World


def test_managers_see_each_staff_override_with_who_when_and_why(world: World) -> None:
    kiosk = world.device("kiosk")
    clerk = world.staff("clerk", username="lan")
    manager = world.staff("manager")
    site = world.site("CB")["id"]
    first, second, third, fourth = (world.issue(kiosk) for _ in range(4))
    counter = world.open_counter(clerk)

    def post(path: str, **body: object) -> dict[str, object]:
        response = world.client.post(path, json=body, headers=clerk)
        assert response.status_code == 200, response.json
        return dict(response.json)

    post(f"/api/v1/tickets/{fourth['id']}/call", counter_id=counter)  # out of order
    post(f"/api/v1/tickets/{fourth['id']}/no-show")
    post(f"/api/v1/counters/{counter}/call-next")  # the policy's choice: no override
    post(f"/api/v1/tickets/{first['id']}/start")
    post(
        f"/api/v1/tickets/{first['id']}/transfer",
        service_id=world.service("CB", "CT")["id"],
        reason="Cần chứng thực",
    )
    post(f"/api/v1/tickets/{third['id']}/cancel", reason="Công dân về")

    audit = world.client.get(f"/api/v1/sites/{site}/audit", headers=manager)
    assert audit.status_code == 200, audit.json
    assert [(e["action"], e["number"], e["actor"], e["reason"]) for e in audit.json] == [
        ("cancel", third["number"], "lan", "Công dân về"),
        ("transfer", first["number"], "lan", "Cần chứng thực"),
        ("no_show", fourth["number"], "lan", None),
        ("call_out_of_order", fourth["number"], "lan", None),
    ]
    transfer = audit.json[1]
    assert transfer["from_service_id"] == world.service("CB", "HT")["id"]
    assert transfer["to_service_id"] == world.service("CB", "CT")["id"]
    assert audit.json[3]["counter_id"] == counter
    assert second["number"] not in {e["number"] for e in audit.json}

    refused = world.client.get(f"/api/v1/sites/{site}/audit", headers=clerk)
    assert refused.status_code == 403
    other = world.staff("manager", sites=("CH",))
    assert world.client.get(f"/api/v1/sites/{site}/audit", headers=other).status_code == 403


def test_the_audit_period_is_bounded(world: World) -> None:
    manager = world.staff("manager")
    site = world.site("CB")["id"]
    for query in ("from=2026-01-01&to=2026-12-31", "from=2026-03-02&to=2026-03-01"):
        response = world.client.get(f"/api/v1/sites/{site}/audit?{query}", headers=manager)
        assert response.status_code == 422 and response.json["error"]["code"] == "bad_range"
    empty = world.client.get(f"/api/v1/sites/{site}/audit?from=2026-03-01&to=2026-03-31", headers=manager)
    assert empty.status_code == 200 and empty.json == []
