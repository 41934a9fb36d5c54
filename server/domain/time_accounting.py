"""Exact time accounting of a clerk's day (thời gian làm việc của cán bộ), from the event log alone.

Between two consecutive events of a counter, its time goes to exactly one bucket, by the first that
applies:

- ``serving`` — a ticket is being served at it (started → completed, no-show, transfer or cancel);
- ``walking`` — a ticket is called and not yet started (the citizen walks to the counter);
- ``paused`` — the counter is paused, counted by its reason too (``paused_by_reason``);
- ``wrap_up`` — after a completion, until the next call, pause or close;
- ``idle`` — open with no ticket while citizens of the counter's services were waiting;
- ``available`` — open with no ticket and nobody waiting for its services.

A closed counter counts nothing. Each local day starts with every counter closed and ends at midnight (or
now, for today): a counter left open overnight stops counting at midnight. The time goes to the clerk who
acted last at the counter (opened it, paused it or acted on its ticket). Pure Python: the service reads the
events, this module adds them up.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from .pauses import PauseReason

BUCKETS = ("serving", "walking", "wrap_up", "paused", "idle", "available")


@dataclass(frozen=True)
class CounterMark:
    """One event at a counter, in the order they happened. ``kind`` is a counter event (``opened``,
    ``paused``, ``closed``) or a ticket event (``called``, ``started``, ``completed``…) with the ticket's
    ``status`` after it. ``day_end`` is the end of the event's local day."""

    at: datetime
    order: int
    kind: str
    actor_id: int | None
    day_end: datetime
    ticket_id: int | None = None
    status: str | None = None
    reason: str | None = None


@dataclass
class TimeSheet:
    """Seconds per bucket, and paused seconds per reason (rounded only when reported)."""

    serving_s: float = 0.0
    walking_s: float = 0.0
    wrap_up_s: float = 0.0
    paused_s: float = 0.0
    idle_s: float = 0.0
    available_s: float = 0.0
    paused_by_reason: dict[str, float] = field(default_factory=lambda: {r.value: 0.0 for r in PauseReason})

    def add(self, bucket: str, seconds: float, reason: str | None = None) -> None:
        setattr(self, f"{bucket}_s", getattr(self, f"{bucket}_s") + seconds)
        if bucket == "paused":
            key = reason if reason in self.paused_by_reason else PauseReason.OTHER.value
            self.paused_by_reason[key] += seconds

    def rounded(self) -> dict[str, object]:
        """The JSON ``time`` object: every figure in whole seconds (halves up)."""

        def whole(value: float) -> int:
            return int(value + 0.5)

        figures: dict[str, object] = {f"{b}_s": whole(getattr(self, f"{b}_s")) for b in BUCKETS}
        figures["paused_by_reason"] = {k: whole(v) for k, v in self.paused_by_reason.items()}
        figures["on_duty_s"] = sum(whole(getattr(self, f"{b}_s")) for b in BUCKETS)
        return figures


Intervals = list[tuple[datetime, datetime]]


def overlap(start: datetime, end: datetime, intervals: Sequence[tuple[datetime, datetime]]) -> float:
    """Seconds of [start, end) covered by ``intervals`` (sorted, not overlapping)."""
    total = 0.0
    for a, b in intervals:
        if b <= start:
            continue
        if a >= end:
            break
        total += (min(b, end) - max(a, start)).total_seconds()
    return total


def busy_intervals(changes: Iterable[tuple[datetime, int]]) -> Intervals:
    """Where a count that moves by each (time, +1/-1) is above zero, as sorted intervals."""
    out: Intervals = []
    count, since = 0, None
    for at, delta in sorted(changes, key=lambda c: (c[0], -c[1])):
        before = count
        count += delta
        if before <= 0 < count:
            since = at
        elif before > 0 >= count and since is not None:
            if at > since:
                out.append((since, at))
            since = None
    return out


def account(
    marks: Sequence[CounterMark],
    waiting: Sequence[tuple[datetime, datetime]],
    until: datetime,
    sheets: dict[int, TimeSheet],
) -> TimeSheet:
    """Add one counter's marks (sorted by ``(at, order)``) to the counter's sheet (returned) and to each
    clerk's sheet in ``sheets``; ``waiting``: when citizens of its services were waiting; ``until``: now."""
    counter = TimeSheet()
    status = "closed"  # the counter: closed, open or paused
    reason: str | None = None
    ticket_id: int | None = None
    ticket_status: str | None = None  # called or serving
    wrapping = False
    clerk: int | None = None
    since: datetime | None = None
    day_end: datetime | None = None

    def bucket() -> str | None:
        if status == "closed" and ticket_id is None:
            return None
        if ticket_status == "serving":
            return "serving"
        if ticket_status == "called":
            return "walking"
        if status == "paused":
            return "paused"
        return "wrap_up" if wrapping else "open"

    def close_off(end: datetime) -> None:
        if since is None or end <= since:
            return
        kind = bucket()
        if kind is None:
            return
        parts: list[tuple[str, float]]
        if kind == "open":
            span = (end - since).total_seconds()
            idle = overlap(since, end, waiting)
            parts = [("idle", idle), ("available", span - idle)]
        else:
            parts = [(kind, (end - since).total_seconds())]
        for name, seconds in parts:
            if seconds <= 0:
                continue
            counter.add(name, seconds, reason)
            if clerk is not None:
                sheets.setdefault(clerk, TimeSheet()).add(name, seconds, reason)

    for mark in marks:
        if day_end is not None and mark.at >= day_end:  # a new local day: the old one ends at midnight
            close_off(min(day_end, until))
            status, reason, ticket_id, ticket_status, wrapping, since = (
                "closed",
                None,
                None,
                None,
                False,
                None,
            )
        close_off(min(mark.at, until))
        since, day_end = mark.at, mark.day_end
        if mark.actor_id is not None:
            clerk = mark.actor_id
        if mark.kind in ("opened", "paused", "closed"):
            status = {"opened": "open", "paused": "paused", "closed": "closed"}[mark.kind]
            reason = mark.reason if mark.kind == "paused" else None
            wrapping = False
            continue
        if mark.kind == "called" or mark.kind == "recalled":
            if status == "closed":
                status = "open"  # the counter was opened on an earlier day and is serving today
            ticket_id, ticket_status, wrapping = mark.ticket_id, "called", False
            continue
        if mark.ticket_id != ticket_id:
            continue  # a ticket that is not the one at the counter (one cancelled from the list)
        if mark.status in ("called", "serving"):
            ticket_status = mark.status
        else:
            ticket_id, ticket_status = None, None
            wrapping = mark.kind == "completed"
    if day_end is not None:
        close_off(min(day_end, until))
    return counter
