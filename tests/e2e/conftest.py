"""Browser tests: Playwright driving Debian's Chromium against a live server, with screenshots saved for
the README (docs/screenshots)."""

from __future__ import annotations

import os
import wave
from array import array
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from server.domain.announcement import CLIPS

CHROMIUM = os.environ.get("LUOT_CHROMIUM", "/usr/bin/chromium")
SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--autoplay-policy=no-user-gesture-required",  # wall displays speak without anyone touching them
]

pytestmark = pytest.mark.e2e

# How long a wait for a condition may last before the test fails: a bound for a page that never gets
# there, not a measure. Two suites at once on two busy cores make a page that reconnects (a retry every
# 2 s, then a snapshot) take several seconds; Playwright's own defaults (5 s for expect, 30 s for the
# rest) were set per context to 10 s, which such a page exceeded. No test asserts speed with these.
WAIT_MS = 30_000


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    if not Path(CHROMIUM).exists():
        pytest.skip(f"{CHROMIUM} is missing (scripts/setup --test installs Debian's chromium)")
    from playwright.sync_api import expect, sync_playwright

    expect.set_options(timeout=WAIT_MS)

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def new_page(browser: object) -> Iterator[object]:
    """``new_page(width, height)`` opens a fresh browser context (its own local storage) of that size.

    Playwright evaluates ``wait_for_function`` predicates as strings inside the page, which the pages'
    Content-Security-Policy forbids: these contexts bypass it. ``test_content_security_policy`` opens every
    screen under the real policy (``bypass_csp=False``)."""
    contexts = []

    def open_page(width: int = 1280, height: int = 800, **options: object) -> object:
        options.setdefault("bypass_csp", True)
        context = browser.new_context(viewport={"width": width, "height": height}, **options)  # type: ignore[attr-defined]
        context.set_default_timeout(WAIT_MS)
        contexts.append(context)
        return context.new_page()

    yield open_page
    for context in contexts:
        # A page may still be fetching through a test's route (a refetch after a live event): its handler
        # would fail once the context is gone and raise that in the next test's first Playwright call.
        for page in context.pages:
            page.unroute_all(behavior="ignoreErrors")
        context.close()


def screenshot(page: object, name: str) -> Path:
    """Save a screenshot for the README (docs/screenshots/NAME.png) and return its path."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path))  # type: ignore[attr-defined]
    return path


def open_kiosk(new_page: Any, base_url: str, token: str, size: tuple[int, int] = (1080, 1920)) -> Any:
    """The kiosk screen, enrolled with ``token``, at home; its page errors are kept in ``page.errors``."""
    page = new_page(*size)
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.errors = errors
    page.goto(f"{base_url}/kiosk?token={token}")
    page.wait_for_selector("body[data-screen=home] .tile")
    page.evaluate("document.fonts.ready")
    return page


def type_on_keypad(page: Any, keypad: str, text: str) -> None:
    for char in text:
        page.click(f"#{keypad}-keypad [data-key='{char}']")


def record_short_voice(instance: Path, *more: tuple[str, str]) -> None:
    """A centre's own recordings (``<instance>/voice``) of every clip, of the chime and of ``more``
    ``(language, name)`` clips, each a 5 ms tone: announcements are still fetched, decoded and played to
    their end, one after the other, but last about a second and a half rather than five, so that a page
    with calls waiting to be heard is soon quiet."""
    tone = array("h", [12_000, -12_000] * 40)  # 80 samples at 16 kHz, well above the silence trimmed off
    clips = [(language, name) for language, names in CLIPS.items() for name in names] + list(more)
    for folder, name in [(instance / "voice" / language, name) for language, name in clips] + [
        (instance / "voice", "chime")
    ]:
        folder.mkdir(parents=True, exist_ok=True)
        with wave.open(str(folder / f"{name}.wav"), "wb") as clip:
            clip.setnchannels(1)
            clip.setsampwidth(2)
            clip.setframerate(16_000)
            clip.writeframes(tone.tobytes())
