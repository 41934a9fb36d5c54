"""Wait estimates (thời gian chờ dự kiến).

A service's pace is the moving average of its service times measured today (the last
:data:`MOVING_WINDOW` completed tickets), falling back to the configured ``service_minutes`` until the
first tickets of the day are done. The people ahead of a citizen are shared among the counters that serve
the service: the open ones, or, when none is open yet, every counter configured for it. A counter that
serves several services calls across them in order of waiting (the call-next policy), so it gives each
service the share of its waiting work that service's citizens are (:func:`service_capacity`): two
counters that also serve a busier service are not two counters' worth of this one.

No one with people ahead is told "0 minutes": each person ahead counts for at least
:data:`MIN_PACE_S` (a morning of quick certifications must not promise an instant call), and the estimate
is never below one minute while anyone is ahead.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

MOVING_WINDOW = 10
MIN_PACE_S = 60


def average_service_s(recent_service_s: Sequence[int], planned_minutes: int) -> float:
    """Mean of the most recent service times (seconds, newest first), or the planning figure."""
    recent = [s for s in recent_service_s[:MOVING_WINDOW] if s >= 0]
    if not recent:
        return float(planned_minutes * 60)
    return sum(recent) / len(recent)


def service_capacity(own_work_s: float, counters_work_s: Sequence[float]) -> float:
    """How many counters' worth of calls go to one service: each counter serving it counts for the share
    of its waiting work (``counters_work_s``: per counter, the seconds of service its waiting citizens of
    every service it serves need) that the service's own citizens need (``own_work_s``); a whole counter
    when nobody waits there."""
    return sum(own_work_s / work if work > 0 and own_work_s > 0 else 1.0 for work in counters_work_s)


def estimate_wait_s(people_ahead: int, average_s: float, counters: float) -> int:
    """Seconds until a citizen with ``people_ahead`` before them is called: never under a minute while
    someone is ahead, and at least :data:`MIN_PACE_S` per person ahead shared among the counters (a
    fraction of a counter when it serves other services too; none counts as one)."""
    if people_ahead <= 0:
        return 0
    pace = max(average_s, MIN_PACE_S)
    return max(MIN_PACE_S, math.ceil(people_ahead * pace / (counters if counters > 0 else 1)))
