"""The pieces of Socket.IO flow control, without a server: the per-connection budget, the bounded send
queue, the coalescing of refreshes, and the checks on a connection's ``auth``."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from server.domain.errors import BadRequest
from server.realtime.flow import SendQueue, SnapshotPacer, TokenBucket
from server.realtime.handshake import Auth, parse_auth


class FakeClock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


class Packet:
    def __init__(self, data: str) -> None:
        self.data = data


def test_a_bucket_allows_its_burst_then_its_rate() -> None:
    clock = FakeClock()
    bucket = TokenBucket(rate=5, burst=3, clock=clock)
    assert [bucket.take() for _ in range(4)] == [True, True, True, False]
    clock.now += 0.2  # one token back
    assert [bucket.take(), bucket.take()] == [True, False]
    clock.now += 60  # never more than the burst
    assert sum(bucket.take() for _ in range(10)) == 3


def test_a_send_queue_drops_past_its_bound_and_says_so_once() -> None:
    overflowed: list[bool] = []
    queue = SendQueue(max_packets=3, max_bytes=10_000)
    queue.on_overflow = lambda: overflowed.append(True)
    for n in range(6):
        queue.put(Packet(f"packet {n}"))
    assert queue.qsize() == 3 and overflowed == [True]
    queue.put(None)  # the writer's "closed" mark always goes in
    assert [queue.get() for _ in range(4)][-1] is None


def test_a_send_queue_counts_bytes() -> None:
    queue = SendQueue(max_packets=100, max_bytes=25)
    queue.put(Packet("x" * 10))
    queue.put(Packet("x" * 10))
    queue.put(Packet("x" * 10))  # 30 bytes would be past the bound
    assert queue.qsize() == 2 and queue.overflowed
    queue.get()
    assert queue.bytes == 10


def test_a_send_queue_is_drained_once_the_writer_took_its_close_twice() -> None:
    queue = SendQueue(max_packets=10, max_bytes=10_000)
    queue.put(Packet("error"))
    queue.put(None)
    queue.get(), queue.get()
    assert not queue.drained.is_set()
    queue.put(None)  # Engine.IO's writer puts it back after a batch, then ends on it
    queue.get()
    assert queue.drained.is_set()


class Tasks:
    """start_task that runs nothing until told, and a sleep that advances the fake clock."""

    def __init__(self, clock: FakeClock) -> None:
        self.clock = clock
        self.pending: list[tuple[Callable[..., Any], tuple[Any, ...]]] = []

    def start(self, target: Callable[..., Any], *args: Any) -> None:
        self.pending.append((target, args))

    def sleep(self, seconds: float) -> None:
        self.clock.now += seconds

    def run(self) -> None:
        while self.pending:
            target, args = self.pending.pop(0)
            target(*args)


def test_refreshes_within_an_interval_become_one_snapshot_at_its_end() -> None:
    clock = FakeClock()
    tasks = Tasks(clock)
    pacer = SnapshotPacer(1.0, tasks.start, tasks.sleep, clock)
    sent: list[float] = []
    pacer.sent("a")  # the connect's snapshot
    for _ in range(50):
        pacer.request("a", lambda: sent.append(clock.now))
    assert sent == [] and len(tasks.pending) == 1
    tasks.run()
    assert sent == [101.0]
    clock.now += 5
    pacer.request("a", lambda: sent.append(clock.now))  # long after: at once
    assert sent == [101.0, 106.0]


def test_a_connection_gone_before_its_snapshot_is_due_gets_none() -> None:
    clock = FakeClock()
    tasks = Tasks(clock)
    pacer = SnapshotPacer(1.0, tasks.start, tasks.sleep, clock)
    sent: list[str] = []
    pacer.sent("a")
    pacer.request("a", lambda: sent.append("a"))
    pacer.forget("a")
    tasks.run()
    assert sent == []


@pytest.mark.parametrize(
    "raw",
    [
        "token",
        [1],
        5,
        {"token": 5},
        {"token": ["t"]},
        {"token": ""},
        {"token": "t" * 201},
        {"token": "t", "site_id": 2**70},
        {"token": "t", "site_id": 0},
        {"token": "t", "site_id": "1"},
        {"token": "t", "site_id": False},
        {"public_code": 1},
        {"public_code": ""},
        {"public_code": "c", "site_id": 1},
        {"other": "key"},
    ],
    ids=lambda auth: repr(auth)[:40],
)
def test_malformed_auth_is_a_bad_request(raw: Any) -> None:
    with pytest.raises(BadRequest) as refused:
        parse_auth(raw)
    assert refused.value.code == "malformed_request"


def test_good_auth_passes_with_unknown_keys_beside_known_ones() -> None:
    assert parse_auth(None) == Auth()
    assert parse_auth({}) == Auth()
    assert parse_auth({"token": "t", "site_id": 3, "v": 2}) == Auth(token="t", site_id=3)
    assert parse_auth({"public_code": "abc"}) == Auth(public_code="abc")
