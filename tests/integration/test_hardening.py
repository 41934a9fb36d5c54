"""Hardening: security headers on every response, pages without inline script or style, no default or
demo secret in production, and a public status that tells nothing personal."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from server.app import create_app
from server.config import DEMO_SECRET_FILE, InsecureConfiguration
from tests.conftest import FAST_HASH, World

ROOT = Path(__file__).resolve().parents[2]
HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
}


def assert_hardened(response: Any, path: str) -> None:
    for name, value in HEADERS.items():
        assert response.headers.get(name) == value, (path, name, response.headers.get(name))
    policy = response.headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in policy and "script-src 'self'" in policy, path
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy, path


def test_every_page_and_api_answer_carries_the_security_headers(world: World) -> None:
    kiosk = world.device("kiosk")
    ticket = world.issue(kiosk)
    paths = ["/kiosk", "/display", "/staff", "/book", f"/t/{ticket['public_code']}", "/t/nosuchcode"]
    paths += ["/api/v1/sites", "/api/v1/openapi.json", "/api/v1/nothing-here", "/static/luot/base.css"]
    paths += [f"/api/v1/tickets/status/{ticket['public_code']}", "/no-such-page"]
    for path in paths:
        with world.client.get(path) as response:
            assert_hardened(response, path)
    error = world.client.post("/api/v1/auth/login", json={"username": "x", "password": "y"})
    assert_hardened(error, "/api/v1/auth/login")
    assert error.headers["Cache-Control"] == "no-store"


def test_pages_have_no_inline_script_style_or_event_handler() -> None:
    templates = [
        path
        for folder in ("kiosk", "display", "staff_ui", "server/web")
        for path in (ROOT / folder).rglob("*.html")
    ]
    assert len(templates) >= 6
    for template in templates:
        text = template.read_text()
        for match in re.finditer(r"<script\b([^>]*)>", text):
            attributes = match.group(1)
            assert "src=" in attributes or 'type="application/json"' in attributes, (template, attributes)
        assert "<style" not in text, template
        assert not re.search(r"\sstyle=", text), template
        assert not re.search(r"\son[a-z]+=", text), template


def test_production_refuses_a_weak_or_demo_secret(tmp_path: Path, sqlite_url: str) -> None:
    settings = {
        "LUOT_INSTANCE_PATH": str(tmp_path),
        "LUOT_DATABASE_URL": sqlite_url,
        "LUOT_PASSWORD_HASH": FAST_HASH,
        "LUOT_ENV": "production",
    }
    for weak in ("test-secret", "change-me", "short-but-random-9f2k"):
        with pytest.raises(InsecureConfiguration):
            create_app({**settings, "SECRET_KEY": weak})
    demo = "d" * 64
    (tmp_path / DEMO_SECRET_FILE).write_text(demo + "\n")
    with pytest.raises(InsecureConfiguration, match="demo"):
        create_app({**settings, "SECRET_KEY": demo})
    # Without a secret given, one is generated into the instance folder, and it will do.
    app = create_app(settings)
    generated = (tmp_path / "secret_key").read_text().strip()
    assert app.config["SECRET_KEY"] == generated and len(generated) >= 32 and generated != demo
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0
    app.extensions["luot"].close()


def test_the_demo_keeps_a_secret_of_its_own(tmp_path: Path) -> None:
    from server.demo.seed import demo_overrides

    os.environ["LUOT_INSTANCE_PATH"] = str(tmp_path)
    try:
        app = create_app({**demo_overrides(), "LUOT_PASSWORD_HASH": FAST_HASH})
    finally:
        del os.environ["LUOT_INSTANCE_PATH"]
    assert app.config["SECRET_KEY"] == (tmp_path / DEMO_SECRET_FILE).read_text().strip()
    assert not (tmp_path / "secret_key").exists()
    app.extensions["luot"].close()


def test_luot_serve_will_not_start_with_a_weak_secret(tmp_path: Path) -> None:
    env = {
        **os.environ,
        "LUOT_INSTANCE_PATH": str(tmp_path),
        "LUOT_SECRET_KEY": "change-me",
        "LUOT_ENV": "production",
    }
    result = subprocess.run(
        [sys.executable, "-m", "server", "serve", "--port", "0"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        cwd=ROOT,
    )
    assert result.returncode == 2, result
    (line,) = result.stderr.splitlines()  # one line, no traceback
    assert line.startswith("error: the secret key is too weak"), result.stderr


def test_the_public_status_tells_nothing_personal(make_app: Callable[..., Flask], sqlite_url: str) -> None:
    world = World(make_app(sqlite_url))
    ticket = world.issue(
        world.device("kiosk"), priority="disabled", phone="0912345678", citizen_id="001094012345"
    )
    assert len(ticket["public_code"]) >= 16  # 96 random bits
    status = world.client.get(f"/api/v1/tickets/status/{ticket['public_code']}").json
    personal = {"phone", "citizen_id", "priority", "name", "id", "public_code"}
    assert not personal & set(status), status
    assert status["dossier_code"] is None  # shown to the link's holder only once the ticket is done
    assert {"number", "status", "position", "estimated_wait_s", "counter"} <= set(status)
    page = world.client.get(f"/t/{ticket['public_code']}").get_data(as_text=True)
    assert "0912345678" not in page and "001094012345" not in page
