"""Printing rules (in phiếu): which printer prints a ticket, how long to keep trying, and what goes on
the paper. Pure: the drawing is ``printers.render``, the sending ``printers.drivers``."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any
from urllib.parse import urlsplit

from .access import DeviceKind


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

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["issued_at"] = self.issued_at.isoformat()
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> TicketPaper:
        known = {key: data[key] for key in cls.__dataclass_fields__ if key in data}
        known["issued_at"] = datetime.fromisoformat(str(data["issued_at"]))
        return cls(**known)
