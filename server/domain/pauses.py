"""Why a counter is paused (lý do tạm dừng quầy): the reasons a clerk chooses on the tablet, recorded in
the counter's events and counted in the time accounting of the clerk's day."""

from __future__ import annotations

from enum import StrEnum


class PauseReason(StrEnum):
    BREAK = "break"  # nghỉ giải lao
    MEETING = "meeting"  # họp
    AWAY = "away"  # helping a citizen away from the desk (hỗ trợ công dân ngoài quầy)
    SYSTEM = "system"  # a system problem (sự cố hệ thống)
    OTHER = "other"  # khác


class CounterEventKind(StrEnum):
    """What happened to a counter itself (not to a ticket at it)."""

    OPENED = "opened"
    PAUSED = "paused"
    CLOSED = "closed"
