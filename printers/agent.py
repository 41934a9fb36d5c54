"""The kiosk print agent (``luot kiosk-agent``): runs on a kiosk PC with its own printer, while the server
may be elsewhere on the LAN or at the province.

It keeps a Socket.IO connection to the server's ``/agent`` namespace with the kiosk's device token,
receives that kiosk's print jobs (``print.job``), prints each through the same drivers as the server,
retrying while the printer is down, and acknowledges it (``print.ack``). The server sends every job not
yet acknowledged again on each connect, and the agent prints a job id only once (a repeated job is just
acknowledged again), so a job is printed once even when the network drops between print and ack. It
reports its printer's status (``printer.status``) whenever it changes.

With ``serve_port`` and ``journal`` it also serves the kiosk page on the kiosk PC and keeps issuing
tickets from a lease of numbers while the server does not answer (:mod:`printers.offline`).
"""

from __future__ import annotations

import http.client
import json
import logging
import queue
import threading
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import socketio

from server.domain.printing import TicketPaper, retry_delay_s

from .drivers import InvalidPrinterUri, PrinterError, PrinterFolders, open_printer, parse
from .offline import Journal, KioskProxy, OfflineDesk, Upstream
from .render import FontMissing, render_ticket

log = logging.getLogger(__name__)

NAMESPACE = "/agent"
REMEMBERED = 2000  # job ids kept to recognise a job sent again
FINAL_REFUSALS = {"not_leased", "offline_id_taken"}  # any other refusal is tried again later


class KioskAgent:
    def __init__(
        self,
        server: str,
        token: str,
        printer: str,
        *,
        folders: PrinterFolders | None = None,
        timeout_s: float = 3.0,
        retry_base_s: float = 0.5,
        retry_cap_s: float = 15.0,
        give_up_s: float = 300.0,
        serve_port: int | None = None,
        journal: Path | None = None,
        lease_every_s: float = 5.0,
    ) -> None:
        self.folders = folders or PrinterFolders.of([Path.cwd() / "printers"])
        parse(printer, self.folders)  # a bad URI stops the agent at once
        self.server = server.rstrip("/")
        self.token = token
        self.printer = printer
        self.timeout_s = timeout_s
        self.retry_base_s = retry_base_s
        self.retry_cap_s = retry_cap_s
        self.give_up_s = give_up_s
        self.printed: dict[int, None] = {}  # insertion-ordered set of printed job ids
        self._taken: set[int] = set()
        self._jobs: queue.Queue[dict[str, Any] | None] = queue.Queue()
        self._status: tuple[str, str] | None = None
        self._unsent_acks: dict[int, dict[str, Any]] = {}  # acks that found no connection
        self._acks_lock = threading.Lock()
        self._stop = threading.Event()
        self._worker = threading.Thread(target=self._work, name="kiosk print agent", daemon=True)
        self.client = socketio.Client(reconnection=True, reconnection_delay=0.5, reconnection_delay_max=5)
        self.client.on("connect", self._on_connect, namespace=NAMESPACE)
        self.client.on("print.job", self._on_job, namespace=NAMESPACE)
        self.lease_every_s = lease_every_s
        self._wake = threading.Event()
        self.upstream = Upstream.of(self.server)
        self.journal: Journal | None = None
        self.proxy: KioskProxy | None = None
        if serve_port is not None:
            self.journal = Journal(journal or Path.cwd() / "kiosk-journal.sqlite3")
            desk = OfflineDesk(self.journal, self._print_offline)
            self.proxy = KioskProxy(self.upstream, desk, serve_port, self._reachable)
            self.proxy.printing = lambda: bool(self.client.connected)  # jobs reach it over this connection

    # -- connection -------------------------------------------------------------------------------------

    def start(self) -> KioskAgent:
        """Connect (retrying until the server answers) and start printing; returns at once."""
        self._worker.start()
        threading.Thread(target=self._connect, name="kiosk agent connection", daemon=True).start()
        if self.proxy is not None:
            self.proxy.start()
            threading.Thread(target=self._keep, name="kiosk agent leases", daemon=True).start()
        return self

    def run(self) -> None:
        """Run until interrupted (the systemd service's main loop)."""
        self.start()
        try:
            while not self._stop.wait(1):
                pass
        except KeyboardInterrupt:
            pass
        finally:
            self.stop()

    def _connect(self) -> None:
        delay = 0.5
        while not self._stop.is_set():
            try:
                self.client.connect(
                    self.server,
                    auth={"token": self.token},
                    namespaces=[NAMESPACE],
                    transports=["websocket", "polling"],
                    wait_timeout=10,
                )
                return  # from now on python-socketio reconnects by itself
            except socketio.exceptions.ConnectionError as exc:
                log.warning("cannot reach the server at %s (%s); trying again", self.server, exc)
                self._stop.wait(delay)
                delay = min(delay * 2, 10)

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()
        self._jobs.put(None)
        if self.proxy is not None:
            self.proxy.stop()
        try:
            self.client.disconnect()
        except Exception:  # already gone
            log.debug("disconnect", exc_info=True)
        if self._worker.is_alive():
            self._worker.join(self.timeout_s + 2)

    def _on_connect(self) -> None:
        log.info("connected to %s", self.server)
        status, detail = self._status or ("ok", "print agent connected")
        self._emit("printer.status", {"status": status, "detail": detail})
        # A job sent with the server's connect may print before this side counts as connected.
        with self._acks_lock:
            for job_id, ack in list(self._unsent_acks.items()):
                if self._emit("print.ack", ack):
                    del self._unsent_acks[job_id]

    def _on_job(self, data: dict[str, Any]) -> None:
        job_id = data.get("job_id")
        if not isinstance(job_id, int):
            return
        if job_id in self.printed:
            self._ack(job_id, "printed")  # printed before the ack got through: acknowledge again
            return
        if job_id in self._taken:
            return  # already waiting or printing here
        self._taken.add(job_id)
        self._jobs.put(data)

    def _emit(self, event: str, data: dict[str, Any]) -> bool:
        try:
            self.client.emit(event, data, namespace=NAMESPACE)
            return True
        except socketio.exceptions.BadNamespaceError:  # not connected: the server resends on connect
            return False

    def _ack(self, job_id: int, status: str, printer_status: str = "ok", detail: str = "") -> None:
        ack = {"job_id": job_id, "status": status, "printer_status": printer_status, "detail": detail}
        with self._acks_lock:
            if not self._emit("print.ack", ack):
                self._unsent_acks[job_id] = ack  # sent on the next connect

    def _report(self, status: str, detail: str = "") -> None:
        if self._status is None or self._status[0] != status:
            self._status = (status, detail)
            self._emit("printer.status", {"status": status, "detail": detail})

    # -- printing --------------------------------------------------------------------------------------

    def _work(self) -> None:
        while True:
            job = self._jobs.get()
            if job is None:
                return
            try:
                self._print(job)
            except Exception:
                log.exception("could not print job %s", job.get("job_id"))
            finally:
                self._taken.discard(job["job_id"])

    def _print(self, job: dict[str, Any]) -> None:
        job_id = job["job_id"]
        paper = TicketPaper.from_json(job["ticket"])
        received = time.monotonic()
        attempt = 0
        while not self._stop.is_set():
            attempt += 1
            try:
                driver = open_printer(self.printer, folders=self.folders, timeout=self.timeout_s)
                driver.print_image(render_ticket(paper, driver.address.width), name=paper.number)
            except (FontMissing, InvalidPrinterUri) as exc:
                self._report("error", str(exc))
                self._ack(job_id, "failed", "error", str(exc))
                return
            except PrinterError as exc:
                self._report(exc.status, exc.detail)
                if time.monotonic() - received >= self.give_up_s:
                    self._ack(job_id, "failed", exc.status, exc.detail)
                    return
                self._stop.wait(retry_delay_s(attempt, self.retry_base_s, self.retry_cap_s))
                continue
            self.printed[job_id] = None
            while len(self.printed) > REMEMBERED:
                del self.printed[next(iter(self.printed))]
            self._report("ok")
            self._ack(job_id, "printed")
            return

    # -- offline issuing (printers/offline.py) ----------------------------------------------------------

    def _reachable(self, answered: bool) -> None:
        if self.proxy is None:
            return
        if answered and not self.proxy.online:
            self._wake.set()  # the server is back: send the journal now
        self.proxy.online = answered

    def _keep(self) -> None:
        """While the server answers: send the journal oldest first, then keep the leases topped up."""
        while not self._stop.is_set():
            try:
                self._sync()
                self._reachable(True)
            except (OSError, http.client.HTTPException) as exc:
                log.debug("leases: the server does not answer (%s)", exc)
                self._reachable(False)
            except Exception:
                log.exception("leases")
            self._wake.wait(self.lease_every_s)
            self._wake.clear()

    def _sync(self) -> None:
        journal = self.journal
        assert journal is not None
        for ticket in journal.pending():
            body = {
                key: ticket[key]
                for key in ("offline_id", "service_id", "sequence", "public_code", "issued_at")
            }
            status, answer = self._call("/api/v1/kiosk-agent/tickets", {**ticket["request"], **body})
            if status == 200:
                journal.replayed(
                    ticket["offline_id"],
                    datetime.now(UTC),
                    "over_limit" if answer.get("over_limit") else "recorded",
                )
            elif status in (400, 404, 422) or _code(answer) in FINAL_REFUSALS:
                code = _code(answer) or status  # refused for good: kept in the journal, logged
                log.warning("the server refused offline ticket %s (%s)", ticket["number"], code)
                journal.replayed(ticket["offline_id"], datetime.now(UTC), f"refused:{code}")
            else:
                return  # try again later, in the same order
        leases = self._leases()
        if leases is not None:
            journal.store_leases(leases)

    def _leases(self) -> dict[str, Any] | None:
        assert self.journal is not None
        known = self.journal.lease_answer()
        used = self.journal.used(str(known["day"])) if known else {}
        status, answer = self._call(
            "/api/v1/kiosk-agent/leases",
            {"used": [{"service_id": service_id, "last": last} for service_id, last in used.items()]},
        )
        if status != 200:
            log.warning("the server granted no lease (%s)", answer.get("error", {}).get("code", status))
            return None
        return answer

    def _call(self, path: str, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        connection = self.upstream.connection(self.timeout_s + 2)
        try:
            connection.request(
                "POST",
                path,
                body=json.dumps(body),
                headers={"Authorization": f"Bearer {self.token}", "Content-Type": "application/json"},
            )
            response = connection.getresponse()
            content = response.read()
        finally:
            connection.close()
        try:
            answer = json.loads(content) if content else {}
        except ValueError:
            answer = {}
        return response.status, answer if isinstance(answer, dict) else {}

    def _print_offline(self, paper: TicketPaper) -> bool:
        for attempt in (1, 2):
            try:
                driver = open_printer(self.printer, folders=self.folders, timeout=self.timeout_s)
                driver.print_image(render_ticket(paper, driver.address.width), name=paper.number)
                self._status = ("ok", "")
                return True
            except (FontMissing, InvalidPrinterUri) as exc:
                log.error("cannot print offline ticket %s: %s", paper.number, exc)
                return False
            except PrinterError as exc:
                log.warning("offline ticket %s, attempt %s: %s", paper.number, attempt, exc.detail)
                self._status = (exc.status, exc.detail)
        return False


def _code(answer: dict[str, Any]) -> str | None:
    error = answer.get("error")
    code = error.get("code") if isinstance(error, dict) else None
    return code if isinstance(code, str) else None
