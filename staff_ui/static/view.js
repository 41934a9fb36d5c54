// Draws the desk from the page's state: the ticket at the counter, the actions with the reasons the
// unavailable ones are unavailable, the waiting list, the site's counters and the clerk's figures.
// It reads the state and changes nothing but the page.

import { $, h } from "/static/luot/dom.js";
import { clock, language, minutes, t } from "/static/luot/i18n.js";
import { ticketDay } from "/static/luot/day.js";
import { allowedActions, deskActions } from "./actions.js";

export function myCounter(state) {
  return state.counters.find((c) => c.id === state.counterId) ?? null;
}

export function actionsNow(state) {
  return deskActions(myCounter(state), state.queue, state.services.size);
}

/** A service's name in the page's language. */
export function serviceName(state, serviceId) {
  const service = state.services.get(serviceId);
  if (!service) return "";
  return language() === "en" && service.name_en ? service.name_en : service.name;
}

/** A ticket's day beside its number when it is of an earlier day than the site's today (kept overnight). */
function dayOf(state, day) {
  const site = state.sites.find((s) => s.id === state.siteId);
  return ticketDay(day, { timeZone: site?.timezone || undefined });
}

function priorityText(priority) {
  return priority && priority !== "none" ? t(`priority.${priority}`) : "";
}

function tag(element, text) {
  element.textContent = text || "";
  element.hidden = !text;
}

function ticketState(ticket) {
  return t(ticket.status === "serving" ? "ticket.serving" : "ticket.called");
}

export function renderHeader(state) {
  const user = state.user;
  document.title = `Lượt — ${t("page.title")}`;
  $("#who").textContent = user ? user.display_name || user.username : "";
  const site = state.sites.find((s) => s.id === state.siteId);
  $("#place").textContent = document.body.dataset.view === "desk" ? (site?.name ?? "") : "";
}

/** Everything on the desk; `onCall(entry)` calls a ticket of the waiting list out of order. */
export function renderDesk(state, { onCall }) {
  renderHeader(state);
  renderCounter(state);
  renderTicket(state);
  renderQueue(state, onCall);
  renderActions(state);
  renderCounters(state);
  renderFigures(state);
}

/** "Paused — Meeting" for a paused counter with its reason; "Open", "Closed" otherwise. */
export function counterStatusText(counter) {
  const status = t(`counter.${counter.status}`);
  return counter.status === "paused" && counter.pause_reason
    ? `${status} — ${t(`pause.reason.${counter.pause_reason}`)}`
    : status;
}

function renderCounter(state) {
  const counter = myCounter(state);
  if (!counter) return;
  $("#counter-name").textContent = counter.name;
  const pill = $("#counter-status");
  pill.textContent = counterStatusText(counter);
  pill.dataset.status = counter.status;
}

function renderTicket(state) {
  const ticket = myCounter(state)?.current_ticket ?? null;
  $("#ticket").dataset.status = ticket?.status ?? "none";
  const day = dayOf(state, ticket?.day); // a ticket kept overnight: its day beside its number
  $("#ticket-number").textContent = ticket ? (day ? `${ticket.number} · ${day}` : ticket.number) : "";
  const form = $("#complete-form");
  const completing = allowedActions(ticket).has("complete"); // the dossier code goes with completing
  if (!completing) $("#dossier").value = "";
  form.hidden = !completing;
  if (!ticket) {
    $("#ticket-state").textContent = t("ticket.none");
    $("#ticket-service").textContent = t("ticket.waiting_here", { n: state.queue.length });
    for (const id of ["#ticket-priority", "#ticket-appointment", "#ticket-waited"]) tag($(id), "");
    return;
  }
  $("#ticket-state").textContent = ticketState(ticket);
  $("#ticket-service").textContent = serviceName(state, ticket.service_id);
  tag($("#ticket-priority"), priorityText(ticket.priority));
  const appointment = ticket.appointment_start;
  // A site box's check-in of a code it could not confirm yet: pending, or what the upstream said of it.
  const unconfirmed = ticket.unconfirmed ? t(`ticket.unconfirmed_${ticket.unconfirmed}`) : "";
  tag($("#ticket-appointment"), unconfirmed || (appointment ? t("ticket.appointment", { time: clock(appointment) }) : ""));
  tag($("#ticket-waited"), ticket.wait_s != null ? t("ticket.waited", { time: minutes(ticket.wait_s) }) : "");
}

/** The buttons' availability: disabled while an action runs, or with the reason it does not apply. */
export function renderActions(state) {
  const actions = actionsNow(state);
  const primary = $("#primary");
  $("#primary-label").textContent = t(actions.primary.label);
  primary.dataset.action = actions.primary.name ?? "";
  primary.disabled = state.busy || !actions.primary.name;
  $("#primary-reason").textContent = actions.primary.reason ? t(actions.primary.reason) : "";
  for (const button of document.querySelectorAll(".secondary [data-action]")) {
    const reason = actions[button.dataset.action];
    button.disabled = state.busy || reason !== null;
    button.querySelector(".reason").textContent = reason ? t(reason) : "";
  }
  const counter = myCounter(state);
  const pause = $("#counter-pause");
  pause.hidden = counter?.status !== "open";
  pause.disabled = state.busy;
  const close = $("#counter-close");
  close.hidden = !counter || counter.status === "closed";
  close.disabled = state.busy || actions.close !== null;
  close.querySelector(".reason").textContent = actions.close ? t(actions.close) : "";
  const note = $("#queue-note");
  note.textContent = state.queue.length && actions.call ? t(actions.call) : "";
  note.hidden = !note.textContent;
  for (const call of document.querySelectorAll("#queue-list .entry-call")) {
    const entry = state.queue.find((e) => String(e.id) === call.closest("li").dataset.id);
    call.disabled = state.busy || actions.call !== null || !allowedActions(entry).has("call");
  }
}

function waitedNow(state, entry) {
  return entry.waited_s + (Date.now() - state.queueAt) / 1000;
}

function queueEntry(state, entry, index, onCall) {
  const appointment = entry.appointment_start;
  return h(
    "li",
    {
      class: index === 0 ? "entry next" : "entry",
      dataset: { id: entry.id, number: entry.number, priority: entry.priority },
    },
    h("span", { class: "entry-number" }, entry.number, dayOf(state, entry.day) && h("small", { class: "entry-day" }, dayOf(state, entry.day))),
    h(
      "span",
      { class: "entry-main" },
      h("span", { class: "entry-service" }, serviceName(state, entry.service_id)),
      h(
        "span",
        { class: "tags" },
        index === 0 && h("span", { class: "tag next" }, `${t("queue.next")} · ${t(`rule.${entry.rule}`)}`),
        priorityText(entry.priority) && h("span", { class: "tag priority" }, priorityText(entry.priority)),
        appointment &&
          h("span", { class: "tag appointment" }, t("ticket.appointment", { time: clock(appointment) })),
      ),
    ),
    h("span", { class: "entry-waited" }, minutes(waitedNow(state, entry))),
    h(
      "button",
      {
        type: "button",
        class: "entry-call",
        "aria-label": `${t("action.call")} ${entry.number}`,
        onclick: () => onCall(entry),
      },
      t("action.call"),
    ),
  );
}

function renderQueue(state, onCall) {
  $("#queue-count").textContent = String(state.queue.length);
  $("#queue-empty").hidden = state.queue.length > 0;
  const rows = state.queue.map((entry, index) => queueEntry(state, entry, index, onCall));
  $("#queue-list").replaceChildren(...rows);
}

/** Let the waiting times grow between fetches without redrawing the list (a finger may be on it). */
export function tickWaited(state) {
  const byId = new Map(state.queue.map((entry) => [String(entry.id), entry]));
  for (const row of document.querySelectorAll("#queue-list .entry")) {
    const entry = byId.get(row.dataset.id);
    if (entry) row.querySelector(".entry-waited").textContent = minutes(waitedNow(state, entry));
  }
}

function renderCounters(state) {
  $("#counter-list").replaceChildren(
    ...state.counters.map((counter) => {
      const ticket = counter.current_ticket;
      const free = counter.status === "open" ? t("counter.free") : "";
      const doing = ticket ? `${ticket.number} · ${ticketState(ticket)}` : free;
      const mine = counter.id === state.counterId ? "mine" : "";
      return h(
        "li",
        { class: mine, dataset: { id: counter.id, status: counter.status } },
        h("strong", {}, counter.name),
        h("span", { class: "pill", dataset: { status: counter.status } }, counterStatusText(counter)),
        h("span", { class: "counter-ticket" }, doing),
        h("small", {}, counter.status !== "closed" && counter.clerk ? counter.clerk : ""),
      );
    }),
  );
}

export function renderFigures(state) {
  const figures = state.figures;
  const show = (id, value) => {
    $(id).textContent = value ?? "–";
  };
  show("#figure-served", figures?.served);
  show("#figure-average", figures?.average_service_s != null ? minutes(figures.average_service_s) : null);
  show("#figure-no-shows", figures?.no_shows);
  show("#figure-transferred", figures?.transferred);
}
