"""Printer drivers, chosen by the scheme of a printer URI from one registry.

=====================  ===================================================================
``tcp://HOST:9100``    a network thermal printer (raw port 9100)
``usb://VID:PID``      a USB thermal printer (hexadecimal ids, e.g. ``usb://0416:5011``)
``serial:///dev/ttyS0`` a serial printer (``?baud=9600``)
``file:///dev/usb/lp0`` a device file (the kernel's USB printer class driver), inside a printer folder
``cups://QUEUE``       a CUPS queue, sent raw with ``lp -o raw`` (the queue is checked as a name)
``png://DIR``          writes each ticket as a PNG into DIR (relative to the printer folder)
``test://NAME``        keeps the bytes in memory (tests, and trying a set-up without paper)
``agent://``           not a driver here: the kiosk's own print agent prints (see ``printers.agent``)
=====================  ===================================================================

Every URI may add ``?width=384`` (58 mm paper; 576, 80 mm, is the default) and ``&beep=1``.

``file://`` and ``png://`` reach the server's own files, so they resolve inside the printer folders the
installer names (:class:`PrinterFolders`, ``LUOT_PRINTER_DIR``; default the instance folder's
``printers/``): ``..`` (percent-encoded or not), an absolute path outside them and a symbolic link that
leads out of them are refused, when the URI is stored and again each time a driver opens it.
The ESC/POS bytes come from python-escpos: initialise, the ticket as one raster image (``GS v 0``), cut,
and the optional beep. Drivers stay thin: they only say where the bytes go.
"""

from __future__ import annotations

import os
import re
import socket
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath
from typing import Any, ClassVar
from urllib.parse import parse_qs, unquote, urlsplit

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


DEFAULT_FOLDER = "printers"  # under the instance folder


@dataclass(frozen=True)
class PrinterFolders:
    """The folders ``file://`` and ``png://`` printers may reach: a relative path is taken inside the
    first; an absolute path must lie inside one of them, symbolic links resolved."""

    roots: tuple[Path, ...]

    @classmethod
    def of(cls, folders: Iterable[str | Path]) -> PrinterFolders:
        roots = tuple(Path(folder) for folder in folders if str(folder).strip())
        if not roots:
            raise ValueError("at least one printer folder is needed")
        return cls(tuple(root if root.is_absolute() else root.resolve() for root in roots))

    @classmethod
    def from_setting(cls, setting: str | None, instance: str | Path) -> PrinterFolders:
        """``LUOT_PRINTER_DIR``: folders separated by ``:`` (the instance folder's ``printers/`` when
        unset)."""
        if not setting or not setting.strip():
            return cls.of([Path(instance) / DEFAULT_FOLDER])
        return cls.of(part.strip() for part in setting.split(os.pathsep))

    def resolve(self, target: str, uri: str = "") -> Path:
        """The real path of a ``file://`` or ``png://`` target; :class:`InvalidPrinterUri` when it leads
        outside the folders."""
        shown = uri or target
        decoded = unquote(target)
        if not decoded or "\x00" in decoded or "%" in decoded or "\\" in decoded:
            raise InvalidPrinterUri(f"{shown!r} is not a path a printer can use")
        if ".." in PurePosixPath(decoded).parts:
            raise InvalidPrinterUri(f"'..' is not allowed in a printer path ({shown!r})")
        path = Path(decoded)
        candidate = path if path.is_absolute() else self.roots[0] / path
        real = Path(os.path.realpath(candidate))
        for root in self.roots:
            if real.is_relative_to(os.path.realpath(root)):
                return real
        folders = ", ".join(str(root) for root in self.roots)
        raise InvalidPrinterUri(f"{shown!r} is outside the printer folder ({folders}; LUOT_PRINTER_DIR)")


@dataclass(frozen=True)
class PrinterAddress:
    uri: str
    scheme: str
    target: str
    width: int = DEFAULT_WIDTH
    beep: bool = False
    options: dict[str, str] = field(default_factory=dict, compare=False)


def parse(uri: str, folders: PrinterFolders | None = None) -> PrinterAddress:
    """Check and split a printer URI; :class:`InvalidPrinterUri` when it cannot be used. With
    ``folders``, a ``file://`` or ``png://`` target must lie inside them."""
    if any(ord(char) < 32 or ord(char) == 127 for char in uri):
        raise InvalidPrinterUri(f"{uri!r} holds control characters")
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
        if folders is not None and DRIVERS[scheme].in_folder:
            folders.resolve(target, address.uri)
    return address


# -- the registry ------------------------------------------------------------------------------------------


class Driver:
    """Prints an image. Subclasses say where it goes; ``check`` validates a URI before it is stored."""

    scheme: ClassVar[str]
    in_folder: ClassVar[bool] = False  # its target is a path, kept inside the printer folders

    def __init__(
        self, address: PrinterAddress, *, folders: PrinterFolders, timeout: float = CONNECT_TIMEOUT_S
    ):
        self.address = address
        self.folders = folders
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


def open_printer(
    uri: str, *, folders: PrinterFolders | None = None, timeout: float = CONNECT_TIMEOUT_S
) -> Driver:
    """The driver for ``uri``, checked again (a symbolic link may have changed since it was stored);
    ``agent://`` has none here (the kiosk's agent prints). ``folders`` defaults to ``./printers``."""
    folders = folders or PrinterFolders.of([Path.cwd() / DEFAULT_FOLDER])
    address = parse(uri, folders)
    if address.scheme == AGENT:
        raise InvalidPrinterUri("agent:// printers are reached through the kiosk's print agent")
    return DRIVERS[address.scheme](address, folders=folders, timeout=timeout)


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


SERIAL_DEVICE = re.compile(r"^/dev/(tty|rfcomm|serial/)[A-Za-z0-9_.:/+-]*$")


@register("serial")
class SerialDriver(EscposDriver):
    @classmethod
    def check(cls, address: PrinterAddress) -> None:
        if not SERIAL_DEVICE.fullmatch(address.target) or ".." in PurePosixPath(address.target).parts:
            raise InvalidPrinterUri(
                f"{address.target!r} is not a serial port (/dev/ttyS0, /dev/ttyUSB0, /dev/serial/by-id/…)"
            )

    def device(self) -> Any:
        from escpos.printer import Serial

        baud = int(self.address.options.get("baud", "9600"))
        return Serial(self.address.target, baudrate=baud, timeout=self.timeout)


@register("file")
class FileDriver(EscposDriver):
    in_folder = True

    def device(self) -> Any:
        from escpos.printer import File

        return File(str(self.folders.resolve(self.address.target, self.address.uri)))


# A CUPS queue name: what ``lpadmin -p`` accepts, less anything a command line could read as an option.
CUPS_QUEUE = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.@+-]{0,126}$")


@register("cups")
class CupsDriver(EscposDriver):
    @classmethod
    def check(cls, address: PrinterAddress) -> None:
        if not CUPS_QUEUE.fullmatch(address.target):
            raise InvalidPrinterUri(
                f"{address.target!r} is not a CUPS queue name (letters, digits, '_', '.', '@', '+', '-'; "
                "not starting with '-')"
            )

    def device(self) -> Any:
        from escpos.printer import LP

        self.check(self.address)  # the name goes to ``lp -d NAME`` as its own argument, never an option
        return LP(self.address.target)


@register("png")
class PngDriver(Driver):
    """Writes each ticket as a PNG: the demo's printer, so a machine without paper still shows tickets."""

    in_folder = True

    def folder(self) -> Path:
        return self.folders.resolve(self.address.target, self.address.uri)

    def print_image(self, image: Image.Image, *, name: str = "ticket") -> None:
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%f")
        safe = "".join(char if char.isalnum() or char in "-_" else "_" for char in name)[:60]
        try:
            folder = self.folder()
            folder.mkdir(parents=True, exist_ok=True)
            folder = self.folder()  # made now: a link put in its place meanwhile is refused
            image.save(folder / f"{stamp}-{safe}.png")
        except InvalidPrinterUri as exc:
            raise PrinterError("error", str(exc)) from exc
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
