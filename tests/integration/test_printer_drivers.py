"""Printer drivers chosen by URI: the bytes a real TCP printer receives, a PNG folder, bad URIs."""

from __future__ import annotations

from pathlib import Path

import pytest
from PIL import Image

from printers.drivers import InvalidPrinterUri, PrinterError, open_printer, parse
from printers.render import render_ticket, sample_ticket
from tests.printer_server import PrinterServer, free_port


def test_a_tcp_printer_receives_init_one_raster_image_of_the_tickets_height_and_a_cut() -> None:
    image = render_ticket(sample_ticket(), 576)
    server = PrinterServer().start()
    try:
        open_printer(server.uri).print_image(image)
        (ticket,) = server.wait_for(1)
    finally:
        server.stop()

    assert ticket.starts_with_init
    assert ticket.raster_sizes() == [(576, image.height)]
    assert ticket.cut_after_image


def test_a_58mm_printer_gets_a_ticket_384_dots_wide() -> None:
    address = parse("tcp://127.0.0.1:9100?width=384&beep=1")
    image = render_ticket(sample_ticket(), address.width)
    server = PrinterServer().start()
    try:
        open_printer(f"{server.uri}?width=384&beep=1").print_image(image)
        (ticket,) = server.wait_for(1)
    finally:
        server.stop()

    assert ticket.raster_sizes() == [(384, image.height)]
    assert ticket.data.endswith(b"\x1bB\x01\x02")  # the beep, after the cut


def test_a_tcp_printer_that_does_not_answer_is_reported_offline_quickly() -> None:
    with pytest.raises(PrinterError) as failure:
        open_printer(f"tcp://127.0.0.1:{free_port()}", timeout=1).print_image(
            render_ticket(sample_ticket(), 384)
        )
    assert failure.value.status == "offline"


def test_a_png_printer_writes_each_ticket_into_its_folder(tmp_path: Path) -> None:
    open_printer("png://tickets", base_dir=tmp_path).print_image(
        render_ticket(sample_ticket(), 384), name="A012"
    )

    (written,) = (tmp_path / "tickets").glob("*.png")
    assert written.name.endswith("-A012.png")
    with Image.open(written) as image:
        assert image.width == 384


@pytest.mark.parametrize(
    "uri",
    ["lpt://1", "tcp://", "usb://vendor", "png://", "tcp://printer:99999", "tcp://p:9100?width=20", ""],
)
def test_a_printer_uri_that_cannot_work_is_refused(uri: str) -> None:
    with pytest.raises(InvalidPrinterUri):
        parse(uri)


@pytest.mark.parametrize(
    "uri",
    [
        "tcp://192.168.1.50:9100",
        "usb://0416:5011",
        "serial:///dev/ttyS0?baud=19200",
        "file:///dev/usb/lp0",
        "cups://TM-T82",
        "png://demo-tickets",
        "agent://",
        "test://kiosk-1",
    ],
)
def test_every_documented_printer_uri_is_accepted(uri: str) -> None:
    assert parse(uri).uri == uri
