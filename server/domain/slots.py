"""Appointment slots (khung giờ hẹn): when a service can be booked at a site, and how many people per slot.

A day's slots follow the site's opening hours (:class:`~server.domain.hours.OpeningHours`): each period is
cut into slots of the service's length, so breaks have none, and a slot that would run past the end of
its period is dropped. Closed dates and public holidays have no slots.

Capacity: a slot holds ``counters serving the service × bookable share`` appointments; the rest of the
counters' time stays for walk-ins. The product may be fractional (one counter, half of it bookable): the
day's slots then share it out evenly, by giving slot *i* ``⌈(i+1)·c⌉ − ⌈i·c⌉`` places (0.5 gives 1, 0, 1, 0…;
1.5 gives 2, 1, 2, 1…), so the day holds exactly what the share allows. Slots of capacity 0 are not offered.

Booking is open from ``now + notice`` until the end of the local day ``horizon_days`` after today. Times
are aware datetimes in the site's time zone; the local date decides holidays and the horizon.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from fractions import Fraction
from zoneinfo import ZoneInfo

from .errors import N_, Conflict, InvalidValue
from .hours import OpeningHours


@dataclass(frozen=True, order=True)
class Slot:
    """One bookable time: ``[start, end)`` in the site's time zone, holding ``capacity`` appointments."""

    start: datetime
    end: datetime
    capacity: int


def per_slot(counters: int, bookable_share: Fraction) -> Fraction:
    """Appointments per slot on average: the counters serving the service times the bookable share."""
    return max(0, counters) * bookable_share


def _share_out(index: int, per: Fraction) -> int:
    return math.ceil((index + 1) * per) - math.ceil(index * per)


def _never(_day: date) -> bool:
    return False


@dataclass(frozen=True)
class SlotRules:
    """Everything that decides a service's slots at one site."""

    hours: OpeningHours
    timezone: str
    length: timedelta
    per_slot: Fraction
    notice: timedelta = timedelta(0)
    horizon_days: int = 30
    is_holiday: Callable[[date], bool] = _never

    def __post_init__(self) -> None:
        if self.length <= timedelta(0):
            raise ValueError("a slot needs a positive length")

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def local_date(self, at: datetime) -> date:
        return at.astimezone(self.zone).date()

    def day(self, day: date) -> list[Slot]:
        """Every slot of a local date that holds at least one appointment (none on a holiday)."""
        if self.is_holiday(day):
            return []
        zone = self.zone
        slots: list[Slot] = []
        index = 0
        for period in self.hours.periods_on(day):
            start = datetime.combine(day, period.start, tzinfo=zone)
            end = (
                datetime.combine(day + timedelta(days=1), time.min, tzinfo=zone)
                if period.end == time.max
                else datetime.combine(day, period.end, tzinfo=zone)
            )
            while start + self.length <= end:
                capacity = _share_out(index, self.per_slot)
                index += 1
                if capacity > 0:
                    slots.append(Slot(start, start + self.length, capacity))
                start += self.length
        return slots

    def last_day(self, now: datetime) -> date:
        """The last local date that can be booked now."""
        return self.local_date(now) + timedelta(days=self.horizon_days)

    def is_bookable(self, slot: Slot, now: datetime) -> bool:
        """Far enough ahead (minimum notice) and not beyond the horizon."""
        return slot.start >= now + self.notice and self.local_date(slot.start) <= self.last_day(now)

    def bookable_on(self, day: date, now: datetime) -> list[Slot]:
        """The slots of a local date that can be booked now."""
        if day > self.last_day(now) or day < self.local_date(now):
            return []
        return [slot for slot in self.day(day) if self.is_bookable(slot, now)]

    def days(self, now: datetime) -> list[date]:
        """Every local date from today to the horizon."""
        today = self.local_date(now)
        return [today + timedelta(days=n) for n in range(self.horizon_days + 1)]

    def slot_at(self, start: datetime, now: datetime) -> Slot:
        """The bookable slot that begins at ``start``.

        :class:`InvalidValue` when no slot begins then (outside hours, in a break, a closed date or a
        holiday, off the grid) or it lies beyond the horizon; :class:`Conflict` when it is too soon.
        """
        if start.tzinfo is None:
            raise InvalidValue(N_("A time needs its UTC offset, e.g. 2026-11-23T08:00:00+07:00."))
        day = self.local_date(start)
        slot = next((s for s in self.day(day) if s.start == start), None)
        if slot is None:
            raise InvalidValue(N_("No appointment slot begins at this time."), code="not_a_slot")
        if day > self.last_day(now):
            raise InvalidValue(
                N_("Appointments can be booked at most %(days)s days ahead."),
                code="beyond_horizon",
                days=self.horizon_days,
            )
        if slot.start < now + self.notice:
            raise Conflict(N_("This time is too soon to book; please choose a later one."), code="too_soon")
        return slot
