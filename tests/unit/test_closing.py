"""Closing the day: when a ticket's day closes (the domain rule), and the use case that expires what is
left, against the fake unit of work (tests/fakes.py)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from server.domain.closing import closing_time, expires_at, is_expired, last_closed_day
from server.domain.events import QueueChanged, TicketChanged
from server.domain.hours import OpeningHours
from server.domain.tickets import Action
from server.services.queue.closing import close_days
from server.services.queue.state import QueueState
from server.services.queue.tickets import IssueTicket, issue_ticket
from tests.unit.test_queue_use_cases import NINE, Centre, centre  # noqa: F401 - the fixture

HANOI = "Asia/Ho_Chi_Minh"
ZONE = ZoneInfo(HANOI)
MONDAY = date(2026, 11, 23)
HOURS = OpeningHours.parse({"mon": ["07:30-11:30", "13:30-17:00"], "sat": ["07:30-11:30"]})


def local(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=ZONE)


def test_the_day_closes_at_the_end_of_its_last_period_not_at_the_lunch_break() -> None:
    assert closing_time(MONDAY, HOURS, HANOI) == local(MONDAY, 17)
    assert closing_time(MONDAY + timedelta(days=5), HOURS, HANOI) == local(MONDAY + timedelta(days=5), 11, 30)


def test_a_closed_day_or_one_open_until_24_00_closes_at_local_midnight() -> None:
    tuesday = MONDAY + timedelta(days=1)  # not in the hours: closed
    assert closing_time(tuesday, HOURS, HANOI) == local(tuesday + timedelta(days=1), 0)
    late = OpeningHours.parse({"mon": ["18:00-24:00"]})
    assert closing_time(MONDAY, late, HANOI) == local(MONDAY + timedelta(days=1), 0)


def test_a_ticket_issued_before_closing_expires_at_closing_time() -> None:
    issued = local(MONDAY, 9)
    assert expires_at(issued, HOURS, HANOI) == local(MONDAY, 17)
    assert not is_expired(issued, local(MONDAY, 16, 59), HOURS, HANOI)
    assert is_expired(issued, local(MONDAY, 17), HOURS, HANOI)


def test_a_ticket_issued_after_closing_lasts_until_local_midnight() -> None:
    issued = local(MONDAY, 17, 30)  # desk issuing in the evening
    assert expires_at(issued, HOURS, HANOI) == local(MONDAY + timedelta(days=1), 0)
    assert not is_expired(issued, local(MONDAY, 23, 59), HOURS, HANOI)
    assert is_expired(issued, local(MONDAY + timedelta(days=1), 0), HOURS, HANOI)


def test_the_last_closed_day_is_today_only_after_closing_time() -> None:
    assert last_closed_day(local(MONDAY, 16), HOURS, HANOI) == MONDAY - timedelta(days=1)
    assert last_closed_day(local(MONDAY, 17), HOURS, HANOI) == MONDAY


# -- the use case on fakes --------------------------------------------------------------------------------

FIVE_PM = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)  # 17:00 in Hà Nội, a Monday
MIDNIGHT = datetime(2026, 11, 23, 17, 0, tzinfo=UTC)  # 00:00 on Tuesday in Hà Nội


@pytest.fixture
def weekday_centre(centre: Centre) -> Centre:  # noqa: F811 - the imported fixture
    centre.site.always_open = False
    centre.site.hours = {day: ["07:30-11:30", "13:30-17:00"] for day in ("mon", "tue", "wed", "thu", "fri")}
    return centre


def test_at_closing_time_waiting_and_called_tickets_expire_with_an_event_each(weekday_centre: Centre) -> None:
    weekday = weekday_centre
    waiting = weekday.issue()
    called = weekday.issue(at=NINE + timedelta(minutes=1))
    served = weekday.issue(weekday.certify, at=NINE + timedelta(minutes=2))
    assert weekday.call_next(weekday.q2, NINE + timedelta(minutes=3)) == served
    weekday.act(served, Action.START, NINE + timedelta(minutes=4))
    weekday.act(served, Action.COMPLETE, NINE + timedelta(minutes=5))
    weekday.call_next(weekday.q1, NINE + timedelta(minutes=6))  # calls the first A ticket
    tickets = weekday.store.tickets
    assert tickets[waiting].status == "called" and weekday.q1.current_ticket_id == waiting
    before = len(weekday.store.published)

    assert close_days(weekday.uow, FIVE_PM - timedelta(minutes=1)).expired == 0
    closed = close_days(weekday.uow, FIVE_PM)

    assert (closed.sites, closed.expired) == (1, 2)
    assert (tickets[waiting].status, tickets[called].status, tickets[served].status) == (
        "expired",
        "expired",
        "done",
    )
    assert weekday.q1.current_ticket_id is None  # the counter is free for tomorrow
    assert weekday.store.events_of(tickets[called])[-1] == "expired"
    new = weekday.store.published[before:]
    changed = [e for e in new if isinstance(e, TicketChanged)]
    assert [(e.ticket.id, e.ticket.status, e.action) for e in changed] == [
        (waiting, "expired", "expire"),
        (called, "expired", "expire"),
    ]
    assert [e.ticket.position for e in changed] == [0, 0]
    (queue,) = [e for e in new if isinstance(e, QueueChanged)]
    assert all(row.waiting == 0 for row in queue.waiting_by_service)
    assert close_days(weekday.uow, FIVE_PM + timedelta(minutes=1)) == type(closed)(0, 0)  # idempotent


def test_a_ticket_issued_at_the_desk_after_closing_waits_until_midnight(weekday_centre: Centre) -> None:
    weekday = weekday_centre
    at = FIVE_PM + timedelta(minutes=30)  # the kiosks are closed; a clerk issues it at the desk
    cmd = IssueTicket(actor=weekday.clerk, site_id=weekday.site.id, service_id=weekday.civil.id, at=at)
    evening = issue_ticket(cmd, weekday.uow()).ticket.id

    assert close_days(weekday.uow, FIVE_PM + timedelta(hours=1)).expired == 0
    assert close_days(weekday.uow, MIDNIGHT).expired == 1
    assert weekday.store.tickets[evening].status == "expired"


def test_an_overnight_service_keeps_its_tickets_in_the_next_days_queue(weekday_centre: Centre) -> None:
    weekday = weekday_centre
    weekday.certify.overnight = True
    kept = weekday.issue(weekday.certify)
    gone = weekday.issue(weekday.civil)
    tomorrow = MIDNIGHT + timedelta(hours=2)

    assert close_days(weekday.uow, tomorrow).expired == 1
    assert weekday.store.tickets[gone].status == "expired"
    assert weekday.store.tickets[kept].status == "waiting"
    state = QueueState.load(weekday.uow(), weekday.site, tomorrow)
    assert [w.id for w in state.waiting] == [kept]


def test_the_next_days_queue_holds_only_that_days_tickets_even_before_the_day_is_closed(
    centre: Centre,  # noqa: F811 - the imported fixture
) -> None:
    yesterday = centre.issue()
    tomorrow = NINE + timedelta(days=1)
    today = centre.issue(at=tomorrow)

    state = QueueState.load(centre.uow(), centre.site, tomorrow)
    assert [w.id for w in state.waiting] == [today]
    assert centre.store.tickets[yesterday].number == centre.store.tickets[today].number == "A001"
    assert {row.service_id: row.waiting for row in state.waiting_by_service()}[centre.civil.id] == 1
