"""Every screen works under the real Content-Security-Policy (no inline script or style, no eval): the
browser reports no violation while each page starts, connects and shows its first state."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import expect

from tests.conftest import PASSWORD, LiveServer, World


def watch(page: Any) -> list[str]:
    """The page's script errors and CSP violations, as they come."""
    problems: list[str] = []
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.on(
        "console",
        lambda message: (
            problems.append(message.text)
            if "Content Security Policy" in message.text or "Refused to" in message.text
            else None
        ),
    )
    return problems


def test_every_screen_runs_under_the_content_security_policy(
    world: World, live_server: LiveServer, new_page: Any
) -> None:
    kiosk = world.device_token("kiosk")
    ticket = world.issue({"Authorization": f"Bearer {kiosk}"})
    screens = [
        (f"/kiosk?token={kiosk}", "body[data-screen=home] .tile"),
        (f"/display?token={world.device_token('display')}", "body[data-state=live]"),
        ("/staff", "#signin-form"),
        ("/manage", "#signin-form"),
        ("/book", "body"),
        (f"/t/{ticket['public_code']}", "body[data-status=waiting][data-live=on]"),
    ]
    for path, ready in screens:
        page = new_page(1080, 1920, bypass_csp=False)
        problems = watch(page)
        response = page.goto(f"{live_server.url}{path}")
        assert "frame-ancestors 'none'" in response.headers["content-security-policy"]
        page.wait_for_selector(ready, state="attached")
        page.wait_for_load_state("networkidle")
        assert problems == [], (path, problems)


def test_the_manager_dashboard_and_its_charts_run_under_the_content_security_policy(
    world: World, live_server: LiveServer, new_page: Any
) -> None:
    world.staff("manager", sites=("CB",), username="hoa")
    page = new_page(1440, 900, bypass_csp=False)
    problems = watch(page)
    page.goto(f"{live_server.url}/manage")
    page.fill("#signin-form [name=username]", "hoa")
    page.fill("#signin-form [name=password]", PASSWORD)
    page.click("#signin-form [type=submit]")
    expect(page.locator("body")).to_have_attribute("data-view", "live")
    page.click("#tab-history")
    page.click("#history-form [type=submit]")
    expect(page.locator("#history-kpis [data-kpi=served] .kpi-value")).to_be_visible()
    page.wait_for_load_state("networkidle")
    assert page.locator("canvas#chart-hours").count() == 1
    assert problems == [], problems
