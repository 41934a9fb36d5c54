"""Socket.IO with a real client on a live server: auth and rooms at connect, snapshot, events with seq."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import LiveServer, World
from tests.realtime_client import refused


def test_display_gets_a_snapshot_then_each_call_with_seq_growing_by_one(world: World, listen: Any) -> None:
    kiosk, clerk = world.device("kiosk"), world.staff("clerk")
    tickets = [world.issue(kiosk) for _ in range(3)]
    site_id = world.site("CB")["id"]
    display = listen({"token": world.device_token("display"), "site_id": site_id})

    snapshot = display.next("snapshot")
    assert snapshot["site_id"] == site_id
    assert {c["code"] for c in snapshot["counters"]} == {"Q1", "Q2", "Q3"}
    waiting = {w["service_id"]: w["waiting"] for w in snapshot["waiting_by_service"]}
    assert waiting[world.service("CB", "HT")["id"]] == 3

    counter_id = world.open_counter(clerk)
    seqs = []
    for ticket in tickets:
        world.client.post(f"/api/v1/counters/{counter_id}/call-next", headers=clerk)
        called = display.next("ticket.called")
        assert called["ticket"] == {
            "id": ticket["id"],
            "number": ticket["number"],
            "service_id": ticket["service_id"],
            "day": ticket["day"],
        }
        assert called["counter"] == {"id": counter_id, "number": 1, "name": "Quầy 1"}
        assert called["recall"] is False
        seqs.append(called["seq"])
        world.client.post(f"/api/v1/tickets/{ticket['id']}/no-show", headers=clerk)

    assert seqs[0] > snapshot["seq"]
    # Every site event after the snapshot carries the next number: no gap, no repeat.
    after = [data["seq"] for name, data in display.settle() if name != "snapshot"]
    assert after == list(range(snapshot["seq"] + 1, snapshot["seq"] + 1 + len(after)))


def test_every_event_of_a_site_carries_the_next_seq(world: World, listen: Any) -> None:
    kiosk, clerk = world.device("kiosk"), world.staff("clerk")
    site_id = world.site("CB")["id"]
    display = listen({"token": world.device_token("display"), "site_id": site_id})
    start = display.next("snapshot")["seq"]
    counter_id = world.open_counter(clerk)
    ticket = world.issue(kiosk)
    world.client.post(f"/api/v1/counters/{counter_id}/call-next", headers=clerk)
    world.client.post(f"/api/v1/tickets/{ticket['id']}/recall", headers=clerk)
    events = [display.next() for _ in range(8)][1:]  # after the snapshot
    names = [name for name, _data in display.history[1:8]]
    assert [e["seq"] for e in events] == list(range(start + 1, start + 8))
    assert {e["site_id"] for e in events} == {site_id}
    assert names == [
        "counter.updated",
        "queue.changed",  # the counter opened
        "ticket.updated",
        "queue.changed",  # a ticket was issued
        "ticket.called",
        "queue.changed",  # it was called
        "ticket.called",  # and called again
    ]


def test_each_queue_change_carries_the_early_warnings_of_the_committed_queue(
    world: World, listen: Any
) -> None:
    kiosk, clerk = world.device("kiosk"), world.staff("clerk")
    site_id, civil = world.site("CB")["id"], world.service("CB", "HT")["id"]
    display = listen({"token": world.device_token("display"), "site_id": site_id})
    assert display.next("snapshot")["warnings"] == []

    world.issue(kiosk)  # every counter is closed
    issued = display.next("queue.changed")
    assert [(w["kind"], w["service_id"]) for w in issued["warnings"]] == [("no_open_counter", civil)]
    assert issued["forecast"]["waiting"] == 1

    counter_id = world.open_counter(clerk)  # Quầy 1 opens and calls nobody while someone waits
    opened = display.next("queue.changed")
    assert [(w["kind"], w["counter_id"]) for w in opened["warnings"]] == [("idle_counter", counter_id)]

    world.client.post(f"/api/v1/counters/{counter_id}/call-next", headers=clerk)
    called = display.next("queue.changed")
    assert (called["warnings"], called["forecast"]["waiting"]) == ([], 0)


def test_recall_is_announced_again(world: World, listen: Any) -> None:
    kiosk, clerk = world.device("kiosk"), world.staff("clerk")
    ticket = world.issue(kiosk)
    display = listen({"token": world.device_token("display"), "site_id": world.site("CB")["id"]})
    display.next("snapshot")
    counter_id = world.open_counter(clerk)
    world.client.post(f"/api/v1/counters/{counter_id}/call-next", headers=clerk)
    assert display.next("ticket.called")["recall"] is False
    world.client.post(f"/api/v1/tickets/{ticket['id']}/recall", headers=clerk)
    again = display.next("ticket.called")
    assert (again["ticket"]["id"], again["recall"]) == (ticket["id"], True)


def test_citizen_status_page_follows_only_its_own_ticket(world: World, listen: Any) -> None:
    kiosk, clerk = world.device("kiosk"), world.staff("clerk")
    first = world.issue(kiosk, phone="0912345678")
    mine = world.issue(kiosk)
    phone = listen({"public_code": mine["public_code"]})
    snapshot = phone.next("snapshot")
    assert snapshot["ticket"] == {
        "public_code": mine["public_code"],
        "number": "A002",
        "status": "waiting",
        "position": 2,
        "estimated_wait_s": mine["estimated_wait_s"],
        "counter": None,
        "unconfirmed": None,
        "dossier_code": None,  # until the ticket is done
    }
    counter_id = world.open_counter(clerk)
    world.client.post(f"/api/v1/counters/{counter_id}/call-next", headers=clerk)  # calls the first ticket
    moved = phone.next("ticket.updated")
    while moved["ticket"]["position"] != 1:  # opening the counter moved the estimate first
        moved = phone.next("ticket.updated")
    assert moved["ticket"]["number"] == "A002"
    world.client.post(f"/api/v1/tickets/{first['id']}/no-show", headers=clerk)
    world.client.post(f"/api/v1/counters/{counter_id}/call-next", headers=clerk)
    called = phone.next("ticket.updated")
    while called["ticket"]["status"] != "called":
        called = phone.next("ticket.updated")
    assert called["ticket"]["counter"] == {"id": counter_id, "number": 1, "name": "Quầy 1"}
    for name, data in phone.settle():
        if name == "snapshot":
            continue
        assert name == "ticket.updated" and data["ticket"]["public_code"] == mine["public_code"]
        assert "phone" not in str(data) and "0912345678" not in str(data)


def test_a_status_page_hears_of_a_priority_ticket_ahead_but_not_of_walk_ins_behind(
    world: World, listen: Any
) -> None:
    kiosk = world.device("kiosk")
    mine = world.issue(kiosk)
    phone = listen({"public_code": mine["public_code"]})
    phone.next("snapshot")
    world.issue(kiosk)  # joins behind: nothing changes for this citizen
    world.issue(kiosk, priority="elderly")  # goes ahead: this citizen moves back
    moved = phone.next("ticket.updated")
    assert moved["ticket"]["position"] == 2
    assert [name for name, _data in phone.settle()] == ["snapshot", "ticket.updated"]


@pytest.mark.parametrize(
    ("auth", "code"),
    [
        ({}, "unauthorized"),
        ({"token": "not-a-token", "site_id": 1}, "unauthorized"),
        ({"public_code": "unknown-code"}, "not_found"),
    ],
)
def test_connections_without_valid_auth_are_refused(
    live_server: LiveServer, auth: dict[str, Any], code: str
) -> None:
    assert refused(live_server.url, auth)["data"]["code"] == code


def test_a_display_of_one_site_cannot_listen_to_another(world: World, live_server: LiveServer) -> None:
    token = world.device_token("display", site="CH")
    error = refused(live_server.url, {"token": token, "site_id": world.site("CB")["id"]})
    assert error["data"]["code"] == "forbidden"


def test_refresh_sends_a_new_snapshot(world: World, listen: Any) -> None:
    display = listen({"token": world.device_token("display"), "site_id": world.site("CB")["id"]})
    first = display.next("snapshot")
    world.issue(world.device("kiosk"))
    display.client.emit("refresh")
    again = display.next("snapshot")
    assert again["seq"] > first["seq"]
