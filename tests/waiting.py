"""Waiting for a condition in tests: polled, with a bound for a condition that never comes (the bound is no
measure of speed: no test asserts timing with it)."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any


def wait_until(condition: Callable[[], Any], what: str = "the condition", timeout: float = 20) -> Any:
    """The first true value ``condition()`` gives, polled every 50 ms; fails after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.05)  # polling a condition, not waiting for time
    raise AssertionError(f"not within {timeout} s: {what}")
