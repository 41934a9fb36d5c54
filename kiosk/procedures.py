"""The strings of the procedure guide (``static/procedures.js``; docs/procedures.md), shared by the kiosk,
the ticket's status page and the booking confirmation."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

PROCEDURE_STRINGS = {
    "procedures.button": _l("What to bring"),
    "procedures.count": _l("%(n)s procedures"),
    "procedures.title": _l("What to bring for %(service)s"),
    "procedures.heading": _l("What to bring"),
    "procedures.documents": _l("Papers to bring"),
    "procedures.fee": _l("Fee"),
    "procedures.time": _l("Processing time"),
    "procedures.code": _l("Procedure code %(code)s"),
    "procedures.lead_kiosk": _l("Please check that you have these papers before taking a ticket."),
    "procedures.lead_status": _l("Please have these papers ready before your turn."),
    "procedures.lead_booking": _l("Please bring these papers to your appointment."),
}
