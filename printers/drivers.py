"""Printer drivers, chosen by the scheme of a printer URI from one registry.

=====================  ===================================================================
``tcp://HOST:9100``    a network thermal printer (raw port 9100)
``usb://VID:PID``      a USB thermal printer (hexadecimal ids, e.g. ``usb://0416:5011``)
``serial:///dev/ttyS0`` a serial printer (``?baud=9600``)
``file:///dev/usb/lp0`` a device file (the kernel's USB printer class driver)
``cups://QUEUE``       a CUPS queue, sent raw with ``lp -o raw``
``png://DIR``          writes each ticket as a PNG into DIR (relative to the instance folder)
``test://NAME``        keeps the bytes in memory (tests, and trying a set-up without paper)
``agent://``           not a driver here: the kiosk's own print agent prints (see ``printers.agent``)
=====================  ===================================================================

Every URI may add ``?width=384`` (58 mm paper; 576, 80 mm, is the default) and ``&beep=1``.
The ESC/POS bytes come from python-escpos: initialise, the ticket as one raster image (``GS v 0``), cut,
and the optional beep. Drivers stay thin: they only say where the bytes go.
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, ClassVar
from urllib.parse import parse_qs, urlsplit

from PIL import Image

from server.domain.printing import is_agent as is_agent  # re-exported for the command line

from .render import DEFAULT_WIDTH

AGENT = "agent"
CONNECT_TIMEOUT_S = 3.0


class PrinterError(Exception):
    """The printer did not print. ``status`` is what ``printer.status`` reports: offline, paper_out, error."""

    def __init__(self, status: str, detail: str) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail


class InvalidPrinterUri(ValueError):
    """A printer URI this installation cannot use."""


@dataclass(frozen=True)
class PrinterAddress:
    uri: str
    scheme: str
    target: str
    width: int = DEFAULT_WIDTH
    beep: bool = False
    options: dict[str, str] = field(default_factory=dict, compare=False)


def parse(uri: str) -> PrinterAddress:
    """Check and split a printer URI; :class:`InvalidPrinterUri` when it cannot be used."""
    parts = urlsplit(uri.strip())
    scheme = parts.scheme.lower()
    if scheme != AGENT and scheme not in DRIVERS:
        known = ", ".join(f"{name}://" for name in [*DRIVERS, AGENT])
        raise InvalidPrinterUri(f"unknown printer type {scheme or uri!r}; known: {known}")
    options = {key: values[-1] for key, values in parse_qs(parts.query).items()}
    try:
        width = int(options.get("width", DEFAULT_WIDTH))
    except ValueError as exc:
        raise InvalidPrinterUri(f"width must be a number of dots in {uri!r}") from exc
    if not 200 <= width <= 1024:
        raise InvalidPrinterUri(f"width {width} is not a thermal printer's (384 for 58 mm, 576 for 80 mm)")
    target = parts.netloc + parts.path
    if scheme != AGENT and not target:
        raise InvalidPrinterUri(f"{uri!r} does not say where the printer is")
    address = PrinterAddress(
        uri=uri.strip(),
        scheme=scheme,
        target=target,
        width=width,
        beep=options.get("beep", "0").lower() in ("1", "true", "yes", "on"),
        options=options,
    )
    if scheme in DRIVERS:
        DRIVERS[scheme].check(address)
    return address


# -- the registry ------------------------------------------------------------------------------------------


class Driver:
    """Prints an image. Subclasses say where it goes; ``check`` validates a URI before it is stored."""

    scheme: ClassVar[str]

    def __init__(
        self, address: PrinterAddress, *, base_dir: Path | None = None, timeout: float = CONNECT_TIMEOUT_S
    ):
        self.address = address
        self.base_dir = base_dir or Path.cwd()
        self.timeout = timeout

    @classmethod
    def check(cls, address: PrinterAddress) -> None:
        """Raise :class:`InvalidPrinterUri` when the URI's target cannot be right."""

    def print_image(self, image: Image.Image, *, name: str = "ticket") -> None:
        raise NotImplementedError


DRIVERS: dict[str, type[Driver]] = {}


def register(scheme: str) -> Callable[[type[Driver]], type[Driver]]:
    def add(cls: type[Driver]) -> type[Driver]:
        cls.scheme = scheme
        DRIVERS[scheme] = cls
        return cls

    return add


def open_printer(uri: str, *, base_dir: Path | None = None, timeout: float = CONNECT_TIMEOUT_S) -> Driver:
    """The driver for ``uri``; ``agent://`` has none here (the kiosk's agent prints)."""
    address = parse(uri)
    if address.scheme == AGENT:
        raise InvalidPrinterUri("agent:// printers are reached through the kiosk's print agent")
    return DRIVERS[address.scheme](address, base_dir=base_dir, timeout=timeout)


# -- ESC/POS ---------------------------------------------------------------------------------------------


def write_ticket(printer: Any, image: Image.Image, *, beep: bool = False) -> None:
    """Initialise, the image as one ``GS v 0`` raster of its full height, cut, and maybe beep."""
    profile = dict(printer.profile.profile_data)
    profile["media"] = {**profile.get("media", {}), "width": {"pixels": image.width, "mm": "Unknown"}}
    printer.profile.profile_data = profile  # this instance's copy: image() checks the paper's width
    printer.hw("INIT")
    printer.image(image, impl="bitImageRaster", fragment_height=max(960, image.height))
    printer.cut()
    if beep:
        printer.buzzer(1, 2)


def ticket_bytes(image: Image.Image, *, beep: bool = False) -> bytes:
    """The ESC/POS bytes of a ticket (what a printer receives)."""
    from escpos.printer import Dummy

    dummy = Dummy()
    write_ticket(dummy, image, beep=beep)
    return bytes(dummy.output)


class EscposDriver(Driver):
    """A driver whose transport is one of python-escpos's printer classes."""

    def device(self) -> Any:
        raise NotImplementedError

    def print_image(self, image: Image.Image, *, name: str = "ticket") -> None:
        from escpos.exceptions import DeviceNotFoundError, USBNotFoundError
        from escpos.exceptions import Error as EscposError

        try:
            printer = self.device()
            printer.open()
            try:
                write_ticket(printer, image, beep=self.address.beep)
            finally:
                printer.close()
        except (DeviceNotFoundError, USBNotFoundError, OSError) as exc:
            raise PrinterError("offline", _first_line(exc)) from exc
        except (EscposError, ValueError, ImportError, RuntimeError) as exc:
            raise PrinterError("error", _first_line(exc)) from exc


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().replace("\n", " ")
    return (text or type(exc).__name__)[:300]


@register("tcp")
class NetworkDriver(EscposDriver):
    @classmethod
    def check(cls, address: PrinterAddress) -> None:
        parts = urlsplit(address.uri)
        try:
            parts.port  # noqa: B018 - raises on a bad port
        except ValueError as exc:
            raise InvalidPrinterUri(f"bad port in {address.uri!r}") from exc
        if not parts.hostname:
            raise InvalidPrinterUri(f"{address.uri!r} has no host")

    def device(self) -> Any:
        from escpos.exceptions import DeviceNotFoundError
        from escpos.printer import Network

        class ClosingNetwork(Network):  # type: ignore[misc]
            """python-escpos's Network, closing its socket when the connection fails."""

            def open(self, raise_not_found: bool = True) -> None:
                try:
                    self.device = socket.create_connection((self.host, self.port), timeout=self.timeout)
                except OSError as exc:
                    self.device = None  # type: ignore[assignment]  # python-escpos reads None as "not open"
                    raise DeviceNotFoundError(f"{self.host}:{self.port}: {exc}") from exc

        parts = urlsplit(self.address.uri)
        return ClosingNetwork(parts.hostname, parts.port or 9100, timeout=self.timeout)


@register("usb")
class UsbDriver(EscposDriver):
    @classmethod
    def ids(cls, address: PrinterAddress) -> tuple[int, int]:
        try:
            vendor, product = address.target.split(":")
            return int(vendor, 16), int(product, 16)
        except ValueError as exc:
            raise InvalidPrinterUri(f"{address.uri!r}: write usb://VID:PID in hexadecimal") from exc

    @classmethod
    def check(cls, address: PrinterAddress) -> None:
        cls.ids(address)

    def device(self) -> Any:
        from escpos.printer import Usb

        vendor, product = self.ids(self.address)
        return Usb(vendor, product, timeout=int(self.timeout * 1000))


@register("serial")
class SerialDriver(EscposDriver):
    def device(self) -> Any:
        from escpos.printer import Serial

        baud = int(self.address.options.get("baud", "9600"))
        return Serial(self.address.target, baudrate=baud, timeout=self.timeout)


@register("file")
class FileDriver(EscposDriver):
    def device(self) -> Any:
        from escpos.printer import File

        return File(self.address.target)


@register("cups")
class CupsDriver(EscposDriver):
    def device(self) -> Any:
        from escpos.printer import LP

        return LP(self.address.target)


@register("png")
class PngDriver(Driver):
    """Writes each ticket as a PNG: the demo's printer, so a machine without paper still shows tickets."""

    def folder(self) -> Path:
        folder = Path(self.address.target)
        return folder if folder.is_absolute() else self.base_dir / folder

    def print_image(self, image: Image.Image, *, name: str = "ticket") -> None:
        folder = self.folder()
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%f")
        safe = "".join(char if char.isalnum() or char in "-_" else "_" for char in name)[:60]
        try:
            folder.mkdir(parents=True, exist_ok=True)
            image.save(folder / f"{stamp}-{safe}.png")
        except OSError as exc:
            raise PrinterError("error", _first_line(exc)) from exc


@register("test")
class MemoryDriver(Driver):
    """Keeps each ticket's ESC/POS bytes in memory under the URI's name; ``fail`` makes a name misbehave."""

    printed: ClassVar[dict[str, list[bytes]]] = {}
    fail: ClassVar[dict[str, PrinterError]] = {}
    _lock: ClassVar[threading.Lock] = threading.Lock()

    def print_image(self, image: Image.Image, *, name: str = "ticket") -> None:
        problem = self.fail.get(self.address.target)
        if problem is not None:
            raise PrinterError(problem.status, problem.detail)
        data = ticket_bytes(image, beep=self.address.beep)
        with self._lock:
            self.printed.setdefault(self.address.target, []).append(data)
