"""``luot print-test`` and ``luot device set-printer``, in-process (:mod:`tests.commands`)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import zxingcpp
from flask import Flask
from PIL import Image

from printers import render
from tests.commands import luot, refused, succeeded
from tests.printer_server import PrinterServer


@pytest.fixture
def fonts_looked_up_again() -> Iterator[None]:
    """Fonts are looked up and loaded once per process; a test that changes ``LUOT_TICKET_FONT`` starts
    afresh, and leaves the next test to start afresh too."""
    caches = (render.find_font, render._font)
    for cached in caches:
        cached.cache_clear()
    yield
    for cached in caches:
        cached.cache_clear()


def test_print_test_writes_a_sample_ticket_png_a_phone_can_read(tmp_path: Path) -> None:
    instance = tmp_path / "instance"
    done = luot(
        None,
        "print-test",
        "--printer",
        "png://tickets?width=384",
        "--url",
        "http://10.0.0.2:5000/t/x",
        env={"LUOT_INSTANCE_PATH": str(instance)},
    )

    succeeded(done)
    (written,) = (instance / "printers" / "tickets").glob("*.png")  # the default printer folder
    with Image.open(written) as image:
        assert image.width == 384
        assert [code.text for code in zxingcpp.read_barcodes(image.convert("L"))] == [
            "http://10.0.0.2:5000/t/x"
        ]


def test_print_test_sends_the_sample_to_a_tcp_printer_and_says_when_it_is_offline(tmp_path: Path) -> None:
    env = {"LUOT_INSTANCE_PATH": str(tmp_path)}
    printer = PrinterServer().start()
    try:
        done = luot(None, "print-test", "--printer", printer.uri, env=env)
        (received,) = printer.wait_for(1)
    finally:
        printer.stop()
    offline = luot(None, "print-test", "--printer", printer.uri, env=env)

    succeeded(done)
    assert received.starts_with_init and received.cut_after_image
    refused(offline, "offline", exit_code=1)


def test_a_kiosks_printer_is_set_and_changed_from_the_command_line(
    make_app: Callable[..., Flask], database_url: str
) -> None:
    app = make_app(database_url)
    bad = luot(
        app, "device", "add", "--site", "CB", "--kind", "kiosk", "--name", "K1", "--printer", "lpt://1"
    )
    refused(bad, "unknown printer type")
    added = luot(
        app, "device", "add", "--site", "CB", "--kind", "kiosk", "--name", "K1", "--printer", "png://k"
    )
    succeeded(added)
    device_id = succeeded(luot(app, "device", "list")).stdout.split("\t", 1)[0]

    changed = succeeded(luot(app, "device", "set-printer", device_id, "--printer", "agent://"))
    removed = succeeded(luot(app, "device", "set-printer", device_id, "--none"))

    assert "prints at agent://" in changed.stdout
    assert "no printer" in removed.stdout


def test_without_a_vietnamese_font_print_test_says_so_instead_of_printing_boxes(
    tmp_path: Path, fonts_looked_up_again: None
) -> None:
    done = luot(
        None,
        "print-test",
        "--printer",
        "png://tickets",
        env={
            "LUOT_INSTANCE_PATH": str(tmp_path),
            "LUOT_TICKET_FONT": str(tmp_path / "missing.ttf"),
            "LUOT_TICKET_FONT_BOLD": str(tmp_path / "x.ttf"),
        },
    )

    refused(done, "No font that can print Vietnamese")
    assert not (tmp_path / "printers" / "tickets").exists()
