"""The rules of satisfaction ratings (server/domain/ratings.py): the scale, reasons, windows, and who may
rate at a counter — pure Python, no database."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from server.db.models import Counter, Device
from server.domain.access import DeviceKind, Role, device, staff
from server.domain.errors import Conflict, Gone, InvalidValue
from server.domain.events import RatingRequested
from server.domain.ratings import (
    DEFAULT_REASONS,
    RatingSettings,
    check_rateable,
    check_reasons,
    check_score,
    satisfied_pct,
)
from server.domain.tickets import Action
from server.services.queue.tickets import TicketCommand, act_on_ticket
from tests.unit.test_queue_use_cases import NINE, Centre, centre  # noqa: F401 - the fixture

DONE = datetime(2026, 12, 2, 2, 0, tzinfo=UTC)


@pytest.mark.parametrize("score", [0, 6, -1, 2.5, "5", True, None])
def test_a_score_is_a_whole_number_from_one_to_five(score: object) -> None:
    with pytest.raises(InvalidValue):
        check_score(score)


def test_every_score_of_the_scale_is_accepted() -> None:
    assert [check_score(s) for s in range(1, 6)] == [1, 2, 3, 4, 5]


def test_reasons_are_the_sites_codes_each_once_in_the_order_given() -> None:
    assert check_reasons(["other", "waiting_time", "other"], DEFAULT_REASONS) == ("other", "waiting_time")
    with pytest.raises(InvalidValue):
        check_reasons(["bribe"], DEFAULT_REASONS)


def test_only_a_done_ticket_is_rated_once_within_its_window() -> None:
    closes = DONE + timedelta(hours=24)
    with pytest.raises(Conflict) as not_served:
        check_rateable("serving", None, None, False, DONE)
    assert not_served.value.code == "not_served"
    with pytest.raises(Conflict) as rated:
        check_rateable("done", DONE, closes, True, DONE)
    assert rated.value.code == "already_rated"
    with pytest.raises(Gone) as closed:
        check_rateable("done", DONE, closes, False, closes + timedelta(seconds=1))
    assert closed.value.code == "rating_closed"
    check_rateable("done", DONE, closes, False, closes)  # the last instant still counts


def test_settings_default_and_follow_the_configuration() -> None:
    defaults = RatingSettings.of({})
    assert (defaults.pad_seconds, defaults.window_hours, len(defaults.reasons)) == (30, 24, 6)
    assert defaults.pad_closes(DONE) == DONE + timedelta(seconds=30)
    assert defaults.pad_accepts(DONE) == DONE + timedelta(seconds=120)
    custom = RatingSettings.of({"pad_seconds": 45, "reasons": [{"code": "noise", "name": "Ồn ào"}]})
    assert custom.pad_seconds == 45 and [(r.code, r.name_en) for r in custom.reasons] == [("noise", "Ồn ào")]


def test_satisfied_share_counts_fours_and_fives() -> None:
    assert satisfied_pct({5: 2, 4: 1, 1: 1}) == 75.0
    assert satisfied_pct({}) is None


def test_only_the_pad_of_the_counter_may_rate_there() -> None:
    pad = device(7, DeviceKind.RATING, 1, counter_id=3)
    assert pad.can_rate_at(3)
    assert not pad.can_rate_at(4) and not pad.can_rate_at(None)
    assert not device(8, DeviceKind.KIOSK, 1).can_rate_at(3)
    assert not staff(1, "admin", Role.ADMIN, frozenset()).can_rate_at(3)


def test_completing_a_ticket_asks_the_counters_pad_and_only_where_there_is_one(centre: Centre) -> None:  # noqa: F811
    pad = Device(
        id=centre.store.next_id(),
        site_id=centre.site.id,
        kind="rating",
        name="Pad",
        settings={"counter_id": centre.q1.id},
    )
    centre.store.devices[pad.id] = pad
    centre.site.ratings = {}

    def serve(counter: Counter) -> list[object]:
        centre.issue(centre.certify)
        ticket = centre.call_next(counter, NINE)
        assert ticket is not None
        act_on_ticket(
            TicketCommand(actor=centre.clerk, ticket_id=ticket, action=Action.START, at=NINE), centre.uow()
        )
        before = len(centre.store.published)
        done = TicketCommand(actor=centre.clerk, ticket_id=ticket, action=Action.COMPLETE, at=NINE)
        act_on_ticket(done, centre.uow())
        return list(centre.store.published[before:])

    asked = [e for e in serve(centre.q1) if isinstance(e, RatingRequested)]
    assert len(asked) == 1
    assert asked[0].counter_id == centre.q1.id and asked[0].expires_at == NINE + timedelta(seconds=30)
    assert not [e for e in serve(centre.q2) if isinstance(e, RatingRequested)]  # no pad at Q2
