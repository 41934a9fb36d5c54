"""Printing use cases: a ticket's print job is queued in the transaction that issues it, then a spooler
(or the kiosk's print agent) claims it, prints it and reports back. Each step is one transaction; what
changed is published as ``print.updated`` and ``printer.status``.

A job is *claimed* with a conditional update that sets a short lease, so that two server processes (or a
process and a print agent) never print the same job; a job not finished before its lease ends may be
claimed again.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from ..db.models import AuditRecord, Device, PrinterState, PrintJob, Site, Ticket
from ..db.repositories import Repositories
from ..domain.access import DeviceKind, Principal
from ..domain.days import local_day
from ..domain.errors import N_, Conflict, NotFound
from ..domain.events import PrinterStatusChanged, PrintJobChanged, PrintJobQueued
from ..domain.printing import (
    JobRef,
    JobStatus,
    PrinterRefused,
    PrinterStatus,
    TicketPaper,
    choose_printer,
    is_agent,
    printer_for,
)
from .accounts.auth import DeviceInfo
from .audit import record_refusal
from .core.lookups import get_site, get_ticket
from .core.unit_of_work import UnitOfWork
from .core.urls import status_url
from .declared_printers import declared, installer_printer
from .queue.state import QueueState

LEASE = timedelta(seconds=60)


@dataclass(frozen=True)
class PrintAnswer:
    """What the API says of a ticket's printing: ``status`` (``none`` without a printer, else the job's)
    and what its printer last reported (``printer_status``: ok, offline, paper_out, error), once it has."""

    status: str
    printer_status: str | None = None


@dataclass(frozen=True, kw_only=True)
class ClaimedJob:
    job: JobRef
    paper: TicketPaper
    attempt: int
    created_at: datetime


@dataclass(frozen=True, kw_only=True)
class PrinterView:
    """A printer of a site as staff and managers see it."""

    printer: str
    device_id: int | None
    device_name: str | None
    role: str  # kiosk, desk
    status: str  # ok, offline, paper_out, error, unknown
    detail: str
    updated_at: datetime | None
    queued: int
    failed_today: int


def _ref(job: PrintJob) -> JobRef:
    return JobRef(
        id=job.id,
        ticket_id=job.ticket_id,
        site_id=job.site_id,
        device_id=job.device_id,
        printer_uri=job.printer_uri,
        status=job.status,
    )


# -- queuing (inside the issuing transaction) ---------------------------------------------------------------


def queue_ticket_print(
    uow: UnitOfWork, ticket: Ticket, site: Site, actor: Principal, at: datetime, reason: str = "issue"
) -> PrintAnswer:
    """Queue the printing of a just-issued ticket at the actor's printer (none: ``status`` ``none``)."""
    device = uow.sites.device(actor.device_id) if actor.device_id is not None else None
    uri = printer_for(actor.device_kind, device.printer_uri if device else None, site.default_printer)
    if uri is None:
        return PrintAnswer("none")
    device_id = device.id if device is not None and device.printer_uri == uri else None
    job = _new_job(uow, ticket, device_id, uri, reason, actor, at)
    state = uow.print_jobs.printer_state(site.id, uri)
    return PrintAnswer(job.status, state.status if state is not None else None)


def last_print(uow: UnitOfWork, ticket_id: int) -> PrintAnswer:
    """What became of the ticket's latest print job (for a replayed request)."""
    job = uow.print_jobs.latest(ticket_id)
    if job is None:
        return PrintAnswer("none")
    state = uow.print_jobs.printer_state(job.site_id, job.printer_uri)
    return PrintAnswer(job.status, state.status if state is not None else None)


def _new_job(
    uow: UnitOfWork,
    ticket: Ticket,
    device_id: int | None,
    uri: str,
    reason: str,
    actor: Principal,
    at: datetime,
) -> JobRef:
    """Store a queued job; the spooler receives it after commit (``PrintJobQueued`` on the bus)."""
    job = PrintJob(
        ticket_id=ticket.id,
        site_id=ticket.site_id,
        device_id=device_id,
        printer_uri=uri,
        reason=reason,
        status=JobStatus.QUEUED.value,
        attempts=0,
        requested_by_id=actor.user_id,
        created_at=at,
        updated_at=at,
    )
    uow.print_jobs.add(job)
    ref = _ref(job)
    uow.emit(PrintJobQueued(site_id=ticket.site_id, job=ref, at=at))
    return ref


@dataclass(frozen=True, kw_only=True)
class Reprint:
    actor: Principal
    ticket_id: int
    at: datetime
    device_id: int | None = None  # print at this kiosk of the site instead of the desk printer


def reprint(cmd: Reprint, uow: UnitOfWork) -> JobRef:
    """Staff print a ticket again: at the site's desk printer, or at a kiosk of the site they name
    (the ticket's own kiosk when the site has no desk printer)."""
    with uow:
        ticket = get_ticket(uow.tickets, cmd.ticket_id)
        cmd.actor.require(cmd.actor.can_serve(ticket.site_id))
        site = get_site(uow.sites, ticket.site_id)
        device_id = cmd.device_id
        uri = site.default_printer if device_id is None else None
        if uri is None:
            device_id = device_id if device_id is not None else ticket.device_id
            device = uow.sites.device(device_id) if device_id is not None else None
            if device is None or device.site_id != site.id or device.revoked_at is not None:
                if cmd.device_id is not None:
                    raise NotFound(N_("There is no such device."))
                raise Conflict(N_("No printer is set up for this."), code="no_printer")
            uri = device.printer_uri
        if not uri:
            raise Conflict(N_("No printer is set up for this."), code="no_printer")
        job_device = device_id if cmd.device_id is not None or uri != site.default_printer else None
        ref = _new_job(uow, ticket, job_device, uri, "reprint", cmd.actor, cmd.at)
        uow.commit()
        return ref


# -- the spooler's and the agent's side -------------------------------------------------------------------


def pending_jobs(
    session: Session,
    *,
    printer_uri: str | None = None,
    device_id: int | None = None,
    agent: bool | None = None,
) -> list[JobRef]:
    """Queued jobs, oldest first: of one printer, of one kiosk, or (``agent=False``) all of the server's."""
    query = select(PrintJob).where(PrintJob.status == JobStatus.QUEUED.value).order_by(PrintJob.id)
    if printer_uri is not None:
        query = query.where(PrintJob.printer_uri == printer_uri)
    if device_id is not None:
        query = query.where(PrintJob.device_id == device_id)
    jobs = [_ref(job) for job in session.scalars(query)]
    if agent is None:
        return jobs
    return [job for job in jobs if is_agent(job.printer_uri) is agent]


def claim(uow: UnitOfWork, job_id: int, at: datetime, public_url: str) -> ClaimedJob | None:
    """Take a queued job for printing (sets its lease; counts the attempt) and say what to print; None
    when it is printed, given up, or someone else holds it."""
    with uow:
        session = uow.session
        result = session.execute(
            update(PrintJob)
            .where(
                PrintJob.id == job_id,
                PrintJob.status == JobStatus.QUEUED.value,
                or_(PrintJob.lease_until.is_(None), PrintJob.lease_until < at),
            )
            .values(lease_until=at + LEASE, attempts=PrintJob.attempts + 1, updated_at=at)
        )
        if getattr(result, "rowcount", 0) != 1:
            return None
        claimed = job_to_print(session, job_id, at, public_url)
        uow.commit()
        return claimed


def is_job_of(session: Session, job_id: int, device_id: int | None) -> bool:
    """Whether print job ``job_id`` is one of this kiosk's."""
    job = session.get(PrintJob, job_id)
    return job is not None and job.device_id == device_id


def job_to_print(session: Session, job_id: int, at: datetime, public_url: str) -> ClaimedJob | None:
    """A queued job and its ticket's paper as of ``at``; None once it is printed or given up."""
    job = session.get(PrintJob, job_id)
    if job is None or job.status != JobStatus.QUEUED.value:
        return None
    paper = paper_for(Repositories(session), session.get_one(Ticket, job.ticket_id), at, public_url)
    return ClaimedJob(job=_ref(job), paper=paper, attempt=job.attempts, created_at=job.created_at)


def paper_for(source: Repositories, ticket: Ticket, at: datetime, public_url: str) -> TicketPaper:
    site = get_site(source.sites, ticket.site_id)
    info = QueueState.load(source, site, at).ticket_info(ticket)
    service = ticket.service
    return TicketPaper(
        number=ticket.number,
        service=service.name,
        service_en=service.name_en,
        site=site.name,
        commune=", ".join(part for part in (site.commune.name, site.commune.province) if part),
        issued_at=ticket.issued_at.astimezone(ZoneInfo(site.timezone)),
        status_url=status_url(public_url, ticket.public_code),
        priority=ticket.priority,
        ahead=max(0, info.position - 1),
        estimated_wait_s=info.estimated_wait_s,
        footer=site.ticket_footer,
        appointment=ticket.appointment_start is not None,
        appointment_time=(
            ticket.appointment_start.astimezone(ZoneInfo(site.timezone)).strftime("%H:%M")
            if ticket.appointment_start is not None
            else ""
        ),
    )


@dataclass(frozen=True, kw_only=True)
class FinishJob:
    job_id: int
    at: datetime
    printed: bool
    printer_status: PrinterStatus = PrinterStatus.OK
    detail: str = ""
    give_up: bool = False  # a failed attempt ends the job (the printer stayed down too long)


def finish(cmd: FinishJob, uow: UnitOfWork) -> JobRef:
    """Record an attempt's outcome: printed; failed and to be retried (queued again); or given up."""
    with uow:
        session = uow.session
        job = session.get(PrintJob, cmd.job_id)
        if job is None:
            raise NotFound(N_("There is no such print job."))
        if job.status == JobStatus.QUEUED.value:
            job.lease_until = None
            job.updated_at = cmd.at
            if cmd.printed:
                job.status = JobStatus.PRINTED.value
                job.printed_at = cmd.at
            else:
                job.last_error = (cmd.detail or cmd.printer_status.value)[:400]
                if cmd.give_up:
                    job.status = JobStatus.FAILED.value
            if job.status != JobStatus.QUEUED.value:
                uow.emit(
                    PrintJobChanged(
                        site_id=job.site_id,
                        job_id=job.id,
                        ticket_id=job.ticket_id,
                        device_id=job.device_id,
                        status=job.status,
                        at=cmd.at,
                    )
                )
        status = PrinterStatus.OK if cmd.printed else cmd.printer_status
        _set_printer_state(uow, job.site_id, job.printer_uri, job.device_id, status, cmd.detail, cmd.at)
        ref = _ref(job)
        uow.commit()
        return ref


@dataclass(frozen=True, kw_only=True)
class ReportPrinter:
    site_id: int
    printer_uri: str
    device_id: int | None
    status: PrinterStatus
    at: datetime
    detail: str = ""


def report_printer(cmd: ReportPrinter, uow: UnitOfWork) -> bool:
    """Record what a printer (or a kiosk's print agent) says; True when its status changed."""
    with uow:
        changed = _set_printer_state(
            uow, cmd.site_id, cmd.printer_uri, cmd.device_id, cmd.status, cmd.detail, cmd.at
        )
        uow.commit()
        return changed


def _set_printer_state(
    uow: UnitOfWork,
    site_id: int,
    uri: str,
    device_id: int | None,
    status: PrinterStatus,
    detail: str,
    at: datetime,
) -> bool:
    state = uow.print_jobs.printer_state(site_id, uri)
    changed = state is None or state.status != status.value
    if state is None:
        state = PrinterState(site_id=site_id, printer_uri=uri, device_id=device_id)
        uow.session.add(state)
    state.status = status.value
    state.detail = detail[:400]
    state.device_id = device_id
    state.updated_at = at
    if changed:
        uow.emit(
            PrinterStatusChanged(
                site_id=site_id,
                device_id=device_id,
                printer=uri,
                status=status.value,
                detail=detail[:400],
                at=at,
            )
        )
    return changed


def give_up_stale(uow: UnitOfWork, older_than: datetime, at: datetime) -> int:
    """Queued jobs created before ``older_than`` are failed (a ticket printed much later would be
    taken by the wrong person); returns how many."""
    with uow:
        session = uow.session
        stale = session.scalars(
            select(PrintJob).where(
                PrintJob.status == JobStatus.QUEUED.value, PrintJob.created_at < older_than
            )
        ).all()
        for job in stale:
            job.status = JobStatus.FAILED.value
            job.last_error = (job.last_error or "not printed in time")[:400]
            job.lease_until = None
            job.updated_at = at
            uow.emit(
                PrintJobChanged(
                    site_id=job.site_id,
                    job_id=job.id,
                    ticket_id=job.ticket_id,
                    device_id=job.device_id,
                    status=job.status,
                    at=at,
                )
            )
        uow.commit()
        return len(stale)


# -- what staff see and admins change ------------------------------------------------------------------------


def site_printers(session: Session, actor: Principal, site_id: int, at: datetime) -> list[PrinterView]:
    """The site's desk printer and its kiosks' printers, with what each last reported."""
    site = get_site(Repositories(session).sites, site_id)
    actor.require(actor.can_serve(site.id))
    states = {
        state.printer_uri: state
        for state in session.scalars(select(PrinterState).where(PrinterState.site_id == site.id))
    }
    start_of_day = local_day(at, site.timezone).start
    jobs = session.execute(
        select(PrintJob.printer_uri, PrintJob.device_id, PrintJob.status).where(
            PrintJob.site_id == site.id,
            or_(PrintJob.status == JobStatus.QUEUED.value, PrintJob.created_at >= start_of_day),
        )
    ).all()

    def count(uri: str, device_id: int | None, status: JobStatus) -> int:
        return sum(
            1
            for job_uri, job_device, job_status in jobs
            if job_uri == uri
            and job_status == status.value
            and (device_id is None or job_device == device_id)
        )

    def view(uri: str, device: Device | None) -> PrinterView:
        state = states.get(uri)
        device_id = device.id if device is not None else None
        return PrinterView(
            printer=uri,
            device_id=device_id,
            device_name=device.name if device is not None else None,
            role="kiosk" if device is not None else "desk",
            status=state.status if state is not None else "unknown",
            detail=state.detail if state is not None else "",
            updated_at=state.updated_at if state is not None else None,
            queued=count(uri, device_id, JobStatus.QUEUED),
            failed_today=count(uri, device_id, JobStatus.FAILED),
        )

    views = [view(site.default_printer, None)] if site.default_printer else []
    kiosks = session.scalars(
        select(Device)
        .where(Device.site_id == site.id, Device.kind == DeviceKind.KIOSK.value, Device.revoked_at.is_(None))
        .order_by(Device.id)
    )
    views.extend(view(device.printer_uri, device) for device in kiosks if device.printer_uri)
    return views


@dataclass(frozen=True, kw_only=True)
class SetDevicePrinter:
    actor: Principal | None  # None: the installation's operator, on the command line
    device_id: int
    printer_uri: str | None  # None: no printer; a declared printer's name, or a URI
    at: datetime
    networks: tuple[str, ...] = ()  # LUOT_PRINTER_NETWORKS: where tcp:// may reach through the API


def set_device_printer(cmd: SetDevicePrinter, uow: UnitOfWork) -> DeviceInfo:
    """An admin, or a manager of the kiosk's site, changes its printer; the kiosk keeps its enrolment.

    Through the API (an ``actor``) only a printer declared for the site, ``agent://``, or ``tcp://`` into
    ``networks`` may be chosen (:func:`server.domain.printing.choose_printer`); a refusal is recorded in
    the audit (committed) and raised as 422 ``invalid_printer``. The installer (no ``actor``) may give
    any URI, checked against the drivers and the printer folders by the command line, or a declared
    printer's name."""
    with uow:
        session = uow.session
        device = session.get(Device, cmd.device_id)
        if device is None or device.revoked_at is not None:
            raise NotFound(N_("There is no such device."))
        if cmd.actor is not None:
            cmd.actor.require(cmd.actor.can_manage(device.site_id))
        if device.kind != DeviceKind.KIOSK.value:
            raise Conflict(N_("Only a kiosk has a printer."), code="not_a_kiosk")
        if cmd.actor is None:
            uri = installer_printer(session, device.site_id, cmd.printer_uri)
        else:
            try:
                uri = choose_printer(cmd.printer_uri, declared(session, device.site_id), cmd.networks)
            except PrinterRefused as refused:
                record_refusal(
                    session,
                    kind="printer_refused",
                    at=cmd.at,
                    site_id=device.site_id,
                    actor_id=cmd.actor.user_id,
                    device_id=cmd.device_id,
                    detail=str(refused),
                    attempted=cmd.printer_uri or "",
                    role=cmd.actor.role.value if cmd.actor.role is not None else None,
                )
                uow.commit()
                raise
        previous, device.printer_uri = device.printer_uri, uri
        if previous != uri:
            who = cmd.actor.username if cmd.actor is not None else "the installer"
            session.add(
                AuditRecord(
                    at=cmd.at,
                    kind="device_printer_set",
                    site_id=device.site_id,
                    actor_id=cmd.actor.user_id if cmd.actor is not None else None,
                    device_id=device.id,
                    detail=f"device_printer_set by {who}",
                    data={"name": device.name, "from": previous, "to": uri},
                )
            )
        info = DeviceInfo.of(device)
        uow.commit()
        return info
