"""Issuing tickets (kiosk and desk) and everything staff do at a counter."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from flask import Response, request
from flask_smorest import Blueprint

from ..domain.events import TicketInfo
from ..domain.identity import citizen_key, normalise_phone
from ..domain.pauses import PauseReason
from ..domain.tickets import Action, Priority
from ..extension import luot
from ..services.core.urls import status_url
from ..services.printing import PrintAnswer
from ..services.queue import views as queries
from ..services.queue.counters import CounterStatus, SetCounterStatus, set_counter_status
from ..services.queue.tickets import (
    CallNext,
    IssueTicket,
    TicketCommand,
    act_on_ticket,
    call_next,
    issue_ticket,
)
from .access import principal, staff_principal
from .docs import error, secured
from .schemas import (
    CallSchema,
    CancelSchema,
    CompleteSchema,
    CounterSchema,
    IssueTicketSchema,
    PauseSchema,
    QueueEntrySchema,
    QueueQuerySchema,
    StaffActionSchema,
    TicketSchema,
    TransferSchema,
)

blp = Blueprint("tickets", __name__, description="Tickets, queues and counters")


def public_base() -> str:
    """The address phones use to reach the server, for the request being answered."""
    return luot().public.base(request.host_url)


def ticket_body(info: TicketInfo, **extra: Any) -> dict[str, Any]:
    body = asdict(info)
    body["status_url"] = status_url(public_base(), info.public_code)
    body.update(extra)
    return body


def print_body(answer: PrintAnswer) -> dict[str, Any]:
    """The ``print`` of an issued ticket: ``{status}``, and ``printer_status`` once the printer reported."""
    return {key: value for key, value in asdict(answer).items() if value is not None}


@blp.route("/sites/<id:site_id>/tickets", methods=["POST"])
@blp.arguments(IssueTicketSchema)
@blp.response(201, TicketSchema)
@error(blp, 409, "The centre or the service is closed")
@error(blp, 429, "This person already holds the most tickets allowed today")
@secured(blp)
def issue(data: dict[str, Any], site_id: int) -> Any:
    """Issue a walk-in ticket (a kiosk of the site, or staff issuing at the desk)."""
    extension = luot()
    actor = principal()
    phone = normalise_phone(data["phone"]) if data.get("phone") else None
    key = citizen_key(extension.secret, data["citizen_id"]) if data.get("citizen_id") else None
    issued = issue_ticket(
        IssueTicket(
            actor=actor,
            site_id=site_id,
            service_id=data["service_id"],
            priority=Priority(data["priority"]),
            phone=phone,
            citizen_key=key,
            language=data["language"],
            request_id=data["request_id"],
            at=extension.now(),
        ),
        extension.uow(site_id),
    )
    return ticket_body(issued.ticket, print=print_body(issued.print))


@blp.route("/sites/<id:site_id>/queue")
@blp.arguments(QueueQuerySchema, location="query")
@blp.response(200, QueueEntrySchema(many=True))
@secured(blp)
def queue(args: dict[str, Any], site_id: int) -> Any:
    """Waiting tickets in the order the policy would call them."""
    extension = luot()
    actor = staff_principal()
    with extension.read() as session:
        return queries.queue(session, actor, site_id, extension.now(), args["counter_id"])


@blp.route("/sites/<id:site_id>/counters")
@blp.response(200, CounterSchema(many=True))
@secured(blp)
def counters(site_id: int) -> Any:
    """The site's counters: status, services, current ticket and clerk."""
    extension = luot()
    actor = principal()
    with extension.read() as session:
        states = queries.counters(session, actor, site_id, extension.now())
    return [
        {**asdict(s), "current_ticket": ticket_body(s.current_ticket) if s.current_ticket else None}
        for s in states
    ]


def _set_counter(counter_id: int, status: CounterStatus, data: dict[str, Any] | None = None) -> Any:
    extension = luot()
    data = data or {}
    reason = data.get("reason")
    state = set_counter_status(
        SetCounterStatus(
            actor=staff_principal(),
            counter_id=counter_id,
            status=status,
            at=extension.now(),
            reason=PauseReason(reason) if reason else None,
            note=data.get("note"),
        ),
        extension.uow(),
    )
    return {
        **asdict(state),
        "current_ticket": ticket_body(state.current_ticket) if state.current_ticket else None,
    }


@blp.route("/counters/<id:counter_id>/open", methods=["POST"])
@blp.arguments(StaffActionSchema, required=False)
@blp.response(200, CounterSchema)
@secured(blp)
def counter_open(_data: dict[str, Any], counter_id: int) -> Any:
    """Open the counter: the caller becomes its clerk."""
    return _set_counter(counter_id, CounterStatus.OPEN)


@blp.route("/counters/<id:counter_id>/pause", methods=["POST"])
@blp.arguments(PauseSchema, required=False)
@blp.response(200, CounterSchema)
@secured(blp)
def counter_pause(data: dict[str, Any], counter_id: int) -> Any:
    """Pause the counter with a reason (break, meeting, away, system, other): no new calls; the ticket at it
    can be finished."""
    return _set_counter(counter_id, CounterStatus.PAUSED, data)


@blp.route("/counters/<id:counter_id>/close", methods=["POST"])
@blp.arguments(StaffActionSchema, required=False)
@blp.response(200, CounterSchema)
@error(blp, 409, "A ticket is still at the counter")
@secured(blp)
def counter_close(_data: dict[str, Any], counter_id: int) -> Any:
    """Close the counter (only when no ticket is at it)."""
    return _set_counter(counter_id, CounterStatus.CLOSED)


@blp.route("/counters/<id:counter_id>/call-next", methods=["POST"])
@blp.arguments(StaffActionSchema, required=False)
@blp.response(200, TicketSchema)
@blp.alt_response(204, description="Nobody waits for this counter's services")
@error(blp, 409, "The counter is not open, or a ticket is still at it")
@secured(blp)
def counter_call_next(data: dict[str, Any], counter_id: int) -> Any:
    """Call the ticket the queue policy picks for this counter."""
    extension = luot()
    info = call_next(
        CallNext(
            actor=staff_principal(),
            counter_id=counter_id,
            request_id=(data or {}).get("request_id"),
            at=extension.now(),
        ),
        extension.uow(),
    )
    if info is None:
        return Response(status=204)
    return ticket_body(info)


def _act(ticket_id: int, action: Action, data: dict[str, Any] | None) -> dict[str, Any]:
    extension = luot()
    data = data or {}
    info = act_on_ticket(
        TicketCommand(
            actor=staff_principal(),
            ticket_id=ticket_id,
            action=action,
            at=extension.now(),
            counter_id=data.get("counter_id"),
            service_id=data.get("service_id"),
            dossier_code=data.get("dossier_code"),
            reason=data.get("reason"),
            request_id=data.get("request_id"),
        ),
        extension.uow(),
    )
    return ticket_body(info)


@blp.route("/tickets/<id:ticket_id>/call", methods=["POST"])
@blp.arguments(CallSchema)
@blp.response(200, TicketSchema)
@error(blp, 409, "Illegal transition, counter busy or not serving the ticket's service")
@secured(blp)
def ticket_call(data: dict[str, Any], ticket_id: int) -> Any:
    """Call this ticket to a counter, out of the policy's order."""
    return _act(ticket_id, Action.CALL, data)


@blp.route("/tickets/<id:ticket_id>/recall", methods=["POST"])
@blp.arguments(StaffActionSchema, required=False)
@blp.response(200, TicketSchema)
@error(blp, 409, "The ticket is not called")
@secured(blp)
def ticket_recall(data: dict[str, Any], ticket_id: int) -> Any:
    """Call the ticket again: the display announces it again."""
    return _act(ticket_id, Action.RECALL, data)


@blp.route("/tickets/<id:ticket_id>/start", methods=["POST"])
@blp.arguments(StaffActionSchema, required=False)
@blp.response(200, TicketSchema)
@error(blp, 409, "The ticket is not called")
@secured(blp)
def ticket_start(data: dict[str, Any], ticket_id: int) -> Any:
    """The citizen is at the counter: start serving."""
    return _act(ticket_id, Action.START, data)


@blp.route("/tickets/<id:ticket_id>/complete", methods=["POST"])
@blp.arguments(CompleteSchema, required=False)
@blp.response(200, TicketSchema)
@error(blp, 409, "The ticket is not being served")
@secured(blp)
def ticket_complete(data: dict[str, Any], ticket_id: int) -> Any:
    """Done; optionally note the dossier code (mã hồ sơ)."""
    return _act(ticket_id, Action.COMPLETE, data)


@blp.route("/tickets/<id:ticket_id>/no-show", methods=["POST"])
@blp.arguments(StaffActionSchema, required=False)
@blp.response(200, TicketSchema)
@error(blp, 409, "The ticket is not called")
@secured(blp)
def ticket_no_show(data: dict[str, Any], ticket_id: int) -> Any:
    """The citizen did not come after being called."""
    return _act(ticket_id, Action.NO_SHOW, data)


@blp.route("/tickets/<id:ticket_id>/transfer", methods=["POST"])
@blp.arguments(TransferSchema)
@blp.response(200, TicketSchema)
@error(blp, 409, "The ticket is not being served")
@secured(blp)
def ticket_transfer(data: dict[str, Any], ticket_id: int) -> Any:
    """Send the ticket to another service; it keeps its number and its place."""
    return _act(ticket_id, Action.TRANSFER, data)


@blp.route("/tickets/<id:ticket_id>/cancel", methods=["POST"])
@blp.arguments(CancelSchema, required=False)
@blp.response(200, TicketSchema)
@error(blp, 409, "The ticket is already finished")
@secured(blp)
def ticket_cancel(data: dict[str, Any], ticket_id: int) -> Any:
    """Cancel a waiting or called ticket."""
    return _act(ticket_id, Action.CANCEL, data)
