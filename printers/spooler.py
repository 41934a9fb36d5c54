"""The print spooler: one queue and one worker thread per printer, so that issuing a ticket never waits
for a printer and a broken printer never holds up another.

A job is queued in the database by the transaction that issues the ticket (or reprints it); once that
transaction commits, the message bus hands the spooler its ``PrintJobQueued`` event (:meth:`Spooler.handle`)
and the job goes to its printer's worker. The worker claims it (a lease, so that no other process prints
it too), draws the ticket, sends it with a short timeout and records the outcome. A failed attempt reports
the printer's status (``printer.status``) and is retried with a doubling delay, in order, until it prints
or its give-up time passes (then the job is ``failed`` and staff may reprint). Jobs of an ``agent://``
printer are pushed to the kiosk's print agent instead (see :mod:`server.realtime.agent`), by a worker of
that kiosk, so the request that issued the ticket never draws a ticket either.
"""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from server.domain.events import Event, PrintJobQueued
from server.domain.printing import JobRef, PrinterStatus, is_agent, retry_delay_s
from server.services import printing
from server.services.printing import ClaimedJob, FinishJob

from .drivers import InvalidPrinterUri, PrinterError, PrinterFolders, open_printer
from .render import FontMissing, render_ticket

if TYPE_CHECKING:
    from server.extension import Luot

log = logging.getLogger(__name__)

_STOP = object()
AgentPush = Callable[[int, dict[str, Any]], None]


@dataclass(frozen=True)
class SpoolerSettings:
    """``LUOT_PRINT_*`` settings: connect/write timeout, retry delays and the give-up time (seconds)."""

    timeout_s: float = 3.0
    retry_base_s: float = 0.5
    retry_cap_s: float = 15.0
    give_up_s: float = 300.0

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> SpoolerSettings:
        return cls(
            timeout_s=float(config.get("LUOT_PRINT_TIMEOUT_S", cls.timeout_s)),
            retry_base_s=float(config.get("LUOT_PRINT_RETRY_BASE_S", cls.retry_base_s)),
            retry_cap_s=float(config.get("LUOT_PRINT_RETRY_CAP_S", cls.retry_cap_s)),
            give_up_s=float(config.get("LUOT_PRINT_GIVE_UP_S", cls.give_up_s)),
        )


class Spooler:
    """The server's spooler (:class:`server.extension.PrintSpooler`)."""

    def __init__(
        self,
        luot: Luot,
        *,
        folders: PrinterFolders,
        settings: SpoolerSettings | None = None,
        agent_push: AgentPush | None = None,
    ) -> None:
        self.luot = luot
        self.folders = folders
        self.settings = settings or SpoolerSettings()
        self.agent_push = agent_push
        self._workers: dict[str, _Worker] = {}
        self._lock = threading.Lock()
        self._stop = threading.Event()

    @property
    def public_url(self) -> str:
        """The address printed in QR codes."""
        return self.luot.public.base()

    # -- handing jobs over ------------------------------------------------------------------------------

    def handle(self, events: Sequence[Event]) -> None:
        """The message bus's subscriber: each job queued by a committed transaction goes to its printer."""
        for event in events:
            if isinstance(event, PrintJobQueued):
                self.submit(event.job)

    def submit(self, job: JobRef) -> None:
        if job.status != "queued" or self._stop.is_set():
            return
        if is_agent(job.printer_uri):
            if job.device_id is None or self.agent_push is None:
                return
            key = f"agent:{job.device_id}"
        else:
            key = job.printer_uri
        with self._lock:
            worker = self._workers.get(key)
            if worker is None or not worker.is_alive():
                worker = _Worker(self, key, agent=is_agent(job.printer_uri))
                self._workers[key] = worker
                worker.start()
        worker.jobs.put(job)

    def recover(self) -> None:
        """At start: give up jobs too old to print, and hand the rest to their printers."""
        now = self.luot.now()
        printing.give_up_stale(self.luot.uow(), now - timedelta(seconds=self.settings.give_up_s), now)
        with self.luot.read() as session:
            jobs = printing.pending_jobs(session, agent=False)
        for job in jobs:
            self.submit(job)

    # -- the kiosks' print agents ---------------------------------------------------------------------------

    def agent_jobs(self, device_id: int) -> list[dict[str, Any]]:
        """What a kiosk's agent must print when it connects: its queued jobs still worth printing, oldest
        first."""
        with self.luot.read() as session:
            jobs = printing.pending_jobs(session, device_id=device_id, agent=True)
        return [payload for job in jobs if (payload := self.agent_payload(job)) is not None]

    def agent_payload(self, job: JobRef) -> dict[str, Any] | None:
        """The ``print.job`` message of a queued job; None once it is printed, or too old (then given up)."""
        now = self.luot.now()
        with self.luot.read() as session:
            queued = printing.job_to_print(session, job.id, now, self.public_url)
        if queued is None:
            return None
        if self._too_old(queued):
            self._finish(
                job.id, printed=False, status=PrinterStatus.OFFLINE, detail="agent away", give_up=True
            )
            return None
        return {"job_id": job.id, "ticket_id": job.ticket_id, "ticket": queued.paper.to_json()}

    def _too_old(self, job: ClaimedJob) -> bool:
        return (self.luot.now() - job.created_at).total_seconds() >= self.settings.give_up_s

    # -- outcomes -----------------------------------------------------------------------------------------

    def _finish(
        self,
        job_id: int,
        *,
        printed: bool,
        status: PrinterStatus = PrinterStatus.OK,
        detail: str = "",
        give_up: bool = False,
    ) -> None:
        try:
            printing.finish(
                FinishJob(
                    job_id=job_id,
                    at=self.luot.now(),
                    printed=printed,
                    printer_status=status,
                    detail=detail,
                    give_up=give_up,
                ),
                self.luot.uow(),
            )
        except Exception:  # the database is away: the job stays queued and is recovered at start
            log.exception("could not record the outcome of print job %s", job_id)

    def close(self) -> None:
        self._stop.set()
        with self._lock:
            workers = list(self._workers.values())
        for worker in workers:
            worker.jobs.put(_STOP)
        for worker in workers:
            worker.join(timeout=self.settings.timeout_s + 2)


class _Worker(threading.Thread):
    """Prints one printer's jobs in order, retrying the job at the head until it prints or is given up;
    or, for a kiosk's print agent, sends it its jobs in order."""

    def __init__(self, spooler: Spooler, key: str, *, agent: bool) -> None:
        super().__init__(name=f"printer {key}", daemon=True)
        self.spooler = spooler
        self.key = key
        self.agent = agent
        self.jobs: queue.Queue[Any] = queue.Queue()

    def run(self) -> None:
        while True:
            job = self.jobs.get()
            if job is _STOP or self.spooler._stop.is_set():
                return
            try:
                if self.agent:
                    self._send(job)
                else:
                    self._print(job)
            except Exception:
                log.exception("print job %s failed unexpectedly", job.id)

    def _send(self, job: JobRef) -> None:
        payload = self.spooler.agent_payload(job)
        if payload is not None and self.spooler.agent_push is not None and job.device_id is not None:
            self.spooler.agent_push(job.device_id, payload)

    def _print(self, job: JobRef) -> None:
        spooler = self.spooler
        settings = spooler.settings
        while not spooler._stop.is_set():
            claimed = printing.claim(spooler.luot.uow(), job.id, spooler.luot.now(), spooler.public_url)
            if claimed is None:
                return  # printed, given up, or another process holds it
            try:
                driver = open_printer(self.key, folders=spooler.folders, timeout=settings.timeout_s)
                image = render_ticket(claimed.paper, driver.address.width)
                driver.print_image(image, name=claimed.paper.number)
            except InvalidPrinterUri as exc:  # stored before the rules of this version, or a link moved
                log.error("printer %s refused: %s", self.key, exc)
                spooler._finish(
                    job.id, printed=False, status=PrinterStatus.ERROR, detail=str(exc)[:300], give_up=True
                )
                return
            except FontMissing as exc:
                log.error("%s", exc)
                spooler._finish(
                    job.id, printed=False, status=PrinterStatus.ERROR, detail=str(exc), give_up=True
                )
                return
            except PrinterError as exc:
                give_up = spooler._too_old(claimed)
                log.warning(
                    "printer %s: %s (%s), attempt %s", self.key, exc.status, exc.detail, claimed.attempt
                )
                spooler._finish(
                    job.id,
                    printed=False,
                    status=PrinterStatus(exc.status),
                    detail=exc.detail,
                    give_up=give_up,
                )
                if give_up:
                    return
                spooler._stop.wait(
                    retry_delay_s(claimed.attempt, settings.retry_base_s, settings.retry_cap_s)
                )
                continue
            except Exception as exc:
                log.exception("printer %s could not print job %s", self.key, job.id)
                spooler._finish(
                    job.id, printed=False, status=PrinterStatus.ERROR, detail=str(exc)[:300], give_up=True
                )
                return
            spooler._finish(job.id, printed=True)
            return
