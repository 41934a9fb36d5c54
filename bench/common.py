"""What every benchmark needs: percentiles, the machine, server processes, and a seeded installation."""

from __future__ import annotations

import os
import platform
import resource
import secrets
import signal
import socket
import sqlite3
import statistics
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import requests
import sqlalchemy as sa

from server.db.engine import normalise_url

ROOT = Path(__file__).resolve().parent.parent
FAST_HASH = {"time_cost": 1, "memory_cost": 1024, "parallelism": 1}
PASSWORD = secrets.token_urlsafe(18)  # a throwaway account in a throwaway database


def raise_file_limit() -> int:
    """Thousands of sockets need thousands of file descriptors (children inherit the limit)."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    wanted = hard if hard != resource.RLIM_INFINITY else 65536
    if soft < wanted:
        resource.setrlimit(resource.RLIMIT_NOFILE, (wanted, hard))
    return wanted


def percentile(values: list[float], pct: float) -> float:
    """Nearest-rank percentile (``pct`` in 0..100); 0 for no values."""
    if not values:
        return 0.0
    ordered = sorted(values)
    rank = max(1, min(len(ordered), round(pct / 100 * len(ordered) + 0.5)))
    return ordered[rank - 1]


def summary_ms(seconds: list[float]) -> dict[str, float]:
    """p50, p90, p99 and max of durations in seconds, in milliseconds (rounded to 0.01 ms)."""
    ms = [s * 1000 for s in seconds]
    return {
        "n": len(ms),
        "median_ms": round(statistics.median(ms), 2) if ms else 0.0,
        "p90_ms": round(percentile(ms, 90), 2),
        "p99_ms": round(percentile(ms, 99), 2),
        "max_ms": round(max(ms), 2) if ms else 0.0,
    }


def machine() -> dict[str, Any]:
    model = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem_kb = 0
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                mem_kb = int(line.split()[1])
    except OSError:
        pass
    return {
        "cpus": os.cpu_count(),
        "cpu_model": model,
        "ram_gb": round(mem_kb / 1024 / 1024, 1),
        "os": f"{platform.system()} {platform.release()}",
        "python": platform.python_version(),
        "sqlite": sqlite3.sqlite_version,
    }


def postgres_version(url: str) -> str:
    engine = sa.create_engine(normalise_url(url))
    try:
        with engine.connect() as connection:
            return str(connection.scalar(sa.text("SHOW server_version")))
    finally:
        engine.dispose()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def rss_kb(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def threads_of(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("Threads:"):
            return int(line.split()[1])
    return 0


class Process:
    """A server process on a free port, started with ``args`` and stopped with SIGTERM."""

    def __init__(self, args: list[str], env: dict[str, str], health: str, port: int | None = None) -> None:
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.args = [arg.replace("{port}", str(self.port)) for arg in args]
        self.env = {**os.environ, "LUOT_RATE_LIMITS": "off", "LUOT_SCHEDULER": "off", **env}
        self.health = health
        self.process: subprocess.Popen[bytes] | None = None

    def start(self, timeout: float = 60) -> Process:
        self.process = subprocess.Popen(
            [sys.executable, *self.args],
            env=self.env,
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"{self.args} exited with {self.process.returncode}")
            try:
                if requests.get(self.url + self.health, timeout=1).status_code < 500:
                    return self
            except (requests.ConnectionError, requests.Timeout):  # not listening yet, or booting its worker
                pass
            time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"{self.args} did not start")

    @property
    def pid(self) -> int:
        assert self.process is not None
        return self.process.pid

    @property
    def serving_pid(self) -> int:
        """The process that serves: ``luot serve``'s gunicorn worker (its child), or the process itself."""
        children = Path(f"/proc/{self.pid}/task/{self.pid}/children").read_text().split()
        return int(children[0]) if children else self.pid

    def rss_kb(self) -> int:
        return rss_kb(self.serving_pid)

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=15)

    def __enter__(self) -> Process:
        return self.start()

    def __exit__(self, *_exc: object) -> None:
        self.stop()


def luot_serve(env: dict[str, str], port: int | None = None) -> Process:
    return Process(["-m", "server.cli", "serve", "--port", "{port}"], env, "/api/v1/health", port)


# -- databases -------------------------------------------------------------------------------------


@contextmanager
def fresh_database(kind: str, folder: Path, postgres_server: str | None) -> Iterator[str]:
    """A new, empty database: a SQLite file in ``folder``, or a new PostgreSQL database (dropped after)."""
    if kind == "sqlite":
        folder.mkdir(parents=True, exist_ok=True)
        yield f"sqlite:///{folder / f'bench-{uuid.uuid4().hex[:8]}.sqlite3'}"
        return
    if not postgres_server:
        raise RuntimeError("no PostgreSQL server (LUOT_BENCH_POSTGRES_URL)")
    server = normalise_url(postgres_server)
    name = f"luot_bench_{uuid.uuid4().hex[:10]}"
    admin = sa.create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    try:
        yield server.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


# -- a seeded installation ---------------------------------------------------------------------------


def province_config(sites: int) -> dict[str, Any]:
    """``sites`` always-open sites, each with two services and two counters."""
    return {
        "communes": [
            {
                "code": f"{10000 + n}",
                "name": f"Xã Thử {n}",
                "province": "Tỉnh Bắc Ninh",
                "sites": [
                    {
                        "code": f"S{n:03d}",
                        "name": f"Điểm tiếp nhận {n}",
                        "always_open": True,
                        "person_ticket_limit": 0,
                        "services": [
                            {"code": "HT", "name": "Hộ tịch", "prefix": "A", "digits": 4},
                            {"code": "CT", "name": "Chứng thực", "prefix": "B", "digits": 4},
                        ],
                        "counters": [
                            {"code": "Q1", "number": 1, "name": "Quầy 1", "services": ["HT", "CT"]},
                            {"code": "Q2", "number": 2, "name": "Quầy 2", "services": ["CT", "HT"]},
                        ],
                    }
                ],
            }
            for n in range(1, sites + 1)
        ]
    }


@dataclass
class Installation:
    """A migrated, configured database with the tokens the benchmarks use."""

    database_url: str
    instance: Path
    sites: list[dict[str, Any]] = field(default_factory=list)  # {id, code, services: [ids], counters: [ids]}
    kiosk: dict[int, str] = field(default_factory=dict)  # site id -> kiosk token
    display: dict[int, str] = field(default_factory=dict)  # site id -> display token
    staff_token: str = ""
    clerks: list[dict[str, Any]] = field(default_factory=list)  # {site_id, counter_id, token}

    @property
    def env(self) -> dict[str, str]:
        return {"LUOT_DATABASE_URL": self.database_url, "LUOT_INSTANCE_PATH": str(self.instance)}


def seed(database_url: str, instance: Path, sites: int = 1, clerks: int = 0) -> Installation:
    """Migrate, load ``sites`` sites, and create a kiosk and a display per site, one admin, and ``clerks``
    clerks signed in, one at the first counter of each of the first sites."""
    from server.app import create_app
    from server.db.migrate import upgrade
    from server.db.models import Counter, Service, Site
    from server.domain.access import DeviceKind, Role
    from server.services.accounts import auth as auth_service
    from server.services.sites.config_file import load_config

    app = create_app(
        {
            "LUOT_DATABASE_URL": database_url,
            "LUOT_INSTANCE_PATH": str(instance),
            "LUOT_PASSWORD_HASH": FAST_HASH,
        }
    )
    luot = app.extensions["luot"]
    try:
        upgrade(luot.database)
        load_config(luot.uow(), province_config(sites), luot.now())
        found = Installation(database_url, instance)
        with luot.read() as session:
            for site in session.scalars(sa.select(Site).order_by(Site.id)):
                services = session.scalars(
                    sa.select(Service.id).where(Service.site_id == site.id).order_by(Service.id)
                )
                counters = session.scalars(
                    sa.select(Counter.id).where(Counter.site_id == site.id).order_by(Counter.id)
                )
                found.sites.append(
                    {"id": site.id, "code": site.code, "services": list(services), "counters": list(counters)}
                )
        for site in found.sites:
            for kind, tokens in ((DeviceKind.KIOSK, found.kiosk), (DeviceKind.DISPLAY, found.display)):
                _info, token = auth_service.add_device(
                    luot.uow(),
                    site_code=site["code"],
                    kind=kind,
                    name=f"{kind.value} {site['code']}",
                    printer_uri=None,
                    at=luot.now(),
                )
                tokens[site["id"]] = token
        auth_service.add_user(
            luot.uow(),
            luot.hasher,
            username="bench",
            password=PASSWORD,
            role=Role.ADMIN,
            site_codes=[],
            at=luot.now(),
        )
        response = app.test_client().post(
            "/api/v1/auth/login", json={"username": "bench", "password": PASSWORD}
        )
        found.staff_token = response.json["token"]
        for n, site in zip(range(clerks), found.sites * clerks, strict=False):
            auth_service.add_user(
                luot.uow(),
                luot.hasher,
                username=f"clerk{n}",
                password=PASSWORD,
                role=Role.CLERK,
                site_codes=[site["code"]],
                at=luot.now(),
            )
            response = app.test_client().post(
                "/api/v1/auth/login", json={"username": f"clerk{n}", "password": PASSWORD}
            )
            counter = site["counters"][n // len(found.sites) % len(site["counters"])]
            found.clerks.append(
                {"site_id": site["id"], "counter_id": counter, "token": response.json["token"]}
            )
        return found
    finally:
        luot.close()


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}
