"""What the publisher reads after each batch (server/services/queue/views.py ``FollowUps``): a line kept
from the last read, extended with the tickets a batch issued, gives what a fresh read gives; a batch that
is not the next of the site's stream, or that does more than issue, reads the line again."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import sqlalchemy as sa
from flask import Flask

from server.domain.events import Event
from server.services.queue.views import FollowUp, FollowUps
from tests.conftest import World


def read(world: World, follow_ups: FollowUps, events: Sequence[Event], positions: bool = False) -> FollowUp:
    luot, site_id = world.luot, world.site("CB")["id"]
    with luot.read() as session:
        return follow_ups.read(session, site_id, luot.now(), events, positions=positions)


def test_a_kept_line_gives_what_a_fresh_read_gives_and_a_gap_reads_again(
    make_app: Callable[..., Flask], database_url: str
) -> None:
    world = World(make_app(database_url))
    batches: list[list[Event]] = []
    world.luot.bus.subscribe("test", lambda events: batches.append(list(events)))
    kiosk, clerk = world.device("kiosk"), world.staff("clerk")
    kept = FollowUps()
    line_reads: list[str] = []  # statements reading the waiting tickets' rows (their public codes)

    def seen(_conn: object, _cursor: object, statement: str, *_args: object) -> None:
        if statement.lstrip().upper().startswith("SELECT") and "public_code" in statement:
            line_reads.append(statement)

    sa.event.listen(world.luot.database.engine, "before_cursor_execute", seen)

    def check(events: Sequence[Event], line_read: bool = False) -> FollowUp:
        line_reads.clear()
        follow = read(world, kept, events)
        assert bool(line_reads) is line_read
        assert follow == read(world, FollowUps(), events)  # a reader with nothing kept reads everything
        return follow

    world.issue(kiosk)
    check(batches[-1], line_read=True)
    for service in ("HT", "HT", "CT", "HT"):  # each batch the next of the stream: the line is extended
        world.issue(kiosk, service=service, priority="elderly" if service == "CT" else "none")
        follow = check(batches[-1])
    assert follow.outlook.forecast.waiting == 5

    world.issue(kiosk)  # issued out of this reader's sight (another process): the next batch has a gap
    world.issue(kiosk)
    assert check(batches[-1], line_read=True).outlook.forecast.waiting == 7

    counter_id = world.open_counter(clerk)  # more than issuing: read again
    world.client.post(f"/api/v1/counters/{counter_id}/call-next", headers=clerk)
    follow = check([e for batch in batches[-2:] for e in batch], line_read=True)
    assert follow.outlook.forecast.waiting == 6
    world.issue(kiosk)
    assert check(batches[-1]).outlook.forecast.waiting == 7
