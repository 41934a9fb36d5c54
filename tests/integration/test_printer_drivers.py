"""Printer drivers chosen by URI: the bytes a real TCP printer receives, a PNG folder, bad URIs, and the
printer folders that ``file://`` and ``png://`` never leave (real files and symbolic links)."""

from __future__ import annotations

from pathlib import Path

import pytest
from PIL import Image

from printers.drivers import InvalidPrinterUri, PrinterError, PrinterFolders, open_printer, parse
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
    open_printer("png://tickets", folders=PrinterFolders.of([tmp_path])).print_image(
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


@pytest.mark.parametrize(
    "uri",
    [
        "file:///etc/passwd",
        "file:///any/path",
        "png://../../dir",
        "png://%2e%2e/x",
        "png://.%2E/x",
        "png://tickets/../../x",
        "png://%252e%252e/x",
        "png:///absolute/dir",
        "file://lp0/..",
    ],
)
def test_a_path_outside_the_printer_folder_is_refused_and_nothing_is_written(
    tmp_path: Path, uri: str
) -> None:
    folders = PrinterFolders.of([tmp_path / "printers"])
    with pytest.raises(InvalidPrinterUri):
        parse(uri, folders)
    with pytest.raises(InvalidPrinterUri):
        open_printer(uri, folders=folders).print_image(render_ticket(sample_ticket(), 384))
    assert not list(tmp_path.rglob("*.png"))


def test_a_symbolic_link_out_of_the_printer_folder_is_refused_even_when_made_after_the_uri_was_checked(
    tmp_path: Path,
) -> None:
    folder, outside = tmp_path / "printers", tmp_path / "elsewhere"
    folder.mkdir()
    outside.mkdir()
    (folder / "escape").symlink_to(outside, target_is_directory=True)
    folders = PrinterFolders.of([folder])
    with pytest.raises(InvalidPrinterUri, match="outside the printer folder"):
        parse("png://escape", folders)

    driver = open_printer("png://later", folders=folders)  # checked: a plain folder name
    (folder / "later").symlink_to(outside, target_is_directory=True)  # then swapped for a link out
    with pytest.raises(PrinterError):
        driver.print_image(render_ticket(sample_ticket(), 384))
    assert not list(outside.iterdir())


def test_a_device_file_prints_only_inside_a_folder_the_installer_named(tmp_path: Path) -> None:
    devices = tmp_path / "dev-usb"
    devices.mkdir()
    (devices / "lp0").write_bytes(b"")
    folders = PrinterFolders.from_setting(f"{tmp_path / 'printers'}:{devices}", tmp_path)

    open_printer(f"file://{devices / 'lp0'}", folders=folders).print_image(
        render_ticket(sample_ticket(), 384)
    )

    assert (devices / "lp0").read_bytes().startswith(b"\x1b@")
    with pytest.raises(InvalidPrinterUri):
        parse("file:///dev/usb/lp0", folders)


@pytest.mark.parametrize("uri", ["cups://-oraw", "cups://-d", "cups://a b", "cups://q;rm", "cups://%2doraw"])
def test_a_cups_queue_is_checked_as_a_name(uri: str) -> None:
    with pytest.raises(InvalidPrinterUri, match="CUPS queue name"):
        parse(uri)


@pytest.mark.parametrize("uri", ["serial:///dev/null", "serial:///etc/passwd", "serial:///dev/tty/../sda"])
def test_a_serial_printer_is_a_serial_port(uri: str) -> None:
    with pytest.raises(InvalidPrinterUri):
        parse(uri)
