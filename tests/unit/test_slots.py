"""Slot generation and the other appointment rules, without a database."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from fractions import Fraction
from zoneinfo import ZoneInfo

import pytest

from server.domain.appointments import (
    BookingSettings,
    CheckInKind,
    ReminderPlan,
    check_in_kind,
    is_no_show,
    new_code,
    normalise_code,
    reminder_kind,
)
from server.domain.errors import Conflict, InvalidValue
from server.domain.hours import OpeningHours
from server.domain.public_holidays import holiday_name, is_public_holiday
from server.domain.slots import SlotRules, per_slot

VN = ZoneInfo("Asia/Ho_Chi_Minh")
HOURS = OpeningHours.parse(
    {day: ["07:30-11:30", "13:30-17:00"] for day in ("mon", "tue", "wed", "thu", "fri")}
    | {"sat": ["07:30-11:30"]},
    ["2026-12-31"],
)
MONDAY = date(2026, 11, 23)
SUNDAY_EVENING = datetime(2026, 11, 22, 20, 0, tzinfo=VN)


def rules(**changes: object) -> SlotRules:
    values: dict[str, object] = {
        "hours": HOURS,
        "timezone": "Asia/Ho_Chi_Minh",
        "length": timedelta(minutes=30),
        "per_slot": Fraction(2),
        "notice": timedelta(minutes=60),
        "horizon_days": 14,
        "is_holiday": is_public_holiday,
    }
    return SlotRules(**(values | changes))  # type: ignore[arg-type]


def local(day: date, hh: int, mm: int = 0) -> datetime:
    return datetime.combine(day, time(hh, mm), tzinfo=VN)


def starts(slots: list) -> list[str]:  # type: ignore[type-arg]
    return [s.start.strftime("%H:%M") for s in slots]


def test_slots_fill_the_opening_periods_and_skip_the_lunch_break() -> None:
    day = rules().day(MONDAY)
    assert starts(day)[:3] == ["07:30", "08:00", "08:30"]
    assert "11:00" in starts(day) and "11:30" not in starts(day)  # the morning ends at 11:30
    assert "12:00" not in starts(day) and "13:00" not in starts(day)
    assert starts(day)[-1] == "16:30"  # 16:30-17:00 is the last that fits
    assert len(day) == 8 + 7
    assert all(s.end - s.start == timedelta(minutes=30) for s in day)


def test_a_slot_that_would_run_past_the_period_is_dropped() -> None:
    day = rules(length=timedelta(minutes=45)).day(MONDAY)
    assert starts(day) == ["07:30", "08:15", "09:00", "09:45", "10:30", "13:30", "14:15", "15:00", "15:45"]


def test_closed_weekdays_and_closed_dates_have_no_slots() -> None:
    assert rules().day(date(2026, 11, 29)) == []  # Sunday: not in the hours
    assert starts(rules().day(date(2026, 11, 28)))[-1] == "11:00"  # Saturday: mornings only
    assert rules().day(date(2026, 12, 31)) == []  # a closed date of the site (a Thursday)


def test_public_holidays_have_no_slots_tet_included() -> None:
    tet = date(2027, 2, 8)  # Mùng ba Tết Nguyên Đán 2027, a Monday
    assert is_public_holiday(tet) and holiday_name(tet) == "Mùng ba Tết Nguyên Đán"
    assert rules().day(tet) == []
    national_day = date(2026, 9, 2)
    assert rules().day(national_day) == []
    assert holiday_name(date(2026, 9, 2), "en") == "National Day"
    assert rules(is_holiday=lambda _day: False).day(tet) != []  # a site may opt out
    assert not is_public_holiday(MONDAY)


def test_holidays_are_judged_by_the_sites_local_date() -> None:
    # 2027-02-05 17:30 UTC is already 00:30 on 6 February (Tết) in Viet Nam.
    start = datetime(2027, 2, 5, 17, 30, tzinfo=UTC)
    always = rules(hours=OpeningHours.parse({}, always_open=True))
    assert always.local_date(start) == date(2027, 2, 6)
    assert always.day(date(2027, 2, 6)) == []
    with pytest.raises(InvalidValue):
        always.slot_at(start, datetime(2027, 1, 30, tzinfo=UTC))


def test_capacity_is_counters_times_the_bookable_share() -> None:
    assert per_slot(4, Fraction(1, 2)) == 2
    assert {s.capacity for s in rules(per_slot=per_slot(4, Fraction(1, 2))).day(MONDAY)} == {2}


def test_a_fractional_capacity_is_shared_out_evenly_over_the_day() -> None:
    half = rules(per_slot=per_slot(1, Fraction(1, 2))).day(MONDAY)  # one counter, half bookable
    assert starts(half)[:3] == ["07:30", "08:30", "09:30"]  # every other slot holds one
    assert sum(s.capacity for s in half) == 8  # 15 slots × 0.5, rounded up once
    one_and_half = rules(per_slot=per_slot(3, Fraction(1, 2))).day(MONDAY)
    assert [s.capacity for s in one_and_half][:4] == [2, 1, 2, 1]


def test_no_share_means_no_slots() -> None:
    assert rules(per_slot=per_slot(3, Fraction(0))).day(MONDAY) == []
    assert rules(per_slot=per_slot(0, Fraction(1, 2))).day(MONDAY) == []


def test_minimum_notice_hides_slots_that_start_too_soon() -> None:
    now = local(MONDAY, 9, 10)
    bookable = rules().bookable_on(MONDAY, now)
    assert starts(bookable)[0] == "10:30"  # 10:00 starts in 50 minutes, less than the hour's notice
    with pytest.raises(Conflict) as raised:
        rules().slot_at(local(MONDAY, 10), now)
    assert raised.value.code == "too_soon"
    assert rules().slot_at(local(MONDAY, 10, 30), now).capacity == 2


def test_the_horizon_ends_booking_after_so_many_days() -> None:
    now = SUNDAY_EVENING
    assert rules().days(now)[-1] == date(2026, 12, 6)
    assert rules().bookable_on(date(2026, 12, 4), now) != []  # a Friday within 14 days
    assert rules().bookable_on(date(2026, 12, 7), now) == []  # the Monday after: too far
    with pytest.raises(InvalidValue) as raised:
        rules().slot_at(local(date(2026, 12, 7), 8), now)
    assert raised.value.code == "beyond_horizon"
    assert rules().bookable_on(date(2026, 11, 20), now) == []  # the past


def test_only_the_start_of_a_real_slot_can_be_booked() -> None:
    now = SUNDAY_EVENING
    for start in (local(MONDAY, 8, 10), local(MONDAY, 12, 0), local(date(2026, 11, 29), 8)):
        with pytest.raises(InvalidValue) as raised:
            rules().slot_at(start, now)
        assert raised.value.code == "not_a_slot"
    # the same instant written in UTC is the same slot
    assert rules().slot_at(datetime(2026, 11, 23, 1, 0, tzinfo=UTC), now).start == local(MONDAY, 8)


def test_settings_come_from_the_configuration_with_defaults() -> None:
    assert BookingSettings.from_mapping({}) == BookingSettings()
    custom = BookingSettings.from_mapping(
        {"bookable_share": 0.3, "reminder_minutes": [120], "person_limit": 0}
    )
    assert custom.bookable_share == Fraction(3, 10)
    assert custom.reminders == (timedelta(hours=2),)
    assert custom.person_limit == 0 and custom.notice == timedelta(minutes=60)


def test_codes_are_short_unambiguous_and_forgiving_to_type() -> None:
    code = new_code()
    assert len(code) == 6 and not set(code) & set("0O1IL2Z5S8B")
    assert normalise_code(f" {code[:3].lower()}-{code[3:]} ") == code
    assert normalise_code("ABC0EF") is None  # 0 is never in a code
    assert normalise_code("ACD47") is None


def test_check_in_window() -> None:
    settings = BookingSettings()  # 30 minutes early, 15 late
    start = local(MONDAY, 9)
    with pytest.raises(Conflict) as raised:
        check_in_kind(start, local(MONDAY, 8, 29), settings)
    assert raised.value.code == "too_early"
    assert check_in_kind(start, local(MONDAY, 8, 30), settings) is CheckInKind.ON_TIME
    assert check_in_kind(start, local(MONDAY, 9, 15), settings) is CheckInKind.ON_TIME
    assert check_in_kind(start, local(MONDAY, 9, 16), settings) is CheckInKind.LATE


def test_reminders_are_due_at_their_lead_and_only_if_booked_before() -> None:
    start = local(MONDAY, 9)
    plan = ReminderPlan(
        start, booked_at=local(MONDAY, 9) - timedelta(days=3), leads=BookingSettings().reminders
    )
    assert plan.due(local(date(2026, 11, 22), 8, 59)) == []
    assert plan.due(local(date(2026, 11, 22), 9, 0)) == [timedelta(days=1)]
    assert plan.due(local(MONDAY, 8, 0)) == [timedelta(days=1), timedelta(hours=1)]
    assert plan.due(local(MONDAY, 9, 0)) == []  # started: too late to remind
    late_booking = ReminderPlan(start, booked_at=local(MONDAY, 7, 0), leads=BookingSettings().reminders)
    assert late_booking.due(local(MONDAY, 8, 0)) == [timedelta(hours=1)]
    assert reminder_kind(timedelta(days=1), start) == "reminder-1440-202611230200"


def test_no_show_after_the_grace() -> None:
    start = local(MONDAY, 9)
    assert not is_no_show(start, local(MONDAY, 9, 30), BookingSettings())
    assert is_no_show(start, local(MONDAY, 9, 31), BookingSettings())
