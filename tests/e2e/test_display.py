"""The wall display in a real browser (Debian's Chromium) against a live server: calls shown and
announced, a server restart survived, thousands of calls without growth, and its screenshots."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from server.demo.seed import CONFIG as DEMO_CONFIG
from server.services.display import ReplaceNotices, replace_notices
from server.services.site_config import read_config_file
from server.domain.notices import NoticeInfo
from tests.conftest import LiveServer, World
from tests.e2e.conftest import screenshot


def open_display(page: Any, base: str, token: str) -> Any:
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(f"{base}/display?token={token}")
    page.wait_for_selector("body[data-state=live]")
    page.errors = errors
    return page


def demo_scene(world: World) -> None:
    """A morning at intake point 1 of the demo ward: six counters at work, people waiting, notices."""
    site = "KB1"
    kiosk = world.device("kiosk", site=site)
    services = ["HT", "CT", "DD", "BH", "KD", "BT", "DVC", "TKQ", "HT", "CT", "BH", "HT"]
    tickets = [world.issue(kiosk, site=site, service=s) for s in services * 3]
    clerk = world.staff("clerk", sites=(site,))
    for code in ("Q1", "Q2", "Q3", "Q4", "Q5", "Q6"):
        counter_id = world.open_counter(clerk, site=site, counter=code)
        called = world.client.post(f"/api/v1/counters/{counter_id}/call-next", headers=clerk).json
        if code in ("Q1", "Q3", "Q4"):
            world.client.post(f"/api/v1/tickets/{called['id']}/start", headers=clerk)
            world.client.post(f"/api/v1/tickets/{called['id']}/complete", headers=clerk)
            world.client.post(f"/api/v1/counters/{counter_id}/call-next", headers=clerk)
    del tickets
    replace_notices(
        ReplaceNotices(
            actor=None,
            site_id=world.site(site)["id"],
            notices=(
                NoticeInfo(text="Chiều thứ Sáu 27/11 Trung tâm làm việc đến 16:00 · On Friday 27/11 the centre closes at 16:00"),
                NoticeInfo(text="Công dân mang theo căn cước khi làm thủ tục · Please bring your ID card"),
            ),
            at=world.luot.now(),
        ),
        world.luot.uow(),
    )


def test_screenshots(make_app: Callable[..., Flask], sqlite_url: str, new_page: Any) -> None:
    world = World(make_app(sqlite_url, config=read_config_file(DEMO_CONFIG)))
    demo_scene(world)
    server = LiveServer(world.app).start()
    try:
        token = world.device_token("display", site="KB1")
        for name, (width, height) in {"display-landscape": (1920, 1080), "display-portrait": (1080, 1920)}.items():
            page = open_display(new_page(width, height), server.url, token)
            page.wait_for_timeout(4000)
            screenshot(page, name)
            assert page.errors == []
    finally:
        server.stop()
