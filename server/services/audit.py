"""The audit of staff overrides at a site, for its managers: calls out of order, cancellations, no-shows
and transfers, who made them, when, at which counter and why.

It is read from the tickets' history (``ticket_events``), which already records every state change with
its actor, counter and data: there is no second log to keep in step.

Attempts the rules refused that belong to no ticket (a manager setting a printer address only the
installer may set) are appended to ``audit_records`` instead (:func:`record_refusal`, :func:`refusals`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..db.models import AuditRecord, Ticket, TicketEvent, User
from ..db.repositories import Repositories
from ..domain.access import Principal, Role
from ..domain.days import business_day, day_bounds
from ..domain.errors import N_, InvalidValue
from ..domain.periods import check_report_days
from .core.lookups import get_site

OVERRIDES = ("called", "cancelled", "no_show", "transferred")
MAX_DAYS = 93
MAX_ENTRIES = 2000


@dataclass(frozen=True, kw_only=True)
class AuditEntry:
    at: datetime
    action: str  # call_out_of_order, cancel, no_show, transfer
    ticket_id: int
    number: str
    service_id: int
    counter_id: int | None
    actor_id: int | None
    actor: str | None
    reason: str | None = None
    from_service_id: int | None = None
    to_service_id: int | None = None


ACTIONS = {
    "called": "call_out_of_order",
    "cancelled": "cancel",
    "no_show": "no_show",
    "transferred": "transfer",
}


def site_audit(
    session: Session, actor: Principal, site_id: int, first: date | None, last: date | None, now: datetime
) -> list[AuditEntry]:
    """Staff overrides at the site from ``first`` to ``last`` (local dates; today by default), newest
    first."""
    site = get_site(Repositories(session).sites, site_id)
    actor.require(actor.can_manage(site.id))
    check_report_days(first, last)
    first = first or business_day(now, site.timezone)
    last = last or first
    if last < first or (last - first).days >= MAX_DAYS:
        raise InvalidValue(
            N_("Choose a period of at most %(days)s days, ending after it starts."),
            code="bad_range",
            days=MAX_DAYS,
        )
    period = day_bounds(first, site.timezone, last)
    start, end = period.start, period.end
    rows = session.execute(
        select(TicketEvent, Ticket.number, User.username)
        .join(Ticket, Ticket.id == TicketEvent.ticket_id)
        .outerjoin(User, User.id == TicketEvent.actor_id)
        .where(
            TicketEvent.site_id == site.id,
            TicketEvent.at >= start,
            TicketEvent.at < end,
            TicketEvent.actor_id.is_not(None),
            TicketEvent.kind.in_(OVERRIDES),
        )
        .order_by(TicketEvent.at.desc(), TicketEvent.id.desc())
    )
    entries: list[AuditEntry] = []
    for event, number, username in rows:
        data = event.data or {}
        if event.kind == "called" and data.get("rule") != "manual":
            continue  # a call the queue policy chose is no override
        entries.append(
            AuditEntry(
                at=event.at,
                action=ACTIONS[event.kind],
                ticket_id=event.ticket_id,
                number=number,
                service_id=event.service_id,
                counter_id=event.counter_id,
                actor_id=event.actor_id,
                actor=username,
                reason=data.get("reason") or None,
                from_service_id=data.get("from_service_id"),
                to_service_id=data.get("to_service_id"),
            )
        )
        if len(entries) >= MAX_ENTRIES:
            break
    return entries


# -- refused attempts ------------------------------------------------------------------------------------

REFUSAL_KINDS = ("printer_refused",)


@dataclass(frozen=True, kw_only=True)
class RefusalEntry:
    """An attempt the rules refused (a printer address a manager may not set), for the installer."""

    id: int
    at: datetime
    kind: str
    site_id: int | None
    actor_id: int | None
    actor: str | None
    device_id: int | None
    detail: str
    attempted: str


def record_action(
    session: Session, actor: Principal, kind: str, at: datetime, site_id: int | None, **data: object
) -> None:
    """Append an audit record of a change made on a manager's page (who, when, what), in the caller's
    transaction."""
    session.add(
        AuditRecord(
            at=at,
            kind=kind,
            site_id=site_id,
            actor_id=actor.user_id,
            detail=f"{kind} by {actor.username}",
            data=dict(data),
        )
    )


def record_refusal(
    session: Session,
    *,
    kind: str,
    at: datetime,
    site_id: int | None,
    actor_id: int | None,
    device_id: int | None,
    detail: str,
    attempted: str,
    role: str | None = None,
) -> None:
    """Append an audit record of a refused attempt (the caller commits it, though it refuses the rest)."""
    session.add(
        AuditRecord(
            at=at,
            kind=kind,
            site_id=site_id,
            actor_id=actor_id,
            device_id=device_id,
            detail=detail[:400],
            data={"attempted": attempted[:400], "role": role},
        )
    )


def refusals(
    session: Session, actor: Principal | None, site_id: int | None, since: datetime | None = None
) -> list[RefusalEntry]:
    """Refused attempts, newest first: at one site (its managers and admins), or everywhere (``actor``
    None: the installation's operator on the command line)."""
    if actor is not None:
        if site_id is None:
            actor.require(actor.role is Role.ADMIN)
        else:
            actor.require(actor.can_manage(get_site(Repositories(session).sites, site_id).id))
    query = (
        select(AuditRecord, User.username)
        .outerjoin(User, User.id == AuditRecord.actor_id)
        .where(AuditRecord.kind.in_(REFUSAL_KINDS))  # not the changes made on the pages, also kept there
        .order_by(AuditRecord.at.desc(), AuditRecord.id.desc())
        .limit(MAX_ENTRIES)
    )
    if site_id is not None:
        query = query.where(AuditRecord.site_id == site_id)
    if since is not None:
        query = query.where(AuditRecord.at >= since)
    return [
        RefusalEntry(
            id=record.id,
            at=record.at,
            kind=record.kind,
            site_id=record.site_id,
            actor_id=record.actor_id,
            actor=username,
            device_id=record.device_id,
            detail=record.detail,
            attempted=str((record.data or {}).get("attempted", "")),
        )
        for record, username in session.execute(query)
    ]
