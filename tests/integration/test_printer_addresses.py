"""Printer addresses never reach the server's own files, devices or network beyond what the installer
allowed: through the API a manager chooses among the printers declared for the site, ``agent://`` or a
network printer in ``LUOT_PRINTER_NETWORKS``; everything else answers 422 ``invalid_printer`` and is in
the audit. The installer's command line and configuration file keep ``file://`` and ``png://`` inside
the printer folder. Real app, real files and symbolic links, a real TCP printer, SQLite and PostgreSQL."""

from __future__ import annotations

import copy
import json
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import requests
import sqlalchemy as sa
from flask import Flask

from server.db.models import AuditRecord, Device, Site
from tests.commands import luot, refused, succeeded
from tests.conftest import PASSWORD, TEST_CONFIG, World
from tests.printer_server import PrinterServer
from tests.servers import ServerProcess

# The addresses issue 23 found a manager could set (each answered 200 and then written to or reached).
ATTACKS = [
    "file:///etc/passwd",
    "file:///any/path",
    "png://../../dir",
    "png://%2e%2e/x",
    "png:///absolute/dir",
    "serial:///dev/null",
    "cups://-oraw",
    "tcp://any-host:9100",
    "tcp://10.20.30.40:9100",
    "tcp://127.0.0.1:5432",
    "usb://0416:5011",
    "cups://TM-T82",
    "png://tickets",
    "test://kiosk",
    "agent://../x",
    "lpt://1",
]


def config_with_printers(printers: list[dict[str, str]], **site: Any) -> dict[str, Any]:
    config = copy.deepcopy(TEST_CONFIG)
    config["communes"][0]["sites"][0].update(printers=printers, **site)
    return config


def kiosk_id(world: World, headers: dict[str, str]) -> int:
    return int(world.client.get("/api/v1/device", headers=headers).json["id"])


def printer_of(world: World, device_id: int) -> str | None:
    with world.luot.read() as session:
        return session.get_one(Device, device_id).printer_uri


def put_printer(world: World, device_id: int, value: str | None, headers: dict[str, str]) -> Any:
    return world.client.put(
        f"/api/v1/devices/{device_id}/printer", json={"printer_uri": value}, headers=headers
    )


def test_every_address_of_the_issue_is_refused_for_a_manager_and_each_refusal_is_audited(
    make_app: Callable[..., Flask], database_url: str, tmp_path: Path
) -> None:
    app = make_app(database_url, config_with_printers([{"name": "sanh", "uri": "tcp://192.168.1.50:9100"}]))
    world = World(app)
    kiosk = world.device("kiosk", printer="test://before")
    device_id = kiosk_id(world, kiosk)
    manager = world.staff("manager", username="manager-cb")

    answers = {uri: put_printer(world, device_id, uri, manager) for uri in ATTACKS}

    wrong = {
        uri: (answer.status_code, answer.get_json())
        for uri, answer in answers.items()
        if answer.status_code != 422 or answer.json["error"]["code"] != "invalid_printer"
    }
    assert wrong == {}
    assert printer_of(world, device_id) == "test://before"
    assert not list(tmp_path.rglob("*.png"))  # nothing was written anywhere in the test's folders
    admin = world.staff("admin", sites=())
    listed = world.client.get(f"/api/v1/sites/{world.site('CB')['id']}/audit/refusals", headers=admin)
    assert listed.status_code == 200
    assert sorted(entry["attempted"] for entry in listed.json) == sorted(ATTACKS)
    assert {(entry["kind"], entry["actor"], entry["device_id"]) for entry in listed.json} == {
        ("printer_refused", "manager-cb", device_id)
    }
    with world.luot.read() as session:
        assert session.scalar(sa.select(sa.func.count()).select_from(AuditRecord)) == len(ATTACKS)
    listed_on_the_command_line = succeeded(luot(app, "device", "refusals", "--site", "CB")).stdout
    assert sorted(line.split("\t")[4] for line in listed_on_the_command_line.splitlines()) == sorted(ATTACKS)
    assert all("\tmanager-cb\t" in line for line in listed_on_the_command_line.splitlines())


def test_a_manager_chooses_a_declared_printer_by_name_or_exact_uri_and_the_next_ticket_prints_there(
    make_app: Callable[..., Flask], database_url: str
) -> None:
    printer = PrinterServer().start()
    try:
        app = make_app(
            database_url,
            config_with_printers(
                [{"name": "sanh", "uri": printer.uri}, {"name": "quay-1", "uri": "usb://0416:5011?width=384"}]
            ),
            LUOT_PRINT_TIMEOUT_S=1.0,
        )
        world = World(app)
        kiosk = world.device("kiosk")
        device_id = kiosk_id(world, kiosk)
        manager = world.staff("manager")

        by_uri = put_printer(world, device_id, "usb://0416:5011?width=384", manager)
        by_name = put_printer(world, device_id, "sanh", manager)
        world.issue(kiosk)
        (received,) = printer.wait_for(1)
    finally:
        printer.stop()

    choices = world.client.get(f"/api/v1/sites/{world.site('CB')['id']}/printers/declared", headers=manager)
    assert choices.json == [
        {"name": "quay-1", "uri": "usb://0416:5011?width=384"},
        {"name": "sanh", "uri": printer.uri},
    ]
    assert by_uri.status_code == 200 and by_uri.json["printer_uri"] == "usb://0416:5011?width=384"
    assert by_name.status_code == 200 and by_name.json["printer_uri"] == printer.uri
    assert received.starts_with_init and received.cut_after_image
    cleared = put_printer(world, device_id, None, manager)
    agent = put_printer(world, device_id, "agent://", manager)
    assert cleared.status_code == 200 and cleared.json["printer_uri"] is None
    assert agent.status_code == 200 and agent.json["printer_uri"] == "agent://"
    with world.luot.read() as session:  # each change in the audit log, with who, when and from what to what
        changes = session.execute(
            sa.select(AuditRecord.kind, AuditRecord.actor_id, AuditRecord.device_id, AuditRecord.data)
            .where(AuditRecord.kind == "device_printer_set")
            .order_by(AuditRecord.id)
        ).all()
    assert [(c.device_id, c.data["from"], c.data["to"]) for c in changes] == [
        (device_id, None, "usb://0416:5011?width=384"),
        (device_id, "usb://0416:5011?width=384", printer.uri),
        (device_id, printer.uri, None),
        (device_id, None, "agent://"),
    ]
    assert len({c.actor_id for c in changes}) == 1 and changes[0].actor_id is not None
    refusals = world.client.get(f"/api/v1/sites/{world.site('CB')['id']}/audit/refusals", headers=manager)
    assert refusals.json == []  # the changes are not refusals


def test_tcp_reaches_only_the_networks_the_installer_allowed_on_a_raw_printing_port(
    make_app: Callable[..., Flask], sqlite_url: str
) -> None:
    world = World(make_app(sqlite_url, LUOT_PRINTER_NETWORKS="192.168.10.0/24, 127.0.0.1"))
    device_id = kiosk_id(world, world.device("kiosk"))
    manager = world.staff("manager")

    allowed = put_printer(world, device_id, "tcp://192.168.10.7:9100?width=384", manager)
    loopback = put_printer(world, device_id, "tcp://127.0.0.1:9101", manager)
    other_network = put_printer(world, device_id, "tcp://192.168.11.7:9100", manager)
    other_port = put_printer(world, device_id, "tcp://192.168.10.7:22", manager)
    by_hostname = put_printer(world, device_id, "tcp://printer.local:9100", manager)

    assert allowed.status_code == 200 and allowed.json["printer_uri"] == "tcp://192.168.10.7:9100?width=384"
    assert loopback.status_code == 200
    for answer in (other_network, other_port, by_hostname):
        assert answer.status_code == 422 and answer.json["error"]["code"] == "invalid_printer", answer.json
    assert printer_of(world, device_id) == "tcp://127.0.0.1:9101"
    with world.luot.read() as session:
        attempted = sorted(
            record.data["attempted"]
            for record in session.scalars(sa.select(AuditRecord).where(AuditRecord.kind == "printer_refused"))
        )
    assert attempted == sorted(
        ["tcp://192.168.11.7:9100", "tcp://192.168.10.7:22", "tcp://printer.local:9100"]
    )


def test_without_allowed_networks_no_tcp_address_is_accepted_through_the_api(world: World) -> None:
    device_id = kiosk_id(world, world.device("kiosk"))
    admin = world.staff("admin", sites=())

    answer = put_printer(world, device_id, "tcp://192.168.1.50:9100", admin)

    assert answer.status_code == 422 and answer.json["error"]["code"] == "invalid_printer"
    assert "LUOT_PRINTER_NETWORKS" in answer.json["error"]["message"]


def test_a_refusal_is_explained_in_vietnamese_first(world: World) -> None:
    device_id = kiosk_id(world, world.device("kiosk"))
    manager = world.staff("manager")

    answer = world.client.put(
        f"/api/v1/devices/{device_id}/printer",
        json={"printer_uri": "file:///etc/passwd"},
        headers={**manager, "Accept-Language": "vi"},
    )

    assert answer.status_code == 422
    assert "người cài đặt" in answer.json["error"]["message"]


# -- the installer: command line and configuration file ----------------------------------------------------


@pytest.mark.parametrize(
    "uri",
    [
        "png://../x",
        "png://%2e%2e/x",
        "png:///etc",
        "file:///etc/passwd",
        "file://lp0/../../x",
        "cups://-oraw",
    ],
)
def test_the_command_line_refuses_an_address_out_of_the_printer_folder_with_one_error_line(
    make_app: Callable[..., Flask], sqlite_url: str, uri: str
) -> None:
    app = make_app(sqlite_url)
    world = World(app)
    device_id = str(kiosk_id(world, world.device("kiosk", printer="test://before")))

    set_printer = luot(app, "device", "set-printer", device_id, "--printer", uri)
    add = luot(app, "device", "add", "--site", "CB", "--kind", "kiosk", "--name", "K2", "--printer", uri)
    print_test = luot(app, "print-test", "--printer", uri)

    for result in (set_printer, add, print_test):
        refused(result, "--printer")
    assert printer_of(world, int(device_id)) == "test://before"
    assert succeeded(luot(app, "device", "list")).stdout.count("\tkiosk\t") == 1


def test_a_symbolic_link_out_of_the_printer_folder_is_refused_on_the_command_line_and_at_print_time(
    make_app: Callable[..., Flask], sqlite_url: str, tmp_path: Path
) -> None:
    app = make_app(sqlite_url)
    world = World(app)
    folder, outside = Path(app.instance_path) / "printers", tmp_path / "outside"
    folder.mkdir(parents=True)
    outside.mkdir()
    (folder / "escape").symlink_to(outside, target_is_directory=True)
    kiosk = world.device("kiosk")
    device_id = str(kiosk_id(world, kiosk))

    refused(
        luot(app, "device", "set-printer", device_id, "--printer", "png://escape"),
        "outside the printer folder",
    )
    succeeded(luot(app, "device", "set-printer", device_id, "--printer", "png://inside"))
    (folder / "inside").symlink_to(outside, target_is_directory=True)  # swapped after it was checked
    ticket = world.issue(kiosk)

    staff = world.staff("clerk")
    listed = _wait_for_failed_print(world, staff)
    assert listed["status"] == "error" and "outside the printer folder" in listed["detail"]
    assert not list(outside.iterdir())
    assert ticket["print"]["status"] == "queued"


def _wait_for_failed_print(world: World, headers: dict[str, str]) -> dict[str, Any]:
    """Wait for the spooler, in the background, to give the job up (not a timing assertion)."""
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        rows = world.client.get(f"/api/v1/sites/{world.site('CB')['id']}/printers", headers=headers).json
        kiosks = [row for row in rows if row["role"] == "kiosk" and row["failed_today"] == 1]
        if kiosks:
            return dict(kiosks[0])
        time.sleep(0.05)
    raise TimeoutError("the spooler did not give the job up")


def test_the_configuration_file_declares_printers_checks_them_and_the_command_line_uses_their_names(
    make_app: Callable[..., Flask], database_url: str, tmp_path: Path
) -> None:
    app = make_app(database_url)
    world = World(app)
    good = tmp_path / "sites.json"
    good.write_text(
        json.dumps(
            config_with_printers(
                [{"name": "sanh", "uri": "png://sanh"}, {"name": "quay-1", "uri": "tcp://192.168.1.51:9100"}],
                default_printer="quay-1",
            )
        )
    )
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(config_with_printers([{"name": "x", "uri": "png://%2e%2e/etc"}])))

    loaded = succeeded(luot(app, "config", "load", str(good)))
    again = succeeded(luot(app, "config", "load", str(good)))
    refusal = refused(luot(app, "config", "load", str(bad)), "printer x")
    device_id = str(kiosk_id(world, world.device("kiosk")))
    by_name = succeeded(luot(app, "device", "set-printer", device_id, "--printer", "sanh"))
    unknown = refused(luot(app, "device", "set-printer", device_id, "--printer", "kho"))

    assert "updated printers of site CB" in loaded.stdout
    assert "printers of site CB" not in again.stdout  # loading the same file twice changes nothing
    assert "'..'" in refusal
    assert "prints at png://sanh" in by_name.stdout
    assert "kho" in unknown
    assert world.site("CB")  # the site is still there
    with world.luot.read() as session:
        site = session.scalars(sa.select(Site).where(Site.code == "CB")).one()
        assert site.default_printer == "tcp://192.168.1.51:9100"
    manager = world.staff("manager")
    assert (
        put_printer(world, int(device_id), "quay-1", manager).json["printer_uri"] == "tcp://192.168.1.51:9100"
    )
    smaller = tmp_path / "smaller.json"
    smaller.write_text(json.dumps(config_with_printers([{"name": "sanh", "uri": "png://sanh"}])))
    succeeded(luot(app, "config", "load", str(smaller)))
    assert put_printer(world, int(device_id), "quay-1", manager).status_code == 422  # no longer declared


# -- against a server started as the README says ----------------------------------------------------------


def test_against_luot_serve_a_manager_reaches_neither_the_servers_files_nor_undeclared_hosts(
    tmp_path: Path, servers: list[ServerProcess]
) -> None:
    printer = PrinterServer().start()
    try:
        env = {
            "LUOT_INSTANCE_PATH": str(tmp_path / "instance"),
            "LUOT_DATABASE_URL": f"sqlite:///{tmp_path / 'luot.sqlite3'}",
            "LUOT_PRINTER_NETWORKS": "192.168.77.0/24",
        }
        sites = tmp_path / "sites.json"
        sites.write_text(json.dumps(config_with_printers([{"name": "sanh", "uri": printer.uri}])))
        # The installer's set-up commands run in this process (the CLI's own tests run them as processes).
        succeeded(luot(None, "config", "load", str(sites), env=env))
        succeeded(
            luot(
                None,
                "user",
                "add",
                "quanly",
                "--role",
                "manager",
                "--site",
                "CB",
                "--password-stdin",
                input=PASSWORD,
                env=env,
            )
        )
        kiosk_token = succeeded(
            luot(None, "device", "add", "--site", "CB", "--kind", "kiosk", "--name", "K1", env=env)
        ).stdout.strip()
        kiosk = {"Authorization": f"Bearer {kiosk_token}"}
        server = ServerProcess(env)
        servers.append(server)
        api = f"{server.start().url}/api/v1"
        login = requests.post(
            f"{api}/auth/login", json={"username": "quanly", "password": PASSWORD}, timeout=10
        )
        manager = {"Authorization": f"Bearer {login.json()['token']}"}
        device_id = requests.get(f"{api}/device", headers=kiosk, timeout=10).json()["id"]
        victim = tmp_path / "victim"
        attacks = ["file:///etc/passwd", f"file://{victim}", "png://%2e%2e/x", "tcp://127.0.0.1:9100"]

        def put(value: str) -> requests.Response:
            return requests.put(
                f"{api}/devices/{device_id}/printer", json={"printer_uri": value}, headers=manager, timeout=10
            )

        refused_answers = [put(uri) for uri in attacks]
        allowed_network = put("tcp://192.168.77.5:9100")
        declared = put("sanh")
        site = next(s for s in requests.get(f"{api}/sites", timeout=10).json() if s["code"] == "CB")
        service = requests.get(f"{api}/sites/{site['id']}/services", timeout=10).json()[0]
        issued = requests.post(
            f"{api}/sites/{site['id']}/tickets", json={"service_id": service["id"]}, headers=kiosk, timeout=10
        )
        (received,) = printer.wait_for(1)
        audit = requests.get(f"{api}/sites/{site['id']}/audit/refusals", headers=manager, timeout=10).json()
    finally:
        printer.stop()

    assert [(a.status_code, a.json()["error"]["code"]) for a in refused_answers] == [
        (422, "invalid_printer")
    ] * 4
    assert allowed_network.status_code == 200
    assert declared.status_code == 200 and declared.json()["printer_uri"] == printer.uri
    assert issued.status_code == 201 and received.starts_with_init
    assert not victim.exists()
    assert sorted(entry["attempted"] for entry in audit) == sorted(attacks)
