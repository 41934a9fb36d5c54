// Which actions the desk offers now, and why the others are unavailable: the right action obvious, the
// wrong one hard. What may be done with the ticket at the counter is the server's to say: every ticket it
// sends to staff carries `actions` (call, recall, start, complete, no_show, transfer, cancel), in the order
// a clerk would take them. This page only decides which button each one is and what the counter allows
// (open, free, a queue to call from). Pure: it reads the clerk's counter and its waiting list and returns
// string keys.

// The ticket's actions that are the big button; the first one the server allows is offered there.
const PRIMARY = { start: "action.start", complete: "action.complete" };

/** The actions the server allows on `ticket` now (none for no ticket, or an answer without them). */
export function allowedActions(ticket) {
  return new Set(ticket?.actions ?? []);
}

/**
 * The big button's action (`name` null when there is none) and, for every other action, the reason it is
 * unavailable (null when it is available). `services` is how many services the site has.
 */
export function deskActions(counter, waiting, services = 2) {
  const ticket = counter?.current_ticket ?? null;
  const allowed = allowedActions(ticket);
  const unless = (action, reason) => (allowed.has(action) ? null : reason);
  return {
    primary: primaryAction(counter, ticket, waiting),
    recall: unless("recall", "reason.only_called"),
    no_show: unless("no_show", "reason.only_called"),
    cancel: unless("cancel", "reason.only_called"),
    transfer: unless("transfer", "reason.only_serving") ?? (services < 2 ? "reason.no_other_service" : null),
    complete: unless("complete", "reason.only_serving"),
    call: counter?.status !== "open" ? "reason.open_first" : ticket ? "reason.finish_first" : null,
    close: ticket ? "reason.close_busy" : null,
  };
}

function primaryAction(counter, ticket, waiting) {
  if (ticket) {
    const name = (ticket.actions ?? []).find((action) => action in PRIMARY) ?? null;
    return { name, label: name ? PRIMARY[name] : "action.call_next", reason: null };
  }
  if (!counter) return { name: null, label: "action.call_next", reason: null };
  if (counter.status === "closed") return { name: "open", label: "counter.do_open", reason: null };
  if (counter.status === "paused") return { name: "open", label: "counter.do_resume", reason: null };
  if (waiting.length === 0) return { name: null, label: "action.call_next", reason: "reason.queue_empty" };
  return { name: "call_next", label: "action.call_next", reason: null };
}
