"""A counter pauses with a reason: the reason and since when are on the counter (API and Socket.IO
snapshot), every change is in the counter's events, and the tablet's waiting list carries no personal data."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select

from server.db.models import CounterEvent
from tests.conftest import Clock, World


def post(world: World, path: str, headers: dict[str, str], body: dict[str, Any] | None = None) -> Any:
    return world.client.post(f"/api/v1/{path}", json=body if body is not None else {}, headers=headers)


def test_a_pause_keeps_its_reason_and_since_when_and_each_change_is_a_counter_event(
    world: World, clock: Clock
) -> None:
    clerk = world.staff("clerk", username="an")
    clock.set(datetime(2026, 11, 23, 1, 0, tzinfo=UTC))  # 08:00 in Viet Nam
    counter_id = world.open_counter(clerk)
    clock.set(datetime(2026, 11, 23, 2, 30, tzinfo=UTC))
    paused = post(world, f"counters/{counter_id}/pause", clerk, {"reason": "meeting"}).json
    assert (paused["status"], paused["pause_reason"]) == ("paused", "meeting")
    assert paused["status_since"] == "2026-11-23T09:30:00+07:00"
    site_id = world.site("CB")["id"]
    listed = world.client.get(f"/api/v1/sites/{site_id}/counters", headers=clerk).json
    mine = next(c for c in listed if c["id"] == counter_id)
    assert (mine["pause_reason"], mine["status_since"]) == ("meeting", "2026-11-23T09:30:00+07:00")
    # The same pause again records nothing; another reason is a new pause.
    post(world, f"counters/{counter_id}/pause", clerk, {"reason": "meeting"})
    clock.set(datetime(2026, 11, 23, 2, 40, tzinfo=UTC))
    post(world, f"counters/{counter_id}/pause", clerk, {"reason": "away", "note": "Hướng dẫn tại sảnh"})
    clock.set(datetime(2026, 11, 23, 2, 50, tzinfo=UTC))
    reopened = post(world, f"counters/{counter_id}/open", clerk).json
    assert (reopened["status"], reopened["pause_reason"]) == ("open", None)
    post(world, f"counters/{counter_id}/close", clerk)
    with world.luot.read() as session:
        events = session.scalars(select(CounterEvent).order_by(CounterEvent.id)).all()
        rows = [(e.kind, e.reason, e.note, e.at.astimezone(UTC).strftime("%H:%M")) for e in events]
    assert rows == [
        ("opened", None, None, "01:00"),
        ("paused", "meeting", None, "02:30"),
        ("paused", "away", "Hướng dẫn tại sảnh", "02:40"),
        ("opened", None, None, "02:50"),
        ("closed", None, None, "02:50"),
    ]


def test_a_pause_without_a_reason_counts_as_other_and_an_unknown_reason_is_422(world: World) -> None:
    clerk = world.staff("clerk")
    counter_id = world.open_counter(clerk)
    assert post(world, f"counters/{counter_id}/pause", clerk).json["pause_reason"] == "other"
    refused = post(world, f"counters/{counter_id}/pause", clerk, {"reason": "nap"})
    assert refused.status_code == 422
    assert "error" in refused.json


def test_a_recall_answers_with_its_call_count(world: World) -> None:
    kiosk, clerk = world.device("kiosk"), world.staff("clerk")
    ticket = world.issue(kiosk)
    counter_id = world.open_counter(clerk)
    assert post(world, f"counters/{counter_id}/call-next", clerk).json["call_count"] == 1
    assert post(world, f"tickets/{ticket['id']}/recall", clerk).json["call_count"] == 2
    assert post(world, f"tickets/{ticket['id']}/recall", clerk).json["call_count"] == 3


def test_the_waiting_list_shows_number_service_priority_and_wait_but_never_name_or_phone(
    world: World,
) -> None:
    kiosk, clerk = world.device("kiosk"), world.staff("clerk")
    response = post(
        world,
        f"sites/{world.site('CB')['id']}/tickets",
        kiosk,
        {"service_id": world.service("CB", "HT")["id"], "phone": "0912345678", "citizen_id": "001099012345"},
    )
    assert response.status_code == 201
    queue = world.client.get(f"/api/v1/sites/{world.site('CB')['id']}/queue", headers=clerk)
    (entry,) = queue.json
    assert {"number", "service_id", "priority", "waited_s"} <= entry.keys()
    text = queue.get_data(as_text=True)
    for personal in ("0912345678", "912345678", "001099012345", "phone", "name", "citizen"):
        assert personal not in text
