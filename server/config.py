"""Configuration from the environment (``LUOT_*``), with overrides for tests.

- ``LUOT_INSTANCE_PATH`` — folder for the secret key, the SQLite file and ticket images (``./instance``)
- ``LUOT_DATABASE_URL`` — database (default: SQLite file in the instance folder); plain
  ``postgresql://user@host:port/db`` works as given
- ``LUOT_MESSAGE_QUEUE`` — Redis URL for Socket.IO across several server processes
- ``LUOT_MESSAGE_QUEUE_CHANNEL`` — the Redis channel they share (``luot``); installations sharing one Redis
  server each set their own
- ``LUOT_RATE_LIMITS`` — ``off`` turns rate limits off (load tests and benchmarks)
- ``LUOT_RATE_LIMIT_STORAGE`` — where rate-limit counts live (``memory://`` by default, or the
  ``LUOT_MESSAGE_QUEUE`` when it is Redis); e.g. ``redis://127.0.0.1:6379/1``
- ``LUOT_PROXY_COUNT`` — how many reverse proxies (nginx) stand in front of the server: their
  ``X-Forwarded-For`` then gives the caller's address for per-IP rate limits (default 0: trust none)
- ``LUOT_PUBLIC_URL`` — the address phones use to reach the server (printed in QR codes); default:
  the address the request came in on
- ``LUOT_ASYNC_MODE`` — Socket.IO async mode: ``threading`` (default) or ``gevent``; ``luot serve`` then runs
  gunicorn's ``gthread`` or ``gevent`` worker (docs/deploy.md)
- ``LUOT_SERVE_CONNECTIONS`` — the connections (websockets included) ``luot serve`` holds at once: 2000 in
  threading mode (a thread each), 20000 under gevent
- ``LUOT_PRINT_TIMEOUT_S`` (3), ``LUOT_PRINT_RETRY_BASE_S`` (0.5), ``LUOT_PRINT_RETRY_CAP_S`` (15),
  ``LUOT_PRINT_GIVE_UP_S`` (300) — printers: connect/write timeout, retry delays, and how long a ticket
  is still worth printing
- ``LUOT_PRINTER_DIR`` — the folder(s) ``file://`` and ``png://`` printers may write into, separated by
  ``:`` (default: the instance folder's ``printers/``); relative paths resolve inside the first
- ``LUOT_PRINTER_NETWORKS`` — networks (CIDR, comma- or space-separated, e.g. ``192.168.1.0/24``) where a
  manager may point a kiosk at a ``tcp://`` printer through the API (default: none; declared printers only)
- ``LUOT_SOCKET_EVENTS_PER_S`` (5), ``LUOT_SOCKET_EVENTS_BURST`` (30) — what one Socket.IO connection may send
  (any event, ``refresh`` included) before it gets an ``error`` ``rate_limited`` and is closed;
  ``LUOT_SOCKET_SNAPSHOT_INTERVAL_S`` (1) — at most one ``refresh`` snapshot per connection per interval;
  ``LUOT_SOCKET_BACKLOG_PACKETS`` (1000), ``LUOT_SOCKET_BACKLOG_BYTES`` (1 MiB) — what may wait for a slow
  reader before it is dropped (server/realtime/flow.py)
- ``LUOT_TICKET_FONT``, ``LUOT_TICKET_FONT_BOLD`` — a .ttf that draws Vietnamese, when DejaVu Sans is absent
- ``LUOT_SECRET_KEY`` — the installation's secret (at least 32 characters), for several server processes
  that do not share an instance folder; otherwise it is generated on first run into the instance folder
- ``LUOT_ENV`` — ``production`` (default) refuses to start with a weak or demo secret; ``demo`` and
  ``test`` do not check
- ``LUOT_UPSTREAM_URL``, ``LUOT_UPSTREAM_TOKEN`` — this server is a site box: the upstream it takes its
  site from and sends its records to, and the token of ``luot site-box add`` there
- ``LUOT_ELSEWHERE_MAX_AGE_S`` — on a site box, the kiosk suggests another intake point of the commune
  from the figures the upstream last sent only while they are at most this old (300 s)
- ``LUOT_RETENTION_DAYS`` — personal data of tickets and appointments is erased after this many days
  (90; ``0`` keeps it)
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from pathlib import Path
from typing import Any

DEFAULT_INSTANCE = "instance"
SECRET_FILE = "secret_key"  # noqa: S105 - a file name, not a secret
DEMO_SECRET_FILE = "demo_secret_key"  # noqa: S105 - a file name, not a secret
MIN_SECRET_LENGTH = 32
# Secrets that have appeared in examples, tests and tutorials: never good enough for a centre.
KNOWN_SECRETS = frozenset(
    {"test-secret", "secret", "dev", "development", "change-me", "changeme", "demo", "luot", "lượt"}
)


class PublicAddress:
    """The address citizens' phones use to reach the server: in every QR code, status link and booking
    link. ``LUOT_PUBLIC_URL`` when the installer set it; otherwise the address a request came in on (the
    kiosk reached the server there, so a phone on the same network can too), and, outside a request (the
    print spooler), the address ``luot serve`` listens on."""

    def __init__(self, configured: str | None) -> None:
        self.configured = configured.rstrip("/") if configured else None
        self.listening: str | None = None

    def listen(self, host: str, port: int) -> None:
        """``luot serve`` tells where it listens (the answer outside a request, unless configured)."""
        if host in ("0.0.0.0", "::", ""):  # noqa: S104 - reading the bind address, not binding
            host = _lan_address()
        self.listening = f"http://{host}:{port}"

    def base(self, request_url: str | None = None) -> str:
        """The public address; ``request_url`` is the address of the request being answered, if any."""
        if self.configured:
            return self.configured
        if request_url:
            return request_url.rstrip("/")
        return self.listening or "http://localhost:5000"


def _lan_address() -> str:
    """This machine's address on its LAN (the interface a packet to a private address would leave by;
    nothing is sent)."""
    import socket

    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        try:
            probe.connect(("10.255.255.255", 1))
            return str(probe.getsockname()[0])
        except OSError:
            return "127.0.0.1"


class InsecureConfiguration(RuntimeError):
    """The server would run with a setting that is not safe in production."""


class InvalidConfiguration(ValueError):
    """A ``LUOT_*`` setting that cannot be read; the message names it and says what it should be."""


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
        "LUOT_RATE_LIMIT_STORAGE": env.get("LUOT_RATE_LIMIT_STORAGE") or None,
        "LUOT_PROXY_COUNT": _number(env, "LUOT_PROXY_COUNT", int, 0),
        "LUOT_PUBLIC_URL": (env.get("LUOT_PUBLIC_URL") or "").rstrip("/") or None,
        "LUOT_ASYNC_MODE": _async_mode(env.get("LUOT_ASYNC_MODE") or "threading"),
        "LUOT_SERVE_CONNECTIONS": _number(env, "LUOT_SERVE_CONNECTIONS", int, 0) or None,
        "LUOT_ENV": env.get("LUOT_ENV", "production"),
        "LUOT_RETENTION_DAYS": _number(env, "LUOT_RETENTION_DAYS", int, 90),
        "LUOT_UPSTREAM_URL": (env.get("LUOT_UPSTREAM_URL") or "").rstrip("/") or None,
        "LUOT_UPSTREAM_TOKEN": env.get("LUOT_UPSTREAM_TOKEN") or None,
        "LUOT_ELSEWHERE_MAX_AGE_S": _number(env, "LUOT_ELSEWHERE_MAX_AGE_S", int, 300),
        "LUOT_PRINTER_DIR": env.get("LUOT_PRINTER_DIR") or None,
        "LUOT_PRINTER_NETWORKS": printer_networks(env.get("LUOT_PRINTER_NETWORKS", "")),
        # Argon2 parameters; tests lower them so that creating users stays fast.
        "LUOT_PASSWORD_HASH": {"time_cost": 3, "memory_cost": 65536, "parallelism": 4},
    }
    for key in (
        "LUOT_PRINT_TIMEOUT_S",
        "LUOT_PRINT_RETRY_BASE_S",
        "LUOT_PRINT_RETRY_CAP_S",
        "LUOT_PRINT_GIVE_UP_S",
    ):
        if env.get(key):
            config[key] = _number(env, key, float, 0.0)
    for key, kind in (
        ("LUOT_SOCKET_EVENTS_PER_S", float),
        ("LUOT_SOCKET_EVENTS_BURST", int),
        ("LUOT_SOCKET_SNAPSHOT_INTERVAL_S", float),
        ("LUOT_SOCKET_BACKLOG_PACKETS", int),
        ("LUOT_SOCKET_BACKLOG_BYTES", int),
    ):
        if env.get(key):
            config[key] = _number(env, key, kind, 0)
    if env.get("LUOT_SECRET_KEY"):
        config["SECRET_KEY"] = env["LUOT_SECRET_KEY"]
    config.update(overrides)
    return config


def printer_networks(raw: str | list[str] | tuple[str, ...]) -> tuple[str, ...]:
    """``LUOT_PRINTER_NETWORKS`` as checked CIDR networks (``192.168.1.7`` reads as ``192.168.1.7/32``)."""
    import ipaddress

    parts = raw.replace(",", " ").split() if isinstance(raw, str) else [str(part) for part in raw]
    try:
        return tuple(str(ipaddress.ip_network(part, strict=False)) for part in parts)
    except ValueError:
        raise InvalidConfiguration(
            f"LUOT_PRINTER_NETWORKS must list networks such as 192.168.1.0/24, not {raw!r}"
        ) from None


ASYNC_MODES = ("threading", "gevent")


def _async_mode(raw: str) -> str:
    mode = raw.strip().lower()
    if mode not in ASYNC_MODES:
        raise InvalidConfiguration(f"LUOT_ASYNC_MODE must be threading or gevent, not {raw!r}")
    return mode


def _number(env: Mapping[str, str], name: str, kind: type[int] | type[float], default: float) -> Any:
    raw = env.get(name)
    if not raw:
        return default
    try:
        return kind(raw)
    except ValueError:
        what = "a whole number" if kind is int else "a number"
        raise InvalidConfiguration(f"{name} must be {what}, not {raw!r}") from None


def load_secret_key(folder: Path, name: str = SECRET_FILE) -> str:
    """The installation's secret, generated on first run and kept in the instance folder (mode 600).
    The demo keeps its own (``demo_secret_key``), so that a demo never shares a key with the centre."""
    path = folder / name
    if path.exists():
        return path.read_text().strip()
    folder.mkdir(parents=True, exist_ok=True)
    key = secrets.token_hex(32)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w") as handle:
        handle.write(key + "\n")
    return key


def check_secret(secret: str, folder: Path) -> None:
    """Refuse, in production, a secret that is short, known from examples, or the demo's own."""
    demo = folder / DEMO_SECRET_FILE
    if len(secret) < MIN_SECRET_LENGTH or secret.strip().lower() in KNOWN_SECRETS:
        raise InsecureConfiguration(
            f"the secret key is too weak for production (at least {MIN_SECRET_LENGTH} random characters); "
            f"remove LUOT_SECRET_KEY to have one generated in {folder / SECRET_FILE}"
        )
    if demo.exists() and demo.read_text().strip() == secret:
        raise InsecureConfiguration("the secret key is the demo's: production needs its own")
