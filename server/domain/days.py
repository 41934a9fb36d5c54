"""A site's local day (ngày làm việc): the date a moment falls on in the site's time zone, and the instants
that bound it. Ticket numbering, the queue, today's figures, the audit and the statistics all speak of
"today" through this one module, so that every part of Lượt agrees on where a day begins.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo


def business_day(at: datetime, timezone: str) -> date:
    """The site's local date at the instant ``at`` (an aware datetime)."""
    if at.tzinfo is None:
        raise ValueError("business_day needs an aware datetime")
    return at.astimezone(ZoneInfo(timezone)).date()


@dataclass(frozen=True)
class LocalDay:
    """One local date of a site and the half-open interval ``[start, end)`` of instants it covers."""

    day: date
    start: datetime
    end: datetime


def day_bounds(first: date, timezone: str, last: date | None = None) -> LocalDay:
    """The days ``first`` … ``last`` (inclusive; ``first`` alone by default) as one interval of instants."""
    zone = ZoneInfo(timezone)
    start = datetime.combine(first, time.min, tzinfo=zone)
    end = datetime.combine((last or first) + timedelta(days=1), time.min, tzinfo=zone)
    return LocalDay(first, start, end)


def local_day(at: datetime, timezone: str) -> LocalDay:
    """The local day that contains the instant ``at``."""
    return day_bounds(business_day(at, timezone), timezone)
