"""Shared fixtures: a fresh database per test (a copy of a migrated SQLite file, or a new PostgreSQL
database), the app and its clients, factories that return callables, and a live server for Socket.IO."""

from __future__ import annotations

import os
import shutil
import threading
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.serving import make_server

from server.app import create_app
from server.db.engine import Database, normalise_url
from server.db.migrate import upgrade
from server.domain.access import DeviceKind, Role
from server.extension import Luot
from server.services.accounts import auth as auth_service
from server.services.sites.config_file import load_config
from tests.realtime_client import Listener
from tests.servers import ServerProcess

PASSWORD = "correct-horse-battery"
FAST_HASH = {"time_cost": 1, "memory_cost": 1024, "parallelism": 1}

TEST_CONFIG: dict[str, Any] = {
    "communes": [
        {
            "code": "11914",
            "name": "Đặc khu Cát Hải",
            "province": "Thành phố Hải Phòng",
            "sites": [
                {
                    "code": "CB",
                    "name": "Trung tâm Phục vụ hành chính công - Cát Bà",
                    "address": "Thị trấn Cát Bà",
                    "always_open": True,
                    "priority_streak": 2,
                    "person_ticket_limit": 2,
                    "services": [
                        {
                            "code": "HT",
                            "name": "Hộ tịch",
                            "name_en": "Civil status",
                            "prefix": "A",
                            "service_minutes": 10,
                            "target_wait_minutes": 20,
                        },
                        {
                            "code": "CT",
                            "name": "Chứng thực",
                            "name_en": "Certification",
                            "prefix": "B",
                            "service_minutes": 5,
                            "target_wait_minutes": 15,
                        },
                        {
                            "code": "DD",
                            "name": "Đất đai",
                            "name_en": "Land",
                            "prefix": "C",
                            "start": 100,
                            "digits": 2,
                        },
                    ],
                    "counters": [
                        {"code": "Q1", "number": 1, "name": "Quầy 1", "services": ["HT", "CT"]},
                        {"code": "Q2", "number": 2, "name": "Quầy 2", "services": ["CT", "HT"]},
                        {"code": "Q3", "number": 3, "name": "Quầy 3", "services": ["DD"]},
                    ],
                },
                {
                    "code": "CH",
                    "name": "Trung tâm Phục vụ hành chính công - Cát Hải",
                    "always_open": True,
                    "services": [{"code": "HT", "name": "Hộ tịch", "prefix": "A"}],
                    "counters": [{"code": "Q1", "number": 1, "name": "Quầy 1", "services": ["HT"]}],
                },
            ],
        }
    ]
}


class Clock:
    """A controllable clock for the app (``app.extensions["luot"].clock``)."""

    def __init__(self, start: datetime | None = None) -> None:
        self.now = start or datetime.now(UTC)
        self.frozen = start is not None

    def __call__(self) -> datetime:
        return self.now if self.frozen else datetime.now(UTC)

    def set(self, moment: datetime) -> None:
        self.now, self.frozen = moment, True

    def advance(self, **delta: float) -> None:
        self.now = (self.now if self.frozen else datetime.now(UTC)) + timedelta(**delta)
        self.frozen = True


# -- databases ---------------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated SQLite file, copied for each test (migrating once per session keeps tests fast)."""
    path = tmp_path_factory.mktemp("template") / "luot.sqlite3"
    database = Database(f"sqlite:///{path}")
    upgrade(database)
    database.dispose()
    return path


class SqliteCopies:
    """Each test's SQLite file, a copy of the migrated template. Most tests then load ``TEST_CONFIG``
    into it: that copy is made once per session (on first use) from an app that loaded it, and a file
    not opened yet takes it in place of loading the configuration again."""

    def __init__(self, template: Path, folder: Path) -> None:
        self.template, self.folder = template, folder
        self.configured: Path | None = None
        self.fresh: set[str] = set()  # URLs of copies of the template that no app has opened yet

    def copy(self, path: Path) -> str:
        shutil.copy(self.template, path)
        url = f"sqlite:///{path}"
        self.fresh.add(url)
        return url

    def opened(self, url: str, config: dict[str, Any] | None) -> dict[str, Any] | None:
        """An app opens ``url`` to load ``config``: what it still has to load."""
        if url not in self.fresh:
            return config
        self.fresh.remove(url)
        if config is not TEST_CONFIG:
            return config
        if self.configured is None:
            path = self.folder / "configured.sqlite3"
            shutil.copy(self.template, path)
            new_app(self.folder / "instance", f"sqlite:///{path}").extensions["luot"].close()
            self.configured = path
        shutil.copy(self.configured, url.removeprefix("sqlite:///"))
        return None


@pytest.fixture(scope="session")
def sqlite_copies(sqlite_template: Path, tmp_path_factory: pytest.TempPathFactory) -> SqliteCopies:
    return SqliteCopies(sqlite_template, tmp_path_factory.mktemp("configured"))


def postgres_server_url() -> str | None:
    return os.environ.get("LUOT_TEST_POSTGRES_URL") or None


@pytest.fixture(scope="session")
def postgres_template() -> Iterator[tuple[sa.Engine, str]]:
    """A migrated PostgreSQL database that each test's database is created from (migrating once per
    session, as for SQLite), with the server's admin engine; skipped where no server is configured."""
    base = postgres_server_url()
    if base is None:
        pytest.skip("LUOT_TEST_POSTGRES_URL is not set (.ci/run sets it)")
    server = normalise_url(base)
    admin = sa.create_engine(server, isolation_level="AUTOCOMMIT")
    template = _create_database(admin, f"luot_template_{uuid.uuid4().hex[:12]}")
    database = Database(server.set(database=template).render_as_string(hide_password=False))
    upgrade(database)
    database.dispose()  # a template is copied only while nobody is connected to it
    try:
        yield admin, template
    finally:
        _drop_database(admin, template)
        admin.dispose()


@pytest.fixture
def postgres_url(postgres_template: tuple[sa.Engine, str]) -> Iterator[str]:
    """A fresh, migrated PostgreSQL database for one test; skipped where no server is configured."""
    admin, template = postgres_template
    name = _create_database(admin, f"luot_test_{uuid.uuid4().hex[:12]}", template)
    try:
        yield admin.url.set(database=name).render_as_string(hide_password=False)
    finally:
        _drop_database(admin, name)


def _create_database(admin: sa.Engine, name: str, template: str | None = None) -> str:
    copy = f' TEMPLATE "{template}"' if template else ""
    with admin.connect() as connection:
        connection.execute(sa.text(f'CREATE DATABASE "{name}"{copy}'))
    return name


def _drop_database(admin: sa.Engine, name: str) -> None:
    with admin.connect() as connection:
        connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.fixture(params=["sqlite", "postgres"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path, sqlite_copies: SqliteCopies) -> str:
    """Runs a test once on SQLite and once on PostgreSQL."""
    if request.param == "postgres":
        return str(request.getfixturevalue("postgres_url"))
    return sqlite_copies.copy(tmp_path / "luot.sqlite3")


@pytest.fixture
def sqlite_url(tmp_path: Path, sqlite_copies: SqliteCopies) -> str:
    return sqlite_copies.copy(tmp_path / "luot.sqlite3")


# -- the app -----------------------------------------------------------------------------------------


def new_app(
    instance: Path, database_url: str, config: dict[str, Any] | None = TEST_CONFIG, **overrides: Any
) -> Flask:
    """An app on ``database_url`` (migrated) with ``config`` loaded; the caller closes it."""
    settings = {
        "LUOT_INSTANCE_PATH": str(instance),
        "LUOT_DATABASE_URL": database_url,
        "LUOT_PASSWORD_HASH": FAST_HASH,
        "LUOT_RATE_LIMITS": False,  # tests of the rate limits turn them on
        "LUOT_ENV": "test",  # "test-secret" would be refused in production
        "SECRET_KEY": "test-secret",
        "TESTING": True,
        **overrides,
    }
    app = create_app(settings)
    extension: Luot = app.extensions["luot"]
    upgrade(extension.database)
    if config is not None:
        load_config(extension.uow(), config, extension.now())
    return app


@pytest.fixture
def make_app(tmp_path: Path, sqlite_copies: SqliteCopies) -> Iterator[Callable[..., Flask]]:
    apps: list[Flask] = []

    def factory(database_url: str, config: dict[str, Any] | None = TEST_CONFIG, **overrides: Any) -> Flask:
        config = sqlite_copies.opened(database_url, config)
        app = new_app(tmp_path / "instance", database_url, config, **overrides)
        apps.append(app)
        return app

    yield factory
    for app in apps:
        app.extensions["luot"].close()


@pytest.fixture
def app(make_app: Callable[..., Flask], sqlite_url: str) -> Flask:
    return make_app(sqlite_url)


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def runner(app: Flask) -> Any:
    return app.test_cli_runner()


@pytest.fixture
def clock(app: Flask) -> Clock:
    fake = Clock()
    app.extensions["luot"].clock = fake
    return fake


# -- factories ---------------------------------------------------------------------------------------


class World:
    """Looks things up and creates accounts and devices in one app, for tests to read like stories."""

    def __init__(self, app: Flask) -> None:
        self.app = app
        self.luot: Luot = app.extensions["luot"]
        self.client = app.test_client()

    def site(self, code: str) -> dict[str, Any]:
        return next(s for s in self.client.get("/api/v1/sites").json if s["code"] == code)

    def service(self, site_code: str, service_code: str) -> dict[str, Any]:
        site = self.site(site_code)
        return next(
            s
            for s in self.client.get(f"/api/v1/sites/{site['id']}/services").json
            if s["code"] == service_code
        )

    def counter_id(self, site_code: str, counter_code: str) -> int:
        from server.db.models import Counter, Site

        with self.luot.read() as session:
            return int(
                session.scalar(
                    sa.select(Counter.id)
                    .join(Site)
                    .where(Site.code == site_code, Counter.code == counter_code)
                )
            )

    def staff(
        self, role: str = "clerk", sites: tuple[str, ...] = ("CB",), username: str | None = None
    ) -> dict[str, str]:
        """Create a staff user and sign in; returns request headers with its token."""
        username = username or f"{role}-{uuid.uuid4().hex[:6]}"
        auth_service.add_user(
            self.luot.uow(),
            self.luot.hasher,
            username=username,
            password=PASSWORD,
            role=Role(role),
            site_codes=list(sites),
            at=self.luot.now(),
        )
        response = self.client.post("/api/v1/auth/login", json={"username": username, "password": PASSWORD})
        assert response.status_code == 200, response.json
        return {"Authorization": f"Bearer {response.json['token']}"}

    def device(self, kind: str = "kiosk", site: str = "CB", printer: str | None = None) -> dict[str, str]:
        _info, token = auth_service.add_device(
            self.luot.uow(),
            site_code=site,
            kind=DeviceKind(kind),
            name=f"{kind} {site}",
            printer_uri=printer,
            at=self.luot.now(),
        )
        return {"Authorization": f"Bearer {token}"}

    def device_token(self, kind: str = "display", site: str = "CB") -> str:
        return self.device(kind, site)["Authorization"].split()[1]

    def issue(
        self, headers: dict[str, str], site: str = "CB", service: str = "HT", **body: Any
    ) -> dict[str, Any]:
        response = self.client.post(
            f"/api/v1/sites/{self.site(site)['id']}/tickets",
            json={"service_id": self.service(site, service)["id"], **body},
            headers=headers,
        )
        assert response.status_code == 201, response.json
        return dict(response.json)

    def open_counter(self, headers: dict[str, str], site: str = "CB", counter: str = "Q1") -> int:
        counter_id = self.counter_id(site, counter)
        response = self.client.post(f"/api/v1/counters/{counter_id}/open", headers=headers)
        assert response.status_code == 200, response.json
        return counter_id


@pytest.fixture
def world(app: Flask) -> World:
    return World(app)


# -- a live server for Socket.IO and browsers --------------------------------------------------------


class LiveServer:
    def __init__(self, app: Flask) -> None:
        self.app = app
        self._server = make_server("127.0.0.1", 0, app, threaded=True)
        self.port = self._server.server_port
        self.url = f"http://127.0.0.1:{self.port}"
        # Polled for shutdown every 50 ms rather than 500: stopping it is part of every test using it.
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.05,), daemon=True)

    def start(self) -> LiveServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._thread.is_alive():
            self._server.shutdown()
            self._server.server_close()
            self._thread.join(timeout=5)


@pytest.fixture
def live_server(app: Flask) -> Iterator[LiveServer]:
    server = LiveServer(app).start()
    yield server
    server.stop()


@pytest.fixture
def listen(live_server: LiveServer) -> Iterator[Any]:
    listeners: list[Listener] = []

    def connect(auth: dict[str, Any]) -> Listener:
        listener = Listener(live_server.url, auth)
        listeners.append(listener)
        return listener

    yield connect
    for listener in listeners:
        listener.close()


@pytest.fixture
def servers() -> Iterator[list[ServerProcess]]:
    """``luot serve`` processes (:class:`tests.servers.ServerProcess`) appended here are killed at the end."""
    started: list[ServerProcess] = []
    yield started
    for server in started:
        server.kill()


@pytest.fixture
def redis_url() -> str:
    """The Redis server for message-queue tests; skipped where none is configured."""
    url = os.environ.get("LUOT_TEST_REDIS_URL")
    if not url:
        pytest.skip("LUOT_TEST_REDIS_URL is not set (.ci/run sets it)")
    return url
