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


def settled(page: Any) -> None:
    """Until the page has loaded its fonts and drawn a frame of what it shows (a violation would have been
    reported by then: the browser reports it as it refuses)."""
    page.wait_for_load_state("load")
    page.evaluate("document.fonts.ready.then(() => true)")
    page.evaluate("() => new Promise((resolve) => requestAnimationFrame(() => resolve(true)))")


def test_every_screen_runs_under_the_content_security_policy(
    world: World, live_server: LiveServer, new_page: Any
) -> None:
    kiosk = world.device_token("kiosk")
    ticket = world.issue({"Authorization": f"Bearer {kiosk}"})
    # Each screen's first state, whole: what it shows once it has fetched what it needs and connected.
    screens = [
        (f"/kiosk?token={kiosk}", "body[data-screen=home] .tile .tile-wait"),
        (f"/display?token={world.device_token('display')}", "body[data-state=live] #waits li"),
        ("/staff", "body[data-view=signin] #signin-form"),
        ("/manage", "body[data-view=signin] #signin-form"),
        ("/book", "#services > *"),  # its services, or the note that none is bookable
        (f"/t/{ticket['public_code']}", "body[data-status=waiting][data-live=on] #service-name:not(:empty)"),
    ]
    for path, ready in screens:
        page = new_page(1080, 1920, bypass_csp=False)
        problems = watch(page)
        response = page.goto(f"{live_server.url}{path}")
        assert "frame-ancestors 'none'" in response.headers["content-security-policy"]
        page.wait_for_selector(ready, state="attached")
        settled(page)
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
    # The charts are drawn in the same task as the figures (and wait_for_function would need eval).
    expect(page.locator("#history-kpis [data-kpi=served] .kpi-value")).to_be_visible()
    settled(page)
    assert page.locator("canvas#chart-hours").count() == 1
    assert problems == [], problems
