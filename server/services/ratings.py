"""Satisfaction ratings (đánh giá mức độ hài lòng): rate a served ticket by phone or at the counter's pad,
ask the pad when a counter completes a ticket, the site's reasons, and the exports for the province.

One rating per ticket, whichever channel answers first: checked under a per-ticket lock and enforced by
the database's unique constraint. Each rating is also a ``rated`` entry of the ticket's history and a
:class:`RatingGiven` event of the site's stream, so the statistics and the live view read the same thing.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ..db.models import Counter, Rating, Service, Site, Ticket, User
from ..domain.access import DeviceKind, Principal
from ..domain.days import business_day, day_bounds
from ..domain.errors import N_, Conflict, Forbidden, NotFound
from ..domain.events import RatingGiven, RatingRequested
from ..domain.periods import check_report_days
from ..domain.ratings import (
    MAX_COMMENT,
    Channel,
    RatingSettings,
    Reason,
    check_rateable,
    check_reasons,
    check_score,
)
from ..domain.text import clean_text
from .core.history import record
from .core.lookups import get_site, get_ticket
from .core.unit_of_work import UnitOfWork
from .csv_export import csv_text
from .stats import satisfaction

PUBLIC = Principal()  # the citizen on their own phone: no account, no device


@dataclass(frozen=True, kw_only=True)
class RateTicket:
    """A citizen's answer. ``public_code`` for the phone; ``ticket_id`` and the pad as ``actor`` for the
    counter."""

    score: object
    at: datetime
    reasons: Sequence[str] = ()
    comment: str | None = None
    public_code: str | None = None
    ticket_id: int | None = None
    actor: Principal = field(default=PUBLIC)


@dataclass(frozen=True, kw_only=True)
class RatingInfo:
    id: int
    ticket: dict[str, Any]
    score: int
    reasons: tuple[str, ...]
    channel: str
    created_at: datetime


def site_settings(site: Site) -> RatingSettings:
    return RatingSettings.of(site.ratings)


def reasons_of(session: Session, site_id: int) -> tuple[Reason, ...]:
    site = session.get(Site, site_id)
    if site is None:
        raise NotFound(N_("There is no such site."))
    return site_settings(site).reasons


def rate_by_phone(cmd: RateTicket, uow: UnitOfWork) -> RatingInfo:
    """The citizen rates their own served ticket on its status page (409/410/422 as in API.md)."""
    with uow:
        ticket = uow.session.scalar(select(Ticket).where(Ticket.public_code == cmd.public_code))
        if ticket is None:
            raise NotFound(N_("There is no such ticket."))
        return _rate(uow, ticket, cmd, Channel.PHONE)


def rate_by_pad(cmd: RateTicket, uow: UnitOfWork) -> RatingInfo:
    """The rating pad of the counter that served the ticket rates it (403 for staff and other pads)."""
    with uow:
        if cmd.ticket_id is None:
            raise NotFound(N_("There is no such ticket."))
        ticket = get_ticket(uow.tickets, cmd.ticket_id)
        cmd.actor.require(cmd.actor.can_rate_at(ticket.counter_id) and ticket.site_id in cmd.actor.site_ids)
        return _rate(uow, ticket, cmd, Channel.COUNTER)


def _rate(uow: UnitOfWork, ticket: Ticket, cmd: RateTicket, channel: Channel) -> RatingInfo:
    score = check_score(cmd.score)
    site = get_site(uow.sites, ticket.site_id)
    settings = site_settings(site)
    reasons = check_reasons(cmd.reasons, settings.reasons)
    comment = clean_text(cmd.comment, field="comment", max_length=MAX_COMMENT) if cmd.comment else None
    uow.lock(f"rating:{ticket.id}")
    session = uow.session
    rated = session.scalar(select(Rating.id).where(Rating.ticket_id == ticket.id)) is not None
    finished = ticket.finished_at
    window = settings.pad_accepts if channel is Channel.COUNTER else settings.phone_closes
    check_rateable(ticket.status, finished, window(finished) if finished else None, rated, cmd.at)
    assert finished is not None
    clerk = session.get(User, ticket.served_by_id) if ticket.served_by_id else None
    rating = Rating(
        ticket_id=ticket.id,
        site_id=ticket.site_id,
        service_id=ticket.service_id,
        counter_id=ticket.counter_id,
        clerk_id=ticket.served_by_id,
        dossier_code=ticket.dossier_code,
        score=score,
        reasons=list(reasons),
        comment=comment or None,
        channel=channel.value,
        device_id=cmd.actor.device_id,
        finished_at=finished,
        created_at=cmd.at,
    )
    session.add(rating)
    try:
        uow.flush()
    except IntegrityError:  # the other channel answered at the same moment
        raise Conflict(N_("This ticket has already been rated."), code="already_rated") from None
    record(
        uow.tickets,
        ticket,
        "rated",
        cmd.at,
        cmd.actor,
        data={"score": score, "reasons": list(reasons), "channel": channel.value, "rating_id": rating.id},
    )
    uow.emit(
        RatingGiven(
            site_id=ticket.site_id,
            at=cmd.at,
            rating_id=rating.id,
            ticket_id=ticket.id,
            number=ticket.number,
            service_id=ticket.service_id,
            counter_id=ticket.counter_id,
            clerk_id=ticket.served_by_id,
            clerk_name=_name(clerk),
            score=score,
            reasons=reasons,
            channel=channel.value,
            rated_at=cmd.at,
        )
    )
    info = RatingInfo(
        id=rating.id,
        ticket={"number": ticket.number},
        score=score,
        reasons=reasons,
        channel=channel.value,
        created_at=cmd.at,
    )
    uow.commit()
    return info


def request_rating(uow: UnitOfWork, ticket: Ticket, counter: Counter | None, at: datetime) -> None:
    """A counter completed ``ticket``: if a rating pad faces its citizen, ask them (``rating.requested``)."""
    if counter is None or not uow.sites.has_rating_pad(ticket.site_id, counter.id):
        return
    site = get_site(uow.sites, ticket.site_id)
    uow.emit(
        RatingRequested(
            site_id=ticket.site_id,
            at=at,
            counter_id=counter.id,
            ticket_id=ticket.id,
            number=ticket.number,
            clerk_name=_name(counter.clerk),
            expires_at=site_settings(site).pad_closes(at),
        )
    )


def _name(user: User | None) -> str:
    return (user.display_name or user.username) if user is not None else ""


# -- what the pad, the clerk and the province read -------------------------------------------------------


def pad_state(session: Session, actor: Principal, at: datetime) -> dict[str, Any]:
    """What a rating pad shows between tickets: its counter, the clerk's name, the number being served,
    and the ticket it may still ask about (completed within the pad's window and not yet rated)."""
    if actor.device_kind is not DeviceKind.RATING or actor.counter_id is None:
        raise Forbidden(N_("This device is not a rating pad."), code="not_a_rating_pad")
    counter = session.get(Counter, actor.counter_id)
    if counter is None:
        raise NotFound(N_("There is no such counter."))
    site = session.get_one(Site, counter.site_id)
    settings = site_settings(site)
    current = session.get(Ticket, counter.current_ticket_id) if counter.current_ticket_id else None
    last = session.scalar(
        select(Ticket)
        .where(Ticket.counter_id == counter.id, Ticket.status == "done", Ticket.finished_at.is_not(None))
        .order_by(Ticket.finished_at.desc())
        .limit(1)
    )
    pending = None
    if last is not None and last.finished_at is not None and settings.pad_closes(last.finished_at) >= at:
        rated = session.scalar(select(Rating.id).where(Rating.ticket_id == last.id)) is not None
        if not rated:
            pending = {
                "ticket": {"id": last.id, "number": last.number},
                "expires_at": settings.pad_closes(last.finished_at),
            }
    return {
        "site_id": site.id,
        "site_name": site.name,
        "counter": {
            "id": counter.id,
            "number": counter.number,
            "name": counter.name,
            "status": counter.status,
        },
        "clerk": {"name": _name(counter.clerk)} if counter.clerk else None,
        "serving": {"number": current.number} if current is not None else None,
        "pending": pending,
        "pad_seconds": settings.pad_seconds,
        "reasons": [r.__dict__ for r in settings.reasons],
    }


def phone_offer(session: Session, ticket: Ticket, at: datetime) -> dict[str, Any]:
    """Whether the status page may ask its citizen: ``{open, closes_at, rated, score?}``."""
    site = session.get_one(Site, ticket.site_id)
    settings = site_settings(site)
    rating = session.scalar(select(Rating).where(Rating.ticket_id == ticket.id))
    if ticket.status != "done" or ticket.finished_at is None:
        return {"open": False, "rated": False, "closes_at": None}
    closes = settings.phone_closes(ticket.finished_at)
    return {
        "open": rating is None and at <= closes,
        "rated": rating is not None,
        "score": rating.score if rating is not None else None,
        "closes_at": closes,
        "reasons": [r.__dict__ for r in settings.reasons],
    }


def clerk_ratings(session: Session, actor: Principal, day: date | None, now: datetime) -> dict[str, Any]:
    """The signed-in clerk's own ratings of one local day (default today): scores, reasons, channel,
    ticket number and time — never who gave them, never the comment."""
    check_report_days(day)
    sites = [site for site in session.scalars(select(Site)) if actor.has_site(site.id)]
    rows: list[dict[str, Any]] = []
    scores: dict[int, int] = {}
    for site in sites:
        first = day or business_day(now, site.timezone)
        bounds = day_bounds(first, site.timezone)
        found = session.execute(
            select(Rating.score, Rating.reasons, Rating.channel, Rating.created_at, Ticket.number)
            .join(Ticket, Ticket.id == Rating.ticket_id)
            .where(
                Rating.clerk_id == actor.user_id,
                Rating.site_id == site.id,
                Rating.finished_at >= bounds.start,
                Rating.finished_at < bounds.end,
            )
            .order_by(Rating.created_at)
        ).all()
        for r in found:
            scores[r.score] = scores.get(r.score, 0) + 1
            rows.append(
                {
                    "site_id": site.id,
                    "number": r.number,
                    "score": r.score,
                    "reasons": list(r.reasons or []),
                    "channel": r.channel,
                    "at": r.created_at,
                }
            )
    served = session.scalar(
        select(func.count()).where(
            Ticket.served_by_id == actor.user_id,
            Ticket.status == "done",
            Ticket.day == (day or business_day(now, sites[0].timezone if sites else "Asia/Ho_Chi_Minh")),
        )
    )
    return {"ratings": rows, "satisfaction": satisfaction(int(served or 0), scores, {})}


def export_rows(
    session: Session,
    site_ids: Sequence[int],
    start: datetime,
    end: datetime,
    dossier_code: str | None = None,
) -> list[dict[str, Any]]:
    """The ratings of tickets completed in ``[start, end)`` at these sites, for the province's one-door
    system: one row per rating with its dossier code (mã hồ sơ)."""
    rows = session.execute(
        select(
            Rating,
            Ticket.number,
            Service.code,
            Service.name,
            Counter.code,
            Counter.number,
            User.display_name,
            User.username,
            Site.code,
        )
        .join(Ticket, Ticket.id == Rating.ticket_id)
        .join(Service, Service.id == Rating.service_id)
        .join(Site, Site.id == Rating.site_id)
        .outerjoin(Counter, Counter.id == Rating.counter_id)
        .outerjoin(User, User.id == Rating.clerk_id)
        .where(
            Rating.site_id.in_(list(site_ids)),
            Rating.finished_at >= start,
            Rating.finished_at < end,
            *([Rating.dossier_code == dossier_code] if dossier_code else []),
        )
        .order_by(Rating.finished_at, Rating.id)
    ).all()
    out = []
    for rating, number, s_code, s_name, c_code, c_number, display, username, site_code in rows:
        out.append(
            {
                "site": site_code,
                "dossier_code": rating.dossier_code,
                "number": number,
                "service": {"code": s_code, "name": s_name},
                "counter": {"code": c_code, "number": c_number} if c_code is not None else None,
                "clerk": (display or username) if username is not None else None,
                "score": rating.score,
                "reasons": list(rating.reasons or []),
                "channel": rating.channel,
                "served_at": rating.finished_at,
                "rated_at": rating.created_at,
            }
        )
    return out


EXPORT_HEADER = (
    "site",
    "dossier_code",
    "number",
    "service_code",
    "service",
    "counter",
    "clerk",
    "score",
    "reasons",
    "channel",
    "served_at",
    "rated_at",
)


def export_csv(rows: Sequence[dict[str, Any]], timezone: str) -> str:
    """The export as CSV, times in the site's local time, reasons joined by ``;``."""
    zone = ZoneInfo(timezone)

    def local(moment: datetime) -> str:
        return moment.astimezone(zone).strftime("%Y-%m-%d %H:%M:%S")

    table: list[tuple[Any, ...]] = [EXPORT_HEADER]
    for row in rows:
        table.append(
            (
                row["site"],
                row["dossier_code"] or "",
                row["number"],
                row["service"]["code"],
                row["service"]["name"],
                row["counter"]["number"] if row["counter"] else "",
                row["clerk"] or "",
                row["score"],
                ";".join(row["reasons"]),
                row["channel"],
                local(row["served_at"]),
                local(row["rated_at"]),
            )
        )
    return csv_text(table)
