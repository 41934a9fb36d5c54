"""Ticket use cases: issue, call next, call a chosen ticket, recall, start, complete, no-show, transfer,
cancel. Each runs in one transaction and publishes its events after commit.

Every ticket, whoever asks for it (a kiosk, staff at the desk, an appointment's check-in), is made by
:func:`new_ticket`: numbered by the day's counter, recorded in the history, queued for printing, announced.
Staff actions may carry a client ``request_id`` (:mod:`..core.idempotency`): a retry acts no more and
returns the ticket as it is now.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from ...db.models import Counter, Service, Site, Ticket
from ...domain.access import DeviceKind, Principal
from ...domain.days import business_day
from ...domain.errors import N_, Conflict, InvalidValue, LimitReached, NotFound
from ...domain.events import TicketCalled, TicketChanged, TicketInfo, TicketIssued
from ...domain.numbering import format_number
from ...domain.tickets import Action, Priority, TicketStatus, next_status
from ..core.history import record
from ..core.idempotency import claim_request, remember_request, retry_on_race
from ..core.lookups import get_counter, get_site, get_ticket
from ..core.unit_of_work import UnitOfWork
from ..printing import PrintAnswer, last_print, queue_ticket_print
from ..ratings import request_rating
from .state import QueueState, counter_ref, counter_streak, site_is_open


@dataclass(frozen=True, kw_only=True)
class IssueTicket:
    actor: Principal
    site_id: int
    service_id: int
    at: datetime
    priority: Priority = Priority.NONE
    phone: str | None = None
    citizen_key: str | None = None
    language: str = "vi"
    request_id: str | None = None


@dataclass(frozen=True, kw_only=True)
class CallNext:
    actor: Principal
    counter_id: int
    at: datetime
    request_id: str | None = None


@dataclass(frozen=True, kw_only=True)
class TicketCommand:
    """An action on one ticket. ``counter_id`` is for ``call``, ``service_id`` for ``transfer``."""

    actor: Principal
    ticket_id: int
    action: Action
    at: datetime
    counter_id: int | None = None
    service_id: int | None = None
    dossier_code: str | None = None
    reason: str | None = None
    request_id: str | None = None


@dataclass(frozen=True, kw_only=True)
class OfflineIssue:
    """What a kiosk agent decided for a ticket it issued offline (see :mod:`.offline`)."""

    offline_id: str
    sequence: int
    public_code: str
    over_limit: bool = False


@dataclass(frozen=True, kw_only=True)
class TicketDetails:
    """What a new ticket carries besides its service and its issuer, every way of issuing alike."""

    request_id: str | None = None
    priority: Priority = Priority.NONE
    phone: str | None = None
    citizen_id_hash: str | None = None
    language: str = "vi"
    appointment_id: int | None = None
    appointment_start: datetime | None = None  # an appointment ticket, called at its time
    history: Mapping[str, object] | None = None  # added to the history's "issued" record
    unconfirmed_code: str | None = None  # a site box's check-in by a code it cannot confirm yet
    offline: OfflineIssue | None = None  # a kiosk agent's ticket: its number and code are the agent's


@dataclass(frozen=True)
class Issued:
    """A new ticket as its issuer sees it, and what became of its printing."""

    ticket: TicketInfo
    print: PrintAnswer


@retry_on_race
def issue_ticket(cmd: IssueTicket, uow: UnitOfWork) -> Issued:
    """Issue a walk-in ticket (kiosk, or desk issuing by staff)."""
    with uow:
        site = get_site(uow.sites, cmd.site_id)
        cmd.actor.require(cmd.actor.can_issue(site.id))
        replay = claim_request(uow.requests, cmd.actor, cmd.request_id, "issue", cmd.service_id, cmd.at)
        if replay is not None and replay.ticket_id is not None:
            ticket = get_ticket(uow.tickets, replay.ticket_id)
            return Issued(current_info(uow, ticket, cmd.at), last_print(uow, ticket.id))
        services = uow.sites.services(site.id)  # once: the queue state needs them all
        service = services.get(cmd.service_id)
        if service is None:
            raise NotFound(N_("This site has no such service."))
        if not service.is_open:
            raise Conflict(N_("This service is not taking tickets at the moment."), code="service_closed")
        if cmd.actor.device_kind is DeviceKind.KIOSK and not site_is_open(site, cmd.at):
            raise Conflict(N_("The centre is closed now."), code="site_closed")
        check_person_limit(uow, site, cmd.at, cmd.phone, cmd.citizen_key)
        details = TicketDetails(
            request_id=cmd.request_id,
            priority=cmd.priority,
            phone=cmd.phone,
            citizen_id_hash=cmd.citizen_key,
            language=cmd.language,
        )
        issued = new_ticket(uow, site, service, cmd.actor, cmd.at, details, services=services)
        uow.commit()
        return issued


def new_ticket(
    uow: UnitOfWork,
    site: Site,
    service: Service,
    actor: Principal,
    at: datetime,
    details: TicketDetails,
    *,
    services: dict[int, Service] | None = None,
    print_reason: str = "issue",
) -> Issued:
    """Make a waiting ticket of ``service`` in the unit of work that decided to issue it (:func:`add_ticket`),
    its printing queued at the actor's printer, and ``ticket.updated`` and ``queue.changed`` emitted. A
    ticket a kiosk agent issued (and printed) from its lease (``details.offline``) is not printed again."""
    ticket = add_ticket(uow, site, service, actor, at, details)
    if details.offline is not None:
        printed = PrintAnswer("printed")  # by the agent, on its own printer
    else:
        printed = queue_ticket_print(uow, ticket, site, actor, at, reason=print_reason)
    state = QueueState.load(uow, site, at, services)
    info = state.ticket_info(ticket)
    uow.emit(TicketIssued(site_id=site.id, ticket=info, at=at))
    uow.emit(state.queue_changed(at))
    return Issued(info, printed)


def add_ticket(
    uow: UnitOfWork,
    site: Site,
    service: Service,
    actor: Principal,
    at: datetime,
    details: TicketDetails,
    *,
    status: TicketStatus = TicketStatus.WAITING,
    remote: bool = False,
) -> Ticket:
    """The ticket's row, every way of issuing alike: numbered by the day's counter (or the agent's lease),
    remembered under its request id and recorded in the history. A ``remote`` ticket
    (:mod:`..near_turn.remote`) starts as ``pending_arrival``."""
    offline = details.offline
    day = business_day(at, site.timezone)
    if offline is not None:
        sequence = offline.sequence
    else:
        sequence = uow.tickets.next_sequence(site.id, service.id, day, service.start)
    ticket = Ticket(
        site_id=site.id,
        service_id=service.id,
        issued_service_id=service.id,
        day=day,
        sequence=sequence,
        number=format_number(service.prefix, sequence, service.digits),
        priority=details.priority.value,
        status=status.value,
        public_code=offline.public_code if offline is not None else secrets.token_urlsafe(12),
        issued_at=at,
        waiting_since=at,
        phone=details.phone,
        citizen_id_hash=details.citizen_id_hash,
        language=details.language,
        appointment_id=details.appointment_id,
        appointment_start=details.appointment_start,
        device_id=actor.device_id,
        issued_by_id=actor.user_id,
        call_count=0,
        remote=remote,
        unconfirmed_code=details.unconfirmed_code,
        offline_id=offline.offline_id if offline is not None else None,
        offline_over_limit=offline.over_limit if offline is not None else False,
    )
    uow.tickets.add(ticket)
    remember_request(uow.requests, actor, details.request_id, ticket.id)
    data: dict[str, object] = {
        "priority": ticket.priority,
        **({"remote": True} if remote else {}),
        **(details.history or {}),
    }
    record(uow.tickets, ticket, "issued", at, actor, data=data)
    return ticket


@retry_on_race
def call_next(cmd: CallNext, uow: UnitOfWork) -> TicketInfo | None:
    """Call the ticket the policy picks for this counter; ``None`` when nobody waits for its services."""
    with uow:
        counter = get_counter(uow.sites, cmd.counter_id)
        cmd.actor.require(cmd.actor.can_serve(counter.site_id))
        # Counters of a site pick one after the other (picking is short); SQLite's write lock does the same.
        uow.lock(f"call-next:{counter.site_id}")
        uow.refresh(counter)
        replay = claim_request(uow.requests, cmd.actor, cmd.request_id, "call_next", counter.id, cmd.at)
        if replay is not None:
            if replay.ticket_id is None:
                return None
            return current_info(uow, get_ticket(uow.tickets, replay.ticket_id), cmd.at)
        _require_free(counter)
        site = get_site(uow.sites, counter.site_id)
        state = QueueState.load(uow, site, cmd.at)
        choice = state.next_for(counter, counter_streak(uow, site, counter.id, cmd.at))
        if choice is None:
            uow.commit()  # keeps the request id, so a retry does not call someone who arrived since
            return None
        ticket = get_ticket(uow.tickets, choice.candidate.ticket_id)
        info = _call(uow, state, ticket, counter, cmd.actor, cmd.at, choice.rule.value)
        remember_request(uow.requests, cmd.actor, cmd.request_id, ticket.id)
        uow.commit()
        return info


@retry_on_race
def act_on_ticket(cmd: TicketCommand, uow: UnitOfWork) -> TicketInfo:
    """Apply one staff action to a ticket; :class:`IllegalTransition` (409) if its status forbids it."""
    with uow:
        ticket = get_ticket(uow.tickets, cmd.ticket_id)
        cmd.actor.require(cmd.actor.can_serve(ticket.site_id))
        replay = claim_request(uow.requests, cmd.actor, cmd.request_id, cmd.action.value, ticket.id, cmd.at)
        if replay is not None:
            return current_info(uow, ticket, cmd.at)
        site = get_site(uow.sites, ticket.site_id)
        next_status(TicketStatus(ticket.status), cmd.action)  # 409 before anything else is looked at
        state = QueueState.load(uow, site, cmd.at)
        if cmd.action is Action.CALL:
            counter = _counter_for_call(uow, ticket, cmd.counter_id)
            info = _call(uow, state, ticket, counter, cmd.actor, cmd.at, "manual")
        elif cmd.action is Action.RECALL:
            info = _recall(uow, state, ticket, cmd)
        else:
            info = _change(uow, state, ticket, cmd)
        remember_request(uow.requests, cmd.actor, cmd.request_id, ticket.id)
        uow.commit()
        return info


def current_info(uow: UnitOfWork, ticket: Ticket, at: datetime) -> TicketInfo:
    """The ticket as it is now (what a replayed request answers)."""
    site = get_site(uow.sites, ticket.site_id)
    return QueueState.load(uow, site, at).ticket_info(ticket)


# -- the actions ---------------------------------------------------------------------------------


def _call(
    uow: UnitOfWork,
    state: QueueState,
    ticket: Ticket,
    counter: Counter,
    actor: Principal,
    at: datetime,
    rule: str,
) -> TicketInfo:
    _require_free(counter)
    ticket.status = next_status(TicketStatus(ticket.status), Action.CALL).value
    ticket.counter_id = counter.id
    ticket.counter = counter
    ticket.called_at = at
    if ticket.first_called_at is None:
        ticket.first_called_at = at
        ticket.wait_s = max(0, int((at - ticket.waiting_since).total_seconds()))
    ticket.call_count += 1
    ticket.call_rule = rule
    ticket.served_by_id = actor.user_id
    counter.current_ticket_id = ticket.id
    uow.flush()  # the version checks: a counter that claimed it first wins
    record(uow.tickets, ticket, "called", at, actor, data={"rule": rule})
    state.forget(ticket)
    info = state.ticket_info(ticket)
    ref = counter_ref(counter)
    assert ref is not None
    uow.emit(TicketCalled(site_id=ticket.site_id, ticket=info, counter=ref, called_at=info.called_at or at))
    uow.emit(state.queue_changed(at))
    return info


def _recall(uow: UnitOfWork, state: QueueState, ticket: Ticket, cmd: TicketCommand) -> TicketInfo:
    ticket.call_count += 1
    ticket.called_at = cmd.at
    uow.flush()
    record(uow.tickets, ticket, "recalled", cmd.at, cmd.actor, data={"call_count": ticket.call_count})
    info = state.ticket_info(ticket)
    ref = counter_ref(ticket.counter)
    assert ref is not None
    uow.emit(TicketCalled(site_id=ticket.site_id, ticket=info, counter=ref, called_at=cmd.at, recall=True))
    return info


def _change(uow: UnitOfWork, state: QueueState, ticket: Ticket, cmd: TicketCommand) -> TicketInfo:
    """start, complete, no_show, transfer, cancel."""
    was_waiting = ticket.status == TicketStatus.WAITING
    counter = ticket.counter
    data: dict[str, object] = {}
    ticket.status = next_status(TicketStatus(ticket.status), cmd.action).value
    if cmd.action is Action.START:
        ticket.started_at = cmd.at
        ticket.served_by_id = cmd.actor.user_id
    elif cmd.action is Action.COMPLETE:
        ticket.finished_at = cmd.at
        ticket.service_s = _seconds_since(ticket.started_at, cmd.at)
        ticket.dossier_code = cmd.dossier_code
        data = {"service_s": ticket.service_s, "dossier_code": cmd.dossier_code}
    elif cmd.action in (Action.NO_SHOW, Action.CANCEL):
        ticket.finished_at = cmd.at
        data = {"reason": cmd.reason} if cmd.reason else {}
    elif cmd.action is Action.TRANSFER:
        target = _transfer_target(uow, ticket, cmd.service_id)
        data = {
            "from_service_id": ticket.service_id,
            "to_service_id": target.id,
            "service_s": _seconds_since(ticket.started_at, cmd.at),
            "reason": cmd.reason,
        }
        # Keeps number and waiting_since (the original issue time): the citizen keeps their place.
        ticket.service_id = target.id
        ticket.called_at = None
        ticket.started_at = None
        ticket.counter_id = None
    if (
        ticket.status != TicketStatus.SERVING
        and counter is not None
        and counter.current_ticket_id == ticket.id
    ):
        counter.current_ticket_id = None
        if ticket.status == TicketStatus.WAITING:
            ticket.counter = None
    uow.flush()
    record(
        uow.tickets,
        ticket,
        _EVENT_KIND[cmd.action],
        cmd.at,
        cmd.actor,
        counter_id=counter.id if counter else None,
        data=data,
    )
    if ticket.status == TicketStatus.WAITING:
        state.admit(ticket)
    else:
        state.forget(ticket)
    info = state.ticket_info(ticket)
    uow.emit(TicketChanged(site_id=ticket.site_id, ticket=info, action=cmd.action.value, at=cmd.at))
    if cmd.action is Action.COMPLETE:
        request_rating(uow, ticket, counter, cmd.at)  # the counter's rating pad asks the citizen
    if was_waiting or cmd.action is not Action.START:
        # The waiting list changed, or today's pace (and so every estimate) did, or a counter was freed
        # (an idle counter while people wait is an early warning of the manager's live view).
        uow.emit(state.queue_changed(cmd.at))
    return info


_EVENT_KIND = {
    Action.START: "started",
    Action.COMPLETE: "completed",
    Action.NO_SHOW: "no_show",
    Action.TRANSFER: "transferred",
    Action.CANCEL: "cancelled",
}


# -- helpers -------------------------------------------------------------------------------------


def _require_free(counter: Counter) -> None:
    if counter.status != "open":
        raise Conflict(N_("Open the counter before calling."), code="counter_not_open")
    if counter.current_ticket_id is not None:
        raise Conflict(N_("Finish the ticket at this counter first."), code="counter_busy")


def _counter_for_call(uow: UnitOfWork, ticket: Ticket, counter_id: int | None) -> Counter:
    if counter_id is None:
        raise InvalidValue(N_("Say which counter calls the ticket."), code="counter_required")
    counter = get_counter(uow.sites, counter_id)
    if counter.site_id != ticket.site_id:
        raise NotFound(N_("There is no such counter."))
    if ticket.service_id not in counter.service_ids:
        raise Conflict(N_("This counter does not serve the ticket's service."), code="service_not_served")
    return counter


def _transfer_target(uow: UnitOfWork, ticket: Ticket, service_id: int | None) -> Service:
    if service_id is None:
        raise InvalidValue(N_("Say which service the ticket goes to."), code="service_required")
    target = uow.sites.service(service_id)
    if target is None or target.site_id != ticket.site_id:
        raise NotFound(N_("This site has no such service."))
    if target.id == ticket.service_id:
        raise InvalidValue(N_("The ticket is already in this service."), code="same_service")
    return target


def check_person_limit(
    uow: UnitOfWork, site: Site, at: datetime, phone: str | None, citizen_key: str | None
) -> None:
    active = person_active_count(uow, site, phone, citizen_key)
    if active is not None and active >= site.person_ticket_limit:
        raise LimitReached(
            N_("You already have %(count)s tickets waiting today; please wait for them to be called."),
            code="person_limit",
            count=active,
        )


def _seconds_since(start: datetime | None, end: datetime) -> int | None:
    return max(0, int((end - start).total_seconds())) if start is not None else None


def person_active_count(
    uow: UnitOfWork, site: Site, phone: str | None, citizen_key: str | None
) -> int | None:
    """The person's active tickets (under their lock), or ``None`` when the site sets no limit or the
    person gave neither phone nor citizen ID."""
    if not (phone or citizen_key) or site.person_ticket_limit <= 0:
        return None
    for key in sorted(k for k in (phone, citizen_key) if k):
        uow.lock(f"person:{site.id}:{key}")
    return uow.tickets.active_count(site.id, phone, citizen_key)  # whatever their day
