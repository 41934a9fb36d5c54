"""``luot backup`` while the server is serving, and ``luot restore`` into a new installation."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from collections.abc import Callable
from pathlib import Path

import requests
import sqlalchemy as sa
from flask import Flask

from server.db.engine import Database
from server.db.models import Ticket
from tests.conftest import World
from tests.servers import ServerProcess


def luot(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "server.cli", *args],
        capture_output=True,
        text=True,
        env={**os.environ, **env},
        timeout=120,
        check=False,
    )


def tickets_in(url: str) -> dict[int, tuple[str, str, str]]:
    database = Database(url)
    try:
        with database.read_session() as session:
            rows = session.execute(sa.select(Ticket.id, Ticket.number, Ticket.status, Ticket.public_code))
            return {row.id: (row.number, row.status, row.public_code) for row in rows}
    finally:
        database.dispose()


def test_a_backup_taken_while_serving_restores_the_same_tickets(
    make_app: Callable[..., Flask], sqlite_url: str, servers: list[ServerProcess], tmp_path: Path
) -> None:
    world = World(make_app(sqlite_url))
    kiosk = world.device("kiosk")
    site_id, service_id = world.site("CB")["id"], world.service("CB", "HT")["id"]
    env = {"LUOT_DATABASE_URL": sqlite_url, "LUOT_INSTANCE_PATH": str(tmp_path / "instance")}
    server = ServerProcess(env)
    servers.append(server.start())
    issue = f"{server.url}/api/v1/sites/{site_id}/tickets"
    before = [
        requests.post(issue, json={"service_id": service_id}, headers=kiosk, timeout=5) for _ in range(20)
    ]
    assert all(response.status_code == 201 for response in before)

    stop = threading.Event()

    def keep_issuing() -> None:  # the kiosks do not pause for the backup
        while not stop.is_set():
            requests.post(issue, json={"service_id": service_id}, headers=kiosk, timeout=5)

    kiosks = [threading.Thread(target=keep_issuing) for _ in range(3)]
    for thread in kiosks:
        thread.start()
    try:
        backup = tmp_path / "backups" / "luot-backup.sqlite3"
        backup.parent.mkdir()
        result = luot(env, "backup", str(backup))
    finally:
        stop.set()
        for thread in kiosks:
            thread.join(timeout=30)
    assert result.returncode == 0, result.stderr
    assert "backed up to" in result.stdout

    saved = tickets_in(f"sqlite:///{backup}")
    assert {response.json()["id"] for response in before} <= set(saved)
    live = tickets_in(sqlite_url)
    assert all(live[ticket_id] == ticket for ticket_id, ticket in saved.items())

    # Restore into a new, empty installation: it then holds exactly the backup's tickets.
    other = tmp_path / "elsewhere"
    other_env = {"LUOT_DATABASE_URL": f"sqlite:///{other / 'luot.sqlite3'}", "LUOT_INSTANCE_PATH": str(other)}
    assert luot(other_env, "db", "upgrade").returncode == 0
    restored = luot(other_env, "restore", "--yes", str(backup))
    assert restored.returncode == 0, restored.stderr
    assert tickets_in(other_env["LUOT_DATABASE_URL"]) == saved

    # And it serves them: a ticket's status page from before the backup answers on the restored server.
    again = ServerProcess(other_env)
    servers.append(again.start())
    code = before[0].json()["public_code"]
    status = requests.get(f"{again.url}/api/v1/tickets/status/{code}", timeout=5)
    assert status.status_code == 200
    assert status.json()["number"] == before[0].json()["number"]


def test_restore_refuses_a_file_that_is_not_a_backup(tmp_path: Path) -> None:
    env = {"LUOT_INSTANCE_PATH": str(tmp_path / "instance"), "LUOT_DATABASE_URL": ""}
    assert luot(env, "db", "upgrade").returncode == 0
    junk = tmp_path / "notes.txt"
    junk.write_text("không phải bản sao lưu\n" * 100, encoding="utf-8")
    result = luot(env, "restore", "--yes", str(junk))
    assert result.returncode == 2
    assert "not a SQLite database" in result.stderr


def test_backup_on_postgresql_says_to_use_pg_dump(tmp_path: Path) -> None:
    env = {
        "LUOT_INSTANCE_PATH": str(tmp_path / "instance"),
        "LUOT_DATABASE_URL": "postgresql://luot@db.invalid:5432/luot",  # never contacted
    }
    result = luot(env, "backup", str(tmp_path / "luot.dump"))
    assert result.returncode == 2
    assert "pg_dump --format=custom" in result.stderr
    assert "pg_restore" in luot(env, "restore", "--yes", __file__).stderr
