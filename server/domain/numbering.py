"""Ticket numbers (số thứ tự) and the business day they belong to.

A number is the service's prefix followed by the day's sequence, zero-padded to the service's digits:
``A001``. Past the last number of its width it grows a digit (``A999`` → ``A1000``): it never wraps, so a
day never repeats a number. Sequences restart each local business day, which is why nothing needs
resetting at midnight: the day is part of the key of the counter row that hands them out.
"""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo


def format_number(prefix: str, sequence: int, digits: int) -> str:
    """``prefix`` + ``sequence`` zero-padded to ``digits`` (never truncated)."""
    if sequence < 0:
        raise ValueError("sequence must not be negative")
    return f"{prefix}{sequence:0{digits}d}"


def business_day(at: datetime, timezone: str) -> date:
    """The site's local date at the instant ``at`` (an aware datetime)."""
    if at.tzinfo is None:
        raise ValueError("business_day needs an aware datetime")
    return at.astimezone(ZoneInfo(timezone)).date()
