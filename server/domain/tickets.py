"""The ticket (phiếu số thứ tự): its statuses, priorities and the state machine of API.md.

::

    waiting ──call──▶ called ──start──▶ serving ──complete──▶ done
       ▲                │ └──no_show──▶ no_show       │
       │                └──────cancel─▶ cancelled     │
       └───────────────────transfer───────────────────┘   (waiting can be cancelled too)

    waiting | called ──expire──▶ expired   (the day closed before the citizen was served)

A transfer sends a ticket being served back to ``waiting`` for another service: it keeps its number and
its original issue time, so the citizen does not lose their place.

When a site's day closes (:mod:`.closing`), tickets still in one of :data:`EXPIRES_AT_DAY_END` are closed
as ``expired`` (hết hạn): counted as not served, and never carried into the next day's queue. A status
that should also end with the day joins that set.
"""

from __future__ import annotations

from enum import StrEnum

from .errors import N_, IllegalTransition


class TicketStatus(StrEnum):
    WAITING = "waiting"
    CALLED = "called"
    SERVING = "serving"
    DONE = "done"
    NO_SHOW = "no_show"
    CANCELLED = "cancelled"
    EXPIRED = "expired"  # hết hạn: the day closed before the ticket was served


ACTIVE_STATUSES = frozenset({TicketStatus.WAITING, TicketStatus.CALLED, TicketStatus.SERVING})
AT_COUNTER_STATUSES = frozenset({TicketStatus.CALLED, TicketStatus.SERVING})
# The statuses a ticket is closed from when its day closes (the ``expire`` action).
EXPIRES_AT_DAY_END = frozenset({TicketStatus.WAITING, TicketStatus.CALLED})


class Priority(StrEnum):
    """Priority groups (đối tượng ưu tiên), declared by the citizen on trust."""

    NONE = "none"
    ELDERLY = "elderly"  # người cao tuổi
    DISABLED = "disabled"  # người khuyết tật
    PREGNANT = "pregnant"  # phụ nữ mang thai
    INFANT = "infant"  # người đi cùng con nhỏ
    MERIT = "merit"  # người có công với cách mạng


class Action(StrEnum):
    CALL = "call"
    RECALL = "recall"
    START = "start"
    COMPLETE = "complete"
    NO_SHOW = "no_show"
    TRANSFER = "transfer"
    CANCEL = "cancel"
    EXPIRE = "expire"  # by the day's closing, never by staff


_TRANSITIONS: dict[Action, tuple[frozenset[TicketStatus], TicketStatus]] = {
    Action.CALL: (frozenset({TicketStatus.WAITING}), TicketStatus.CALLED),
    Action.RECALL: (frozenset({TicketStatus.CALLED}), TicketStatus.CALLED),
    Action.START: (frozenset({TicketStatus.CALLED}), TicketStatus.SERVING),
    Action.COMPLETE: (frozenset({TicketStatus.SERVING}), TicketStatus.DONE),
    Action.NO_SHOW: (frozenset({TicketStatus.CALLED}), TicketStatus.NO_SHOW),
    Action.TRANSFER: (frozenset({TicketStatus.SERVING}), TicketStatus.WAITING),
    Action.CANCEL: (frozenset({TicketStatus.WAITING, TicketStatus.CALLED}), TicketStatus.CANCELLED),
    Action.EXPIRE: (EXPIRES_AT_DAY_END, TicketStatus.EXPIRED),
}

# Actions the system takes by itself: not offered to staff, refused on the staff routes.
SYSTEM_ACTIONS = frozenset({Action.EXPIRE})


def next_status(current: TicketStatus, action: Action) -> TicketStatus:
    """The status a ticket in ``current`` moves to under ``action``; :class:`IllegalTransition` if none."""
    allowed_from, target = _TRANSITIONS[action]
    if current not in allowed_from:
        raise IllegalTransition(
            N_("A ticket that is %(status)s cannot be given the action %(action)s."),
            status=current.value,
            action=action.value,
        )
    return target


def allowed_actions(current: TicketStatus) -> list[Action]:
    """The actions a ticket in ``current`` accepts, in the order a clerk would take them."""
    return [
        action
        for action, (sources, _) in _TRANSITIONS.items()
        if current in sources and action not in SYSTEM_ACTIONS
    ]
