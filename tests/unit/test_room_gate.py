"""The room gate (server/realtime/gate.py): a connection admitted with its snapshot's seq gets the
room's later events exactly once, never those its snapshot already holds."""

from __future__ import annotations

from typing import Any

from server.realtime.gate import RoomGate


def test_a_connection_skips_what_its_snapshot_holds_and_gets_every_later_event() -> None:
    gate = RoomGate()
    with gate.lock:
        gate.admit("site:1", "fresh", {"seq": 5})
        gate.admit("site:1", "other", {"seq": 3})
        gate.admit("site:2", "fresh", {"seq": 9})
    skipped = {seq: gate.skip("site:1", {"seq": seq}) for seq in (3, 4, 5, 6, 7)}
    assert skipped == {3: ["fresh", "other"], 4: ["fresh"], 5: ["fresh"], 6: [], 7: []}
    assert gate.skip("site:2", {"seq": 9}) == ["fresh"]  # each room on its own


def test_messages_without_a_seq_and_connections_that_left_are_never_skipped() -> None:
    gate = RoomGate()
    plain: Any = {"status": "ok"}
    gate.admit("site:1", "gone", {"seq": 5})
    gate.admit("site:1", "pad", {"seq": 0})  # a rating pad's snapshot counts nothing
    assert gate.skip("site:1", plain) == []
    gate.forget("gone")
    assert gate.skip("site:1", {"seq": 4}) == []
