"""The one scheduler of an installation: APScheduler 3.x running a single sweeper job.

``luot serve`` starts it in the server process (one box); at province scale ``luot scheduler`` runs it as
its own process and the servers set ``LUOT_SCHEDULER=off``. Either way, the sweeper first takes (or
renews) the installation's lease row: while one scheduler holds it, any other that was started by mistake
finds the lease taken and does nothing. The work itself is idempotent too (see
:mod:`server.services.appointments.reminders`), so even two schedulers acting at once would not remind
anyone twice.

It also closes each site's day (:mod:`server.services.queue.closing`: tickets still waiting or called at
closing time, and at the latest at local midnight, end as ``expired``) and erases personal data past its
retention period (:mod:`server.services.retention`), once an hour.

Settings: ``LUOT_SCHEDULER`` (``on``/``off``, for ``luot serve``), ``LUOT_SWEEP_SECONDS`` (30),
``LUOT_RETENTION_DAYS`` (90; ``0`` keeps personal data for ever).
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import uuid
from datetime import UTC, datetime, timedelta

from apscheduler.schedulers.background import BackgroundScheduler
from flask import Flask

from ..extension import Luot
from ..notify import default_chain, notifier_for, setting, turn_notifiers
from ..services import leases, retention
from ..services.appointments import reminders
from ..services.near_turn import delivery as turn_delivery
from ..services.near_turn import messages as turn_messages
from ..services.near_turn import remote
from ..services.queue import closing

log = logging.getLogger("luot.scheduler")

LEASE = "scheduler"
RETENTION_EVERY = timedelta(hours=1)


class Sweeper:
    """The scheduler's one job: take the lease, then sweep (reminders, no-shows), deliver the outbox and
    close the days that ended."""

    def __init__(self, app: Flask, holder: str | None = None, interval_s: float | None = None) -> None:
        self.app = app
        self.luot: Luot = app.extensions["luot"]
        self.holder = holder or f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"
        self.interval_s = interval_s or float(setting(app.config, "LUOT_SWEEP_SECONDS", "30"))
        self.lease = timedelta(seconds=max(3 * self.interval_s, 30))
        self.notifier = notifier_for(app)
        self.turn_notifiers = turn_notifiers(app)
        self.turn_chain = default_chain(app)
        self.retention_days = int(app.config["LUOT_RETENTION_DAYS"])  # parsed in server.config
        self._retention_ran: datetime | None = None
        self._again = threading.Event()

    def hold_lease(self) -> bool:
        now = self.luot.now()
        return leases.hold(self.luot.uow(), LEASE, self.holder, now, now + self.lease)

    def run_once(self) -> bool:
        """One round; ``False`` when another scheduler holds the lease and this one did nothing."""
        if not self.hold_lease():
            return False
        now = self.luot.now()
        # A site box holds copies of its site's bookings: the upstream reminds citizens and marks no-shows.
        site_box = bool(self.app.config.get("LUOT_UPSTREAM_URL"))
        swept = reminders.SweepReport() if site_box else reminders.sweep(self.luot.uow(), now)
        delivered = reminders.deliver(self.luot.uow, self.notifier, now)
        if swept.reminders or swept.no_shows or delivered.sent or delivered.failed:
            log.info("sweep: %s; delivery: %s", swept, delivered)
        closed = closing.close_days(self.luot.uow, now)
        if closed.expired:
            log.info("closing the day: %s", closed)
        self.notify_turns(now)
        self.erase_expired(now)
        return True

    def notify_turns(self, now: datetime) -> turn_delivery.DeliveryReport:
        """Queue the near-turn and called messages now due, then send those queued (oldest first)."""
        remote.expire_remote(self.luot.uow(), now)
        queued = turn_messages.queue_due(self.luot.uow(), now)
        sent = turn_delivery.deliver(self.luot.uow, self.turn_notifiers, self.turn_chain, now)
        if queued.near or queued.called or sent.sent or sent.failed or sent.retried:
            log.info("near-turn messages: %s; delivery: %s", queued, sent)
        return sent

    def erase_expired(self, now: datetime) -> retention.Erased | None:
        """Erase personal data past its retention period (at most once per ``RETENTION_EVERY``)."""
        if self._retention_ran is not None and now - self._retention_ran < RETENTION_EVERY:
            return None
        erased = retention.erase_personal_data(self.luot.uow(), now, self.retention_days)
        self._retention_ran = now
        if erased.tickets or erased.appointments or erased.events:
            log.info("retention (%s days): %s", self.retention_days, erased)
        return erased

    def wake(self) -> None:
        """Ask for another round at once; one asked for while a round runs follows it."""
        self._again.set()

    def job(self) -> None:
        while True:
            self._again.clear()
            try:
                self.run_once()
            except Exception:  # the next round tries again; a job must never kill the scheduler
                log.exception("the sweeper failed")
                return
            if not self._again.is_set():
                return

    def release(self) -> None:
        leases.release(self.luot.uow(), LEASE, self.holder)


def start_scheduler(app: Flask, sweeper: Sweeper | None = None) -> BackgroundScheduler:
    """Start the background scheduler with the sweeper job, first run right away."""
    sweeper = sweeper or Sweeper(app)
    scheduler = BackgroundScheduler(timezone="UTC")
    scheduler.add_job(
        sweeper.job,
        "interval",
        seconds=sweeper.interval_s,
        id="sweeper",
        max_instances=1,
        coalesce=True,
        next_run_time=datetime.now(UTC),  # real time: the app's clock decides what is due, not when to look
    )
    scheduler.start()

    def wake() -> None:  # messages were queued, or a queue changed, in this process: act on it now
        sweeper.wake()
        scheduler.modify_job("sweeper", next_run_time=datetime.now(UTC))

    app.extensions["luot.outbox"].on_queued(wake)
    app.extensions["luot.scheduler"] = (scheduler, sweeper, wake)
    return scheduler


def stop_scheduler(app: Flask) -> None:
    running = app.extensions.pop("luot.scheduler", None)
    if running is None:
        return
    scheduler, sweeper, wake = running
    app.extensions["luot.outbox"].forget(wake)
    scheduler.shutdown(wait=True)
    sweeper.release()


def scheduler_enabled(app: Flask) -> bool:
    return setting(app.config, "LUOT_SCHEDULER", "on").lower() not in ("off", "0", "false", "no")
