"""Configuration from the environment (``LUOT_*``), with overrides for tests.

- ``LUOT_INSTANCE_PATH`` — folder for the secret key, the SQLite file and ticket images (``./instance``)
- ``LUOT_DATABASE_URL`` — database (default: SQLite file in the instance folder); plain
  ``postgresql://user@host:port/db`` works as given
- ``LUOT_MESSAGE_QUEUE`` — Redis URL for Socket.IO across several server processes
- ``LUOT_MESSAGE_QUEUE_CHANNEL`` — the Redis channel they share (``luot``); installations sharing one Redis
  server each set their own
- ``LUOT_RATE_LIMITS`` — ``off`` turns rate limits off (load tests and benchmarks)
- ``LUOT_PUBLIC_URL`` — the address phones use to reach the server (printed in QR codes); default:
  the address the request came in on
- ``LUOT_ASYNC_MODE`` — Socket.IO async mode: ``threading`` (default) or ``gevent``
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Any

DEFAULT_INSTANCE = "instance"


def instance_path(overrides: dict[str, Any] | None = None) -> Path:
    raw = (
        (overrides or {}).get("LUOT_INSTANCE_PATH")
        or os.environ.get("LUOT_INSTANCE_PATH")
        or DEFAULT_INSTANCE
    )
    return Path(raw).resolve()


def from_environment(overrides: dict[str, Any] | None = None) -> dict[str, Any]:
    """The app's configuration: environment first, then ``overrides`` (tests) on top."""
    overrides = dict(overrides or {})
    folder = instance_path(overrides)
    env = os.environ
    config: dict[str, Any] = {
        "LUOT_INSTANCE_PATH": str(folder),
        "LUOT_DATABASE_URL": env.get("LUOT_DATABASE_URL") or f"sqlite:///{folder / 'luot.sqlite3'}",
        "LUOT_MESSAGE_QUEUE": env.get("LUOT_MESSAGE_QUEUE") or None,
        "LUOT_MESSAGE_QUEUE_CHANNEL": env.get("LUOT_MESSAGE_QUEUE_CHANNEL") or "luot",
        "LUOT_RATE_LIMITS": env.get("LUOT_RATE_LIMITS", "on").lower() not in ("off", "0", "false", "no"),
        "LUOT_PUBLIC_URL": (env.get("LUOT_PUBLIC_URL") or "").rstrip("/") or None,
        "LUOT_ASYNC_MODE": env.get("LUOT_ASYNC_MODE", "threading"),
        "LUOT_ENV": env.get("LUOT_ENV", "production"),
        # Argon2 parameters; tests lower them so that creating users stays fast.
        "LUOT_PASSWORD_HASH": {"time_cost": 3, "memory_cost": 65536, "parallelism": 4},
    }
    config.update(overrides)
    return config


def load_secret_key(folder: Path) -> str:
    """The installation's secret, generated on first run and kept in the instance folder (mode 600)."""
    path = folder / "secret_key"
    if path.exists():
        return path.read_text().strip()
    folder.mkdir(parents=True, exist_ok=True)
    key = secrets.token_hex(32)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w") as handle:
        handle.write(key + "\n")
    return key
