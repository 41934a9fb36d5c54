"""What a manager may set as a kiosk's printer through the API (``server.domain.printing``), without a
database: declared printers, ``agent://`` and ``tcp://`` into the allowed networks only."""

from __future__ import annotations

import pytest

from server.domain.printing import DeclaredPrinter, PrinterRefused, choose_printer

DECLARED = [DeclaredPrinter("sanh", "usb://0416:5011"), DeclaredPrinter("quay-1", "png://quay-1")]
NETWORKS = ["192.168.1.0/24", "10.0.0.7/32", "fd00::/64"]


@pytest.mark.parametrize(
    ("value", "stored"),
    [
        ("sanh", "usb://0416:5011"),
        ("usb://0416:5011", "usb://0416:5011"),
        (" quay-1 ", "png://quay-1"),
        ("agent://", "agent://"),
        ("AGENT://", "agent://"),
        ("tcp://192.168.1.50:9100", "tcp://192.168.1.50:9100"),
        ("tcp://192.168.1.50", "tcp://192.168.1.50"),
        ("tcp://10.0.0.7:9102?width=384&beep=1", "tcp://10.0.0.7:9102?width=384&beep=1"),
        ("tcp://[fd00::5]:9100", "tcp://[fd00::5]:9100"),
        (None, None),
        ("", None),
    ],
)
def test_a_manager_may_choose_a_declared_printer_the_agent_or_an_allowed_network_printer(
    value: str | None, stored: str | None
) -> None:
    assert choose_printer(value, DECLARED, NETWORKS) == stored


@pytest.mark.parametrize(
    "value",
    [
        "usb://0416:5012",  # not the declared URI exactly
        "usb://0416:5011?width=384",
        "SANH",
        "png://quay-1/../x",
        "file:///etc/passwd",
        "serial:///dev/ttyS0",
        "cups://TM-T82",
        "test://x",
        "agent://elsewhere",
        "tcp://192.168.2.50:9100",
        "tcp://10.0.0.8:9100",
        "tcp://192.168.1.50:22",
        "tcp://192.168.1.50:99999",
        "tcp://printer.local:9100",
        "tcp://user:pw@192.168.1.50:9100",
        "tcp://192.168.1.50:9100/path",
        "tcp://192.168.1.50:9100?host=x",
        "tcp://192.168.1.50:9100?width=20",
        "tcp://192.168.1.50:9100?width=wide",
        "http://192.168.1.50:9100",
    ],
)
def test_anything_else_is_refused_as_invalid_printer(value: str) -> None:
    with pytest.raises(PrinterRefused) as refused:
        choose_printer(value, DECLARED, NETWORKS)
    assert refused.value.code == "invalid_printer"


def test_without_allowed_networks_no_network_printer_is_chosen_through_the_api() -> None:
    with pytest.raises(PrinterRefused):
        choose_printer("tcp://192.168.1.50:9100", DECLARED, [])
