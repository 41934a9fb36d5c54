"""A clerk's own figures for today (GET /api/v1/me/today), on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest
from flask import Flask

from tests.conftest import Clock, World


@pytest.fixture
def world_and_clock(make_app: Callable[..., Flask], database_url: str) -> tuple[World, Clock]:
    app = make_app(database_url)
    clock = Clock(datetime(2026, 11, 22, 16, 0, tzinfo=UTC))  # 23:00 in Viet Nam, 22 November
    app.extensions["luot"].clock = clock
    return World(app), clock


def act(world: World, headers: dict[str, str], path: str, body: dict[str, Any] | None = None) -> Any:
    response = world.client.post(f"/api/v1/{path}", json=body or {}, headers=headers)
    assert response.status_code == 200, response.json
    return response.json


def serve(world: World, clock: Clock, clerk: dict[str, str], counter_id: int, minutes: float) -> None:
    ticket = act(world, clerk, f"counters/{counter_id}/call-next")
    act(world, clerk, f"tickets/{ticket['id']}/start")
    clock.advance(minutes=minutes)
    act(world, clerk, f"tickets/{ticket['id']}/complete", {"dossier_code": "H34.12-0001"})


def today(world: World, headers: dict[str, str], site_id: int | None = None) -> Any:
    query = f"?site_id={site_id}" if site_id is not None else ""
    return world.client.get(f"/api/v1/me/today{query}", headers=headers)


def test_figures_count_only_the_clerks_own_actions_of_the_sites_local_day(
    world_and_clock: tuple[World, Clock],
) -> None:
    world, clock = world_and_clock
    kiosk, island_kiosk = world.device("kiosk"), world.device("kiosk", site="CH")
    me = world.staff("clerk", sites=("CB", "CH"))
    colleague = world.staff("clerk")
    mine = world.open_counter(me, counter="Q1")
    theirs = world.open_counter(colleague, counter="Q2")
    cat_ba = world.site("CB")["id"]

    world.issue(kiosk)
    serve(world, clock, me, mine, minutes=5)  # yesterday evening, local time: not today

    clock.set(datetime(2026, 11, 22, 23, 30, tzinfo=UTC))  # 06:30 on 23 November in Viet Nam
    for _ in range(5):
        world.issue(kiosk)
    serve(world, clock, me, mine, minutes=4)
    serve(world, clock, me, mine, minutes=8)
    absent = act(world, me, f"counters/{mine}/call-next")
    act(world, me, f"tickets/{absent['id']}/no-show")
    moved = act(world, me, f"counters/{mine}/call-next")
    act(world, me, f"tickets/{moved['id']}/start")
    act(world, me, f"tickets/{moved['id']}/transfer", {"service_id": world.service("CB", "DD")["id"]})
    serve(world, clock, colleague, theirs, minutes=2)
    world.issue(island_kiosk, site="CH")
    serve(world, clock, me, world.open_counter(me, site="CH"), minutes=1)  # another site

    figures = today(world, me, cat_ba)
    assert figures.status_code == 200, figures.json
    assert figures.json == {
        "site_id": cat_ba,
        "day": "2026-11-23",
        "served": 2,
        "average_service_s": 6 * 60,
        "no_shows": 1,
        "transferred": 1,
    }
    assert today(world, colleague).json["served"] == 1  # a clerk of one site may leave the site out


def test_before_the_first_ticket_the_average_is_empty(world_and_clock: tuple[World, Clock]) -> None:
    world, _clock = world_and_clock
    figures = today(world, world.staff("clerk")).json
    assert (figures["served"], figures["average_service_s"], figures["no_shows"]) == (0, None, 0)


def test_figures_need_a_site_for_a_clerk_of_several_and_refuse_other_sites(
    world_and_clock: tuple[World, Clock],
) -> None:
    world, _clock = world_and_clock
    two_sites = world.staff("clerk", sites=("CB", "CH"))
    assert today(world, two_sites).status_code == 422
    assert today(world, two_sites).json["error"]["code"] == "site_required"
    island_clerk = world.staff("clerk", sites=("CH",))
    assert today(world, island_clerk, world.site("CB")["id"]).status_code == 403
    assert today(world, world.device("kiosk"), world.site("CB")["id"]).status_code == 403
    assert today(world, {}).status_code == 401
