"""Public routes (no token): health, sites, services, the procedure guide, waits and a ticket's status."""

from __future__ import annotations

from typing import Any

from flask_smorest import Blueprint

from ..extension import luot
from ..services import health as health_service
from ..services.queue import views as queries
from ..services.sites import procedures as procedure_guide
from .docs import error
from .schemas import (
    HealthSchema,
    ProcedureQuerySchema,
    ProcedureSchema,
    ServiceSchema,
    ServiceWaitSchema,
    SiteSchema,
    StatusSchema,
)

blp = Blueprint("public", __name__, description="Public information, no token needed")


@blp.route("/health")
@blp.response(200, HealthSchema)
@blp.alt_response(503, schema=HealthSchema, description="The database cannot be written (or reached)")
def health() -> Any:
    """Liveness and a database write probe (rolled back, short timeout): 503 when a write would fail."""
    report = health_service.check(luot().database)
    return report, (200 if report.ok else 503)


@blp.route("/sites")
@blp.response(200, SiteSchema(many=True))
def sites() -> Any:
    """Every intake point of the installation, with whether it is open now."""
    extension = luot()
    with extension.read() as session:
        return queries.list_sites(session, extension.now())


@blp.route("/sites/<id:site_id>/services")
@blp.response(200, ServiceSchema(many=True))
def services(site_id: int) -> Any:
    """The services of a site, in the site's order."""
    extension = luot()
    with extension.read() as session:
        return queries.list_services(session, site_id, extension.now())


@blp.route("/sites/<id:site_id>/procedures")
@blp.arguments(ProcedureQuerySchema, location="query")
@blp.response(200, ProcedureSchema(many=True))
@error(blp, 404, "Unknown site, or a service that is not the site's")
def procedures(args: dict[str, Any], site_id: int) -> Any:
    """The procedure guide of a site: for each procedure of its services (or of ``service_id``), the
    papers to bring, the fee and the processing time, in Vietnamese and English (docs/procedures.md)."""
    with luot().read() as session:
        found = procedure_guide.site_procedures(session, site_id, args["service_id"])
    return found, 200, {"Cache-Control": "public, max-age=300"}


@blp.route("/sites/<id:site_id>/wait")
@blp.response(200, ServiceWaitSchema(many=True))
def wait(site_id: int) -> Any:
    """Waiting tickets and the estimated wait of a newcomer, per service."""
    extension = luot()
    with extension.read() as session:
        return list(queries.site_waits(session, site_id, extension.now()))


@blp.route("/tickets/status/<string(maxlength=64):public_code>")
@blp.response(200, StatusSchema)
def ticket_status(public_code: str) -> Any:
    """A ticket's status by its unguessable public code (what its QR code opens)."""
    extension = luot()
    with extension.read() as session:
        return queries.ticket_status(session, public_code, extension.now())
