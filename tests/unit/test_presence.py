"""When a device's last-seen time is worth writing, and when it counts as online now."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from server.domain.presence import online, worth_writing

T = datetime(2026, 11, 23, 1, 0, tzinfo=UTC)


def test_a_last_seen_time_is_written_at_most_once_a_minute() -> None:
    assert worth_writing(None, T)
    assert not worth_writing(T, T + timedelta(seconds=59))
    assert worth_writing(T, T + timedelta(seconds=60))


def test_a_device_is_online_while_connected_or_for_two_minutes_after_it_was_seen() -> None:
    assert online(None, T, connected=True)
    assert not online(None, T, connected=False)
    assert online(T, T + timedelta(minutes=2), connected=False)
    assert not online(T, T + timedelta(minutes=2, seconds=1), connected=False)
