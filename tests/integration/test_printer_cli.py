"""``luot print-test`` and ``luot device set-printer``, run as real processes."""

from __future__ import annotations

from pathlib import Path

import zxingcpp
from PIL import Image

from tests.integration.test_cli import config_file, luot
from tests.printer_server import PrinterServer

__all__ = ["config_file"]  # the fixture, shared with the other command tests


def test_print_test_writes_a_sample_ticket_png_a_phone_can_read(tmp_path: Path) -> None:
    instance = tmp_path / "instance"
    done = luot(
        instance, "print-test", "--printer", "png://tickets?width=384", "--url", "http://10.0.0.2:5000/t/x"
    )

    assert done.returncode == 0, done.stderr
    (written,) = (instance / "tickets").glob("*.png")
    with Image.open(written) as image:
        assert image.width == 384
        assert [code.text for code in zxingcpp.read_barcodes(image.convert("L"))] == [
            "http://10.0.0.2:5000/t/x"
        ]


def test_print_test_sends_the_sample_to_a_tcp_printer_and_says_when_it_is_offline(tmp_path: Path) -> None:
    printer = PrinterServer().start()
    try:
        done = luot(tmp_path, "print-test", "--printer", printer.uri)
        (received,) = printer.wait_for(1)
    finally:
        printer.stop()
    offline = luot(tmp_path, "print-test", "--printer", printer.uri)

    assert done.returncode == 0, done.stderr
    assert received.starts_with_init and received.cut_after_image
    assert offline.returncode == 1
    assert "offline" in offline.stderr


def test_a_kiosks_printer_is_set_and_changed_from_the_command_line(tmp_path: Path, config_file: Path) -> None:
    instance = tmp_path / "instance"
    assert luot(instance, "config", "load", str(config_file)).returncode == 0
    bad = luot(
        instance, "device", "add", "--site", "CB", "--kind", "kiosk", "--name", "K1", "--printer", "lpt://1"
    )
    assert bad.returncode == 2 and "unknown printer type" in bad.stderr
    added = luot(
        instance, "device", "add", "--site", "CB", "--kind", "kiosk", "--name", "K1", "--printer", "png://k"
    )
    assert added.returncode == 0, added.stderr

    changed = luot(instance, "device", "set-printer", "1", "--printer", "agent://")
    removed = luot(instance, "device", "set-printer", "1", "--none")

    assert changed.returncode == 0, changed.stderr
    assert "prints at agent://" in changed.stdout
    assert "no printer" in removed.stdout


def test_without_a_vietnamese_font_print_test_says_so_instead_of_printing_boxes(tmp_path: Path) -> None:
    done = luot(
        tmp_path,
        "print-test",
        "--printer",
        "png://tickets",
        env={
            "LUOT_TICKET_FONT": str(tmp_path / "missing.ttf"),
            "LUOT_TICKET_FONT_BOLD": str(tmp_path / "x.ttf"),
        },
    )

    assert done.returncode == 2
    assert "No font that can print Vietnamese" in done.stderr
    assert not (tmp_path / "tickets").exists()
