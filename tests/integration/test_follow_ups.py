"""What the publisher reads after each batch (server/services/queue/views.py ``FollowUps``): a line kept
from the last read, extended with the tickets later batches issued, gives what a fresh read gives; a
batch missed (another process's), or one that calls or changes a ticket, makes the next read read again."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import UTC, datetime

import sqlalchemy as sa
from flask import Flask

from server.domain.events import Event
from server.services.queue.views import FollowUp, FollowUps
from tests.conftest import Clock, World
from tests.printer_server import PrinterServer


def test_a_kept_line_gives_what_a_fresh_read_gives_and_a_missed_batch_reads_again(
    make_app: Callable[..., Flask], database_url: str
) -> None:
    world = World(make_app(database_url))
    luot, site_id = world.luot, world.site("CB")["id"]
    clock = Clock(datetime.now(UTC))  # both reads of a check see the same instant
    luot.clock = clock
    printer = (
        PrinterServer().start()
    )  # its spooler's events (printed) come between the issues, as at a centre
    batches: list[list[Event]] = []  # every committed batch, as the publisher gets them (the spooler's too)
    luot.bus.subscribe("test", lambda events: batches.append(list(events)))
    kiosk, clerk = world.device("kiosk", printer=printer.uri), world.staff("clerk")
    kept, noted = FollowUps(), [0]
    line_reads: list[str] = []  # this thread's statements reading waiting tickets' rows (their public codes)
    reader = threading.get_ident()

    def seen(_conn: object, _cursor: object, statement: str, *_args: object) -> None:
        select = statement.lstrip().upper().startswith("SELECT")
        if threading.get_ident() == reader and select and "public_code" in statement:
            line_reads.append(statement)

    sa.event.listen(luot.database.engine, "before_cursor_execute", seen)

    def read(follow_ups: FollowUps) -> FollowUp:
        with luot.read() as session:
            return follow_ups.read(session, site_id, luot.now(), positions=False)

    def check(line_read: bool = False, missed: int = 0) -> FollowUp:
        """Note the batches committed since the last check (but the ``missed`` first), then read."""
        for batch in batches[noted[0] + missed :]:
            kept.note(batch)
        noted[0] = len(batches)
        clock.advance(seconds=40)
        line_reads.clear()
        follow = read(kept)
        assert bool(line_reads) is line_read
        assert follow == read(FollowUps())  # a reader with nothing kept reads everything
        return follow

    world.issue(kiosk)
    check(line_read=True)
    for service in ("HT", "HT", "CT", "HT"):  # the line is extended by each batch
        world.issue(kiosk, service=service, priority="elderly" if service == "CT" else "none")
        follow = check()
    assert follow.outlook.forecast.waiting == 5

    world.issue(kiosk)  # issued out of this reader's sight (another process): the next batch has a gap
    missed = len(batches) - noted[0]
    world.issue(kiosk)
    assert check(line_read=True, missed=missed).outlook.forecast.waiting == 7

    counter_id = world.open_counter(clerk)  # opening a counter changes no ticket: the line is kept
    assert check().outlook.forecast.waiting == 7
    world.client.post(f"/api/v1/counters/{counter_id}/call-next", headers=clerk)  # a call: read again
    assert check(line_read=True).outlook.forecast.waiting == 6
    world.issue(kiosk)
    assert check().outlook.forecast.waiting == 7
    assert len(printer.wait_for(8)) == 8  # every ticket printed, the spooler's events in the stream
    assert check().outlook.forecast.waiting == 7
    printer.stop()
