"""Ticket numbers (số thứ tự).

A number is the service's prefix followed by the day's sequence, zero-padded to the service's digits:
``A001``. Past the last number of its width it grows a digit (``A999`` → ``A1000``): it never wraps, so a
day never repeats a number. Sequences restart each local business day, which is why nothing needs
resetting at midnight: the day (:mod:`.days`) is part of the key of the counter row that hands them out.
"""

from __future__ import annotations


def format_number(prefix: str, sequence: int, digits: int) -> str:
    """``prefix`` + ``sequence`` zero-padded to ``digits`` (never truncated)."""
    if sequence < 0:
        raise ValueError("sequence must not be negative")
    return f"{prefix}{sequence:0{digits}d}"
