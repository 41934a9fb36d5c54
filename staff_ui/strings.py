"""Every text of the staff tablet, as gettext message ids (English) under the keys its script uses."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l

from server.web.i18n import SIGN_IN

STRINGS: dict[str, Any] = {
    **SIGN_IN,
    "page.title": _l("Counter"),
    # signing in and choosing where to work
    "signin.title": _l("Sign in to serve at a counter"),
    "setup.site": _l("Choose your intake point"),
    "setup.counter": _l("Choose your counter"),
    "setup.forbidden": _l("Your account may not serve at this intake point. Choose another one."),
    "setup.no_site": _l("Your account has no intake point. Ask the centre's administrator."),
    "setup.taken": _l("Open — %(name)s"),
    "me.switch": _l("Change counter"),
    # the counter
    "counter.open": _l("Open"),
    "counter.paused": _l("Paused"),
    "counter.closed": _l("Closed"),
    "counter.free": _l("Free"),
    "counter.do_open": _l("Open the counter"),
    "counter.do_resume": _l("Reopen the counter"),
    "counter.do_pause": _l("Pause"),
    "counter.do_close": _l("Close the counter"),
    "counters.title": _l("Counters of this intake point"),
    # the ticket at the counter
    "ticket.none": _l("No ticket at the counter"),
    "ticket.waiting_here": _l("%(n)s waiting for this counter"),
    "ticket.called": _l("Called — waiting for the citizen"),
    "ticket.serving": _l("Serving"),
    "ticket.waited": _l("Waited %(time)s"),
    "ticket.appointment": _l("Appointment %(time)s"),
    "ticket.dossier": _l("Dossier code (optional)"),
    "ticket.dossier_hint": _l("e.g. H34.12-261123-0001"),
    "priority.elderly": _l("Elderly"),
    "priority.disabled": _l("Person with a disability"),
    "priority.pregnant": _l("Pregnant woman"),
    "priority.infant": _l("With a small child"),
    "priority.merit": _l("Person with merit"),
    "priority.none": _l("No priority"),
    # actions
    "action.call_next": _l("Call next"),
    "action.start": _l("Start serving"),
    "action.complete": _l("Complete"),
    "action.recall": _l("Recall"),
    "action.no_show": _l("No-show"),
    "action.transfer": _l("Transfer"),
    "action.cancel": _l("Cancel ticket"),
    "action.call": _l("Call"),
    "action.back": _l("Go back"),
    "reason.only_called": _l("Only while a ticket is called"),
    "reason.only_serving": _l("Only while serving"),
    "reason.no_other_service": _l("This intake point has no other service"),
    "reason.queue_empty": _l("Nobody is waiting for this counter's services"),
    "reason.open_first": _l("Open the counter to call"),
    "reason.finish_first": _l("Finish the ticket at the counter first"),
    "reason.close_busy": _l("Finish the ticket before closing"),
    # outcomes
    "done.queue_empty": _l("Nobody is waiting any more: the queue of this counter is empty."),
    "done.completed": _l("%(number)s completed."),
    "done.no_show": _l("%(number)s marked as no-show."),
    "done.transferred": _l("%(number)s sent to %(service)s; it keeps its place."),
    "done.cancelled": _l("%(number)s cancelled."),
    "error.unreachable": _l(
        "The server could not be reached. Check the network; the list will show what was done."
    ),
    # the waiting list
    "queue.title": _l("Waiting for this counter"),
    "queue.empty": _l("Nobody is waiting for this counter's services"),
    "queue.next": _l("Next"),
    "rule.appointment": _l("appointment due"),
    "rule.priority": _l("priority"),
    "rule.interleave": _l("waited past the target"),
    "rule.longest_wait": _l("waited longest"),
    "rule.early_appointment": _l("appointment, early"),
    # transfer and cancel
    "transfer.title": _l("Transfer %(number)s to another service"),
    "transfer.service": _l("To the service"),
    "transfer.reason": _l("Reason for the transfer"),
    "transfer.keeps_place": _l("The citizen keeps the number and their place in the queue."),
    "no_show.title": _l("Mark %(number)s as a no-show?"),
    "no_show.warning": _l("The citizen loses their turn. If they may not have heard, recall them first."),
    "cancel.title": _l("Cancel ticket %(number)s?"),
    "cancel.warning": _l("The citizen loses their turn. Cancel only if they no longer need the service."),
    "cancel.reason": _l("Reason (optional)"),
    # desk issuing
    "issue.open": _l("Issue a ticket"),
    "issue.title": _l("Issue a ticket at the desk"),
    "issue.help": _l("For a citizen at the counter, on the phone or helped at the door."),
    "issue.service": _l("Service"),
    "issue.priority": _l("Priority"),
    "issue.submit": _l("Issue the ticket"),
    "issue.another": _l("Issue another"),
    "issue.close": _l("Close"),
    "issue.issued": _l("Ticket issued"),
    "issue.position": _l("Position %(n)s in the queue"),
    "issue.position_wait": _l("Position %(n)s in the queue · about %(time)s"),
    "print.queued": _l("Printing at the intake point's printer."),
    "print.printed": _l("Printed."),
    "print.failed": _l("The printer failed: write the number down for the citizen."),
    "print.none": _l("No printer is set up for the desk: write the number down for the citizen."),
    # today's figures
    "figures.title": _l("My day"),
    "figures.served": _l("Served"),
    "figures.average": _l("Average service"),
    "figures.no_shows": _l("No-shows"),
    "figures.transferred": _l("Transferred"),
    # keyboard shortcuts
    "help.open": _l("Keyboard shortcuts"),
    "help.title": _l("Keyboard shortcuts"),
    "help.primary": _l("The big button: call next, start serving or complete"),
    "help.dossier": _l("Type the dossier code"),
    "help.help": _l("This help"),
    "help.escape": _l("Close a window"),
    "help.typing": _l("Shortcuts do nothing while you type in a field."),
}
