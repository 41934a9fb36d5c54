"""A simulated day at the demo ward, so that every screen shows life.

Citizens arrive at both intake points along a realistic day (peaks 8–10 h and 14–15 h, 500–700 visitors
across the two sites), pick services in realistic proportions, one in eight with a priority; the clerks
of every counter call, start and complete tickets with service times typical of each field, with the
occasional no-show and transfer. It runs through the same use cases as the API, at ``speed`` simulated
seconds per real second, and starts again each time the simulated day ends.
"""

from __future__ import annotations

import functools
import logging
import math
import random
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from flask import Flask
from sqlalchemy import select

from ..db.models import Counter, Device, Service, Ticket, User, UserSite
from ..domain.access import DeviceKind, Principal, Role, device, staff
from ..domain.errors import LuotError
from ..domain.tickets import Action, Priority
from ..extension import Luot
from ..services.queue.counters import CounterStatus, SetCounterStatus, set_counter_status
from ..services.queue.tickets import (
    CallNext,
    IssueTicket,
    TicketCommand,
    act_on_ticket,
    call_next,
    issue_ticket,
)

log = logging.getLogger(__name__)
T = TypeVar("T")

DAY_START_H, DAY_END_H = 7.5, 17.0
# Relative arrival rate by hour of the day: morning and early-afternoon peaks, a lunch break.
ARRIVALS_BY_HOUR = {7: 0.6, 8: 1.8, 9: 2.0, 10: 1.2, 11: 0.5, 12: 0.0, 13: 0.7, 14: 1.6, 15: 1.3, 16: 0.6}
SERVICE_SHARE = {"HT": 25, "CT": 30, "DD": 9, "BH": 10, "KD": 5, "BT": 5, "DVC": 9, "TKQ": 7}
SERVICE_MINUTES = {
    "civil_status": 9,
    "certification": 4,
    "land": 18,
    "insurance": 11,
    "business": 14,
    "social_protection": 13,
    "online_help": 8,
    "results": 2,
}
PRIORITY_SHARE = 0.12
NO_SHOW_SHARE = 0.03
TRANSFER_SHARE = 0.02
WALK_TO_COUNTER_S = 40
LOOK_AGAIN_S = 30  # a clerk whose call found nobody waiting presses again this much later
PHONE_SHARE = 0.4  # citizens who leave a phone number at the kiosk for the "your turn is near" message


@dataclass
class Desk:
    """A counter with its simulated clerk and what it is doing."""

    counter_id: int
    clerk: Principal
    service_ids: list[int]
    ticket_id: int | None = None
    next_step_at: float = 0.0
    step: str = "idle"  # idle → called → serving


@dataclass
class Site:
    site_id: int
    kiosk: Principal
    services: dict[int, Service]
    desks: list[Desk] = field(default_factory=list)


class Simulation:
    def __init__(self, app: Flask, extension: Luot, speed: float, seed: int | None = None) -> None:
        self.app = app
        self.luot = extension
        self.speed = max(speed, 0.1)
        self.random = random.Random(seed)
        self.sites = self._load()
        self.visitors_per_site = self.random.randint(500, 700) / max(1, len(self.sites))
        self.stopped = threading.Event()

    def _load(self) -> list[Site]:
        with self.luot.read() as session:
            sites: dict[int, Site] = {}
            for kiosk in session.scalars(
                select(Device).where(Device.kind == "kiosk", Device.revoked_at.is_(None))
            ):
                services = {
                    s.id: s for s in session.scalars(select(Service).where(Service.site_id == kiosk.site_id))
                }
                sites.setdefault(
                    kiosk.site_id,
                    Site(kiosk.site_id, device(kiosk.id, DeviceKind.KIOSK, kiosk.site_id), services),
                )
            clerks = {u.username: u for u in session.scalars(select(User).where(User.role == "clerk"))}
            links = {(link.user_id, link.site_id) for link in session.scalars(select(UserSite))}
            for counter in session.scalars(select(Counter).order_by(Counter.site_id, Counter.number)):
                site = sites.get(counter.site_id)
                user = next(
                    (
                        u
                        for u in clerks.values()
                        if (u.id, counter.site_id) in links and u.username.endswith(f".q{counter.number}")
                    ),
                    None,
                )
                if site is None or user is None:
                    continue
                clerk = staff(user.id, user.username, Role.CLERK, frozenset({counter.site_id}))
                site.desks.append(Desk(counter.id, clerk, counter.service_ids))
        return list(sites.values())

    # -- the clock ---------------------------------------------------------------------------------

    def run(self) -> None:
        """Open every counter, then live the day at ``speed`` until :meth:`stop`, and again each day."""
        with self.app.app_context():
            self.open_counters()
            tick = 0.25
            simulated = DAY_START_H * 3600
            while not self.stopped.is_set():
                started = time.monotonic()
                simulated = self.advance(simulated, tick * self.speed)
                self.stopped.wait(max(0.0, tick - (time.monotonic() - started)))

    def open_counters(self) -> None:
        for site in self.sites:
            for desk in site.desks:
                command = SetCounterStatus(
                    actor=desk.clerk,
                    counter_id=desk.counter_id,
                    status=CounterStatus.OPEN,
                    at=self.luot.now(),
                )
                self._do(functools.partial(set_counter_status, command, self.luot.uow()))

    def advance(self, simulated: float, elapsed: float) -> float:
        """Live ``elapsed`` simulated seconds from ``simulated`` (seconds since midnight) at once: who
        arrives meanwhile, and what each clerk does. Returns the new simulated time."""
        simulated += elapsed
        if simulated >= DAY_END_H * 3600:  # the next morning: every clerk starts afresh
            simulated = DAY_START_H * 3600
            for desk in (desk for site in self.sites for desk in site.desks):
                desk.next_step_at = 0.0
        for site in self.sites:
            self._arrivals(site, simulated, elapsed)
            for desk in site.desks:
                self._work(site, desk, simulated)
        return simulated

    def stop(self) -> None:
        self.stopped.set()

    # -- citizens ----------------------------------------------------------------------------------

    def _arrivals(self, site: Site, simulated: float, elapsed: float) -> None:
        hour = int(simulated // 3600)
        weights_total = sum(ARRIVALS_BY_HOUR.values())
        per_hour = self.visitors_per_site * ARRIVALS_BY_HOUR.get(hour, 0.0) / weights_total
        expected = per_hour * elapsed / 3600
        for _ in range(_poisson(self.random, expected)):
            code = self.random.choices(list(SERVICE_SHARE), weights=list(SERVICE_SHARE.values()))[0]
            service = next((s for s in site.services.values() if s.code == code), None)
            if service is None:
                continue
            priority = Priority.NONE
            if self.random.random() < PRIORITY_SHARE:
                priority = self.random.choice([p for p in Priority if p is not Priority.NONE])
            phone = None
            if self.random.random() < PHONE_SHARE:
                phone = f"09{self.random.randint(0, 99_999_999):08d}"
            command = IssueTicket(
                actor=site.kiosk,
                site_id=site.site_id,
                service_id=service.id,
                priority=priority,
                phone=phone,
                at=self.luot.now(),
            )
            # Printed by the kiosk's printer (PNGs in the demo) like any other ticket.
            self._do(functools.partial(issue_ticket, command, self.luot.uow()))

    # -- clerks ------------------------------------------------------------------------------------

    def _work(self, site: Site, desk: Desk, simulated: float) -> None:
        if simulated < desk.next_step_at:
            return
        now = self.luot.now()
        if desk.step == "idle":
            called = self._do(
                lambda: call_next(
                    CallNext(actor=desk.clerk, counter_id=desk.counter_id, at=now), self.luot.uow()
                )
            )
            if called is None:
                desk.next_step_at = simulated + LOOK_AGAIN_S
            else:
                desk.ticket_id, desk.step = called.id, "called"
                desk.next_step_at = simulated + self.random.uniform(10, WALK_TO_COUNTER_S)
            return
        assert desk.ticket_id is not None
        if desk.step == "called":
            if self.random.random() < NO_SHOW_SHARE:
                self._finish(desk, Action.NO_SHOW)
                return
            service = self._service_of(site, desk.ticket_id)
            self._act(desk.clerk, desk.ticket_id, Action.START)
            minutes = SERVICE_MINUTES.get(service.field if service else "", 8)
            desk.step = "serving"
            desk.next_step_at = simulated + self.random.lognormvariate(math.log(minutes * 60), 0.45)
            return
        if self.random.random() < TRANSFER_SHARE:
            others = [s for s in site.services.values() if s.id not in desk.service_ids]
            if others:
                self._finish(desk, Action.TRANSFER, service_id=self.random.choice(others).id)
                return
        code = f"H{self.random.randint(10, 99)}.{self.random.randint(1000, 9999)}"
        self._finish(desk, Action.COMPLETE, dossier_code=code)

    def _service_of(self, site: Site, ticket_id: int) -> Service | None:
        with self.luot.read() as session:
            ticket = session.get(Ticket, ticket_id)
            return site.services.get(ticket.service_id) if ticket else None

    def _act(self, clerk: Principal, ticket_id: int, action: Action, **fields: Any) -> None:
        command = TicketCommand(actor=clerk, ticket_id=ticket_id, action=action, at=self.luot.now(), **fields)
        self._do(lambda: act_on_ticket(command, self.luot.uow()))

    def _finish(self, desk: Desk, action: Action, **fields: Any) -> None:
        assert desk.ticket_id is not None
        self._act(desk.clerk, desk.ticket_id, action, **fields)
        desk.ticket_id, desk.step = None, "idle"

    def _do(self, action: Callable[[], T]) -> T | None:
        try:
            return action()
        except LuotError as exc:  # someone acted on the counter from a tablet meanwhile: carry on
            log.info("simulation: %s", exc)
            return None


def _poisson(generator: random.Random, expected: float) -> int:
    """Knuth's method; ``expected`` is small (arrivals in a quarter of a simulated minute or so)."""
    threshold, count, product = math.exp(-expected), 0, generator.random()
    while product > threshold:
        count += 1
        product *= generator.random()
    return count


def start_simulation(app: Flask, extension: Luot, speed: float) -> Simulation:
    simulation = Simulation(app, extension, speed)
    threading.Thread(target=simulation.run, name="luot-simulation", daemon=True).start()
    return simulation
