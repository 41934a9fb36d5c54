"""Opening hours (giờ làm việc) of a site: weekly periods with breaks, and closed dates.

Hours come from the site-configuration file as ``{"mon": ["07:30-11:30", "13:30-17:00"], ...}``; a weekday
that is absent is closed. ``24:00`` may end a period.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, time

from .errors import N_, InvalidValue

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


@dataclass(frozen=True, order=True)
class Period:
    start: time
    end: time  # time.max stands for 24:00

    def contains(self, moment: time) -> bool:
        return self.start <= moment < self.end or (self.end == time.max and moment >= self.start)

    def __str__(self) -> str:
        end = "24:00" if self.end == time.max else self.end.strftime("%H:%M")
        return f"{self.start.strftime('%H:%M')}-{end}"


def _parse_clock(text: str) -> time:
    if text.strip() == "24:00":
        return time.max
    try:
        hours, minutes = text.strip().split(":")
        return time(int(hours), int(minutes))
    except ValueError as exc:
        raise InvalidValue(N_("%(value)s is not a time of day (HH:MM)."), value=text) from exc


def parse_period(text: str) -> Period:
    """``"07:30-11:30"`` → :class:`Period`; the end must come after the start."""
    try:
        start_text, end_text = text.split("-")
    except ValueError as exc:
        raise InvalidValue(N_("%(value)s is not a period (HH:MM-HH:MM)."), value=text) from exc
    period = Period(_parse_clock(start_text), _parse_clock(end_text))
    if period.end <= period.start:
        raise InvalidValue(N_("The period %(value)s ends before it starts."), value=text)
    return period


@dataclass(frozen=True)
class OpeningHours:
    weekly: Mapping[str, tuple[Period, ...]]
    closed_dates: frozenset[date] = frozenset()
    always_open: bool = False

    @classmethod
    def parse(
        cls,
        hours: Mapping[str, Sequence[str]] | None,
        closed_dates: Iterable[str | date] = (),
        *,
        always_open: bool = False,
    ) -> OpeningHours:
        weekly: dict[str, tuple[Period, ...]] = {}
        for day, periods in (hours or {}).items():
            if day not in WEEKDAYS:
                raise InvalidValue(N_("%(value)s is not a weekday (mon..sun)."), value=day)
            weekly[day] = tuple(sorted(parse_period(p) for p in periods))
        closed = frozenset(d if isinstance(d, date) else date.fromisoformat(str(d)) for d in closed_dates)
        return cls(weekly, closed, always_open)

    def periods_on(self, day: date) -> tuple[Period, ...]:
        """The opening periods of a local date (none on a closed date)."""
        if self.always_open:
            return (Period(time.min, time.max),)
        if day in self.closed_dates:
            return ()
        return self.weekly.get(WEEKDAYS[day.weekday()], ())

    def is_open(self, day: date, moment: time) -> bool:
        """Whether the site is open on the local ``day`` at the local wall-clock ``moment``."""
        return any(p.contains(moment) for p in self.periods_on(day))

    def as_text(self) -> dict[str, list[str]]:
        return {day: [str(p) for p in self.weekly[day]] for day in WEEKDAYS if day in self.weekly}
