"""Whether a device (kiosk, wall display, rating pad) is there: when it was last seen, and whether it is
online now. Kept cheaply: a device's last request or Socket.IO connection is written at most once a
minute, never once per request."""

from __future__ import annotations

from datetime import datetime, timedelta

WRITE_EVERY = timedelta(minutes=1)  # at most one write of a device's last-seen time a minute
ONLINE_WITHIN = timedelta(minutes=2)  # seen this recently (or connected now): online


def worth_writing(last_written: datetime | None, at: datetime) -> bool:
    """Whether ``at`` should be written as the device's last-seen time, given the last one written."""
    return last_written is None or at - last_written >= WRITE_EVERY


def online(last_seen: datetime | None, at: datetime, connected: bool) -> bool:
    """Online now: a live Socket.IO connection, or seen within :data:`ONLINE_WITHIN`."""
    return connected or (last_seen is not None and at - last_seen <= ONLINE_WITHIN)
