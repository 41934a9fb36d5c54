"""The ticket state machine, numbering and estimates."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from server.domain.days import business_day
from server.domain.errors import IllegalTransition
from server.domain.estimates import average_service_s, estimate_wait_s, service_capacity
from server.domain.numbering import format_number
from server.domain.tickets import Action, TicketStatus, allowed_actions, next_status

W, C, S, D, N, X, E = (
    TicketStatus.WAITING,
    TicketStatus.CALLED,
    TicketStatus.SERVING,
    TicketStatus.DONE,
    TicketStatus.NO_SHOW,
    TicketStatus.CANCELLED,
    TicketStatus.EXPIRED,
)

LEGAL = {
    (W, Action.CALL): C,
    (C, Action.RECALL): C,
    (C, Action.START): S,
    (S, Action.COMPLETE): D,
    (C, Action.NO_SHOW): N,
    (S, Action.TRANSFER): W,
    (W, Action.CANCEL): X,
    (C, Action.CANCEL): X,
    (W, Action.EXPIRE): E,
    (C, Action.EXPIRE): E,
    (TicketStatus.PENDING_ARRIVAL, Action.ARRIVE): W,
    (TicketStatus.PENDING_ARRIVAL, Action.EXPIRE): E,
}


@pytest.mark.parametrize(("status", "action"), list(LEGAL))
def test_legal_transitions_follow_the_contract(status: TicketStatus, action: Action) -> None:
    assert next_status(status, action) is LEGAL[(status, action)]


@pytest.mark.parametrize(
    ("status", "action"),
    [(s, a) for s in TicketStatus for a in Action if (s, a) not in LEGAL],
)
def test_every_other_transition_is_illegal(status: TicketStatus, action: Action) -> None:
    with pytest.raises(IllegalTransition):
        next_status(status, action)


def test_finished_tickets_accept_no_action() -> None:
    assert allowed_actions(D) == allowed_actions(N) == allowed_actions(X) == allowed_actions(E) == []
    assert allowed_actions(C) == [Action.RECALL, Action.START, Action.NO_SHOW, Action.CANCEL]


def test_expiry_is_never_offered_to_staff() -> None:
    assert Action.EXPIRE not in allowed_actions(W)
    assert Action.EXPIRE not in allowed_actions(C)


def test_number_is_prefix_and_zero_padded_sequence() -> None:
    assert format_number("A", 1, 3) == "A001"
    assert format_number("", 42, 4) == "0042"


def test_number_grows_a_digit_past_its_width_instead_of_wrapping() -> None:
    assert format_number("A", 999, 3) == "A999"
    assert format_number("A", 1000, 3) == "A1000"


def test_business_day_is_the_local_date_in_viet_nam() -> None:
    late_evening_utc = datetime(2026, 11, 22, 17, 30, tzinfo=UTC)  # 00:30 on the 23rd in Hà Nội
    assert business_day(late_evening_utc, "Asia/Ho_Chi_Minh").isoformat() == "2026-11-23"


def test_business_day_refuses_naive_datetimes() -> None:
    with pytest.raises(ValueError, match="aware"):
        business_day(datetime(2026, 11, 23), "Asia/Ho_Chi_Minh")  # noqa: DTZ001


def test_pace_is_the_moving_average_of_todays_service_times() -> None:
    assert average_service_s([300, 500], planned_minutes=10) == 400
    assert average_service_s([60] * 10 + [6000], planned_minutes=10) == 60  # only the last ten count


def test_pace_falls_back_to_the_planning_figure() -> None:
    assert average_service_s([], planned_minutes=12) == 720


def test_wait_is_shared_among_counters() -> None:
    assert estimate_wait_s(people_ahead=4, average_s=300, counters=2) == 600
    assert estimate_wait_s(people_ahead=0, average_s=300, counters=2) == 0
    assert estimate_wait_s(people_ahead=3, average_s=100, counters=0) == 300


def test_a_counter_serving_a_busier_service_too_gives_this_one_its_share() -> None:
    # Two counters: one serves only this service, the other also a service with three times the work.
    assert service_capacity(600, [600, 2400]) == 1.25
    assert estimate_wait_s(people_ahead=5, average_s=300, counters=service_capacity(600, [600, 2400])) == 1200
    # Nobody waits elsewhere, or nobody waits at all: whole counters.
    assert service_capacity(600, [600, 600]) == 2.0
    assert service_capacity(0, [0, 900]) == 2.0


def test_no_one_with_people_ahead_is_told_zero_minutes() -> None:
    # Three people ahead of quick services measured at a few seconds each: not "0 phút".
    assert estimate_wait_s(people_ahead=3, average_s=4, counters=1) == 180
    assert estimate_wait_s(people_ahead=1, average_s=0, counters=5) == 60
    assert estimate_wait_s(people_ahead=3, average_s=4, counters=3) == 60
