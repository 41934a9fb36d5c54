"""A manager's statistics (GET …/stats, …/stats.csv, …/tickets.csv) against a fixture day whose figures
were worked out by hand, on SQLite and PostgreSQL."""

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
METRICS = [
    "target_wait_minutes",
    "issued",
    "served",
    "no_show",
    "cancelled",
    "wait_avg_s",
    "wait_p90_s",
    "wait_max_s",
    "within_target_pct",
    "service_avg_s",
]


def local(hour: int, minute: int, day: int = 23) -> datetime:
    """A moment in Viet Nam (UTC+7) on ``day`` November 2026."""
    return datetime(2026, 11, day, hour - 7, minute, tzinfo=UTC)


class Day:
    """Drives the fixture day through the API, the clock set to each moment."""

    def __init__(self, world: World, clock: Clock) -> None:
        self.world, self.clock = world, clock

    def at(self, hour: int, minute: int, day: int = 23) -> Day:
        self.clock.set(local(hour, minute, day))
        return self

    def act(self, headers: dict[str, str], path: str, body: dict[str, Any] | None = None) -> Any:
        response = self.world.client.post(f"/api/v1/{path}", json=body or {}, headers=headers)
        assert response.status_code == 200, response.json
        return response.json

    def call(self, headers: dict[str, str], ticket: dict[str, Any], counter_id: int) -> None:
        self.act(headers, f"tickets/{ticket['id']}/call", {"counter_id": counter_id})


@pytest.fixture
def fixture_day(make_app: Callable[..., Flask], database_url: str) -> dict[str, Any]:
    app = make_app(database_url)
    clock = Clock(local(10, 0, day=22))
    app.extensions["luot"].clock = clock
    world = World(app)
    day = Day(world, clock)
    kiosk, island_kiosk = world.device("kiosk"), world.device("kiosk", site="CH")
    # The day before (22 November): not in the report.
    chi = world.staff("clerk", username="chi")
    q3 = world.open_counter(chi, counter="Q3")
    earlier = world.issue(kiosk, service="DD")
    day.at(10, 5, day=22).call(chi, earlier, q3)
    day.act(chi, f"tickets/{earlier['id']}/start")
    day.at(10, 15, day=22).act(chi, f"tickets/{earlier['id']}/complete")

    # 23 November, Cát Bà.
    day.at(7, 30)
    an = world.staff("clerk", username="an")
    binh = world.staff("clerk", username="binh")
    q1, q2 = world.open_counter(an, counter="Q1"), world.open_counter(binh, counter="Q2")
    day.at(8, 0)
    a1, a2, b1 = world.issue(kiosk), world.issue(kiosk), world.issue(kiosk, service="CT")
    day.at(8, 10).call(an, a1, q1)  # waited 10 min (HT target 20)
    day.act(an, f"tickets/{a1['id']}/start")
    day.at(8, 12).call(binh, b1, q2)  # waited 12 min (CT target 15)
    day.act(binh, f"tickets/{b1['id']}/start")
    day.at(8, 16).act(an, f"tickets/{a1['id']}/complete")  # 6 min of service
    day.at(8, 20).act(binh, f"tickets/{b1['id']}/complete")  # 8 min
    day.at(8, 30).call(an, a2, q1)  # waited 30 min: past the target
    day.at(8, 32).act(an, f"tickets/{a2['id']}/no-show")
    day.at(9, 5)
    a3, b2 = world.issue(kiosk), world.issue(kiosk, service="CT")
    day.at(9, 10).call(an, a3, q1)  # waited 5 min
    day.act(an, f"tickets/{a3['id']}/start")
    day.at(9, 15).act(binh, f"tickets/{b2['id']}/cancel")
    day.at(9, 20)
    world.issue(kiosk, service="DD")  # still waiting at the end of the day
    day.at(9, 30).act(an, f"tickets/{a3['id']}/complete")  # 20 min

    # The same day at Cát Hải, the commune's other intake point: one ticket, never called.
    day.at(8, 5)
    world.issue(island_kiosk, site="CH")
    return {
        "world": world,
        "cat_ba": world.site("CB")["id"],
        "cat_hai": world.site("CH")["id"],
        "services": {code: world.service("CB", code)["id"] for code in ("HT", "CT", "DD")},
        "counters": {"Q1": q1, "Q2": q2},
    }


def service(
    service_id: int, code: str, name: str, target: int, *figures: Any, site_id: int
) -> dict[str, Any]:
    keys = METRICS[1:]
    return {
        "service_id": service_id,
        "site_id": site_id,
        "code": code,
        "name": name,
        "target_wait_minutes": target,
        **dict(zip(keys, figures, strict=True)),
        "expired": 0,  # the fixture day has not closed (tests/integration/test_closing_day.py)
    }


def without_satisfaction(report: dict[str, Any]) -> dict[str, Any]:
    """The report without its ``satisfaction`` objects (checked against their own fixture day) and the
    counters' and clerks' ``time`` (tests/integration/test_time_accounting.py)."""
    rows = ("by_service", "by_counter", "by_clerk")
    trimmed = {k: v for k, v in report.items() if k != "satisfaction"}
    for key in rows:
        trimmed[key] = [
            {k: v for k, v in row.items() if k not in ("satisfaction", "time")} for row in report[key]
        ]
    return trimmed


def test_the_fixture_day_matches_the_figures_worked_out_by_hand(fixture_day: dict[str, Any]) -> None:
    world: World = fixture_day["world"]
    cat_ba, services, counters = fixture_day["cat_ba"], fixture_day["services"], fixture_day["counters"]
    manager = world.staff("manager", sites=("CB",))
    response = world.client.get(f"/api/v1/sites/{cat_ba}/stats?from={DAY}&to={DAY}", headers=manager)
    assert response.status_code == 200, response.json
    report = without_satisfaction(response.json)  # satisfaction: tests/integration/test_rating_stats.py
    users = {row["username"]: row["user_id"] for row in report["by_clerk"]}

    # Waits (first call − issue): a1 600, b1 720, a2 1800, a3 300 → sorted 300, 600, 720, 1800.
    # avg 3420/4 = 855; p50 = 2nd (⌈0.5·4⌉) = 600; p90 = 4th (⌈3.6⌉) = 1800; max 1800.
    # Within target: a1 (600 ≤ 1200), b1 (720 ≤ 900), a3 (300 ≤ 1200); not a2 → 3/4 = 75.0 %.
    # Service: a1 360, b1 480, a3 1200 → avg 680; p50 = 2nd of 3 = 480; p90 = 3rd = 1200.
    assert report == {
        "site_ids": [cat_ba],
        "sites": [{"id": cat_ba, "code": "CB", "name": "Trung tâm Phục vụ hành chính công - Cát Bà"}],
        "commune_code": None,
        "from": DAY,
        "to": DAY,
        "issued": 6,
        "served": 3,
        "no_show": 1,
        "cancelled": 1,
        "expired": 0,
        "wait_s": {"avg": 855, "p50": 600, "p90": 1800, "max": 1800},
        "service_s": {"avg": 680, "p50": 480, "p90": 1200},
        "within_target_pct": 75.0,
        "by_service": [
            # HT: waits 600, 1800, 300 → avg 900, p90 = 3rd of 3 = 1800; 2 of 3 within 20 min → 66.7 %;
            # service 360 and 1200 → 780.
            service(
                services["HT"], "HT", "Hộ tịch", 20, 3, 2, 1, 0, 900, 1800, 1800, 66.7, 780, site_id=cat_ba
            ),
            service(
                services["CT"], "CT", "Chứng thực", 15, 2, 1, 0, 1, 720, 720, 720, 100.0, 480, site_id=cat_ba
            ),
            service(
                services["DD"], "DD", "Đất đai", 30, 1, 0, 0, 0, None, None, None, None, None, site_id=cat_ba
            ),
        ],
        "by_counter": [
            {
                "counter_id": counters["Q1"],
                "site_id": cat_ba,
                "number": 1,
                "name": "Quầy 1",
                "served": 2,
                "service_avg_s": 780,
            },
            {
                "counter_id": counters["Q2"],
                "site_id": cat_ba,
                "number": 2,
                "name": "Quầy 2",
                "served": 1,
                "service_avg_s": 480,
            },
        ],
        "by_clerk": [
            {
                "user_id": users["an"],
                "username": "an",
                "display_name": "an",
                "served": 2,
                "service_avg_s": 780,
            },
            {
                "user_id": users["binh"],
                "username": "binh",
                "display_name": "binh",
                "served": 1,
                "service_avg_s": 480,
            },
        ],
        # Arrivals 08:00 ×3, 09:05 ×2, 09:20; completions 08:16, 08:20, 09:30 (local time).
        "by_hour": [{"hour": 8, "arrivals": 3, "served": 2}, {"hour": 9, "arrivals": 3, "served": 1}],
        # Five-minute bars: 300 → [5, 10), 600 and 720 → [10, 15), 1800 → [30, 35).
        "wait_histogram": [
            {
                "from_min": 5 * b,
                "to_min": 5 * b + 5 if b < 12 else None,
                "count": {1: 1, 2: 2, 6: 1}.get(b, 0),
            }
            for b in range(13)
        ],
        "appointments": {"kept": 0, "late": 0, "missed": 0, "cancelled": 0, "booked": 0},
    }

    exported = world.client.get(f"/api/v1/sites/{cat_ba}/stats.csv?from={DAY}&to={DAY}", headers=manager)
    assert exported.status_code == 200
    assert exported.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(exported.get_data(as_text=True).removeprefix("\ufeff"))))
    assert rows[0] == ["section", "key", "name", "metric", "value"]
    cells = {(section, key, metric): value for section, key, _name, metric, value in rows[1:]}
    assert len(cells) == len(rows) - 1
    cells = {
        cell: value for cell, value in cells.items() if not cell[2].startswith(("satisfaction", "time_"))
    }
    ht, ct, dd = (str(services[code]) for code in ("HT", "CT", "DD"))
    expected = {
        ("period", "", "from"): DAY,
        ("period", "", "to"): DAY,
        ("total", "", "issued"): "6",
        ("total", "", "served"): "3",
        ("total", "", "no_show"): "1",
        ("total", "", "cancelled"): "1",
        ("total", "", "within_target_pct"): "75.0",
        ("total", "", "wait_s_avg"): "855",
        ("total", "", "wait_s_p50"): "600",
        ("total", "", "wait_s_p90"): "1800",
        ("total", "", "wait_s_max"): "1800",
        ("total", "", "service_s_avg"): "680",
        ("total", "", "service_s_p50"): "480",
        ("total", "", "service_s_p90"): "1200",
        **{
            ("service", sid, metric): value
            for sid, figures in (
                (ht, ("20", "3", "2", "1", "0", "900", "1800", "1800", "66.7", "780")),
                (ct, ("15", "2", "1", "0", "1", "720", "720", "720", "100.0", "480")),
                (dd, ("30", "1", "0", "0", "0", "", "", "", "", "")),
            )
            for metric, value in zip(
                [
                    "target_wait_minutes",
                    "issued",
                    "served",
                    "no_show",
                    "cancelled",
                    "wait_avg_s",
                    "wait_p90_s",
                    "wait_max_s",
                    "within_target_pct",
                    "service_avg_s",
                ],
                figures,
                strict=True,
            )
        },
        ("counter", str(counters["Q1"]), "served"): "2",
        ("counter", str(counters["Q1"]), "service_avg_s"): "780",
        ("counter", str(counters["Q2"]), "served"): "1",
        ("counter", str(counters["Q2"]), "service_avg_s"): "480",
        ("clerk", str(users["an"]), "served"): "2",
        ("clerk", str(users["an"]), "service_avg_s"): "780",
        ("clerk", str(users["binh"]), "served"): "1",
        ("clerk", str(users["binh"]), "service_avg_s"): "480",
        ("hour", "8", "arrivals"): "3",
        ("hour", "8", "served"): "2",
        ("hour", "9", "arrivals"): "3",
        ("hour", "9", "served"): "1",
        **{("wait_histogram", str(5 * b), "count"): str({1: 1, 2: 2, 6: 1}.get(b, 0)) for b in range(13)},
        **{("appointments", "", m): "0" for m in ("kept", "late", "missed", "cancelled", "booked")},
        ("total", "", "expired"): "0",
        **{("service", sid, "expired"): "0" for sid in (ht, ct, dd)},
    }
    assert cells == expected


def test_the_commune_adds_up_the_sites_the_manager_may_see(fixture_day: dict[str, Any]) -> None:
    world: World = fixture_day["world"]
    both = world.staff("manager", sites=("CB", "CH"))
    island = world.staff("manager", sites=("CH",))
    whole = world.client.get(f"/api/v1/communes/11914/stats?from={DAY}", headers=both).json
    assert (whole["site_ids"], whole["commune_code"]) == (
        [fixture_day["cat_ba"], fixture_day["cat_hai"]],
        "11914",
    )
    assert (whole["issued"], whole["served"], whole["by_hour"][0]) == (
        7,
        3,
        {"hour": 8, "arrivals": 4, "served": 2},
    )
    only_island = world.client.get(f"/api/v1/communes/11914/stats?from={DAY}", headers=island).json
    assert (only_island["site_ids"], only_island["issued"], only_island["served"]) == (
        [fixture_day["cat_hai"]],
        1,
        0,
    )


def test_the_communes_csvs_name_the_site_of_every_service_and_counter(fixture_day: dict[str, Any]) -> None:
    world: World = fixture_day["world"]
    both = world.staff("manager", sites=("CB", "CH"))
    whole = world.client.get(f"/api/v1/communes/11914/stats?from={DAY}", headers=both).json
    assert [site["code"] for site in whole["sites"]] == ["CB", "CH"]
    exported = world.client.get(f"/api/v1/communes/11914/stats.csv?from={DAY}&to={DAY}", headers=both)
    rows = list(csv.DictReader(io.StringIO(exported.get_data(as_text=True).removeprefix("\ufeff"))))
    assert list(rows[0]) == ["section", "key", "name", "metric", "value", "site"]
    sites_of = {(r["section"], r["key"]): r["site"] for r in rows if r["section"] in ("service", "counter")}
    cat_hai_ht = world.service("CH", "HT")["id"]
    expected = {
        ("service", str(s["service_id"])): "CB" if s["site_id"] == fixture_day["cat_ba"] else "CH"
        for s in whole["by_service"]
    }
    expected |= {("counter", str(c["counter_id"])): "CB" for c in whole["by_counter"]}
    assert sites_of == expected and sites_of[("service", str(cat_hai_ht))] == "CH"
    assert {r["site"] for r in rows if r["section"] in ("period", "total", "hour")} == {""}
    assert ("service", str(fixture_day["services"]["HT"])) in sites_of  # both sites' civil status, told apart

    log = world.client.get(f"/api/v1/communes/11914/tickets.csv?from={DAY}", headers=both)
    log_rows = list(csv.DictReader(io.StringIO(log.get_data(as_text=True).removeprefix("\ufeff"))))
    assert {r["site"] for r in log_rows} == {"CB", "CH"}
    one_site = world.client.get(f"/api/v1/sites/{fixture_day['cat_ba']}/stats.csv?from={DAY}", headers=both)
    assert (
        one_site.get_data(as_text=True).removeprefix("\ufeff").startswith("section,key,name,metric,value\r\n")
    )


def test_the_ticket_log_lists_the_period_in_local_time(fixture_day: dict[str, Any]) -> None:
    world: World = fixture_day["world"]
    manager = world.staff("manager", sites=("CB",))
    response = world.client.get(
        f"/api/v1/sites/{fixture_day['cat_ba']}/tickets.csv?from={DAY}", headers=manager
    )
    assert response.status_code == 200
    assert "attachment" in response.headers["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True).removeprefix("\ufeff"))))
    assert [
        (r["number"], r["status"], r["wait_s"], r["service_s"], r["counter"], r["clerk"]) for r in rows
    ] == [
        ("A001", "done", "600", "360", "1", "an"),
        ("A002", "no_show", "1800", "", "1", "an"),
        ("B001", "done", "720", "480", "2", "binh"),
        ("A003", "done", "300", "1200", "1", "an"),
        ("B002", "cancelled", "", "", "", ""),
        ("C100", "waiting", "", "", "", ""),
    ]
    assert rows[0]["issued_at"] == "2026-11-23 08:00:00"
    assert rows[0]["first_called_at"] == "2026-11-23 08:10:00"
    assert "phone" not in rows[0]


def test_only_managers_of_the_site_see_its_figures(fixture_day: dict[str, Any]) -> None:
    world: World = fixture_day["world"]
    cat_ba = fixture_day["cat_ba"]
    island = world.staff("manager", sites=("CH",))
    clerk = world.staff("clerk", sites=("CB",))
    admin = world.staff("admin", sites=())
    for path in ("stats", "stats.csv", "tickets.csv"):
        for headers in (island, clerk):
            response = world.client.get(f"/api/v1/sites/{cat_ba}/{path}", headers=headers)
            assert response.status_code == 403, path
            assert response.json["error"]["code"] == "forbidden"
        assert world.client.get(f"/api/v1/sites/{cat_ba}/{path}").status_code == 401
        assert world.client.get(f"/api/v1/sites/{cat_ba}/{path}", headers=admin).status_code == 200
    assert world.client.get("/api/v1/communes/11914/stats", headers=clerk).status_code == 403
    assert world.client.get("/api/v1/communes/99999/stats", headers=island).status_code == 404
    for query in ("from=2026-11-23&to=2026-11-22", "from=2025-01-01&to=2026-11-23", "from=23/11/2026"):
        response = world.client.get(f"/api/v1/sites/{cat_ba}/stats?{query}", headers=island | admin)
        assert response.status_code == 422, query
