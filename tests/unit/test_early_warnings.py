"""The early warnings of the manager's live view and the forecast of waits within target."""

from __future__ import annotations

import json

from server.domain import sync
from server.domain.early_warnings import CounterLine, ServiceLine, forecast, outlook
from server.domain.events import QueueChanged, ServiceWaiting

HT, CT = 1, 2
TARGET = 20 * 60


def service(sid: int, waiting: int, estimate_s: int = 0, *expected: int) -> ServiceLine:
    return ServiceLine(
        service_id=sid,
        waiting=waiting,
        estimated_wait_s=estimate_s,
        target_wait_s=TARGET,
        expected_waits_s=tuple(expected),
    )


def counter(
    cid: int, status: str = "open", busy: bool = True, services: tuple[int, ...] = (HT,)
) -> CounterLine:
    return CounterLine(counter_id=cid, status=status, busy=busy, services=services)


def kinds(result: object) -> list[tuple[str, int | None, int | None]]:
    return [(w.kind, w.service_id, w.counter_id) for w in result.warnings]  # type: ignore[attr-defined]


def test_an_estimate_past_target_is_a_warning_before_anyone_has_waited_that_long() -> None:
    result = outlook([service(HT, 5, TARGET + 60, 60, 400, 800, 1100, 1300)], [counter(1)])
    assert kinds(result) == [("estimate_over_target", HT, None)]
    assert result.warnings[0].estimated_wait_s == TARGET + 60
    assert result.warnings[0].target_wait_s == TARGET


def test_an_estimate_at_target_is_no_warning() -> None:
    assert kinds(outlook([service(HT, 3, TARGET)], [counter(1)])) == []


def test_people_waiting_with_every_counter_closed_or_paused() -> None:
    counters = [counter(1, "closed", busy=False), counter(2, "paused", busy=False, services=(HT, CT))]
    result = outlook([service(HT, 2, 300), service(CT, 0)], counters)
    assert kinds(result) == [("no_open_counter", HT, None)]
    assert result.warnings[0].waiting == 2


def test_an_open_counter_of_another_service_does_not_serve_this_one() -> None:
    result = outlook([service(HT, 1, 60)], [counter(1, services=(CT,))])
    assert kinds(result) == [("no_open_counter", HT, None)]


def test_an_idle_open_counter_while_its_services_have_people_waiting() -> None:
    counters = [counter(1, busy=False, services=(HT, CT)), counter(2, busy=True), counter(3, "paused", False)]
    result = outlook([service(HT, 2, 300), service(CT, 1, 60)], counters)
    assert kinds(result) == [("idle_counter", None, 1)]
    assert result.warnings[0].waiting == 3


def test_an_idle_counter_with_nobody_waiting_for_its_services_is_fine() -> None:
    assert (
        kinds(
            outlook(
                [service(HT, 0), service(CT, 4, 300)], [counter(1, busy=False), counter(2, services=(CT,))]
            )
        )
        == []
    )


def test_the_forecast_counts_the_waiting_tickets_expected_within_target() -> None:
    result = forecast([service(HT, 3, 0, 60, TARGET, TARGET + 1), service(CT, 1, 0, 10)])
    assert (result.waiting, result.within_target, result.within_target_pct) == (4, 3, 75.0)


def test_the_forecast_gives_each_ticket_within_target_its_seconds_to_spare() -> None:
    result = forecast([service(HT, 3, 0, TARGET - 30, 60, TARGET + 5)])
    assert result.slack_s == (30, TARGET - 60)


def test_nobody_waiting_for_a_service_no_open_counter_serves_is_expected_within_target() -> None:
    result = outlook([service(HT, 1, 0, 0), service(CT, 1, 0, 0)], [counter(1, services=(CT,))])
    assert kinds(result) == [("no_open_counter", HT, None)]
    assert (result.forecast.waiting, result.forecast.within_target, result.forecast.within_target_pct) == (
        2,
        1,
        50.0,
    )


def test_the_forecast_is_none_while_nobody_waits() -> None:
    assert forecast([service(HT, 0)]).within_target_pct is None


def test_the_forecast_rounds_to_a_tenth_half_up() -> None:
    assert forecast([service(HT, 3, 0, 1, 1, TARGET + 1)]).within_target_pct == 66.7


def test_a_queue_change_from_a_box_that_still_sends_its_outlook_is_taken_without_it() -> None:
    event = QueueChanged(
        site_id=1,
        seq=5,
        waiting_by_service=(ServiceWaiting(service_id=HT, waiting=2, estimated_wait_s=TARGET + 1),),
    )
    document = json.loads(json.dumps(sync.encode_event(event)))
    assert sync.decode_event(document) == event
    # The upstream works out the outlook of the box's site from its own rows, after commit.
    document["data"]["outlook"] = {"warnings": [], "forecast": {"waiting": 2}}
    assert sync.decode_event(document) == event
