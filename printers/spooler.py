"""The print spooler: one queue and one worker thread per printer, so that issuing a ticket never waits
for a printer and a broken printer never holds up another.

A job was queued in the database by the transaction that issued the ticket; the API hands it to
:meth:`Spooler.submit` after commit. The printer's worker claims it (a lease, so that no other process
prints it too), draws the ticket, sends it with a short timeout and records the outcome. A failed attempt
reports the printer's status (``printer.status``) and is retried with a doubling delay, in order, until it
prints or its give-up time passes (then the job is ``failed`` and staff may reprint). Jobs of an
``agent://`` printer are pushed to the kiosk's print agent instead (see :mod:`server.realtime.agent`).
"""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from server.domain.printing import PrinterStatus, retry_delay_s
from server.extension import Luot
from server.services import printing
from server.services.printing import FinishJob, JobRef

from .drivers import PrinterError, is_agent, open_printer
from .render import FontMissing, render_ticket

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
    def __init__(
        self,
        luot: Luot,
        *,
        base_dir: Path,
        public_url: str | None = None,
        settings: SpoolerSettings | None = None,
        agent_push: AgentPush | None = None,
    ) -> None:
        self.luot = luot
        self.base_dir = base_dir
        self.settings = settings or SpoolerSettings()
        self.agent_push = agent_push
        self._public_url = public_url
        self._seen_url: str | None = None
        self._workers: dict[str, _Worker] = {}
        self._lock = threading.Lock()
        self._stop = threading.Event()

    @property
    def public_url(self) -> str:
        """The address printed in QR codes: ``LUOT_PUBLIC_URL``, else the one requests came in on."""
        return self._public_url or self._seen_url or "http://localhost:5000"

    def seen_url(self, base_url: str) -> None:
        self._seen_url = base_url.rstrip("/")

    # -- handing jobs over ------------------------------------------------------------------------------

    def after_issue(self, ticket_id: int) -> dict[str, Any]:
        """Hand the ticket's newest job to its printer. Returns the API's ``print``: ``{status}`` (``none``
        without a printer) and, once the printer has reported, its last status as ``printer_status``."""
        with self.luot.read() as session:
            job = printing.latest_job(session, ticket_id)
            if job is None:
                return {"status": "none"}
            known = printing.printer_status(session, job.site_id, job.printer_uri)
        self.submit(job)
        answer: dict[str, Any] = {"status": job.status}
        if known is not None:
            answer["printer_status"] = known
        return answer

    def submit(self, job: JobRef) -> None:
        if job.status != "queued" or self._stop.is_set():
            return
        if is_agent(job.printer_uri):
            if job.device_id is not None:
                self.send_to_agent(job.device_id, [job])
            return
        with self._lock:
            worker = self._workers.get(job.printer_uri)
            if worker is None or not worker.is_alive():
                worker = _Worker(self, job.printer_uri)
                self._workers[job.printer_uri] = worker
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
        """What a kiosk's agent must print: its queued jobs still worth printing, oldest first."""
        now = self.luot.now()
        with self.luot.read() as session:
            jobs = printing.pending_jobs(session, device_id=device_id, agent=True)
        payloads = []
        for job in jobs:
            payload = self.agent_payload(job, now)
            if payload is not None:
                payloads.append(payload)
        return payloads

    def agent_payload(self, job: JobRef, now: datetime) -> dict[str, Any] | None:
        with self.luot.read() as session:
            from server.db.models import PrintJob, Ticket

            row = session.get(PrintJob, job.id)
            if row is None or row.status != "queued":
                return None
            if now - row.created_at > timedelta(seconds=self.settings.give_up_s):
                self._finish(
                    job.id, printed=False, status=PrinterStatus.OFFLINE, detail="agent away", give_up=True
                )
                return None
            paper = printing.paper_for(session, session.get_one(Ticket, row.ticket_id), now, self.public_url)
        return {"job_id": job.id, "ticket_id": job.ticket_id, "ticket": paper.to_json()}

    def send_to_agent(self, device_id: int, jobs: list[JobRef]) -> None:
        if self.agent_push is None:
            return
        now = self.luot.now()
        for job in jobs:
            payload = self.agent_payload(job, now)
            if payload is not None:
                self.agent_push(device_id, payload)

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
    """Prints one printer's jobs in order; retries the job at the head until it prints or is given up."""

    def __init__(self, spooler: Spooler, uri: str) -> None:
        super().__init__(name=f"printer {uri}", daemon=True)
        self.spooler = spooler
        self.uri = uri
        self.jobs: queue.Queue[Any] = queue.Queue()

    def run(self) -> None:
        while True:
            job = self.jobs.get()
            if job is _STOP or self.spooler._stop.is_set():
                return
            try:
                self._print(job)
            except Exception:
                log.exception("print job %s failed unexpectedly", job.id)

    def _print(self, job: JobRef) -> None:
        spooler = self.spooler
        settings = spooler.settings
        while not spooler._stop.is_set():
            claimed = printing.claim(spooler.luot.uow(), job.id, spooler.luot.now(), spooler.public_url)
            if claimed is None:
                return  # printed, given up, or another process holds it
            try:
                driver = open_printer(self.uri, base_dir=spooler.base_dir, timeout=settings.timeout_s)
                image = render_ticket(claimed.paper, driver.address.width)
                driver.print_image(image, name=claimed.paper.number)
            except FontMissing as exc:
                log.error("%s", exc)
                spooler._finish(
                    job.id, printed=False, status=PrinterStatus.ERROR, detail=str(exc), give_up=True
                )
                return
            except PrinterError as exc:
                age = (spooler.luot.now() - claimed.created_at).total_seconds()
                give_up = age >= settings.give_up_s
                log.warning(
                    "printer %s: %s (%s), attempt %s", self.uri, exc.status, exc.detail, claimed.attempt
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
                log.exception("printer %s could not print job %s", self.uri, job.id)
                spooler._finish(
                    job.id, printed=False, status=PrinterStatus.ERROR, detail=str(exc)[:300], give_up=True
                )
                return
            spooler._finish(job.id, printed=True)
            return
