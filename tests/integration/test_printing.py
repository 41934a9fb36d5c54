"""Printing a ticket never holds up issuing it: real TCP printers, the spooler's retries, printer.status
seen by a real Socket.IO client, reprints and a kiosk's printer changed by an admin."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask

from server.db.models import PrintJob
from server.domain.access import DeviceKind, device
from server.services.queue.tickets import IssueTicket, issue_ticket
from tests.conftest import World
from tests.printer_server import PrinterServer, free_port
from tests.waiting import wait_until

FAST_RETRIES = {
    "LUOT_PRINT_TIMEOUT_S": 1.0,
    "LUOT_PRINT_RETRY_BASE_S": 0.05,
    "LUOT_PRINT_RETRY_CAP_S": 0.2,
}


@pytest.fixture
def app(make_app: Callable[..., Flask], sqlite_url: str) -> Flask:
    return make_app(sqlite_url, **FAST_RETRIES)


def device_id(world: World, headers: dict[str, str]) -> int:
    return int(world.client.get("/api/v1/device", headers=headers).json["id"])


def jobs_of(world: World, ticket_id: int) -> list[PrintJob]:
    with world.luot.read() as session:
        return list(
            session.scalars(sa.select(PrintJob).where(PrintJob.ticket_id == ticket_id).order_by(PrintJob.id))
        )


def test_a_kiosk_ticket_reaches_its_tcp_printer_as_init_a_raster_of_the_tickets_height_and_a_cut(
    make_app: Callable[..., Flask], database_url: str
) -> None:
    world = World(make_app(database_url, **FAST_RETRIES))  # SQLite and PostgreSQL
    printer = PrinterServer().start()
    try:
        kiosk = world.device("kiosk", printer=printer.uri)
        ticket = world.issue(kiosk, service="HT", priority="elderly")
        (received,) = printer.wait_for(1)
    finally:
        printer.stop()

    assert ticket["print"] == {"status": "queued"}
    assert received.starts_with_init
    ((width, height),) = received.raster_sizes()
    assert width == 576
    assert height > 600  # the whole ticket in one image, as tall as it is
    assert received.cut_after_image
    (job,) = wait_until(lambda: [job for job in jobs_of(world, ticket["id"]) if job.status == "printed"])
    assert job.printer_uri == printer.uri
    assert job.attempts == 1


def test_a_ticket_issued_outside_any_request_is_printed_without_its_caller_doing_anything(
    world: World,
) -> None:
    """The use case run as a scheduler job or a script would run it, not through the API: the message
    bus still hands the committed print job to the spooler."""
    printer = PrinterServer().start()
    try:
        kiosk = world.device("kiosk", printer=printer.uri)
        site_id = world.site("CB")["id"]
        actor = device(device_id(world, kiosk), DeviceKind.KIOSK, site_id)
        issued = issue_ticket(
            IssueTicket(
                actor=actor, site_id=site_id, service_id=world.service("CB", "CT")["id"], at=world.luot.now()
            ),
            world.luot.uow(),
        )
        (received,) = printer.wait_for(1)
    finally:
        printer.stop()

    assert issued.print.status == "queued"
    assert received.starts_with_init and received.cut_after_image
    wait_until(lambda: [job for job in jobs_of(world, issued.ticket.id) if job.status == "printed"])


def test_printer_down_ticket_issued_at_once_retried_reported_offline_and_printed_when_it_returns(
    world: World, listen: Any
) -> None:
    port = free_port()
    uri = f"tcp://127.0.0.1:{port}"
    kiosk = world.device("kiosk", printer=uri)
    kiosk_id = device_id(world, kiosk)
    site_id = world.site("CB")["id"]
    clerk = world.staff("clerk")
    watcher = listen({"token": world.device_token("display"), "site_id": site_id})

    ticket = world.issue(kiosk, service="HT")

    assert ticket["number"] and ticket["public_code"]
    assert ticket["print"]["status"] != "printed"
    offline = watcher.next("printer.status", timeout=30)
    assert offline["status"] == "offline"
    assert offline["device_id"] == kiosk_id
    assert offline["site_id"] == site_id
    second = world.issue(kiosk, service="CT")
    assert second["print"] == {
        "status": "queued",
        "printer_status": "offline",
    }  # the kiosk can say so at once
    wait_until(lambda: jobs_of(world, ticket["id"])[0].attempts >= 3)
    assert jobs_of(world, ticket["id"])[0].status == "queued"
    listed = world.client.get(f"/api/v1/sites/{site_id}/printers", headers=clerk).json
    assert [(p["device_id"], p["status"], p["queued"]) for p in listed] == [(kiosk_id, "offline", 2)]

    printer = PrinterServer(port).start()
    try:
        received = printer.wait_for(2)
        printed = watcher.next("print.updated", timeout=30)
        back = watcher.next("printer.status", timeout=30)
    finally:
        printer.stop()

    assert len(received) == 2  # both tickets, in the order they were issued
    assert all(ticket.starts_with_init and ticket.cut_after_image for ticket in received)
    assert printed == {**printed, "ticket_id": ticket["id"], "device_id": kiosk_id, "status": "printed"}
    assert back["status"] == "ok"
    assert [job.status for job in jobs_of(world, ticket["id"])] == ["printed"]
    wait_until(lambda: [job for job in jobs_of(world, second["id"]) if job.status == "printed"])


def test_a_printer_that_stays_down_past_the_give_up_time_fails_the_job_and_staff_can_print_it_again(
    make_app: Callable[..., Flask], sqlite_url: str
) -> None:
    world = World(make_app(sqlite_url, **FAST_RETRIES, LUOT_PRINT_GIVE_UP_S=0.3))
    uri = f"tcp://127.0.0.1:{free_port()}"
    kiosk = world.device("kiosk", printer=uri)
    ticket = world.issue(kiosk)
    (job,) = wait_until(lambda: [job for job in jobs_of(world, ticket["id"]) if job.status == "failed"])
    assert job.attempts >= 1
    assert "refused" in (job.last_error or "")

    clerk = world.staff("clerk")
    again = world.client.post(f"/api/v1/tickets/{ticket['id']}/reprint", headers=clerk)

    assert again.status_code == 201  # no desk printer at this site: the ticket's own kiosk prints it
    assert again.json["printer"] == uri
    assert [job.reason for job in jobs_of(world, ticket["id"])] == ["issue", "reprint"]
    desk_ticket = world.issue(clerk)
    refused = world.client.post(f"/api/v1/tickets/{desk_ticket['id']}/reprint", headers=clerk)
    assert refused.status_code == 409 and refused.json["error"]["code"] == "no_printer"


def test_desk_tickets_and_reprints_print_at_the_sites_desk_printer(world: World) -> None:
    from server.db.models import Site

    with world.luot.uow() as uow:
        site = uow.session.scalars(sa.select(Site).where(Site.code == "CB")).one()
        site.default_printer = "png://desk-tickets"
        uow.commit()
    clerk = world.staff("clerk")
    ticket = world.issue(clerk, service="CT")  # desk issuing prints at the desk printer
    assert ticket["print"] == {"status": "queued"}

    again = world.client.post(f"/api/v1/tickets/{ticket['id']}/reprint", headers=clerk)

    assert again.status_code == 201
    assert again.json["printer"] == "png://desk-tickets"
    folder = Path(world.app.instance_path) / "printers" / "desk-tickets"  # inside the printer folder
    written = wait_until(
        lambda: sorted(folder.glob("*.png")) if len(list(folder.glob("*.png"))) == 2 else None
    )
    assert all(path.name.endswith(f"-{ticket['number']}.png") for path in written)
    kiosk = world.device("kiosk")
    assert world.client.post(f"/api/v1/tickets/{ticket['id']}/reprint", headers=kiosk).status_code == 403


def test_an_admin_changes_a_kiosks_printer_without_enrolling_it_again(world: World) -> None:
    kiosk = world.device("kiosk", printer="tcp://10.0.0.9:9100")
    kiosk_id = device_id(world, kiosk)
    admin = world.staff("admin", sites=())
    clerk = world.staff("clerk")

    changed = world.client.put(
        f"/api/v1/devices/{kiosk_id}/printer", json={"printer_uri": "agent://"}, headers=admin
    )
    bad = world.client.put(
        f"/api/v1/devices/{kiosk_id}/printer", json={"printer_uri": "lpt://1"}, headers=admin
    )
    forbidden = world.client.put(
        f"/api/v1/devices/{kiosk_id}/printer", json={"printer_uri": "agent://"}, headers=clerk
    )

    assert changed.status_code == 200 and changed.json["printer_uri"] == "agent://"
    assert bad.status_code == 422 and bad.json["error"]["code"] == "invalid_printer"
    assert forbidden.status_code == 403
    assert world.client.get("/api/v1/device", headers=kiosk).json["printer_uri"] == "agent://"


def test_a_ticket_without_a_printer_says_none(world: World) -> None:
    assert world.issue(world.device("kiosk"))["print"] == {"status": "none"}
    assert world.issue(world.staff("clerk"))["print"] == {"status": "none"}
