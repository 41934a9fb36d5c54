"""Early warnings on the manager's live view (cảnh báo sớm), and the forecast of waits within target.

A manager should hear of a wait going wrong before anyone has waited past target. From the live state of
one site's queue (how many wait per service, the queue's estimate, each service's target, the counters) this
says, in one pure function:

- ``estimate_over_target`` — the queue's estimate for a service (the wait of whoever joins it now) is past
  the service's target, though nobody may have waited that long yet;
- ``no_open_counter`` — people wait for a service and no open counter serves it (every counter of the
  service is closed or paused);
- ``idle_counter`` — a counter is open, calls nobody and is not paused, while people wait for its services.

The forecast is the share of the tickets waiting now whose expected wait (what they have waited so far plus
their estimate by their place in line) is within their service's target; a ticket of a service no open
counter serves is not expected within target (nobody is calling it). Beside the share measured today among
those already called, it tells whether the day is about to get worse. With it go the seconds each ticket
expected within target has to spare (``slack_s``), so that a page ageing the waits between two events ages
the forecast the same way: a wait shown past target is never counted within target.
"""

from __future__ import annotations

from collections.abc import Sequence, Set
from dataclasses import dataclass
from enum import StrEnum


class WarningKind(StrEnum):
    ESTIMATE_OVER_TARGET = "estimate_over_target"
    NO_OPEN_COUNTER = "no_open_counter"
    IDLE_COUNTER = "idle_counter"


@dataclass(frozen=True, kw_only=True)
class ServiceLine:
    """One service of the site now."""

    service_id: int
    waiting: int
    estimated_wait_s: int  # the queue's estimate for whoever joins the line now
    target_wait_s: int
    expected_waits_s: tuple[int, ...] = ()  # each waiting ticket: waited so far + its estimate


@dataclass(frozen=True, kw_only=True)
class CounterLine:
    """One counter of the site now: ``status`` open, paused or closed; ``busy`` with a ticket called or
    being served."""

    counter_id: int
    status: str
    busy: bool
    services: tuple[int, ...]


@dataclass(frozen=True, kw_only=True)
class EarlyWarning:
    kind: str  # a WarningKind
    service_id: int | None = None
    counter_id: int | None = None
    waiting: int = 0  # people waiting for the service (for a counter: for its services)
    estimated_wait_s: int | None = None
    target_wait_s: int | None = None


@dataclass(frozen=True, kw_only=True)
class Forecast:
    waiting: int
    within_target: int
    within_target_pct: float | None  # None while nobody waits
    slack_s: tuple[int, ...] = ()  # seconds to spare of each ticket expected within target, smallest first


NOBODY_WAITING = Forecast(waiting=0, within_target=0, within_target_pct=None)


@dataclass(frozen=True, kw_only=True)
class Outlook:
    warnings: tuple[EarlyWarning, ...] = ()
    forecast: Forecast = NOBODY_WAITING


NO_OUTLOOK = Outlook()  # when it could not be worked out


def outlook(services: Sequence[ServiceLine], counters: Sequence[CounterLine]) -> Outlook:
    """The early warnings and the forecast of one site, services first (in the order given), then
    counters."""
    warnings: list[EarlyWarning] = []
    waiting = {s.service_id: s.waiting for s in services}
    unserved = set()
    for service in services:
        if service.waiting <= 0:
            continue
        if service.estimated_wait_s > service.target_wait_s:
            warnings.append(
                EarlyWarning(
                    kind=WarningKind.ESTIMATE_OVER_TARGET.value,
                    service_id=service.service_id,
                    waiting=service.waiting,
                    estimated_wait_s=service.estimated_wait_s,
                    target_wait_s=service.target_wait_s,
                )
            )
        if not any(c.status == "open" and service.service_id in c.services for c in counters):
            unserved.add(service.service_id)
            warnings.append(
                EarlyWarning(
                    kind=WarningKind.NO_OPEN_COUNTER.value,
                    service_id=service.service_id,
                    waiting=service.waiting,
                )
            )
    for counter in counters:
        if counter.status != "open" or counter.busy:
            continue
        people = sum(waiting.get(sid, 0) for sid in set(counter.services))
        if people > 0:
            warnings.append(
                EarlyWarning(
                    kind=WarningKind.IDLE_COUNTER.value, counter_id=counter.counter_id, waiting=people
                )
            )
    return Outlook(warnings=tuple(warnings), forecast=forecast(services, unserved))


def forecast(services: Sequence[ServiceLine], unserved: Set[int] = frozenset()) -> Forecast:
    """The share of waiting tickets expected to be called within their service's target; those of the
    ``unserved`` services (no open counter) are not."""
    total = 0
    slack: list[int] = []
    for service in services:
        total += len(service.expected_waits_s)
        if service.service_id in unserved:
            continue
        slack.extend(
            service.target_wait_s - w for w in service.expected_waits_s if w <= service.target_wait_s
        )
    return Forecast(
        waiting=total,
        within_target=len(slack),
        within_target_pct=percent(len(slack), total),
        slack_s=tuple(sorted(slack)),
    )


def percent(part: int, whole: int) -> float | None:
    """``part`` of ``whole`` in percent rounded half up to a tenth (as the statistics round it)."""
    if whole <= 0:
        return None
    return ((2000 * part + whole) // (2 * whole)) / 10
