"""Satisfaction in the statistics and the exports, against a fixture day worked out by hand (ratings from
both channels, some tickets unanswered), on SQLite and PostgreSQL."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest
from flask import Flask

from server.domain.access import DeviceKind
from server.services.accounts import auth as auth_service
from tests.conftest import Clock, World

DAY = "2026-11-23"


def local(hour: int, minute: int, second: int = 0, day: int = 23) -> datetime:
    return datetime(2026, 11, day, hour - 7, minute, second, tzinfo=UTC)


class Day:
    def __init__(self, world: World, clock: Clock, kiosk: dict[str, str]) -> None:
        self.world, self.clock, self.kiosk = world, clock, kiosk
        self.dossiers = 0

    def post(
        self, path: str, body: dict[str, Any] | None = None, headers: dict[str, str] | None = None
    ) -> Any:
        response = self.world.client.post(f"/api/v1/{path}", json=body or {}, headers=headers or {})
        assert response.status_code in (200, 201), (path, response.json)
        return response.json

    def serve(
        self, clerk: dict[str, str], counter: int, service: str, hour: int, minute: int, day: int = 23
    ) -> dict[str, Any]:
        """Issue a ticket of ``service`` at hour:minute, call it at once, serve it for five minutes."""
        self.clock.set(local(hour, minute, day=day))
        ticket = self.world.issue(self.kiosk, service=service)
        self.post(f"tickets/{ticket['id']}/call", {"counter_id": counter}, clerk)
        self.post(f"tickets/{ticket['id']}/start", headers=clerk)
        self.clock.set(local(hour, minute + 5, day=day))
        self.dossiers += 1
        dossier = f"H34.12-231126-{self.dossiers:04d}"
        return dict(self.post(f"tickets/{ticket['id']}/complete", {"dossier_code": dossier}, clerk))

    def by_pad(self, pad: dict[str, str], ticket: dict[str, Any], score: int, **body: Any) -> None:
        self.post(f"tickets/{ticket['id']}/rating", {"score": score, **body}, pad)

    def by_phone(self, ticket: dict[str, Any], score: int, at: datetime, **body: Any) -> None:
        self.clock.set(at)
        self.post(f"tickets/status/{ticket['public_code']}/rating", {"score": score, **body})


def login(world: World, username: str) -> dict[str, str]:
    from tests.conftest import PASSWORD

    answer = world.client.post("/api/v1/auth/login", json={"username": username, "password": PASSWORD})
    assert answer.status_code == 200, answer.json
    return {"Authorization": f"Bearer {answer.json['token']}"}


@pytest.fixture
def rated_day(make_app: Callable[..., Flask], database_url: str) -> dict[str, Any]:
    app = make_app(database_url)
    clock = Clock(local(7, 30, day=22))
    app.extensions["luot"].clock = clock
    world = World(app)
    kiosk = world.device("kiosk")
    _info, token = auth_service.add_device(
        world.luot.uow(),
        site_code="CB",
        kind=DeviceKind.RATING,
        name="Đánh giá quầy 1",
        printer_uri=None,
        at=clock(),
        counter_code="Q1",
    )
    pad = {"Authorization": f"Bearer {token}"}
    day = Day(world, clock, kiosk)
    an = world.staff("clerk", username="an")
    binh = world.staff("clerk", username="binh")
    q1, q2 = world.open_counter(an, counter="Q1"), world.open_counter(binh, counter="Q2")

    # 22 November: served and rated, not in the report.
    t0 = day.serve(an, q1, "HT", 8, 0, day=22)
    day.by_pad(pad, t0, 1)

    # 23 November: the clerks sign in again.
    clock.set(local(7, 30))
    an, binh = login(world, "an"), login(world, "binh")
    t1 = day.serve(an, q1, "HT", 8, 0)
    clock.advance(seconds=10)
    day.by_pad(pad, t1, 5)  # counter
    t2 = day.serve(an, q1, "HT", 8, 10)
    day.by_phone(t2, 1, local(8, 40), reasons=["waiting_time", "staff_attitude"], comment="Chờ quá lâu")
    t3 = day.serve(binh, q2, "CT", 8, 20)
    day.by_phone(t3, 4, local(7, 0, day=24))  # the next morning: counts on the day it was served
    day.serve(binh, q2, "CT", 8, 30)  # t4: never rated
    day.serve(an, q1, "HT", 8, 40)  # t5: never rated
    t6 = day.serve(an, q1, "CT", 9, 0)
    clock.advance(seconds=20)
    day.by_pad(pad, t6, 5)  # counter
    clock.set(local(9, 10))
    skipped = world.issue(kiosk)  # a no-show: not served, so not in the response rate
    day.post(f"tickets/{skipped['id']}/call", {"counter_id": q1}, an)
    day.post(f"tickets/{skipped['id']}/no-show", headers=an)
    clock.set(local(12, 0, day=24))
    return {
        "world": world,
        "site": world.site("CB")["id"],
        "services": {code: world.service("CB", code)["id"] for code in ("HT", "CT")},
        "counters": {"Q1": q1, "Q2": q2},
        "tickets": {"t1": t1, "t2": t2, "t3": t3, "t6": t6},
    }


def sat(
    ratings: int,
    served: int,
    rate: float | None,
    avg: float | None,
    dist: dict[int, int],
    satisfied: float | None,
    unsatisfied: int,
    phone: int,
    counter: int,
) -> dict[str, Any]:
    return {
        "ratings": ratings,
        "served": served,
        "response_rate_pct": rate,
        "avg_score": avg,
        "distribution": {str(s): dist.get(s, 0) for s in range(1, 6)},
        "satisfied_pct": satisfied,
        "unsatisfied": unsatisfied,
        "by_channel": {"phone": phone, "counter": counter},
    }


# Served on the 23rd: t1 HT/Q1/an (pad 5), t2 HT/Q1/an (phone 1), t3 CT/Q2/binh (phone 4, rated the next
# day), t4 CT/Q2/binh (—), t5 HT/Q1/an (—), t6 CT/Q1/an (pad 5).
# All: 6 served, 4 ratings → 66.7 %; scores 5, 1, 4, 5 → avg 15/4 = 3.75; satisfied 3/4 = 75.0 %;
#   unsatisfied 1; phone 2, counter 2.
# HT: t1, t2, t5 → 3 served, 2 ratings (5, 1) → 66.7 %, avg 3.0, satisfied 1/2 = 50.0 %, unsatisfied 1.
# CT: t3, t4, t6 → 3 served, 2 ratings (4, 5) → 66.7 %, avg 4.5, satisfied 100.0 %.
# Q1 and an: t1, t2, t5, t6 → 4 served, 3 ratings (5, 1, 5) → 75.0 %, avg 11/3 = 3.67, satisfied 2/3 = 66.7 %.
# Q2 and binh: t3, t4 → 2 served, 1 rating (4) → 50.0 %, avg 4.0, satisfied 100.0 %.
ALL = sat(4, 6, 66.7, 3.75, {1: 1, 4: 1, 5: 2}, 75.0, 1, 2, 2)
HT = sat(2, 3, 66.7, 3.0, {1: 1, 5: 1}, 50.0, 1, 1, 1)
CT = sat(2, 3, 66.7, 4.5, {4: 1, 5: 1}, 100.0, 0, 1, 1)
Q1 = sat(3, 4, 75.0, 3.67, {1: 1, 5: 2}, 66.7, 1, 1, 2)
Q2 = sat(1, 2, 50.0, 4.0, {4: 1}, 100.0, 0, 1, 0)


def test_satisfaction_of_the_fixture_day_matches_the_hand_computed_figures(rated_day: dict[str, Any]) -> None:
    world: World = rated_day["world"]
    site, services, counters = rated_day["site"], rated_day["services"], rated_day["counters"]
    manager = world.staff("manager", sites=("CB",))
    report = world.client.get(f"/api/v1/sites/{site}/stats?from={DAY}&to={DAY}", headers=manager).json
    assert report["satisfaction"] == ALL
    assert {row["code"]: row["satisfaction"] for row in report["by_service"]} == {"HT": HT, "CT": CT}
    assert {row["counter_id"]: row["satisfaction"] for row in report["by_counter"]} == {
        counters["Q1"]: Q1,
        counters["Q2"]: Q2,
    }
    assert {row["username"]: row["satisfaction"] for row in report["by_clerk"]} == {"an": Q1, "binh": Q2}
    commune = world.client.get(f"/api/v1/communes/11914/stats?from={DAY}", headers=manager).json
    assert commune["satisfaction"] == ALL

    exported = world.client.get(f"/api/v1/sites/{site}/stats.csv?from={DAY}&to={DAY}", headers=manager)
    rows = list(csv.reader(io.StringIO(exported.get_data(as_text=True).removeprefix("\ufeff"))))
    cells = {(section, key, metric): value for section, key, _name, metric, value in rows[1:]}
    users = {row["username"]: row["user_id"] for row in report["by_clerk"]}

    def flat(section: str, key: str, figures: dict[str, Any]) -> dict[tuple[str, str, str], str]:
        out = {}
        for name, value in figures.items():
            if isinstance(value, dict):
                for sub, n in value.items():
                    out[(section, key, f"satisfaction_{name}_{sub}")] = str(n)
            else:
                out[(section, key, f"satisfaction_{name}")] = str(value)
        return out

    expected = {
        **flat("total", "", ALL),
        **flat("service", str(services["HT"]), HT),
        **flat("service", str(services["CT"]), CT),
        **flat("counter", str(counters["Q1"]), Q1),
        **flat("counter", str(counters["Q2"]), Q2),
        **flat("clerk", str(users["an"]), Q1),
        **flat("clerk", str(users["binh"]), Q2),
    }
    assert {cell: v for cell, v in cells.items() if cell[2].startswith("satisfaction")} == expected
    assert cells[("total", "", "satisfaction_avg_score")] == "3.75"


def test_an_empty_period_has_no_scores_only_zeros(rated_day: dict[str, Any]) -> None:
    world: World = rated_day["world"]
    manager = world.staff("manager", sites=("CB",))
    report = world.client.get(
        f"/api/v1/sites/{rated_day['site']}/stats?from=2026-11-20&to=2026-11-20", headers=manager
    ).json
    assert report["satisfaction"] == sat(0, 0, None, None, {}, None, 0, 0, 0)


def test_the_exports_list_each_rating_with_its_dossier_code(rated_day: dict[str, Any]) -> None:
    world: World = rated_day["world"]
    site, tickets = rated_day["site"], rated_day["tickets"]
    manager = world.staff("manager", sites=("CB",))
    rows = world.client.get(f"/api/v1/sites/{site}/ratings?from={DAY}", headers=manager).json
    assert [(r["number"], r["score"], r["channel"]) for r in rows] == [
        (tickets["t1"]["number"], 5, "counter"),
        (tickets["t2"]["number"], 1, "phone"),
        (tickets["t3"]["number"], 4, "phone"),
        (tickets["t6"]["number"], 5, "counter"),
    ]
    assert rows[1]["reasons"] == ["waiting_time", "staff_attitude"]
    assert rows[1]["dossier_code"] == tickets["t2"]["dossier_code"]
    assert (
        rows[1]["service"]["code"] == "HT" and rows[1]["counter"]["number"] == 1 and rows[1]["clerk"] == "an"
    )
    assert "comment" not in rows[1]
    one = world.client.get(
        f"/api/v1/sites/{site}/ratings?from={DAY}&dossier_code={tickets['t3']['dossier_code']}",
        headers=manager,
    ).json
    assert [r["number"] for r in one] == [tickets["t3"]["number"]]

    exported = world.client.get(f"/api/v1/sites/{site}/ratings.csv?from={DAY}", headers=manager)
    assert exported.status_code == 200 and exported.mimetype == "text/csv"
    table = list(csv.reader(io.StringIO(exported.get_data(as_text=True).removeprefix("\ufeff"))))
    assert table[0][:3] == ["site", "dossier_code", "number"]
    assert table[2][1:] == [
        tickets["t2"]["dossier_code"],
        tickets["t2"]["number"],
        "HT",
        "Hộ tịch",
        "1",
        "an",
        "1",
        "waiting_time;staff_attitude",
        "phone",
        "2026-11-23 08:15:00",
        "2026-11-23 08:40:00",
    ]
    in_commune = world.client.get(f"/api/v1/communes/11914/ratings?from={DAY}", headers=manager).json
    assert [r["number"] for r in in_commune] == [r["number"] for r in rows]
    commune = world.client.get(f"/api/v1/communes/11914/ratings.csv?from={DAY}", headers=manager)
    assert commune.status_code == 200 and len(commune.get_data(as_text=True).splitlines()) == 5
    clerk = world.staff("clerk")
    assert world.client.get(f"/api/v1/sites/{site}/ratings.csv", headers=clerk).status_code == 403


def test_the_clerk_sees_only_their_own_days_ratings(rated_day: dict[str, Any]) -> None:
    world: World = rated_day["world"]
    mine = world.client.get(f"/api/v1/me/ratings?from={DAY}", headers=login(world, "an")).json
    assert [r["score"] for r in mine["ratings"]] == [5, 1, 5]
    assert mine["ratings"][1]["reasons"] == ["waiting_time", "staff_attitude"]
    assert "comment" not in mine["ratings"][1]
    assert mine["satisfaction"]["ratings"] == 3 and mine["satisfaction"]["served"] == 4
