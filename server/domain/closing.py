"""Closing a site's day (kết thúc ngày làm việc): when a ticket still waiting or called stops being one.

A ticket belongs to the local day it was issued on (:mod:`.days`). Its day closes at the site's closing
time, the end of the day's last opening period (:mod:`.hours`), and at the latest at local midnight. A ticket
issued after closing time (desk issuing in the evening) or on a day the site is closed lasts until midnight.
Services that keep a queue overnight (``overnight: true``) are never closed this way: their tickets wait
for the next day with their day's number.
"""

from __future__ import annotations

from datetime import date, datetime, time

from .days import business_day, day_bounds
from .hours import OpeningHours


def closing_time(day: date, hours: OpeningHours, timezone: str) -> datetime:
    """The instant the site's ``day`` closes: the end of its last opening period, or local midnight when
    it does not open that day or stays open until 24:00."""
    midnight = day_bounds(day, timezone).end
    periods = hours.periods_on(day)
    if not periods:
        return midnight
    last = max(period.end for period in periods)
    if last == time.max:
        return midnight
    return datetime.combine(day, last, tzinfo=midnight.tzinfo)


def expires_at(issued_at: datetime, hours: OpeningHours, timezone: str) -> datetime:
    """When a ticket issued at ``issued_at`` (not of an overnight service) expires if nobody served it:
    its day's closing time, or local midnight if it was issued at or after closing time."""
    day = business_day(issued_at, timezone)
    closing = closing_time(day, hours, timezone)
    if issued_at < closing:
        return closing
    return day_bounds(day, timezone).end


def is_expired(issued_at: datetime, now: datetime, hours: OpeningHours, timezone: str) -> bool:
    """Whether a ticket issued at ``issued_at`` has outlived its day at ``now``."""
    return now >= expires_at(issued_at, hours, timezone)


def last_closed_day(now: datetime, hours: OpeningHours, timezone: str) -> date:
    """The latest local day whose closing time has passed at ``now`` (today after closing, else yesterday):
    no ticket of a later day can have expired yet, whatever its issue time."""
    today = business_day(now, timezone)
    if now >= closing_time(today, hours, timezone):
        return today
    return date.fromordinal(today.toordinal() - 1)
