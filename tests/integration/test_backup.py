"""``luot backup`` while the installation is serving, and ``luot restore`` into a new installation
(in-process, :mod:`tests.commands`)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path

import sqlalchemy as sa
from flask import Flask

from server.db.engine import Database
from server.db.models import Ticket
from tests.commands import luot, refused, succeeded
from tests.conftest import World


def tickets_in(url: str) -> dict[int, tuple[str, str, str]]:
    database = Database(url)
    try:
        with database.read_session() as session:
            rows = session.execute(sa.select(Ticket.id, Ticket.number, Ticket.status, Ticket.public_code))
            return {row.id: (row.number, row.status, row.public_code) for row in rows}
    finally:
        database.dispose()


def test_a_backup_taken_while_serving_restores_the_same_tickets(
    make_app: Callable[..., Flask], sqlite_url: str, tmp_path: Path
) -> None:
    serving = make_app(sqlite_url)
    world = World(serving)
    kiosk = world.device("kiosk")
    site_id, service_id = world.site("CB")["id"], world.service("CB", "HT")["id"]
    issue = f"/api/v1/sites/{site_id}/tickets"
    before = [world.client.post(issue, json={"service_id": service_id}, headers=kiosk) for _ in range(20)]
    assert all(response.status_code == 201 for response in before)

    command = make_app(sqlite_url, config=None)  # the command's own app, as its own process has
    backup = tmp_path / "backups" / "luot-backup.sqlite3"
    backup.parent.mkdir()
    stop = threading.Event()
    issued_during: list[int] = []

    def keep_issuing(issuing: threading.Event) -> None:  # the kiosks do not pause for the backup
        client = serving.test_client()
        while not stop.is_set():
            response = client.post(issue, json={"service_id": service_id}, headers=kiosk)
            issued_during.append(response.status_code)
            issuing.set()

    issuing = [threading.Event() for _ in range(3)]
    kiosks = [threading.Thread(target=keep_issuing, args=(event,)) for event in issuing]
    for thread in kiosks:
        thread.start()
    try:
        assert all(event.wait(timeout=30) for event in issuing)  # every kiosk is issuing…
        result = succeeded(luot(command, "backup", str(backup)))  # …while the backup is taken
    finally:
        stop.set()
        for thread in kiosks:
            thread.join(timeout=30)
    assert "backed up to" in result.stdout
    assert set(issued_during) == {201}

    saved = tickets_in(f"sqlite:///{backup}")
    assert {response.json["id"] for response in before} <= set(saved)
    live = tickets_in(sqlite_url)
    assert all(live[ticket_id] == ticket for ticket_id, ticket in saved.items())

    # Restore into a new, empty installation: it then holds exactly the backup's tickets.
    other = tmp_path / "elsewhere"
    other.mkdir()
    elsewhere = make_app(f"sqlite:///{other / 'luot.sqlite3'}", config=None)  # migrated, empty
    succeeded(luot(elsewhere, "restore", "--yes", str(backup)))
    assert tickets_in(f"sqlite:///{other / 'luot.sqlite3'}") == saved

    # And it serves them: a ticket's status page from before the backup answers on the restored installation.
    status = elsewhere.test_client().get(f"/api/v1/tickets/status/{before[0].json['public_code']}")
    assert status.status_code == 200
    assert status.json["number"] == before[0].json["number"]


def test_restore_refuses_a_file_that_is_not_a_backup(
    make_app: Callable[..., Flask], sqlite_url: str, tmp_path: Path
) -> None:
    junk = tmp_path / "notes.txt"
    junk.write_text("không phải bản sao lưu\n" * 100, encoding="utf-8")
    refused(luot(make_app(sqlite_url), "restore", "--yes", str(junk)), "not a SQLite database")


def test_backup_on_postgresql_says_to_use_pg_dump(tmp_path: Path) -> None:
    env = {
        "LUOT_INSTANCE_PATH": str(tmp_path / "instance"),
        "LUOT_DATABASE_URL": "postgresql://luot@db.invalid:5432/luot",  # never contacted
    }
    refused(luot(None, "backup", str(tmp_path / "luot.dump"), env=env), "pg_dump --format=custom")
    refused(luot(None, "restore", "--yes", __file__, env=env), "pg_restore")
