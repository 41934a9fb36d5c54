"""Slowing down password guessing without locking anyone out.

Failed sign-ins are counted per caller address *and* username (a hash of both, never the name itself).
The first :data:`FREE_FAILURES` within :data:`WINDOW_S` cost nothing; each one after them makes that
address wait for that name, 1 s, then 2, 4, … up to :data:`MAX_DELAY_S`: meanwhile every attempt from there
for that name answers 429 ``login_throttled`` with ``Retry-After``, before any password is checked. The
account itself is never locked, so someone hammering a clerk's name from one machine does not keep the
clerk out from their own tablet; and the answers do not depend on whether the name exists (same codes,
same messages, an unknown name costs a password hash like a known one), so they tell nobody which
usernames exist.

Counts live where the rate limits' do (memory on one box, Redis with several server processes, see
:mod:`server.api.limits`); unlike the rate limits, this stays on with ``LUOT_RATE_LIMITS=off``. The wait
is kept as the moment it ends and read against the app's clock (the storage's own expiry only clears it
away later), so that a wait means the same on every process and in a test with a clock of its own.
"""

from __future__ import annotations

import hashlib
import math
import unicodedata
from datetime import datetime

from flask import Flask, current_app
from limits.storage import Storage, storage_from_string

from ..domain.errors import N_, LimitReached
from .limits import storage_uri

FREE_FAILURES = 5
WINDOW_S = 15 * 60
MAX_DELAY_S = 5 * 60


class LoginThrottle:
    """Failed sign-ins per (address, username), and the delay they earned."""

    def __init__(self, storage: Storage, prefix: str) -> None:
        self.storage = storage
        self.prefix = prefix

    def key(self, address: str, username: str) -> str:
        name = unicodedata.normalize("NFKC", username).strip().casefold()
        digest = hashlib.sha256(f"{address}\0{name}".encode("utf-8", "surrogatepass")).hexdigest()[:32]
        return f"{self.prefix}:login:{digest}"

    def check(self, key: str, now: datetime) -> None:
        """:class:`LimitReached` ``login_throttled`` while this address must wait for this name."""
        left_ms = self.storage.get(key + ":until") - _ms(now)
        if left_ms <= 0:
            return
        raise LimitReached(
            N_("Too many failed sign-ins from here; try again in %(seconds)s seconds."),
            code="login_throttled",
            seconds=math.ceil(left_ms / 1000),
        )

    def failed(self, key: str, now: datetime) -> None:
        failures = self.storage.incr(key + ":failures", WINDOW_S)
        if failures > FREE_FAILURES:
            delay = min(MAX_DELAY_S, 2 ** min(failures - FREE_FAILURES - 1, 20))
            self.storage.clear(key + ":until")
            self.storage.incr(key + ":until", WINDOW_S, amount=_ms(now) + delay * 1000)

    def succeeded(self, key: str) -> None:
        self.storage.clear(key + ":failures")
        self.storage.clear(key + ":until")


def _ms(moment: datetime) -> int:
    return round(moment.timestamp() * 1000)


def init_app(app: Flask) -> LoginThrottle:
    prefix = app.config.get("LUOT_RATE_LIMIT_PREFIX", "luot")
    storage = storage_from_string(storage_uri(app.config))
    assert isinstance(storage, Storage)  # a synchronous storage (the URI names no async driver)
    throttle = LoginThrottle(storage, prefix)
    app.extensions["luot.login_throttle"] = throttle
    return throttle


def login_throttle() -> LoginThrottle:
    throttle: LoginThrottle = current_app.extensions["luot.login_throttle"]
    return throttle
