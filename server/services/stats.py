"""Statistics of a period (thống kê) for a manager: counts, wait and service times, per service, counter,
clerk and hour, appointments kept, late and missed — and the ticket log of the period.

Everything is counted by the database from the ticket history (``ticket_events``) of the sites' local
days, with aggregates and window functions that run the same on SQLite and PostgreSQL; no ticket is
loaded into Python. Definitions (docs/stats.md):

- a ticket is *issued* by its ``issued`` event (a walk-in, or an appointment's check-in);
- *wait* = first call − issue (check-in for appointments): the ticket's ``wait_s``, counted in the period
  of its first call; *service* = complete − start: ``service_s``, counted in the period of completion;
- percentiles are nearest-rank: the p-th percentile of n values is the k-th smallest, k = ⌈p·n/100⌉;
- averages are rounded to whole seconds (halves up); percentages to one decimal (halves up);
- *satisfaction* counts the ratings of the tickets completed in the period, beside those tickets
  (``served``): the response rate stands next to every score (see :func:`satisfaction`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, Select, and_, case, func, literal_column, select
from sqlalchemy.orm import Session, aliased

from ..db.models import (
    Appointment,
    Commune,
    Counter,
    CounterEvent,
    CounterService,
    Rating,
    Service,
    Site,
    Ticket,
    TicketEvent,
    User,
)
from ..db.queries import local_hour
from ..db.repositories import Repositories
from ..domain.access import Principal
from ..domain.days import business_day, day_bounds, local_day
from ..domain.errors import N_, Forbidden, InvalidValue, NotFound
from ..domain.periods import check_report_days
from ..domain.time_accounting import CounterMark, TimeSheet, account, busy_intervals
from .core.lookups import get_site
from .csv_export import csv_text

MAX_DAYS = 366
MAX_TIME_DAYS = 31  # the time accounting reads every event of the period: a month at most
WAIT_BUCKET_S = 300  # the wait distribution: five-minute bars…
WAIT_BUCKETS = 12  # …up to an hour, then one bar for everything longer
PERCENTILES = (50, 90)


@dataclass(frozen=True)
class Scope:
    """The sites a report covers, and its period of local dates (both ends included)."""

    sites: tuple[Site, ...]
    first: date
    last: date
    commune_code: str | None = None

    @property
    def site_ids(self) -> list[int]:
        return [site.id for site in self.sites]

    @property
    def timezone(self) -> str:
        return self.sites[0].timezone

    def bounds(self) -> tuple[datetime, datetime]:
        period = day_bounds(self.first, self.timezone, self.last)
        return period.start, period.end


# -- who may see what ------------------------------------------------------------------------------


def site_scope(
    session: Session, actor: Principal, site_id: int, first: date | None, last: date | None, now: datetime
) -> Scope:
    """One site, which the caller must manage (403 otherwise)."""
    site = get_site(Repositories(session).sites, site_id)
    actor.require(actor.can_manage(site.id))
    return _scope((site,), first, last, now)


def commune_scope(
    session: Session, actor: Principal, code: str, first: date | None, last: date | None, now: datetime
) -> Scope:
    """Every site of a commune that the caller manages; 403 when they manage none of them."""
    commune = session.scalar(select(Commune).where(Commune.code == code))
    if commune is None:
        raise NotFound(N_("There is no such commune."))
    sites = tuple(site for site in commune.sites if actor.can_manage(site.id))
    if not sites:
        raise Forbidden(N_("You are not allowed to do this here."))
    return _scope(sites, first, last, now, commune.code)


def _scope(
    sites: tuple[Site, ...], first: date | None, last: date | None, now: datetime, commune: str | None = None
) -> Scope:
    today = business_day(now, sites[0].timezone)
    check_report_days(first, last)
    if first is None:
        first = last or today
    if last is None:
        last = max(first, today)
    if last < first:
        raise InvalidValue(N_("The period ends before it starts."), code="bad_period")
    if (last - first).days >= MAX_DAYS:
        raise InvalidValue(N_("The period is longer than a year."), code="period_too_long")
    return Scope(sites, first, last, commune)


# -- rounding (integers only, so SQLite and PostgreSQL give the same figures) ---------------------------


def _avg(total: Any, count: Any) -> int | None:
    if not count:
        return None
    whole, n = int(total), int(count)
    return (2 * whole + n) // (2 * n)


def _pct(part: Any, whole: Any) -> float | None:
    if not whole:
        return None
    tenths = (2000 * int(part) + int(whole)) // (2 * int(whole))
    return tenths / 10


# -- the figures -----------------------------------------------------------------------------------


@dataclass
class _Distribution:
    n: int = 0
    total: int = 0
    maximum: int | None = None
    p50: int | None = None
    p90: int | None = None
    within: int = 0
    histogram: tuple[int, ...] = (0,) * (WAIT_BUCKETS + 1)


def _distributions(
    session: Session, values: Select[Any, Any, Any]
) -> tuple[_Distribution, dict[int, _Distribution]]:
    """Overall and per ``g``: n, sum, max, nearest-rank p50 and p90, the count of ``ok`` and the wait
    histogram of ``values`` (columns ``g``, ``v``, ``ok``) — in one query.

    The values are first counted per distinct (g, v); running sums of those counts, within the group and
    among all (window functions whose default frame includes equal values), give each distinct value its
    cumulative count c. The p-th percentile is the smallest v with c·100 ≥ p·n. A group's row carries its
    own percentiles and its candidates for the overall ones: the overall percentile is the smallest
    candidate of all groups."""
    source = values.subquery()
    freq = (
        select(source.c.g, source.c.v, source.c.ok, func.count().label("k"))
        .group_by(source.c.g, source.c.v, source.c.ok)
        .subquery()
    )
    ranked = select(
        freq.c.g,
        freq.c.v,
        freq.c.ok,
        freq.c.k,
        func.sum(freq.c.k).over(partition_by=freq.c.g, order_by=freq.c.v).label("cum"),
        func.sum(freq.c.k).over(partition_by=freq.c.g).label("n"),
        func.sum(freq.c.k).over(order_by=freq.c.v).label("all_cum"),
        func.sum(freq.c.k).over().label("all_n"),
    ).subquery()
    c = ranked.c

    def rank(position: Any, size: Any, p: int) -> ColumnElement[Any]:
        return func.min(case((position * 100 >= size * p, c.v)))

    bucket = case((c.v >= WAIT_BUCKET_S * WAIT_BUCKETS, WAIT_BUCKETS), else_=c.v // WAIT_BUCKET_S)
    columns: list[ColumnElement[Any]] = [
        c.g,
        func.sum(c.k),
        func.sum(c.v * c.k),
        func.max(c.v),
        *(rank(c.cum, c.n, p) for p in PERCENTILES),
        *(rank(c.all_cum, c.all_n, p) for p in PERCENTILES),
        func.sum(c.ok * c.k),
        *(func.sum(case((bucket == b, c.k), else_=0)) for b in range(WAIT_BUCKETS + 1)),
    ]
    groups: dict[int, _Distribution] = {}
    overall = _Distribution()
    candidates: list[tuple[Any, Any]] = []
    for row in session.execute(select(*columns).group_by(c.g)):
        g, n, total, maximum, p50, p90, all_p50, all_p90, within, *histogram = row
        found = _Distribution(
            int(n), int(total), maximum, p50, p90, int(within or 0), tuple(int(x) for x in histogram)
        )
        groups[int(g)] = found
        candidates.append((all_p50, all_p90))
        overall.n += found.n
        overall.total += found.total
        overall.within += found.within
        overall.maximum = max(overall.maximum or 0, found.maximum or 0)
        overall.histogram = tuple(x + y for x, y in zip(overall.histogram, found.histogram, strict=True))
    if candidates:
        overall.p50 = min(p for p, _ in candidates if p is not None)
        overall.p90 = min(p for _, p in candidates if p is not None)
    return overall, groups


def compute(session: Session, scope: Scope, now: datetime | None = None) -> dict[str, Any]:
    """The report of ``scope`` (the JSON of ``GET …/stats``); ``now`` ends today's time accounting."""
    start, end = scope.bounds()
    event = TicketEvent
    in_period = and_(event.site_id.in_(scope.site_ids), event.at >= start, event.at < end)

    # One pass over the period's events: counts per service, kind and local hour.
    zone = ZoneInfo(scope.timezone)
    offset = zone.utcoffset(datetime.combine(scope.first, time(12)))
    hour = local_hour(session, event.at, scope.timezone, int(offset.total_seconds()) if offset else 0)
    counts: dict[tuple[int, str], int] = {}
    hours: dict[int, dict[str, int]] = {}
    for service_id, kind, h, n in session.execute(
        select(event.service_id, event.kind, hour.label("hour"), func.count())
        .where(in_period, event.kind.in_(["issued", "completed", "no_show", "cancelled", "expired"]))
        .group_by(event.service_id, event.kind, hour)
    ):
        counts[(service_id, kind)] = counts.get((service_id, kind), 0) + int(n)
        if kind in ("issued", "completed"):
            row = hours.setdefault(int(h), {"hour": int(h), "arrivals": 0, "served": 0})
            row["arrivals" if kind == "issued" else "served"] += int(n)

    # First calls of the period: the waits (the ticket's wait_s, written with its first ``called`` event).
    first_calls: Select[Any, Any, Any] = (
        select(
            Ticket.service_id.label("g"),
            Ticket.wait_s.label("v"),
            case((Ticket.wait_s <= Service.target_wait_minutes * 60, 1), else_=0).label("ok"),
        )
        .join(Service, Service.id == Ticket.service_id)
        .where(
            Ticket.site_id.in_(scope.site_ids),
            Ticket.first_called_at >= start,
            Ticket.first_called_at < end,
            Ticket.wait_s.is_not(None),
        )
    )
    waits, waits_by_service = _distributions(session, first_calls)

    # Completions of the period: the service times (service_s, written with the ``completed`` event).
    done = and_(
        Ticket.site_id.in_(scope.site_ids),
        Ticket.finished_at >= start,
        Ticket.finished_at < end,
        Ticket.status == "done",
    )
    completions: Select[Any, Any, Any] = select(
        Ticket.service_id.label("g"), Ticket.service_s.label("v"), literal_column("0").label("ok")
    ).where(done, Ticket.service_s.is_not(None))
    service, service_groups = _distributions(session, completions)
    service_by_service = {g: (d.n, d.total) for g, d in service_groups.items()}

    by_counter, by_clerk = _served_by(session, done)
    rated = _ratings(session, done)
    timed = (scope.last - scope.first).days < MAX_TIME_DAYS
    counter_time, clerk_time = _time(session, scope, start, end, now) if timed else ({}, {})
    for table, times in ((by_counter, counter_time), (by_clerk, clerk_time)):
        for key in times:
            table.setdefault(key, (0, 0, 0))  # a counter or clerk on duty who completed nothing

    def time_of(times: dict[int, TimeSheet], key: int) -> dict[str, Any] | None:
        if not timed:
            return None
        return (times.get(key) or TimeSheet()).rounded()

    services = session.scalars(
        select(Service).where(Service.site_id.in_(scope.site_ids)).order_by(Service.site_id, Service.position)
    ).all()
    kinds = ("issued", "completed", "no_show", "cancelled", "expired")  # expired: the day closed first
    totals = {kind: sum(n for (_, k), n in counts.items() if k == kind) for kind in kinds}
    by_service = []
    for s in services:
        figures = {kind: counts.get((s.id, kind), 0) for kind in kinds}
        wait = waits_by_service.get(s.id, _Distribution())
        served_n, served_total = service_by_service.get(s.id, (0, 0))
        if not any(figures.values()) and not wait.n:
            continue
        by_service.append(
            {
                "service_id": s.id,
                "site_id": s.site_id,
                "code": s.code,
                "name": s.name,
                "target_wait_minutes": s.target_wait_minutes,
                "issued": figures["issued"],
                "served": figures["completed"],
                "no_show": figures["no_show"],
                "cancelled": figures["cancelled"],
                "expired": figures["expired"],
                "wait_avg_s": _avg(wait.total, wait.n),
                "wait_p90_s": wait.p90,
                "wait_max_s": wait.maximum,
                "within_target_pct": _pct(wait.within, wait.n),
                "service_avg_s": _avg(served_total, served_n),
                "satisfaction": rated.of("service", s.id),
            }
        )

    counters = {c.id: c for c in session.scalars(select(Counter).where(Counter.id.in_(list(by_counter))))}
    users = {u.id: u for u in session.scalars(select(User).where(User.id.in_(list(by_clerk))))}
    return {
        "site_ids": scope.site_ids,
        "sites": [{"id": site.id, "code": site.code, "name": site.name} for site in scope.sites],
        "commune_code": scope.commune_code,
        "from": scope.first.isoformat(),
        "to": scope.last.isoformat(),
        "issued": totals["issued"],
        "served": totals["completed"],
        "no_show": totals["no_show"],
        "cancelled": totals["cancelled"],
        "expired": totals["expired"],  # not served: still waiting or called when the day closed
        "wait_s": {
            "avg": _avg(waits.total, waits.n),
            "p50": waits.p50,
            "p90": waits.p90,
            "max": waits.maximum,
        },
        "service_s": {"avg": _avg(service.total, service.n), "p50": service.p50, "p90": service.p90},
        "within_target_pct": _pct(waits.within, waits.n),
        "satisfaction": rated.of("all", 0),
        "by_service": by_service,
        "by_counter": [
            {
                "counter_id": counter_id,
                "site_id": counters[counter_id].site_id,
                "number": counters[counter_id].number,
                "name": counters[counter_id].name,
                "served": served,
                "service_avg_s": _avg(total, n_timed),
                "satisfaction": rated.of("counter", counter_id),
                "time": time_of(counter_time, counter_id),
            }
            for counter_id, (served, total, n_timed) in sorted(
                by_counter.items(), key=lambda item: (counters[item[0]].site_id, counters[item[0]].number)
            )
        ],
        "by_clerk": [
            {
                "user_id": user_id,
                "username": users[user_id].username,
                "display_name": users[user_id].display_name,
                "served": served,
                "service_avg_s": _avg(total, n_timed),
                "satisfaction": rated.of("clerk", user_id),
                "time": time_of(clerk_time, user_id),
            }
            for user_id, (served, total, n_timed) in sorted(
                by_clerk.items(), key=lambda item: users[item[0]].username
            )
        ],
        "by_hour": [hours[h] for h in sorted(hours)],
        "wait_histogram": _wait_histogram(waits),
        "appointments": _appointments(session, scope, start, end),
    }


Served = dict[int, tuple[int, int, int]]


def _time(
    session: Session, scope: Scope, start: datetime, end: datetime, now: datetime | None
) -> tuple[dict[int, TimeSheet], dict[int, TimeSheet]]:
    """Serving, walking, wrap-up, paused, idle and available seconds per counter and per clerk, from the
    period's counter and ticket events (see :mod:`server.domain.time_accounting`)."""
    until = min(end, now) if now is not None else end
    zone = scope.timezone
    day_ends: dict[date, datetime] = {}

    def day_end(at: datetime) -> datetime:
        day = business_day(at, zone)
        if day not in day_ends:
            day_ends[day] = local_day(at, zone).end
        return day_ends[day]

    marks: dict[int, list[CounterMark]] = {}
    for e in session.execute(
        select(CounterEvent.counter_id, CounterEvent.at, CounterEvent.id, CounterEvent.kind)
        .add_columns(CounterEvent.actor_id, CounterEvent.reason)
        .where(CounterEvent.site_id.in_(scope.site_ids), CounterEvent.at >= start, CounterEvent.at < end)
    ):
        marks.setdefault(e.counter_id, []).append(
            CounterMark(e.at, 2 * e.id, e.kind, e.actor_id, day_end(e.at), reason=e.reason)
        )
    # Ticket events: the counters' calls and services, and who was waiting for which service when.
    waiting: dict[int, list[tuple[datetime, int]]] = {}
    open_wait: dict[int, tuple[int, datetime]] = {}  # ticket → (service, since) while it waits
    rows = session.execute(
        select(
            TicketEvent.id,
            TicketEvent.ticket_id,
            TicketEvent.at,
            TicketEvent.kind,
            TicketEvent.status,
            TicketEvent.service_id,
            TicketEvent.counter_id,
            TicketEvent.actor_id,
        )
        .where(TicketEvent.site_id.in_(scope.site_ids), TicketEvent.at >= start, TicketEvent.at < end)
        .order_by(TicketEvent.at, TicketEvent.id)
    )
    for e in rows:
        held = open_wait.pop(e.ticket_id, None)
        if held is not None:
            waiting.setdefault(held[0], []).append((e.at, -1))
        if e.status == "waiting":
            open_wait[e.ticket_id] = (e.service_id, e.at)
            waiting.setdefault(e.service_id, []).append((e.at, +1))
        if e.counter_id is not None and e.kind != "issued":
            marks.setdefault(e.counter_id, []).append(
                CounterMark(
                    e.at,
                    2 * e.id + 1,
                    e.kind,
                    e.actor_id,
                    day_end(e.at),
                    ticket_id=e.ticket_id,
                    status=e.status,
                )
            )
    for service_id, _since in open_wait.values():
        waiting.setdefault(service_id, []).append((end, -1))

    services: dict[int, list[int]] = {}
    for counter_id, service_id in session.execute(
        select(CounterService.counter_id, CounterService.service_id).where(
            CounterService.counter_id.in_(list(marks))
        )
    ):
        services.setdefault(counter_id, []).append(service_id)
    counters: dict[int, TimeSheet] = {}
    clerks: dict[int, TimeSheet] = {}
    for counter_id, counter_marks in marks.items():
        changes = [change for sid in services.get(counter_id, []) for change in waiting.get(sid, [])]
        ordered = sorted(counter_marks, key=lambda m: (m.at, m.order))
        counters[counter_id] = account(ordered, busy_intervals(changes), until, clerks)
    return counters, clerks


def _served_by(session: Session, done: ColumnElement[bool]) -> tuple[Served, Served]:
    """Completions per counter and per clerk: (served, sum of service times, how many were timed) — one
    query grouped by both, added up here (a few dozen rows)."""
    by_counter: dict[int, list[int]] = {}
    by_clerk: dict[int, list[int]] = {}
    rows = session.execute(
        select(
            Ticket.counter_id,
            Ticket.served_by_id,
            func.count(),
            func.coalesce(func.sum(Ticket.service_s), 0),
            func.count(Ticket.service_s),
        )
        .where(done)
        .group_by(Ticket.counter_id, Ticket.served_by_id)
    )
    for counter_id, clerk_id, n, total, timed in rows:
        keys: tuple[tuple[int | None, dict[int, list[int]]], ...] = (
            (counter_id, by_counter),
            (clerk_id, by_clerk),
        )
        for key, table in keys:
            if key is not None:
                sums = table.setdefault(key, [0, 0, 0])
                sums[0] += int(n)
                sums[1] += int(total or 0)
                sums[2] += int(timed)
    return (
        {k: (v[0], v[1], v[2]) for k, v in by_counter.items()},
        {k: (v[0], v[1], v[2]) for k, v in by_clerk.items()},
    )


@dataclass
class _Rated:
    """Served tickets and their ratings, per group (``all``, ``service``, ``counter``, ``clerk``)."""

    served: dict[tuple[str, int], int]
    scores: dict[tuple[str, int], dict[int, int]]
    channels: dict[tuple[str, int], dict[str, int]]

    def of(self, group: str, key: int) -> dict[str, Any]:
        return satisfaction(
            self.served.get((group, key), 0),
            self.scores.get((group, key), {}),
            self.channels.get((group, key), {}),
        )


def satisfaction(served: int, scores: dict[int, int], channels: dict[str, int]) -> dict[str, Any]:
    """API.md's ``satisfaction`` object: ratings, served, response rate, average (two decimals, halves
    up), distribution, satisfied % (scores 4–5 among ratings), unsatisfied (scores 1–2), by channel."""
    ratings = sum(scores.values())
    total = sum(score * n for score, n in scores.items())
    return {
        "ratings": ratings,
        "served": served,
        "response_rate_pct": _pct(ratings, served),
        "avg_score": (200 * total + ratings) // (2 * ratings) / 100 if ratings else None,
        "distribution": {str(score): scores.get(score, 0) for score in range(1, 6)},
        "satisfied_pct": _pct(scores.get(4, 0) + scores.get(5, 0), ratings),
        "unsatisfied": scores.get(1, 0) + scores.get(2, 0),
        "by_channel": {"phone": channels.get("phone", 0), "counter": channels.get("counter", 0)},
    }


def _ratings(session: Session, done: ColumnElement[bool]) -> _Rated:
    """The period's completed tickets and their ratings, per service, counter and clerk: one query
    grouped by all three, score and channel (a few hundred rows at most), added up here."""
    rated = _Rated({}, {}, {})
    rows = session.execute(
        select(
            Ticket.service_id,
            Ticket.counter_id,
            Ticket.served_by_id,
            Rating.score,
            Rating.channel,
            func.count(),
        )
        .outerjoin(Rating, Rating.ticket_id == Ticket.id)
        .where(done)
        .group_by(Ticket.service_id, Ticket.counter_id, Ticket.served_by_id, Rating.score, Rating.channel)
    )
    for service_id, counter_id, clerk_id, score, channel, n in rows:
        for group, member in (
            ("all", 0),
            ("service", service_id),
            ("counter", counter_id),
            ("clerk", clerk_id),
        ):
            if member is None:
                continue
            key = (group, int(member))
            rated.served[key] = rated.served.get(key, 0) + int(n)
            if score is not None:
                scores = rated.scores.setdefault(key, {})
                scores[int(score)] = scores.get(int(score), 0) + int(n)
                channels = rated.channels.setdefault(key, {})
                channels[channel] = channels.get(channel, 0) + int(n)
    return rated


def _wait_histogram(waits: _Distribution) -> list[dict[str, int | None]]:
    step = WAIT_BUCKET_S // 60
    return [
        {"from_min": b * step, "to_min": (b + 1) * step if b < WAIT_BUCKETS else None, "count": count}
        for b, count in enumerate(waits.histogram)
    ]


def _appointments(session: Session, scope: Scope, start: datetime, end: datetime) -> dict[str, int]:
    """Appointments due in the period: kept (checked in within the window), late (checked in after it,
    served as walk-ins), missed (never came), cancelled, and still booked."""
    late = Ticket.appointment_start.is_(None)
    rows = session.execute(
        select(Appointment.status, late, func.count())
        .outerjoin(Ticket, Ticket.appointment_id == Appointment.id)
        .where(Appointment.site_id.in_(scope.site_ids), Appointment.start >= start, Appointment.start < end)
        .group_by(Appointment.status, late)
    )
    figures = {"kept": 0, "late": 0, "missed": 0, "cancelled": 0, "booked": 0}
    for status, was_late, n in rows:
        if status == "checked_in":
            figures["late" if was_late else "kept"] += int(n)
        elif status == "no_show":
            figures["missed"] += int(n)
        elif status in figures:
            figures[status] += int(n)
    return figures


# -- CSV -------------------------------------------------------------------------------------------

CSV_HEADER = ("section", "key", "name", "metric", "value")


def _cell(value: Any) -> Any:
    return "" if value is None else value


def report_csv(report: dict[str, Any]) -> str:
    """The report as one long table (section, key, name, metric, value), easy to pivot in a spreadsheet.

    A commune's report (several sites) has a sixth column, ``site``: the code of the site a service's or
    counter's row belongs to (empty for the commune's totals, hours and clerks, who may work at several)."""
    rows = _report_rows(report)
    if report.get("commune_code") is None:
        return csv_text([CSV_HEADER, *(row[:-1] for row in rows)])
    codes = {site["id"]: site["code"] for site in report.get("sites", [])}
    return csv_text([(*CSV_HEADER, "site"), *((*row[:-1], codes.get(row[-1], "")) for row in rows)])


def _report_rows(report: dict[str, Any]) -> list[tuple[Any, ...]]:
    """The CSV's rows, each with the id of the site it belongs to last (None: the whole report's)."""
    rows: list[tuple[Any, ...]] = []
    rows.append(("period", "", "", "from", report["from"], None))
    rows.append(("period", "", "", "to", report["to"], None))
    for metric in ("issued", "served", "no_show", "cancelled", "expired", "within_target_pct"):
        rows.append(("total", "", "", metric, _cell(report[metric]), None))
    for group in ("wait_s", "service_s"):
        for name, value in report[group].items():
            rows.append(("total", "", "", f"{group}_{name}", _cell(value), None))
    for metric, value in _flat("satisfaction", report["satisfaction"]):
        rows.append(("total", "", "", metric, _cell(value), None))
    sections = (
        ("service", "by_service", "service_id", "name"),
        ("counter", "by_counter", "counter_id", "name"),
        ("clerk", "by_clerk", "user_id", "username"),
        ("hour", "by_hour", "hour", None),
    )
    for section, key, id_field, name_field in sections:
        for item in report[key]:
            name = item[name_field] if name_field else ""
            for metric, value in _flat("", item):
                if metric not in (id_field, name_field, "site_id", "code", "number", "display_name"):
                    rows.append((section, item[id_field], name, metric, _cell(value), item.get("site_id")))
    for bucket in report["wait_histogram"]:
        rows.append(("wait_histogram", bucket["from_min"], "", "count", bucket["count"], None))
    for metric, value in report["appointments"].items():
        rows.append(("appointments", "", "", metric, value, None))
    return rows


def _flat(prefix: str, values: dict[str, Any]) -> list[tuple[str, Any]]:
    """Nested objects as ``satisfaction_distribution_5``-style metric names."""
    out: list[tuple[str, Any]] = []
    for name, value in values.items():
        metric = f"{prefix}_{name}" if prefix else name
        if isinstance(value, dict):
            out += _flat(metric, value)
        else:
            out.append((metric, value))
    return out


TICKET_LOG_HEADER = (
    "site",
    "day",
    "number",
    "service",
    "priority",
    "status",
    "appointment",
    "issued_at",
    "first_called_at",
    "started_at",
    "finished_at",
    "wait_s",
    "service_s",
    "counter",
    "clerk",
    "dossier_code",
)


def ticket_log_csv(session: Session, scope: Scope) -> str:
    """Every ticket of the period (by business day), in local time; no phone or identity number."""
    clerk = aliased(User)
    zones = {site.id: ZoneInfo(site.timezone) for site in scope.sites}
    codes = {site.id: site.code for site in scope.sites}

    def local(moment: datetime | None, site_id: int) -> str:
        return moment.astimezone(zones[site_id]).strftime("%Y-%m-%d %H:%M:%S") if moment else ""

    rows: list[tuple[Any, ...]] = [TICKET_LOG_HEADER]
    query = (
        select(Ticket, Service.code, Counter.number, clerk.username)
        .join(Service, Service.id == Ticket.service_id)
        .outerjoin(Counter, Counter.id == Ticket.counter_id)
        .outerjoin(clerk, clerk.id == Ticket.served_by_id)
        .where(Ticket.site_id.in_(scope.site_ids), Ticket.day >= scope.first, Ticket.day <= scope.last)
        .order_by(Ticket.site_id, Ticket.day, Ticket.issued_at, Ticket.id)
    )
    for ticket, service_code, counter_number, username in session.execute(query):
        rows.append(
            (
                codes[ticket.site_id],
                ticket.day.isoformat(),
                ticket.number,
                service_code,
                ticket.priority,
                ticket.status,
                "yes" if ticket.appointment_id else "",
                local(ticket.issued_at, ticket.site_id),
                local(ticket.first_called_at, ticket.site_id),
                local(ticket.started_at, ticket.site_id),
                local(ticket.finished_at, ticket.site_id),
                _cell(ticket.wait_s),
                _cell(ticket.service_s),
                _cell(counter_number),
                _cell(username),
                _cell(ticket.dossier_code),
            )
        )
    return csv_text(rows)


def csv_name(scope: Scope, what: str) -> str:
    owner = scope.commune_code or scope.sites[0].code
    return f"luot-{what}-{owner}-{scope.first.isoformat()}-{scope.last.isoformat()}.csv"
