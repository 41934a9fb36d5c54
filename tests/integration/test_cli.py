"""The ``luot`` command: what each set-up command does, in-process on SQLite and PostgreSQL
(:mod:`tests.commands`), and a few runs of the real executable, end to end."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
import requests
import sqlalchemy as sa
import yaml
from flask import Flask

from server.db.models import AuditRecord
from server.demo.seed import demo_overrides
from tests.commands import luot, refused, succeeded
from tests.conftest import TEST_CONFIG, World
from tests.servers import ServerProcess

LUOT = Path(sys.executable).with_name("luot")  # the installed command, as an operator runs it


@pytest.fixture
def config_file(tmp_path: Path) -> Path:
    path = tmp_path / "sites.yaml"
    path.write_text(yaml.safe_dump(TEST_CONFIG, allow_unicode=True), encoding="utf-8")
    return path


def test_config_load_is_idempotent_and_updates_by_code(
    make_app: Callable[..., Flask], database_url: str, config_file: Path
) -> None:
    app = make_app(database_url, config=None)
    first = succeeded(luot(app, "config", "load", str(config_file)))
    assert "created site CB" in first.stdout and "created service CB/HT" in first.stdout

    again = succeeded(luot(app, "config", "load", str(config_file)))
    assert "0 created, 0 updated" in again.stdout

    document: dict[str, Any] = json.loads(json.dumps(TEST_CONFIG))
    document["communes"][0]["sites"][0]["services"][0]["name"] = "Hộ tịch — khai sinh, kết hôn"
    config_file.write_text(yaml.safe_dump(document, allow_unicode=True), encoding="utf-8")
    changed = succeeded(luot(app, "config", "load", str(config_file)))
    assert "updated service CB/HT" in changed.stdout
    assert "0 created, 1 updated" in changed.stdout


def test_a_setting_changed_on_the_page_survives_a_reload_until_the_file_takes_it_back(
    make_app: Callable[..., Flask], database_url: str, config_file: Path
) -> None:
    app = make_app(database_url, config=None)
    succeeded(luot(app, "config", "load", str(config_file)))
    password = "correct-horse-battery\n"
    succeeded(
        luot(
            app, "user", "add", "hoa", "--role", "manager", "--site", "CB", "--password-stdin", input=password
        )
    )
    client = app.test_client()
    login = client.post("/api/v1/auth/login", json={"username": "hoa", "password": password.strip()})
    manager = {"Authorization": f"Bearer {login.json['token']}"}
    site = next(s for s in client.get("/api/v1/sites").json if s["code"] == "CB")["id"]

    def settings() -> dict[str, Any]:
        answer = client.get(f"/api/v1/sites/{site}/settings", headers=manager).json
        return {
            **{s["code"]: s for s in answer["services"]},
            **{f"counter {c['code']}": c for c in answer["counters"]},
        }

    ids = {code: row["id"] for code, row in settings().items() if not code.startswith("counter")}
    assert (
        client.patch(
            f"/api/v1/services/{ids['HT']}",
            json={"target_wait_minutes": 25, "is_open": True},
            headers=manager,
        ).status_code
        == 200
    )
    q3 = settings()["counter Q3"]["id"]
    assert (
        client.put(
            f"/api/v1/counters/{q3}/services", json={"service_ids": [ids["DD"], ids["HT"]]}, headers=manager
        ).status_code
        == 200
    )
    # `open` was sent unchanged: it stays the file's.
    assert settings()["HT"]["page_owned"] == ["target_wait_minutes"]
    assert settings()["counter Q3"]["page_owned"] == ["services"]
    with app.extensions["luot"].read() as session:  # each page change in the audit log, with who
        audit = session.execute(sa.select(AuditRecord.kind, AuditRecord.data).order_by(AuditRecord.id)).all()
    assert [(kind, data.get("changed") or data.get("services")) for kind, data in audit] == [
        ("service_changed", ["target_wait_minutes"]),
        ("counter_services_changed", ["DD", "HT"]),
    ]

    reload = succeeded(luot(app, "config", "load", str(config_file)))
    assert (
        "left as set on the manager's page: service CB/HT target_wait_minutes: 25 (the file: 20)"
        in reload.stdout
    )
    assert "left as set on the manager's page: counter CB/Q3 services: DD, HT (the file: DD)" in reload.stdout
    assert "0 created, 0 updated" in reload.stdout
    assert "2 settings left as set on the page" in reload.stdout
    after = settings()
    assert after["HT"]["target_wait_minutes"] == 25
    assert after["counter Q3"]["service_ids"] == [ids["DD"], ids["HT"]]

    # The file still owns what the page did not change: an edit of it is loaded.
    document: dict[str, Any] = json.loads(json.dumps(TEST_CONFIG))
    document["communes"][0]["sites"][0]["services"][1]["target_wait_minutes"] = 12  # CT
    config_file.write_text(yaml.safe_dump(document, allow_unicode=True), encoding="utf-8")
    assert "updated service CB/CT" in succeeded(luot(app, "config", "load", str(config_file))).stdout
    assert settings()["CT"]["target_wait_minutes"] == 12

    taken = succeeded(luot(app, "config", "load", "--take-back", str(config_file)))
    assert "given back to the file: service CB/HT target_wait_minutes" in taken.stdout
    assert "given back to the file: counter CB/Q3 services" in taken.stdout
    assert "left as set on the manager's page" not in taken.stdout
    back = settings()
    assert (back["HT"]["target_wait_minutes"], back["HT"]["page_owned"]) == (20, [])
    assert (back["counter Q3"]["service_ids"], back["counter Q3"]["page_owned"]) == ([ids["DD"]], [])
    assert "0 created, 0 updated" in succeeded(luot(app, "config", "load", str(config_file))).stdout


def test_config_load_reports_invalid_files_clearly(
    make_app: Callable[..., Flask], sqlite_url: str, tmp_path: Path
) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("communes:\n  - code: '123'\n    name: X\n    sites: []\n", encoding="utf-8")
    result = luot(make_app(sqlite_url, config=None), "config", "load", str(bad))
    refused(result, "A commune code has 5 digits")


def test_user_and_device_add(make_app: Callable[..., Flask], database_url: str) -> None:
    app = make_app(database_url)
    added = luot(
        app,
        "user",
        "add",
        "hoa",
        "--role",
        "clerk",
        "--site",
        "CB",
        "--password-stdin",
        input="a-long-password-9\n",
    )
    assert succeeded(added).stdout.startswith("user hoa (clerk) on sites")
    weak = luot(
        app, "user", "add", "minh", "--role", "clerk", "--site", "CB", "--password-stdin", input="123\n"
    )
    refused(weak, "password")
    device = luot(
        app,
        "device",
        "add",
        "--site",
        "CB",
        "--kind",
        "kiosk",
        "--name",
        "Kiosk sảnh",
        "--printer",
        "tcp://192.168.1.50:9100",
    )
    token = succeeded(device).stdout.strip()
    assert len(token) >= 40 and "\n" not in token
    refused(luot(app, "device", "add", "--site", "XX", "--kind", "kiosk", "--name", "x"), "XX")


def test_demo_seeds_two_sites_and_prints_urls_and_credentials(
    make_app: Callable[..., Flask], tmp_path: Path
) -> None:
    instance = tmp_path / "instance"  # make_app's instance folder, where the demo keeps its own database
    instance.mkdir()
    demo = make_app(demo_overrides(instance)["LUOT_DATABASE_URL"], config=None, LUOT_ENV="demo")
    result = succeeded(luot(demo, "demo", "--no-serve"))
    assert "/kiosk?token=" in result.stdout and "/display?token=" in result.stdout
    assert "admin" in result.stdout and "quanly" in result.stdout
    credentials = json.loads((instance / "demo-credentials.json").read_text())
    assert oct((instance / "demo-credentials.json").stat().st_mode & 0o777) == "0o600"
    again = succeeded(luot(demo, "demo", "--no-serve"))
    assert credentials["admin"]["password"] in again.stdout  # the same credentials on a second run


def test_the_demo_keeps_its_own_database_in_the_instance_folder(tmp_path: Path) -> None:
    assert demo_overrides(tmp_path) == {
        "LUOT_DATABASE_URL": f"sqlite:///{tmp_path / 'demo.sqlite3'}",
        "LUOT_ENV": "demo",
    }


def test_a_revoked_device_and_a_disabled_account_are_refused_at_once(
    make_app: Callable[..., Flask], database_url: str
) -> None:
    server = make_app(database_url, config=None)  # the serving installation…
    command = make_app(database_url)  # …and the command's own app on the same database, as its own process
    added = luot(
        command,
        "user",
        "add",
        "hoa",
        "--role",
        "clerk",
        "--site",
        "CB",
        "--password-stdin",
        input="a-long-password-9\n",
    )
    succeeded(added)
    token = succeeded(
        luot(command, "device", "add", "--site", "CB", "--kind", "kiosk", "--name", "Kiosk sảnh")
    )
    client = server.test_client()
    kiosk = {"Authorization": f"Bearer {token.stdout.strip()}"}
    login = client.post("/api/v1/auth/login", json={"username": "hoa", "password": "a-long-password-9"})
    clerk = {"Authorization": f"Bearer {login.json['token']}"}
    assert client.get("/api/v1/device", headers=kiosk).status_code == 200
    assert client.get("/api/v1/me", headers=clerk).status_code == 200

    listed = succeeded(luot(command, "device", "list"))
    assert "Kiosk sảnh\tactive" in listed.stdout
    device_id = listed.stdout.split("\t", 1)[0]
    succeeded(luot(command, "device", "revoke", device_id))
    assert "revoked" in succeeded(luot(command, "device", "list")).stdout.split("\t")[-1]
    assert client.get("/api/v1/device", headers=kiosk).status_code == 401

    succeeded(luot(command, "user", "disable", "hoa"))
    assert client.get("/api/v1/me", headers=clerk).status_code == 401
    again = client.post("/api/v1/auth/login", json={"username": "hoa", "password": "a-long-password-9"})
    assert again.status_code == 401
    refused(luot(command, "device", "revoke", "999"))
    refused(luot(command, "user", "disable", "nobody"))


# -- the real executable ------------------------------------------------------------------------------


def run(instance: Path, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """The installed ``luot`` as its own process, on the installation in ``instance``."""
    environment = {**os.environ, "LUOT_INSTANCE_PATH": str(instance), **(env or {})}
    if "LUOT_DATABASE_URL" not in (env or {}):
        environment.pop("LUOT_DATABASE_URL", None)
    return subprocess.run(
        [str(LUOT), *args], capture_output=True, text=True, env=environment, timeout=120, check=False
    )


def test_migrations_are_safe_when_several_processes_start_at_once(tmp_path: Path) -> None:
    instance = tmp_path / "instance"
    with ThreadPoolExecutor(4) as pool:
        results = list(pool.map(lambda _i: run(instance, "db", "upgrade"), range(4)))
    assert [r.returncode for r in results] == [0, 0, 0, 0], [r.stderr for r in results]


def test_the_command_loads_a_configuration_then_serves_it(
    tmp_path: Path, config_file: Path, servers: list[ServerProcess]
) -> None:
    instance = tmp_path / "instance"
    loaded = run(instance, "config", "load", str(config_file))
    assert loaded.returncode == 0, loaded.stderr
    assert "created site CB" in loaded.stdout

    server = ServerProcess({"LUOT_INSTANCE_PATH": str(instance), "LUOT_DATABASE_URL": ""})
    servers.append(server.start())  # `python -m server.cli serve`, healthy
    sites = requests.get(f"{server.url}/api/v1/sites", timeout=5).json()
    assert sorted(site["code"] for site in sites) == ["CB", "CH"]


def test_the_command_says_in_one_line_that_its_database_cannot_be_reached(tmp_path: Path) -> None:
    result = run(tmp_path, "serve", env={"LUOT_DATABASE_URL": "postgresql://postgres@127.0.0.1:1/luot"})
    assert result.returncode == 2
    assert result.stdout == ""
    (line,) = result.stderr.splitlines()
    assert line.startswith("error: cannot reach the database postgresql+psycopg://postgres@127.0.0.1:1/luot")


def test_device_add_enrols_a_rating_pad_bound_to_its_counter(
    make_app: Callable[..., Flask], sqlite_url: str
) -> None:
    app = make_app(sqlite_url)
    added = luot(
        app, "device", "add", "--site", "CB", "--kind", "rating", "--counter", "Q1", "--name", "Pad 1"
    )
    token = succeeded(added).stdout.strip()  # shown once
    pad = app.test_client().get("/api/v1/device", headers={"Authorization": f"Bearer {token}"}).json
    q1 = World(app).counter_id("CB", "Q1")
    assert (pad["kind"], pad["name"], pad["settings"]["counter_id"]) == ("rating", "Pad 1", q1)
    refused(luot(app, "device", "add", "--site", "CB", "--kind", "rating", "--name", "Pad 2"), "--counter")
    unknown = luot(app, "device", "add", "--site", "CB", "--kind", "rating", "--counter", "Q9", "--name", "P")
    refused(unknown, "Q9")
