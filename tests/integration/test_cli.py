"""The ``luot`` command, run as a real process against a real SQLite file."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.conftest import TEST_CONFIG


def luot(
    instance: Path, *args: str, stdin: str = "", env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    environment = {**os.environ, "LUOT_INSTANCE_PATH": str(instance), **(env or {})}
    environment.pop("LUOT_DATABASE_URL", None)
    return subprocess.run(
        [sys.executable, "-m", "server.cli", *args],
        input=stdin,
        capture_output=True,
        text=True,
        env=environment,
        timeout=120,
        check=False,
    )


@pytest.fixture
def config_file(tmp_path: Path) -> Path:
    path = tmp_path / "sites.yaml"
    path.write_text(yaml.safe_dump(TEST_CONFIG, allow_unicode=True), encoding="utf-8")
    return path


def test_config_load_is_idempotent_and_updates_by_code(tmp_path: Path, config_file: Path) -> None:
    instance = tmp_path / "instance"
    first = luot(instance, "config", "load", str(config_file))
    assert first.returncode == 0, first.stderr
    assert "created site CB" in first.stdout and "created service CB/HT" in first.stdout

    again = luot(instance, "config", "load", str(config_file))
    assert again.returncode == 0, again.stderr
    assert "0 created, 0 updated" in again.stdout

    edited = TEST_CONFIG | {}
    document: dict[str, Any] = json.loads(json.dumps(edited))
    document["communes"][0]["sites"][0]["services"][0]["name"] = "Hộ tịch — khai sinh, kết hôn"
    config_file.write_text(yaml.safe_dump(document, allow_unicode=True), encoding="utf-8")
    changed = luot(instance, "config", "load", str(config_file))
    assert "updated service CB/HT" in changed.stdout
    assert "0 created, 1 updated" in changed.stdout


def test_config_load_reports_invalid_files_clearly(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("communes:\n  - code: '123'\n    name: X\n    sites: []\n", encoding="utf-8")
    result = luot(tmp_path / "instance", "config", "load", str(bad))
    assert result.returncode == 2
    assert "A commune code has 5 digits" in result.stderr
    assert "Traceback" not in result.stderr


def test_user_and_device_add(tmp_path: Path, config_file: Path) -> None:
    instance = tmp_path / "instance"
    luot(instance, "config", "load", str(config_file))
    added = luot(
        instance,
        "user",
        "add",
        "hoa",
        "--role",
        "clerk",
        "--site",
        "CB",
        "--password-stdin",
        stdin="a-long-password-9\n",
    )
    assert added.returncode == 0, added.stderr
    weak = luot(
        instance, "user", "add", "minh", "--role", "clerk", "--site", "CB", "--password-stdin", stdin="123\n"
    )
    assert weak.returncode == 2 and "password" in weak.stderr
    device = luot(
        instance,
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
    assert device.returncode == 0, device.stderr
    token = device.stdout.strip()
    assert len(token) >= 40 and "\n" not in token
    unknown = luot(instance, "device", "add", "--site", "XX", "--kind", "kiosk", "--name", "x")
    assert unknown.returncode == 2 and "XX" in unknown.stderr


def test_migrations_are_safe_when_several_processes_start_at_once(tmp_path: Path) -> None:
    instance = tmp_path / "instance"
    with ThreadPoolExecutor(4) as pool:
        results = list(pool.map(lambda _i: luot(instance, "db", "upgrade"), range(4)))
    assert [r.returncode for r in results] == [0, 0, 0, 0], [r.stderr for r in results]


def test_demo_seeds_two_sites_and_prints_urls_and_credentials(tmp_path: Path) -> None:
    instance = tmp_path / "instance"
    result = luot(instance, "demo", "--no-serve")
    assert result.returncode == 0, result.stderr
    assert "/kiosk?token=" in result.stdout and "/display?token=" in result.stdout
    assert "admin" in result.stdout and "quanly" in result.stdout
    credentials = json.loads((instance / "demo-credentials.json").read_text())
    assert oct((instance / "demo-credentials.json").stat().st_mode & 0o777) == "0o600"
    again = luot(instance, "demo", "--no-serve")
    assert credentials["admin"]["password"] in again.stdout  # the same credentials on a second run


def test_a_revoked_device_and_a_disabled_account_are_refused_at_once(
    tmp_path: Path, config_file: Path, make_app: Any
) -> None:
    instance = tmp_path / "instance"
    luot(instance, "config", "load", str(config_file))
    added = luot(
        instance,
        "user",
        "add",
        "hoa",
        "--role",
        "clerk",
        "--site",
        "CB",
        "--password-stdin",
        stdin="a-long-password-9\n",
    )
    assert added.returncode == 0, added.stderr
    token = luot(
        instance, "device", "add", "--site", "CB", "--kind", "kiosk", "--name", "Kiosk sảnh"
    ).stdout.strip()
    secret = (instance / "secret_key").read_text().strip()
    app = make_app(f"sqlite:///{instance / 'luot.sqlite3'}", config=None, SECRET_KEY=secret)
    client = app.test_client()
    kiosk = {"Authorization": f"Bearer {token}"}
    login = client.post("/api/v1/auth/login", json={"username": "hoa", "password": "a-long-password-9"})
    clerk = {"Authorization": f"Bearer {login.json['token']}"}
    assert client.get("/api/v1/device", headers=kiosk).status_code == 200
    assert client.get("/api/v1/me", headers=clerk).status_code == 200

    listed = luot(instance, "device", "list")
    assert listed.returncode == 0 and "Kiosk sảnh\tactive" in listed.stdout
    device_id = listed.stdout.split("\t", 1)[0]
    revoked = luot(instance, "device", "revoke", device_id)
    assert revoked.returncode == 0, revoked.stderr
    assert "revoked" in luot(instance, "device", "list").stdout.split("\t")[-1]
    assert client.get("/api/v1/device", headers=kiosk).status_code == 401

    disabled = luot(instance, "user", "disable", "hoa")
    assert disabled.returncode == 0, disabled.stderr
    assert client.get("/api/v1/me", headers=clerk).status_code == 401
    again = client.post("/api/v1/auth/login", json={"username": "hoa", "password": "a-long-password-9"})
    assert again.status_code == 401
    assert luot(instance, "device", "revoke", "999").returncode == 2
    assert luot(instance, "user", "disable", "nobody").returncode == 2
