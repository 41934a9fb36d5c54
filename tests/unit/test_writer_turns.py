"""The turns of a process's writers: staff go before the kiosks waiting; PostgreSQL sites side by side."""

from __future__ import annotations

import threading
from collections.abc import Callable

from server.db.engine import WriterTurns

WAIT_S = 30  # a bound for a thread that should already have done its part, never a pace


def until(condition: Callable[[], bool]) -> None:
    event = threading.Event()
    for _ in range(WAIT_S * 1000):
        if condition():
            return
        event.wait(0.001)
    raise AssertionError("the condition never held")


def writer(turns: WriterTurns, name: str, order: list[str], site_id: int | None = None, staff: bool = False):
    def run() -> None:
        with turns.turn(site_id, staff=staff):
            order.append(name)

    thread = threading.Thread(target=run)
    thread.start()
    return thread


def test_a_clerk_goes_before_the_kiosks_already_waiting() -> None:
    turns = WriterTurns(per_site=False)
    order: list[str] = []
    with turns.turn():
        kiosks = [writer(turns, f"kiosk {n}", order) for n in range(3)]
        until(lambda: turns.waiting() == (0, 3))
        clerk = writer(turns, "clerk", order, staff=True)
        until(lambda: turns.waiting() == (1, 3))
    for thread in (*kiosks, clerk):
        thread.join(WAIT_S)
    assert order[0] == "clerk"
    assert sorted(order[1:]) == ["kiosk 0", "kiosk 1", "kiosk 2"]


def test_sqlite_has_one_turn_whatever_the_site() -> None:
    turns = WriterTurns(per_site=False)
    order: list[str] = []
    with turns.turn(1):
        other_site = writer(turns, "site 2", order, site_id=2)
        until(lambda: turns.waiting(2) == (0, 1))
        assert order == []
    other_site.join(WAIT_S)
    assert order == ["site 2"]


def test_on_postgresql_the_writers_of_another_site_do_not_wait() -> None:
    turns = WriterTurns(per_site=True)
    order: list[str] = []
    with turns.turn(1):
        writer(turns, "site 2", order, site_id=2).join(WAIT_S)
        writer(turns, "no site named", order).join(WAIT_S)
        assert order == ["site 2", "no site named"]
        same_site = writer(turns, "site 1", order, site_id=1)
        until(lambda: turns.waiting(1) == (0, 1))
    same_site.join(WAIT_S)
    assert order[-1] == "site 1"


def test_a_unit_of_work_inside_another_takes_no_second_turn() -> None:
    turns = WriterTurns(per_site=False)
    with turns.turn(), turns.turn(staff=True):
        assert turns.waiting() == (0, 0)
    order: list[str] = []
    writer(turns, "after", order).join(WAIT_S)
    assert order == ["after"]


def test_a_row_of_staff_presses_lets_a_waiting_kiosk_through() -> None:
    turns = WriterTurns(per_site=False)
    order: list[str] = []
    with turns.turn():
        kiosk = writer(turns, "kiosk", order)
        until(lambda: turns.waiting() == (0, 1))
        clerks = [writer(turns, "clerk", order, staff=True) for _ in range(4)]
        until(lambda: turns.waiting() == (4, 1))
    for thread in (kiosk, *clerks):
        thread.join(WAIT_S)
    assert order == ["clerk", "clerk", "kiosk", "clerk", "clerk"]
