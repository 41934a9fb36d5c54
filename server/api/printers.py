"""Printers: the site's printer status list, reprinting a ticket, and changing a kiosk's printer."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from flask import current_app
from flask_smorest import Blueprint
from marshmallow import Schema, fields

from ..extension import luot
from ..services import printing
from ..services.declared_printers import site_declared
from .access import principal, staff_principal
from .docs import error, secured
from .fields import Id, Text
from .schemas import DeviceSchema, PrintSchema, RequestSchema

blp = Blueprint("printers", __name__, description="Printers: status, reprint, a kiosk's printer")


class PrinterSchema(Schema):
    printer = fields.String(
        required=True, metadata={"description": "printer URI (agent:// for a print agent)"}
    )
    device_id = fields.Integer(
        allow_none=True, metadata={"description": "the kiosk; null for the desk printer"}
    )
    device_name = fields.String(allow_none=True)
    role = fields.String(required=True, metadata={"enum": ["kiosk", "desk"]})
    status = fields.String(
        required=True, metadata={"enum": ["ok", "offline", "paper_out", "error", "unknown"]}
    )
    detail = fields.String(required=True)
    updated_at = fields.DateTime(allow_none=True)
    queued = fields.Integer(required=True, metadata={"description": "jobs waiting for this printer"})
    failed_today = fields.Integer(required=True, metadata={"description": "jobs given up today"})


class ReprintSchema(RequestSchema):
    device_id = Id(
        load_default=None,
        metadata={"description": "print at this kiosk of the site instead of the site's desk printer"},
    )


class ReprintAnswerSchema(Schema):
    ticket_id = fields.Integer(required=True)
    job_id = fields.Integer(required=True)
    printer = fields.String(required=True)
    print = fields.Nested(PrintSchema, required=True)


class DevicePrinterSchema(RequestSchema):
    printer_uri = Text(
        max_length=400,
        required=True,
        allow_none=True,
        metadata={
            "description": "the name (or exact URI) of a printer the installer declared for the kiosk's "
            "site, agent:// for the kiosk's print agent, tcp://IP:PORT inside LUOT_PRINTER_NETWORKS on a "
            "port 9100-9109 — or null for no printer. Other addresses (file://, png://, serial://, "
            "usb://, cups://) only the installer sets; they answer 422 invalid_printer and are audited."
        },
    )


@blp.route("/sites/<id:site_id>/printers")
@blp.response(200, PrinterSchema(many=True))
@secured(blp)
def site_printers(site_id: int) -> Any:
    """The site's desk printer and its kiosks' printers, with what each last reported."""
    extension = luot()
    with extension.read() as session:
        views = printing.site_printers(session, staff_principal(), site_id, extension.now())
    return [asdict(view) for view in views]


class DeclaredPrinterSchema(Schema):
    name = fields.String(required=True, metadata={"description": "what PUT /devices/{id}/printer accepts"})
    uri = fields.String(required=True)


@blp.route("/sites/<id:site_id>/printers/declared")
@blp.response(200, DeclaredPrinterSchema(many=True))
@secured(blp)
def declared_printers(site_id: int) -> Any:
    """The printers the installer declared for the site: what a manager may choose for its kiosks
    (besides ``agent://`` and network printers in ``LUOT_PRINTER_NETWORKS``); managers and admins."""
    extension = luot()
    with extension.read() as session:
        return [asdict(printer) for printer in site_declared(session, staff_principal(), site_id)]


@blp.route("/tickets/<id:ticket_id>/reprint", methods=["POST"])
@blp.arguments(ReprintSchema, required=False)
@blp.response(201, ReprintAnswerSchema)
@error(blp, 409, "No printer is set up for the desk (nor at the ticket's kiosk)")
@secured(blp)
def reprint(data: dict[str, Any] | None, ticket_id: int) -> Any:
    """Print a ticket again (staff of its site): at the desk printer, or at a kiosk of the site."""
    extension = luot()
    job = printing.reprint(
        printing.Reprint(
            actor=staff_principal(),
            ticket_id=ticket_id,
            device_id=(data or {}).get("device_id"),
            at=extension.now(),
        ),
        extension.uow(),
    )
    return {
        "ticket_id": ticket_id,
        "job_id": job.id,
        "printer": job.printer_uri,
        "print": {"status": job.status},
    }


@blp.route("/devices/<id:device_id>/printer", methods=["PUT"])
@blp.arguments(DevicePrinterSchema)
@blp.response(200, DeviceSchema)
@error(blp, 404, "Unknown device")
@error(blp, 409, "The device is not a kiosk")
@error(blp, 422, "A printer the caller may not choose (invalid_printer): not declared for the site")
@secured(blp)
def set_device_printer(data: dict[str, Any], device_id: int) -> Any:
    """Change a kiosk's printer (admin, or a manager of its site) among the printers the installer
    declared for the site, ``agent://``, or a network printer in ``LUOT_PRINTER_NETWORKS``; the kiosk
    stays enrolled. A refused address is recorded in the audit (``GET /sites/{id}/audit/refusals``)."""
    extension = luot()
    info = printing.set_device_printer(
        printing.SetDevicePrinter(
            actor=principal(),
            device_id=device_id,
            printer_uri=data.get("printer_uri"),
            at=extension.now(),
            networks=tuple(current_app.config.get("LUOT_PRINTER_NETWORKS") or ()),
        ),
        extension.uow(),
    )
    return asdict(info)
