"""Site boxes, the rules: what a box owns, where its record ids live, and events as JSON.

A box is authoritative for its site's queue. The rows it writes keep the same primary keys on the
upstream, so that a ticket, its history and every event about it read the same on both sides; to keep
the keys of two boxes (and of the upstream's own sites) apart, a box numbers the rows it creates in a
range of its own site (:func:`id_base`).

Events travel as JSON (:func:`encode_event`, :func:`decode_event`) with their ``seq``, and the upstream
publishes them again as they were.
"""

from __future__ import annotations

import dataclasses
import types
import typing
from datetime import date, datetime
from typing import Any

from . import events as domain_events
from .events import Event

# Tables whose rows a box writes for its site and sends upstream, in the order the upstream stores them
# (foreign keys: a ticket before its history, its counter and its print jobs).
OWNED_TABLES = (
    "tickets",
    "ticket_events",
    "counters",
    "print_jobs",
    "printer_states",
    "appointments",
    "appointment_events",
    "ratings",
    "counter_events",
)
# Of those, tables whose rows only the box creates: they are numbered in the box's own range.
NUMBERED_TABLES = (
    "tickets",
    "ticket_events",
    "print_jobs",
    "appointment_events",
    "ratings",
    "counter_events",
)
# The columns of a counter that the box owns (the rest is configuration, which flows down).
COUNTER_RUNTIME = ("status", "clerk_id", "current_ticket_id", "version", "status_since", "pause_reason")
# An appointment belongs to the upstream (booking); the box only checks citizens in.
APPOINTMENT_BOX_STATUSES = ("checked_in",)

# 32-bit keys (tickets, print jobs): above the upstream's own, 4 million per site (≈ 25 years of a busy
# site), for site ids up to 285. 64-bit keys (histories): 10¹² per site.
SMALL_BASE = 1_000_000_000
SMALL_SPAN = 4_000_000
BIG_SPAN = 1_000_000_000_000
BIG_TABLES = ("ticket_events", "appointment_events", "counter_events")


def id_base(table: str, site_id: int) -> int:
    """The last id before the range where a box of ``site_id`` numbers its rows of ``table``."""
    if table in BIG_TABLES:
        return site_id * BIG_SPAN
    return SMALL_BASE + site_id * SMALL_SPAN


def id_limit(table: str, site_id: int) -> int:
    return id_base(table, site_id) + (BIG_SPAN if table in BIG_TABLES else SMALL_SPAN)


def _event_types() -> dict[str, type[Event]]:
    found: dict[str, type[Event]] = {}
    pending: list[type[Event]] = [Event]
    while pending:
        cls = pending.pop()
        found[cls.__name__] = cls
        pending.extend(cls.__subclasses__())
    return found


def to_json(value: Any) -> Any:
    """Dataclasses, datetimes and dates as JSON values (datetimes in ISO 8601 with their offset)."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: to_json(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, tuple | list):
        return [to_json(item) for item in value]
    if isinstance(value, dict):
        return {str(key): to_json(item) for key, item in value.items()}
    return value


def encode_event(event: Event) -> dict[str, Any]:
    return {"type": type(event).__name__, "data": to_json(event)}


class UnknownEvent(ValueError):
    """An event type this server does not know (a newer box)."""


def decode_event(document: dict[str, Any]) -> Event:
    cls = _event_types().get(str(document.get("type")))
    if cls is None or cls is Event:
        raise UnknownEvent(str(document.get("type")))
    value = _from_json(cls, document.get("data") or {})
    assert isinstance(value, Event)
    return value


def _from_json(kind: Any, value: Any) -> Any:
    if value is None:
        return None
    origin = typing.get_origin(kind)
    if origin in (typing.Union, types.UnionType):
        options = [arg for arg in typing.get_args(kind) if arg is not type(None)]
        return _from_json(options[0], value) if len(options) == 1 else value
    if origin is tuple:
        args = typing.get_args(kind)
        inner = args[0] if args else Any
        return tuple(_from_json(inner, item) for item in value)
    if origin in (list, dict):
        return value
    if kind is datetime:
        return datetime.fromisoformat(value)
    if kind is date:
        return date.fromisoformat(value)
    if isinstance(kind, type) and dataclasses.is_dataclass(kind):
        hints = typing.get_type_hints(kind, vars(domain_events) | _module_names(kind))
        init = {
            f.name: _from_json(hints[f.name], value[f.name])
            for f in dataclasses.fields(kind)
            if f.init and f.name in value
        }
        return kind(**init)
    return value


def _module_names(kind: type) -> dict[str, Any]:
    import sys

    module = sys.modules.get(kind.__module__)
    return dict(vars(module)) if module else {}
