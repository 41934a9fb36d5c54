"""What managers see of the near-turn messages and remote tickets of one local day.

``day_report`` answers ``GET /api/v1/sites/{id}/messages``: each message's delivery state (no phone
number: a manager needs to know whether messages leave, not to whom), the day's counts, the remote
tickets taken, arrived and expired, and the error of the near-turn estimate read from the ticket history:
for each ``near`` message, the ticket's first call minus the time the message promised (``promised_at``
recorded with the ``message_queued`` event), as p50 and p90 in seconds (positive: called later than
promised).
"""

from __future__ import annotations

from collections import Counter as Tally
from datetime import date, datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ...db.models import Ticket, TicketEvent, TicketMessage
from ...db.repositories import Repositories
from ...domain.access import Principal
from ...domain.days import business_day, day_bounds
from ...domain.near_turn import MessageStatus
from ...domain.periods import check_report_days
from ..core.lookups import get_site
from ..queue.state import local_time


def nearest_rank(values: list[int], pct: float) -> int | None:
    """The nearest-rank percentile of ``values`` (``None`` for none)."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, -(-len(ordered) * pct // 100))
    return ordered[int(rank) - 1]


def day_report(
    session: Session, actor: Principal, site_id: int, day: date | None, now: datetime
) -> dict[str, Any]:
    site = get_site(Repositories(session).sites, site_id)
    actor.require(actor.can_manage(site.id))
    check_report_days(day)
    day = day or business_day(now, site.timezone)
    bounds = day_bounds(day, site.timezone)
    rows = session.execute(
        select(TicketMessage, Ticket.number)
        .join(Ticket, Ticket.id == TicketMessage.ticket_id)
        .where(
            TicketMessage.site_id == site.id,
            TicketMessage.created_at >= bounds.start,
            TicketMessage.created_at < bounds.end,
        )
        .order_by(TicketMessage.id)
    ).all()

    def local(at: datetime | None) -> str | None:
        return local_time(site, at).isoformat() if at is not None else None

    counts = Tally(message.status for message, _number in rows)
    messages = [
        {
            "id": message.id,
            "ticket_id": message.ticket_id,
            "number": number,
            "kind": message.kind,
            "status": message.status,
            "channel": message.channel,
            "attempts": message.attempts,
            "created_at": local(message.created_at),
            "sent_at": local(message.sent_at),
            "next_attempt_at": local(message.next_attempt_at)
            if message.status == MessageStatus.QUEUED
            else None,
            "error": message.error,
        }
        for message, number in rows
    ]
    return {
        "site_id": site.id,
        "date": day.isoformat(),
        "counts": {status.value: counts.get(status.value, 0) for status in MessageStatus},
        "messages": messages,
        "remote": remote_figures(session, site.id, day),
        "estimate_error_s": estimate_error(session, site.id, bounds.start, bounds.end),
    }


def remote_figures(session: Session, site_id: int, day: date) -> dict[str, int]:
    """Remote tickets of a day: taken, arrived (confirmed at the kiosk), expired (never came)."""
    taken, arrived, expired = session.execute(
        select(
            func.count(),
            func.count(Ticket.arrived_at),
            func.count().filter(Ticket.status == "expired"),
        ).where(Ticket.site_id == site_id, Ticket.day == day, Ticket.remote.is_(True))
    ).one()
    return {"taken": int(taken), "arrived": int(arrived), "expired": int(expired)}


def estimate_error(session: Session, site_id: int, start: datetime, end: datetime) -> dict[str, Any]:
    """Actual first call − promised time of the period's ``near`` messages, from the ticket history."""
    promised: dict[int, datetime] = {}
    for ticket_id, data in session.execute(
        select(TicketEvent.ticket_id, TicketEvent.data).where(
            TicketEvent.site_id == site_id,
            TicketEvent.kind == "message_queued",
            TicketEvent.at >= start,
            TicketEvent.at < end,
        )
    ):
        if data.get("message") == "near" and data.get("promised_at"):
            promised[ticket_id] = datetime.fromisoformat(data["promised_at"])
    called: dict[int, datetime] = {}
    if promised:
        for ticket_id, at in session.execute(
            select(TicketEvent.ticket_id, func.min(TicketEvent.at))
            .where(
                TicketEvent.site_id == site_id,
                TicketEvent.kind == "called",
                TicketEvent.ticket_id.in_(list(promised)),
            )
            .group_by(TicketEvent.ticket_id)
        ):
            called[ticket_id] = at
    errors = [int((called[t] - promised[t]).total_seconds()) for t in promised if t in called]
    return {"n": len(errors), "p50": nearest_rank(errors, 50), "p90": nearest_rank(errors, 90)}
