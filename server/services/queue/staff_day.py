"""A clerk's own figures for today (kết quả trong ngày của cán bộ): tickets served, average service time,
no-shows and transfers at one site, counted by the database from the ticket history of the site's local
day — one aggregate query, no ticket loaded into Python.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from ...db.models import Ticket, TicketEvent
from ...db.repositories import Repositories
from ...domain.access import Principal, Role
from ...domain.days import local_day
from ...domain.errors import N_, InvalidValue
from ..core.lookups import get_site


@dataclass(frozen=True)
class PersonalDay:
    """What one clerk did today at one site. ``average_service_s`` is ``None`` before the first
    completion."""

    site_id: int
    day: date
    served: int
    average_service_s: int | None
    no_shows: int
    transferred: int


def personal_day(session: Session, actor: Principal, site_id: int | None, now: datetime) -> PersonalDay:
    """Today's figures of the signed-in clerk at ``site_id`` (their only site when omitted)."""
    if site_id is None:
        if actor.role is Role.ADMIN or len(actor.site_ids) != 1:
            raise InvalidValue(N_("Say which site."), code="site_required")
        (site_id,) = actor.site_ids
    site = get_site(Repositories(session).sites, site_id)
    actor.require(actor.can_serve(site.id))
    today = local_day(now, site.timezone)
    day, start, end = today.day, today.start, today.end

    kind = TicketEvent.kind
    served, average, no_shows, transferred = session.execute(
        select(
            func.count(case((kind == "completed", 1))),
            func.avg(case((kind == "completed", Ticket.service_s))),
            func.count(case((kind == "no_show", 1))),
            func.count(case((kind == "transferred", 1))),
        )
        .select_from(TicketEvent)
        .join(Ticket, Ticket.id == TicketEvent.ticket_id)
        .where(
            TicketEvent.site_id == site.id,
            TicketEvent.actor_id == actor.user_id,
            TicketEvent.at >= start,
            TicketEvent.at < end,
            kind.in_(["completed", "no_show", "transferred"]),
        )
    ).one()
    return PersonalDay(
        site_id=site.id,
        day=day,
        served=int(served),
        average_service_s=round(float(average)) if average is not None else None,
        no_shows=int(no_shows),
        transferred=int(transferred),
    )
