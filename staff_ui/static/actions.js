// Which actions the desk offers now, and why the others are unavailable: the right action obvious, the
// wrong one hard. Pure: it reads the clerk's counter and its waiting list and returns string keys.

/**
 * The big button's action (`name` null when there is none) and, for every other action, the reason it is
 * unavailable (null when it is available). `services` is how many services the site has.
 */
export function deskActions(counter, waiting, services = 2) {
  const ticket = counter?.current_ticket ?? null;
  const status = ticket?.status ?? null;
  const onlyCalled = status === "called" ? null : "reason.only_called";
  return {
    primary: primaryAction(counter, ticket, waiting),
    recall: onlyCalled,
    no_show: onlyCalled,
    cancel: onlyCalled,
    transfer: status !== "serving" ? "reason.only_serving" : services < 2 ? "reason.no_other_service" : null,
    call: counter?.status !== "open" ? "reason.open_first" : ticket ? "reason.finish_first" : null,
    close: ticket ? "reason.close_busy" : null,
  };
}

function primaryAction(counter, ticket, waiting) {
  if (ticket?.status === "called") return { name: "start", label: "action.start", reason: null };
  if (ticket?.status === "serving") return { name: "complete", label: "action.complete", reason: null };
  if (!counter) return { name: null, label: "action.call_next", reason: null };
  if (counter.status === "closed") return { name: "open", label: "counter.do_open", reason: null };
  if (counter.status === "paused") return { name: "open", label: "counter.do_resume", reason: null };
  if (waiting.length === 0) return { name: null, label: "action.call_next", reason: "reason.queue_empty" };
  return { name: "call_next", label: "action.call_next", reason: null };
}
