"""Printing rules (in phiếu): which printer prints a ticket, how long to keep trying, and what goes on
the paper. Pure: the drawing is ``printers.render``, the sending ``printers.drivers``."""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any
from urllib.parse import parse_qs, urlsplit

from .access import DeviceKind
from .errors import N_, InvalidValue


class JobStatus(StrEnum):
    QUEUED = "queued"  # waiting for the printer, or being retried
    PRINTED = "printed"
    FAILED = "failed"  # the printer stayed down past the give-up time; staff may reprint


class PrinterStatus(StrEnum):
    OK = "ok"
    OFFLINE = "offline"
    PAPER_OUT = "paper_out"
    ERROR = "error"


AGENT_PRINTER = "agent://"  # the kiosk's own print agent prints (``luot kiosk-agent``)


def is_agent(uri: str | None) -> bool:
    """Whether jobs of this printer go to the kiosk's own print agent."""
    return bool(uri) and urlsplit(str(uri)).scheme.lower() == "agent"


# -- who may point a kiosk at which printer ----------------------------------------------------------------

# Printers that reach the server's own files and devices (file, png, serial, usb, cups, test) only the
# installer sets (the command line, the site-configuration file); a page or the API chooses among the
# printers the installer declared, the kiosk's agent, and network printers in the allowed networks.
RAW_PRINT_PORTS = range(9100, 9110)  # what ``tcp://`` may reach through the API (JetDirect's raw ports)
PRINTER_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")
URI_OPTIONS = frozenset({"width", "beep"})


@dataclass(frozen=True)
class DeclaredPrinter:
    """A printer the installer declared for a site (the site's ``printers:`` in the configuration file):
    what a manager may choose, by ``name`` or by exactly this ``uri``."""

    name: str
    uri: str


class PrinterRefused(InvalidValue):
    """A printer address the caller may not set: 422 ``invalid_printer``, and an audit record."""

    code = "invalid_printer"


def declared_printer(value: str, declared: Sequence[DeclaredPrinter]) -> DeclaredPrinter | None:
    """The declared printer ``value`` names, by name or by its exact URI."""
    for printer in declared:
        if value in (printer.name, printer.uri):
            return printer
    return None


def parse_networks(values: Sequence[str]) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
    """``LUOT_PRINTER_NETWORKS``: CIDR networks or single addresses; ValueError for one that is neither."""
    return tuple(ipaddress.ip_network(value.strip(), strict=False) for value in values if value.strip())


def choose_printer(
    value: str | None, declared: Sequence[DeclaredPrinter], networks: Sequence[str]
) -> str | None:
    """What a manager or an admin may set as a kiosk's printer through the API: a printer declared for
    the kiosk's site (by name or exact URI), ``agent://``, or ``tcp://`` to an IP address inside the
    networks the installer allowed, on a raw printing port. Returns the URI to store (None: no printer);
    :class:`PrinterRefused` otherwise."""
    if value is None or not value.strip():
        return None
    value = value.strip()
    printer = declared_printer(value, declared)
    if printer is not None:
        return printer.uri
    if is_agent(value):
        if value.lower() not in ("agent://", "agent:"):
            raise PrinterRefused(N_("Write agent:// alone for the kiosk's print agent."))
        return AGENT_PRINTER
    parts = urlsplit(value)
    scheme = parts.scheme.lower()
    if scheme == "tcp":
        return _allowed_tcp(value, networks)
    names = ", ".join(p.name for p in declared) or "—"
    raise PrinterRefused(
        N_(
            "Only the installer can set this printer address. Choose a printer declared for the site "
            "(%(names)s), agent://, or a network printer the installer allowed."
        ),
        names=names,
    )


def _allowed_tcp(value: str, networks: Sequence[str]) -> str:
    parts = urlsplit(value)
    try:
        port = parts.port or 9100
        host = ipaddress.ip_address(parts.hostname or "")
    except ValueError:
        raise PrinterRefused(
            N_("A network printer is chosen here by its IP address and port, e.g. tcp://192.168.1.50:9100.")
        ) from None
    options = set(parse_qs(parts.query, keep_blank_values=True))
    if (
        parts.username
        or parts.password
        or parts.path not in ("", "/")
        or parts.fragment
        or options - URI_OPTIONS
    ):
        raise PrinterRefused(
            N_("A network printer is chosen here by its IP address and port, e.g. tcp://192.168.1.50:9100.")
        )
    width = parse_qs(parts.query).get("width", ["576"])[-1]
    if not width.isdigit() or not 200 <= int(width) <= 1024:
        raise PrinterRefused(
            N_("A network printer is chosen here by its IP address and port, e.g. tcp://192.168.1.50:9100.")
        )
    if port not in RAW_PRINT_PORTS:
        raise PrinterRefused(
            N_("A network printer listens on a port from 9100 to 9109, not %(port)s."), port=port
        )
    if not any(host in network for network in parse_networks(networks)):
        raise PrinterRefused(
            N_("The installer has not allowed printers at %(host)s (LUOT_PRINTER_NETWORKS)."), host=str(host)
        )
    return value


@dataclass(frozen=True, kw_only=True)
class JobRef:
    """A print job as the spooler routes it: which ticket, at which printer (``device_id`` is the kiosk
    whose printer it is; None for the site's desk printer)."""

    id: int
    ticket_id: int
    site_id: int
    device_id: int | None
    printer_uri: str
    status: str


def printer_for(
    device_kind: DeviceKind | None, device_printer: str | None, site_printer: str | None
) -> str | None:
    """A kiosk prints at its own printer; staff issuing at the desk print at the site's default printer."""
    if device_kind is DeviceKind.KIOSK:
        return device_printer or None
    if device_kind is None:
        return site_printer or None
    return None


def retry_delay_s(attempt: int, base_s: float = 0.5, cap_s: float = 15.0) -> float:
    """Seconds to wait before attempt ``attempt + 1``: doubling from ``base_s``, never above ``cap_s``."""
    return float(min(cap_s, base_s * 2 ** max(0, attempt - 1)))


@dataclass(frozen=True, kw_only=True)
class TicketPaper:
    """What goes on the paper: plain values, so that a kiosk's print agent can receive it as JSON."""

    number: str
    service: str
    site: str
    issued_at: datetime  # in the site's time zone
    status_url: str
    commune: str = ""
    service_en: str = ""
    priority: str = "none"
    ahead: int = 0
    estimated_wait_s: int = 0
    footer: str = ""
    appointment: bool = False
    appointment_time: str = ""  # "HH:MM" in the site's time zone, for a checked-in appointment
    offline: bool = False  # issued by the kiosk's agent while its server did not answer

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["issued_at"] = self.issued_at.isoformat()
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> TicketPaper:
        known = {key: data[key] for key in cls.__dataclass_fields__ if key in data}
        known["issued_at"] = datetime.fromisoformat(str(data["issued_at"]))
        return cls(**known)
