"""The ``/agent`` Socket.IO namespace: where kiosks' print agents (``luot kiosk-agent``) receive their jobs.

An agent connects with ``auth: {"token": KIOSK_DEVICE_TOKEN}`` and joins its kiosk's room. On every
connect it is sent each queued job of its kiosk (so a job issued while it was away prints when it comes
back), then each new one as it is issued: ``print.job`` ``{job_id, ticket_id, ticket: {...}}``. It answers
each with ``print.ack`` ``{job_id, status: "printed"|"failed", printer_status?, detail?}`` (a job is sent
again until acknowledged, and an agent prints a job id once) and reports its printer with
``printer.status`` ``{status, detail}``. While no agent is connected the kiosk's printer is ``offline``.
"""

from __future__ import annotations

import logging
from typing import Any

from flask import request
from flask_socketio import ConnectionRefusedError, emit, join_room

from ..domain.access import DeviceKind, Principal
from ..domain.errors import LuotError
from ..domain.printing import AGENT_PRINTER, PrinterStatus
from ..extension import luot
from ..services import printing
from ..services.accounts import auth as auth_service
from . import socketio
from .handshake import parse_auth
from .sessions import token_room

log = logging.getLogger(__name__)

NAMESPACE = "/agent"

_agents: dict[str, Principal] = {}


def agent_room(device_id: int) -> str:
    return f"agent:{device_id}"


def push_job(device_id: int, payload: dict[str, Any]) -> None:
    """Send a job to the kiosk's agent (any server process: through the message queue when there is one)."""
    socketio.emit("print.job", payload, to=agent_room(device_id), namespace=NAMESPACE)


def _report(actor: Principal, status: PrinterStatus, detail: str) -> None:
    extension = luot()
    (site_id,) = actor.site_ids
    printing.report_printer(
        printing.ReportPrinter(
            site_id=site_id,
            printer_uri=AGENT_PRINTER,
            device_id=actor.device_id,
            status=status,
            detail=detail,
            at=extension.now(),
        ),
        extension.uow(),
    )


@socketio.on("connect", namespace=NAMESPACE)
def on_agent_connect(auth: dict[str, Any] | None = None) -> None:
    extension = luot()
    with extension.read() as session:
        try:
            actor = auth_service.authenticate(session, parse_auth(auth).token, extension.now())
        except LuotError as exc:
            raise ConnectionRefusedError(str(exc), {"code": exc.code}) from exc
    if actor.device_kind is not DeviceKind.KIOSK or actor.device_id is None:
        raise ConnectionRefusedError("only a kiosk's token runs a print agent", {"code": "forbidden"})
    _agents[request.sid] = actor  # type: ignore[attr-defined]
    join_room(agent_room(actor.device_id))
    if actor.token_id is not None:
        join_room(token_room(actor.token_id))  # closed at once when the kiosk is revoked
    for payload in extension.spooler.agent_jobs(actor.device_id):
        emit("print.job", payload)


@socketio.on("printer.status", namespace=NAMESPACE)
def on_agent_printer_status(data: Any = None) -> None:
    actor = _agents.get(request.sid)  # type: ignore[attr-defined]
    if actor is None or not isinstance(data, dict):
        return
    try:
        status = PrinterStatus(str(data.get("status")))
    except ValueError:
        return
    _report(actor, status, str(data.get("detail") or "")[:400])


@socketio.on("print.ack", namespace=NAMESPACE)
def on_agent_ack(data: Any = None) -> dict[str, Any]:
    actor = _agents.get(request.sid)  # type: ignore[attr-defined]
    if actor is None or not isinstance(data, dict) or not isinstance(data.get("job_id"), int):
        return {"ok": False}
    extension = luot()
    with extension.read() as session:
        if not printing.is_job_of(session, data["job_id"], actor.device_id):
            return {"ok": False}
    printed = data.get("status") == "printed"
    try:
        printer_status = PrinterStatus(str(data.get("printer_status") or ("ok" if printed else "error")))
    except ValueError:
        printer_status = PrinterStatus.ERROR
    printing.finish(
        printing.FinishJob(
            job_id=data["job_id"],
            at=extension.now(),
            printed=printed,
            printer_status=printer_status,
            detail=str(data.get("detail") or "")[:400],
            give_up=not printed,
        ),
        extension.uow(),
    )
    return {"ok": True}


@socketio.on("disconnect", namespace=NAMESPACE)
def on_agent_disconnect(*_args: Any) -> None:
    actor = _agents.pop(request.sid, None)  # type: ignore[attr-defined]
    if actor is None or any(other.device_id == actor.device_id for other in _agents.values()):
        return
    try:
        _report(actor, PrinterStatus.OFFLINE, "print agent not connected")
    except Exception:
        log.exception("could not record that the print agent of kiosk %s left", actor.device_id)
