"""The printers the installer declares for a site (``printers:`` of a site in the configuration file):
the only printers besides ``agent://`` and the allowed networks that a manager may choose through the
API, and names the installer may use on the command line instead of writing a URI again."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..db.models import SitePrinter
from ..db.repositories import Repositories
from ..domain.access import Principal
from ..domain.errors import N_
from ..domain.printing import DeclaredPrinter, PrinterRefused, declared_printer
from .core.lookups import get_site


def declared(session: Session, site_id: int) -> list[DeclaredPrinter]:
    """The site's declared printers, by name."""
    rows = session.scalars(
        select(SitePrinter).where(SitePrinter.site_id == site_id).order_by(SitePrinter.name)
    )
    return [DeclaredPrinter(row.name, row.uri) for row in rows]


def site_declared(session: Session, actor: Principal, site_id: int) -> list[DeclaredPrinter]:
    """What a manager may choose from for the site's kiosks (managers and admins of the site)."""
    site = get_site(Repositories(session).sites, site_id)
    actor.require(actor.can_manage(site.id))
    return declared(session, site.id)


def installer_printer(session: Session, site_id: int, value: str | None) -> str | None:
    """What the installer gave on the command line: a URI (already checked against the drivers) as it
    is, or the name of a printer declared for the site, as its URI."""
    if value is None or not value.strip():
        return None
    if ":" in value:
        return value
    printer = declared_printer(value.strip(), declared(session, site_id))
    if printer is None:
        raise PrinterRefused(N_("No printer named %(name)s is declared for this site."), name=value)
    return printer.uri


def replace_declared(session: Session, site_id: int, printers: Sequence[DeclaredPrinter]) -> bool:
    """Make the site's declared printers exactly ``printers`` (the configuration file's list); True when
    something changed."""
    current = {
        row.name: row for row in session.scalars(select(SitePrinter).where(SitePrinter.site_id == site_id))
    }
    wanted = {printer.name: printer.uri for printer in printers}
    changed = False
    for name, row in current.items():
        if name not in wanted:
            session.delete(row)
            changed = True
        elif row.uri != wanted[name]:
            row.uri = wanted[name]
            changed = True
    for name, uri in wanted.items():
        if name not in current:
            session.add(SitePrinter(site_id=site_id, name=name, uri=uri))
            changed = True
    return changed
