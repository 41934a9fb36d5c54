"""Every screen works under the real Content-Security-Policy (no inline script or style, no eval): the
browser reports no violation while each page starts, connects and shows its first state."""

from __future__ import annotations

from typing import Any

from tests.conftest import LiveServer, World


def test_every_screen_runs_under_the_content_security_policy(
    world: World, live_server: LiveServer, new_page: Any
) -> None:
    kiosk = world.device_token("kiosk")
    ticket = world.issue({"Authorization": f"Bearer {kiosk}"})
    screens = [
        (f"/kiosk?token={kiosk}", "body[data-screen=home] .tile"),
        (f"/display?token={world.device_token('display')}", "body[data-state=live]"),
        ("/staff", "#signin-form"),
        ("/book", "body"),
        (f"/t/{ticket['public_code']}", "body[data-status=waiting][data-live=on]"),
    ]
    for path, ready in screens:
        page = new_page(1080, 1920, bypass_csp=False)
        problems: list[str] = []
        page.on("pageerror", lambda error, problems=problems: problems.append(str(error)))
        page.on(
            "console",
            lambda message, problems=problems: (
                problems.append(message.text)
                if "Content Security Policy" in message.text or "Refused to" in message.text
                else None
            ),
        )
        response = page.goto(f"{live_server.url}{path}")
        assert "frame-ancestors 'none'" in response.headers["content-security-policy"]
        page.wait_for_selector(ready, state="attached")
        page.wait_for_load_state("networkidle")
        assert problems == [], (path, problems)
