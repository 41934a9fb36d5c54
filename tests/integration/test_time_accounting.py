"""The clerk's day in exact seconds (serving, walking, wrap-up, paused by reason, idle, available) against a
fixture day worked out by hand, in the stats JSON and CSV, on SQLite and PostgreSQL."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest
from flask import Flask

from tests.conftest import Clock, World

DAY = "2026-11-23"


def local(hour: int, minute: int, day: int = 23) -> datetime:
    """A moment in Viet Nam (UTC+7) in November 2026."""
    return datetime(2026, 11, day, hour - 7, minute, tzinfo=UTC)


def time(
    serving: int, walking: int, wrap_up: int, idle: int, available: int, **paused: int
) -> dict[str, Any]:
    by_reason = {reason: paused.get(reason, 0) for reason in ("break", "meeting", "away", "system", "other")}
    total = sum(by_reason.values())
    return {
        "serving_s": serving,
        "walking_s": walking,
        "wrap_up_s": wrap_up,
        "paused_s": total,
        "idle_s": idle,
        "available_s": available,
        "paused_by_reason": by_reason,
        "on_duty_s": serving + walking + wrap_up + total + idle + available,
    }


# Worked out by hand from the day below.
# an at Q1 (HT, CT), 07:30–09:00 = 5,400 s:
#   07:30–07:40 available 600 (nobody waits) · 07:40–07:45 idle 300 (h1 waits) · 07:45–07:47 walking 120 ·
#   07:47–07:57 serving 600 · 07:57–08:00 wrap-up 180 · 08:00–08:15 paused, break 900 (c1 arrives 08:05) ·
#   08:15–08:20 idle 300 (c1 waits) · 08:20–08:23 walking 180 (recalled 08:21) · 08:23–08:35 serving 720
#   (paused for a meeting at 08:30, but serving until the completion) · 08:35–08:50 paused, meeting 900 ·
#   08:50–09:00 available 600.
AN = time(1320, 300, 180, 600, 1200, **{"break": 900, "meeting": 900})
# dung at Q3 (DD), 08:10–08:26 = 960 s: idle 120 (d1 waits since 08:00) · walking 60 (no-show 08:13) ·
#   available 420 · paused, system problem 360.
DUNG = time(0, 60, 0, 120, 420, system=360)


@pytest.fixture
def fixture_day(make_app: Callable[..., Flask], database_url: str) -> dict[str, Any]:
    app = make_app(database_url)
    clock = Clock(local(7, 30))
    app.extensions["luot"].clock = clock
    world = World(app)
    kiosk = world.device("kiosk")
    an, dung = world.staff("clerk", username="an"), world.staff("clerk", username="dung")

    def at(hour: int, minute: int) -> None:
        clock.set(local(hour, minute))

    def act(headers: dict[str, str], path: str, body: dict[str, Any] | None = None) -> Any:
        response = world.client.post(f"/api/v1/{path}", json=body or {}, headers=headers)
        assert response.status_code == 200, response.json
        return response.json

    q1 = world.open_counter(an, counter="Q1")
    at(7, 40)
    h1 = world.issue(kiosk, service="HT")
    at(7, 45)
    act(an, f"tickets/{h1['id']}/call", {"counter_id": q1})
    at(7, 47)
    act(an, f"tickets/{h1['id']}/start")
    at(7, 57)
    act(an, f"tickets/{h1['id']}/complete")
    at(8, 0)
    act(an, f"counters/{q1}/pause", {"reason": "break"})
    d1 = world.issue(kiosk, service="DD")
    at(8, 5)
    c1 = world.issue(kiosk, service="CT")
    at(8, 10)
    q3 = world.open_counter(dung, counter="Q3")
    at(8, 12)
    act(dung, f"tickets/{d1['id']}/call", {"counter_id": q3})
    at(8, 13)
    act(dung, f"tickets/{d1['id']}/no-show")
    at(8, 15)
    act(an, f"counters/{q1}/open")
    at(8, 20)
    act(an, f"tickets/{c1['id']}/call", {"counter_id": q1})
    act(dung, f"counters/{q3}/pause", {"reason": "system"})
    at(8, 21)
    act(an, f"tickets/{c1['id']}/recall")
    at(8, 23)
    act(an, f"tickets/{c1['id']}/start")
    at(8, 26)
    act(dung, f"counters/{q3}/close")
    at(8, 30)
    act(an, f"counters/{q1}/pause", {"reason": "meeting"})
    at(8, 35)
    act(an, f"tickets/{c1['id']}/complete")
    at(8, 50)
    act(an, f"counters/{q1}/open")
    at(9, 0)
    act(an, f"counters/{q1}/close")
    clock.set(local(10, 0, day=24))  # the report is read the next day
    return {"world": world, "site": world.site("CB")["id"], "q1": q1, "q3": q3}


def test_each_clerk_and_counter_has_the_seconds_worked_out_by_hand(fixture_day: dict[str, Any]) -> None:
    world: World = fixture_day["world"]
    manager = world.staff("manager", sites=("CB",))
    response = world.client.get(
        f"/api/v1/sites/{fixture_day['site']}/stats?from={DAY}&to={DAY}", headers=manager
    )
    assert response.status_code == 200, response.json
    report = response.json
    clerks = {row["username"]: (row["served"], row["time"]) for row in report["by_clerk"]}
    assert clerks == {"an": (2, AN), "dung": (0, DUNG)}  # dung completed nothing but was on duty
    counters = {row["counter_id"]: row["time"] for row in report["by_counter"]}
    assert counters == {fixture_day["q1"]: AN, fixture_day["q3"]: DUNG}


def test_the_csv_has_the_same_seconds(fixture_day: dict[str, Any]) -> None:
    world: World = fixture_day["world"]
    manager = world.staff("manager", sites=("CB",))
    exported = world.client.get(
        f"/api/v1/sites/{fixture_day['site']}/stats.csv?from={DAY}&to={DAY}", headers=manager
    )
    assert exported.status_code == 200
    rows = list(csv.reader(io.StringIO(exported.get_data(as_text=True).removeprefix("\ufeff"))))
    cells = {(section, name, metric): value for section, _key, name, metric, value in rows[1:]}
    for who, expected in (("an", AN), ("dung", DUNG)):
        assert cells[("clerk", who, "time_serving_s")] == str(expected["serving_s"])
        assert cells[("clerk", who, "time_walking_s")] == str(expected["walking_s"])
        assert cells[("clerk", who, "time_wrap_up_s")] == str(expected["wrap_up_s"])
        assert cells[("clerk", who, "time_paused_s")] == str(expected["paused_s"])
        assert cells[("clerk", who, "time_idle_s")] == str(expected["idle_s"])
        assert cells[("clerk", who, "time_available_s")] == str(expected["available_s"])
        assert cells[("clerk", who, "time_on_duty_s")] == str(expected["on_duty_s"])
        for reason, seconds in expected["paused_by_reason"].items():
            assert cells[("clerk", who, f"time_paused_by_reason_{reason}")] == str(seconds)
    assert cells[("counter", "Quầy 3", "time_paused_by_reason_system")] == "360"


def test_today_counts_up_to_now_and_a_period_past_a_month_has_no_time(
    make_app: Callable[..., Flask], sqlite_url: str
) -> None:
    app = make_app(sqlite_url)
    clock = Clock(local(7, 30))
    app.extensions["luot"].clock = clock
    world = World(app)
    an = world.staff("clerk", username="an")
    q1 = world.open_counter(an, counter="Q1")
    ticket = world.issue(world.device("kiosk"))
    for action, body in (("call", {"counter_id": q1}), ("start", {}), ("complete", {})):
        world.client.post(f"/api/v1/tickets/{ticket['id']}/{action}", json=body, headers=an)
    clock.set(local(7, 45))
    manager = world.staff("manager", sites=("CB",))
    site = world.site("CB")["id"]
    today = world.client.get(f"/api/v1/sites/{site}/stats", headers=manager).json
    (row,) = today["by_clerk"]
    assert (row["served"], row["time"]["on_duty_s"]) == (1, 900)  # 07:30 to now, 07:45
    long = world.client.get(f"/api/v1/sites/{site}/stats?from=2026-10-01&to=2026-11-23", headers=manager).json
    assert [r["time"] for r in long["by_clerk"]] == [None]
