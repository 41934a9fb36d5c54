// The staff tablet: sign in, choose the site and counter (remembered), then serve at the counter — the
// ticket at the counter with one big button for its next step, the waiting list in call order, desk
// issuing, today's own figures. Every change comes from the server: after each action and on every live
// event the page refetches the counters and the queue, so it is right after a reload or a reconnect.

import { act, api, ApiError } from "/static/luot/api.js";
import { apply, language, minutes, setLanguage, t } from "/static/luot/i18n.js";
import { connectLive, showConnection } from "/static/luot/live.js";
import { deskActions } from "./actions.js";
import { $, clock, h, say } from "./dom.js";
import { session } from "./session.js";
import { installShortcuts } from "./shortcuts.js";

const PRIORITIES = ["none", "elderly", "disabled", "pregnant", "infant", "merit"];

const state = {
  user: null,
  sites: [],
  siteId: null,
  counterId: null,
  services: new Map(),
  counters: [],
  queue: [],
  queueAt: 0, // when the queue was fetched (its waited_s are as of then)
  figures: null,
  busy: false,
  version: 0, // grows when an action's answer is shown: an older fetch must not overwrite it
  live: null,
};

const message = $("#message");

// -- talking to the server ------------------------------------------------------------------------

function unauthorised(error) {
  if (error instanceof ApiError && error.status === 401) {
    signedOut(t("signin.expired"));
    return true;
  }
  return false;
}

async function call(path, options = {}) {
  try {
    return await api(path, { ...options, token: session.token });
  } catch (error) {
    unauthorised(error);
    throw error;
  }
}

/** A staff action: request id, retried with the same id while the network is down (never acts twice). */
async function perform(path, body = {}) {
  let retried = false;
  const onRetry = () => {
    retried = true;
    say(message, t("retrying"));
  };
  try {
    return await act(path, body, { token: session.token, onRetry });
  } catch (error) {
    unauthorised(error);
    throw error;
  } finally {
    if (retried) say(message, "");
  }
}

function describe(error) {
  if (error instanceof ApiError && !error.unreachable) return error.message;
  return t("error.unreachable");
}

// -- views ----------------------------------------------------------------------------------------

function show(view) {
  document.body.dataset.view = view;
  for (const section of document.querySelectorAll(".view")) section.hidden = section.id !== `view-${view}`;
  renderHeader();
}

function signedOut(notice) {
  stopLive();
  session.forget();
  state.user = null;
  for (const dialog of document.querySelectorAll("dialog[open]")) dialog.close();
  show("signin");
  say($("#signin-message"), notice, notice === t("signin.expired") ? "error" : "");
  $("#signin-form [name=username]").focus();
}

async function boot() {
  if (session.language) setLanguage(session.language);
  apply();
  if (!session.token) return signedOut("");
  try {
    state.user = { ...session.user, ...(await call("/api/v1/me")) };
    await chooseWorkplace();
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) return undefined;
    show("loading");
    say($("#loading-message"), describe(error), "error");
    setTimeout(boot, 5000);
  }
  return undefined;
}

async function signIn(event) {
  event.preventDefault();
  const form = event.target;
  const username = form.username.value.trim();
  const password = form.password.value;
  if (!username || !password) {
    form.reportValidity();
    return;
  }
  try {
    const result = await api("/api/v1/auth/login", { method: "POST", body: { username, password } });
    session.signedIn(result.token, result.user);
    state.user = result.user;
    form.reset();
    say($("#signin-message"), "");
    await chooseWorkplace();
  } catch (error) {
    say($("#signin-message"), describe(error), "error");
  }
}

async function signOut() {
  try {
    await call("/api/v1/auth/logout", { method: "POST" });
  } catch {
    // the token is dropped here whatever the server says
  }
  signedOut(t("signin.signed_out"));
}

/** Go to the remembered counter, or let the clerk choose one. */
async function chooseWorkplace(notice = "") {
  const sites = await call("/api/v1/sites");
  const mine = new Set(state.user.site_ids);
  state.sites = state.user.role === "admin" ? sites : sites.filter((site) => mine.has(site.id));
  const { siteId, counterId } = session.place;
  if (!notice && counterId && state.sites.some((site) => site.id === siteId)) {
    return openDesk(siteId, counterId);
  }
  return showSetup(siteId, notice);
}

async function showSetup(siteId, notice = "") {
  stopLive();
  show("setup");
  say($("#setup-message"), notice || (state.sites.length ? "" : t("setup.no_site")), notice ? "error" : "");
  const site = state.sites.find((s) => s.id === siteId) ?? state.sites[0];
  $("#setup-sites-block").hidden = state.sites.length < 2;
  $("#setup-sites").replaceChildren(
    ...state.sites.map((s) =>
      h(
        "button",
        { type: "button", class: "choice", "aria-pressed": String(s.id === site?.id), onclick: () => showSetup(s.id) },
        h("strong", {}, s.name),
        h("small", {}, s.commune.name),
      ),
    ),
  );
  $("#setup-counters").replaceChildren();
  if (!site) return;
  state.siteId = site.id;
  let counters;
  let services;
  try {
    counters = await call(`/api/v1/sites/${site.id}/counters`);
    services = new Map((await call(`/api/v1/sites/${site.id}/services`)).map((s) => [s.id, s]));
  } catch (error) {
    say($("#setup-message"), describe(error), "error");
    return;
  }
  $("#setup-counters").replaceChildren(
    ...counters.map((counter) =>
      h(
        "button",
        {
          type: "button",
          class: "choice",
          dataset: { counter: counter.code, status: counter.status },
          onclick: () => {
            session.remember(site.id, counter.id);
            openDesk(site.id, counter.id);
          },
        },
        h("strong", {}, counter.name),
        h("small", {}, counter.services.map((id) => serviceName(services.get(id))).join(", ")),
        h(
          "span",
          { class: "pill", dataset: { status: counter.status } },
          counter.clerk && counter.status !== "closed"
            ? t("setup.taken", { name: counter.clerk })
            : t(`counter.${counter.status}`),
        ),
      ),
    ),
  );
}

async function openDesk(siteId, counterId) {
  state.siteId = siteId;
  state.counterId = counterId;
  state.counters = [];
  state.queue = [];
  state.figures = null;
  say(message, "");
  try {
    const services = await call(`/api/v1/sites/${siteId}/services`);
    state.services = new Map(services.map((s) => [s.id, s]));
    await load();
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) return;
    const notice = error instanceof ApiError && error.status === 403 ? t("setup.forbidden") : describe(error);
    showSetup(siteId, notice);
    return;
  }
  if (!myCounter()) {
    showSetup(siteId);
    return;
  }
  show("desk");
  render();
  loadFigures();
  startLive();
}

// -- state from the server ------------------------------------------------------------------------

const myCounter = () => state.counters.find((c) => c.id === state.counterId) ?? null;
const site = () => state.sites.find((s) => s.id === state.siteId) ?? null;

async function load() {
  const version = state.version;
  const [counters, queue] = await Promise.all([
    call(`/api/v1/sites/${state.siteId}/counters`),
    call(`/api/v1/sites/${state.siteId}/queue?counter_id=${state.counterId}`),
  ]);
  if (version !== state.version) return; // an action's answer is newer; the refresh it asked for follows
  state.counters = counters;
  state.queue = queue;
  state.queueAt = Date.now();
}

let loading = null;
let again = false;

/** Refetch counters and queue; calls made while one is running coalesce into one more. */
function refresh() {
  if (loading) {
    again = true;
    return loading;
  }
  loading = (async () => {
    try {
      do {
        again = false;
        await load();
      } while (again);
      if (document.body.dataset.view === "desk") render();
    } catch (error) {
      if (error instanceof ApiError && error.status === 403) showSetup(state.siteId, t("setup.forbidden"));
    } finally {
      loading = null;
    }
  })();
  return loading;
}

let pending = null;
function refreshSoon() {
  clearTimeout(pending);
  pending = setTimeout(refresh, 80);
}

async function loadFigures() {
  try {
    state.figures = await call(`/api/v1/me/today?site_id=${state.siteId}`);
    renderFigures();
  } catch {
    // figures are a help, not a blocker: the next action or reconnect loads them again
  }
}

function startLive() {
  stopLive();
  state.live = connectLive({
    auth: { token: session.token, site_id: state.siteId },
    onSnapshot: () => {
      refresh();
      loadFigures();
    },
    onEvent: refreshSoon,
    onStatus: (status, detail) => {
      document.body.dataset.live = status;
      showConnection(status === "offline" ? t("offline") : "");
      if (status !== "refused") return;
      if (detail?.code === "unauthorized") signedOut(t("signin.expired"));
      else showSetup(state.siteId, t("setup.forbidden"));
    },
  });
}

function stopLive() {
  state.live?.close();
  state.live = null;
  showConnection("");
  delete document.body.dataset.live;
}

// -- actions --------------------------------------------------------------------------------------

/** Run one action: buttons are disabled meanwhile; errors are shown in the page's language (in the page,
 * or where `onError` shows them). Resolves to whether the action succeeded. */
async function run(work, onError = (error) => say(message, describe(error), "error")) {
  if (state.busy) return false;
  state.busy = true;
  renderActions();
  try {
    await work();
    return true;
  } catch (error) {
    if (!(error instanceof ApiError && error.status === 401)) onError(error);
    return false;
  } finally {
    state.busy = false;
    if (document.body.dataset.view === "desk") {
      render();
      refresh();
    }
  }
}

/** Show a ticket the server just returned at the counter (or the counter emptied) before the refetch. */
function atCounter(ticket) {
  const counter = myCounter();
  if (!counter) return;
  state.version += 1;
  counter.current_ticket = ticket && ["called", "serving"].includes(ticket.status) ? ticket : null;
  if (ticket) state.queue = state.queue.filter((entry) => entry.id !== ticket.id);
}

function setCounter(status) {
  return run(async () => {
    say(message, "");
    const counter = await perform(`/api/v1/counters/${state.counterId}/${status}`);
    state.version += 1;
    state.counters = state.counters.map((c) => (c.id === counter.id ? counter : c));
  });
}

function callNext() {
  return run(async () => {
    say(message, "");
    const ticket = await perform(`/api/v1/counters/${state.counterId}/call-next`);
    if (ticket === null) {
      say(message, t("done.queue_empty"), "queue-empty");
      return;
    }
    atCounter(ticket);
  });
}

function callTicket(entry) {
  return run(async () => {
    say(message, "");
    atCounter(await perform(`/api/v1/tickets/${entry.id}/call`, { counter_id: state.counterId }));
  });
}

/** recall, start, complete, no-show, transfer, cancel on the ticket at the counter; `done` is the key of
 * the message that confirms it. */
function ticketAction(path, body = {}, done = null, onError = undefined) {
  const ticket = myCounter()?.current_ticket;
  if (!ticket) return Promise.resolve(false);
  return run(async () => {
    say(message, "");
    const result = await perform(`/api/v1/tickets/${ticket.id}/${path}`, body);
    atCounter(result);
    if (done) {
      const service = serviceName(state.services.get(result.service_id));
      say(message, t(done, { number: result.number, service }), "ok");
    }
    if (["complete", "no-show", "transfer", "cancel"].includes(path)) loadFigures();
  }, onError);
}

function primary() {
  const { primary: action } = deskActions(myCounter(), state.queue);
  if (state.busy || !action.name) return;
  if (action.name === "open") setCounter("open");
  else if (action.name === "call_next") callNext();
  else if (action.name === "start") ticketAction("start");
  else if (action.name === "complete") complete();
}

function complete() {
  const dossier = $("#dossier").value.trim();
  return ticketAction("complete", dossier ? { dossier_code: dossier } : {}, "done.completed");
}

function available(name) {
  return !state.busy && deskActions(myCounter(), state.queue)[name] === null;
}

// -- dialogs: transfer, cancel, desk issuing, help ------------------------------------------------

function openDialog(dialog) {
  for (const error of dialog.querySelectorAll(".dialog-error")) say(error, "");
  dialog.showModal();
}

function dialogError(dialog, error) {
  say(dialog.querySelector(".dialog-error"), describe(error), "error");
}

function radios(name, options, checked) {
  return options.map(({ value, label }) =>
    h(
      "label",
      { class: "choice radio" },
      h("input", { type: "radio", name, value, checked: value === checked, required: true }),
      h("span", {}, label),
    ),
  );
}

function openTransfer() {
  const ticket = myCounter()?.current_ticket;
  if (!ticket || !available("transfer")) return;
  const dialog = $("#transfer-dialog");
  const form = $("#transfer-form");
  form.reset();
  $("#transfer-title").textContent = t("transfer.title", { number: ticket.number });
  const others = [...state.services.values()].filter((s) => s.id !== ticket.service_id);
  $("#transfer-services").replaceChildren(
    ...radios("service_id", others.map((s) => ({ value: String(s.id), label: serviceName(s) })), null),
  );
  openDialog(dialog);
}

async function submitTransfer(event) {
  event.preventDefault();
  const form = event.target;
  const dialog = $("#transfer-dialog");
  form.reason.value = form.reason.value.trim();
  if (!form.reportValidity()) return;
  const body = { service_id: Number(form.service_id.value), reason: form.reason.value };
  if (await ticketAction("transfer", body, "done.transferred", (error) => dialogError(dialog, error))) {
    dialog.close();
  }
}

function openCancel() {
  const ticket = myCounter()?.current_ticket;
  if (!ticket || !available("cancel")) return;
  $("#cancel-form").reset();
  $("#cancel-title").textContent = t("cancel.title", { number: ticket.number });
  openDialog($("#cancel-dialog"));
}

async function submitCancel(event) {
  event.preventDefault();
  const reason = event.target.reason.value.trim();
  const dialog = $("#cancel-dialog");
  if (await ticketAction("cancel", reason ? { reason } : {}, "done.cancelled", (error) => dialogError(dialog, error))) {
    dialog.close();
  }
}

function openIssue() {
  if (document.body.dataset.view !== "desk") return;
  const form = $("#issue-form");
  form.reset();
  form.hidden = false;
  $("#issue-result").hidden = true;
  const services = [...state.services.values()];
  const mine = myCounter()?.services?.[0] ?? services[0]?.id;
  $("#issue-services").replaceChildren(
    ...radios("service_id", services.map((s) => ({ value: String(s.id), label: serviceName(s) })), String(mine)),
  );
  $("#issue-priorities").replaceChildren(
    ...radios("priority", PRIORITIES.map((p) => ({ value: p, label: t(`priority.${p}`) })), "none"),
  );
  openDialog($("#issue-dialog"));
}

async function submitIssue(event) {
  event.preventDefault();
  const form = event.target;
  const dialog = $("#issue-dialog");
  if (!form.reportValidity()) return;
  const submit = form.querySelector("[type=submit]");
  submit.disabled = true;
  try {
    const ticket = await perform(`/api/v1/sites/${state.siteId}/tickets`, {
      service_id: Number(form.service_id.value),
      priority: form.priority.value,
    });
    form.hidden = true;
    $("#issue-result").hidden = false;
    $("#issued-number").textContent = ticket.number;
    $("#issued-service").textContent = serviceName(state.services.get(ticket.service_id));
    const wait = ticket.estimated_wait_s >= 60 ? minutes(ticket.estimated_wait_s) : "";
    $("#issued-position").textContent = t(wait ? "issue.position_wait" : "issue.position", { n: ticket.position, time: wait });
    const printed = ticket.print?.status ?? "none";
    say($("#issued-print"), t(`print.${printed}`) || t("print.none"), printed === "failed" ? "error" : "");
    $("#issue-another").focus();
    refreshSoon();
  } catch (error) {
    dialogError(dialog, error);
  } finally {
    submit.disabled = false;
  }
}

// -- rendering ------------------------------------------------------------------------------------

function serviceName(service) {
  if (!service) return "";
  return language() === "en" && service.name_en ? service.name_en : service.name;
}

function renderHeader() {
  const user = state.user;
  $("#who").textContent = user ? user.display_name || user.username : "";
  const other = language() === "vi" ? "en" : "vi";
  const button = $("#language");
  button.textContent = t(`language.${other}`);
  button.lang = other;
  $("#place").textContent = document.body.dataset.view === "desk" ? (site()?.name ?? "") : "";
}

function render() {
  renderHeader();
  renderCounter();
  renderTicket();
  renderActions();
  renderQueue();
  renderCounters();
  renderFigures();
}

function renderCounter() {
  const counter = myCounter();
  if (!counter) return;
  $("#counter-name").textContent = counter.name;
  const pill = $("#counter-status");
  pill.textContent = t(`counter.${counter.status}`);
  pill.dataset.status = counter.status;
}

function tag(element, text) {
  element.textContent = text || "";
  element.hidden = !text;
}

function priorityText(priority) {
  return priority && priority !== "none" ? t(`priority.${priority}`) : "";
}

function renderTicket() {
  const ticket = myCounter()?.current_ticket ?? null;
  const card = $("#ticket");
  card.dataset.status = ticket?.status ?? "none";
  $("#ticket-number").textContent = ticket?.number ?? "";
  if (!ticket) {
    $("#ticket-state").textContent = t("ticket.none");
    $("#ticket-service").textContent = t("ticket.waiting_here", { n: state.queue.length });
    for (const id of ["#ticket-priority", "#ticket-appointment", "#ticket-waited"]) tag($(id), "");
    $("#complete-form").hidden = true;
    $("#dossier").value = "";
    return;
  }
  $("#ticket-state").textContent = t(ticket.status === "serving" ? "ticket.serving" : "ticket.called");
  $("#ticket-service").textContent = serviceName(state.services.get(ticket.service_id));
  tag($("#ticket-priority"), priorityText(ticket.priority));
  tag($("#ticket-appointment"), ticket.appointment_start ? t("ticket.appointment", { time: clock(ticket.appointment_start) }) : "");
  tag($("#ticket-waited"), ticket.wait_s != null ? t("ticket.waited", { time: minutes(ticket.wait_s) }) : "");
  const form = $("#complete-form");
  if (ticket.status !== "serving") $("#dossier").value = "";
  form.hidden = ticket.status !== "serving";
  form.dataset.ticket = ticket.id;
}

function renderActions() {
  const actions = deskActions(myCounter(), state.queue);
  const button = $("#primary");
  $("#primary-label").textContent = t(actions.primary.label);
  button.dataset.action = actions.primary.name ?? "";
  button.disabled = state.busy || !actions.primary.name;
  $("#primary-reason").textContent = actions.primary.reason ? t(actions.primary.reason) : "";
  for (const element of document.querySelectorAll(".secondary [data-action]")) {
    const reason = actions[element.dataset.action];
    element.disabled = state.busy || reason !== null;
    element.querySelector(".reason").textContent = reason ? t(reason) : "";
  }
  const counter = myCounter();
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
  for (const callButton of document.querySelectorAll("#queue-list .entry-call")) {
    callButton.disabled = state.busy || actions.call !== null;
  }
}

function waitedNow(entry) {
  return entry.waited_s + (Date.now() - state.queueAt) / 1000;
}

function renderQueue() {
  const callReason = deskActions(myCounter(), state.queue).call;
  $("#queue-count").textContent = String(state.queue.length);
  $("#queue-empty").hidden = state.queue.length > 0;
  $("#queue-list").replaceChildren(
    ...state.queue.map((entry, index) =>
      h(
        "li",
        { class: index === 0 ? "entry next" : "entry", dataset: { id: entry.id, number: entry.number, priority: entry.priority } },
        h("span", { class: "entry-number" }, entry.number),
        h(
          "span",
          { class: "entry-main" },
          h("span", { class: "entry-service" }, serviceName(state.services.get(entry.service_id))),
          h(
            "span",
            { class: "tags" },
            index === 0 ? h("span", { class: "tag next" }, `${t("queue.next")} · ${t(`rule.${entry.rule}`)}`) : null,
            priorityText(entry.priority) ? h("span", { class: "tag priority" }, priorityText(entry.priority)) : null,
            entry.appointment_start
              ? h("span", { class: "tag appointment" }, t("ticket.appointment", { time: clock(entry.appointment_start) }))
              : null,
          ),
        ),
        h("span", { class: "entry-waited" }, minutes(waitedNow(entry))),
        h(
          "button",
          {
            type: "button",
            class: "entry-call",
            disabled: state.busy || callReason !== null,
            "aria-label": `${t("action.call")} ${entry.number}`,
            onclick: () => callTicket(entry),
          },
          t("action.call"),
        ),
      ),
    ),
  );
}

function renderCounters() {
  $("#counter-list").replaceChildren(
    ...state.counters.map((counter) => {
      const ticket = counter.current_ticket;
      return h(
        "li",
        { class: counter.id === state.counterId ? "mine" : "", dataset: { id: counter.id, status: counter.status } },
        h("strong", {}, counter.name),
        h("span", { class: "pill", dataset: { status: counter.status } }, t(`counter.${counter.status}`)),
        h("span", { class: "counter-ticket" }, ticket ? `${ticket.number} · ${t(ticket.status === "serving" ? "ticket.serving" : "ticket.called")}` : counter.status === "open" ? t("counter.free") : ""),
        h("small", {}, counter.status !== "closed" && counter.clerk ? counter.clerk : ""),
      );
    }),
  );
}

function renderFigures() {
  const figures = state.figures;
  $("#figure-served").textContent = figures ? String(figures.served) : "–";
  $("#figure-average").textContent = figures?.average_service_s != null ? minutes(figures.average_service_s) : "–";
  $("#figure-no-shows").textContent = figures ? String(figures.no_shows) : "–";
  $("#figure-transferred").textContent = figures ? String(figures.transferred) : "–";
}

// -- wiring ---------------------------------------------------------------------------------------

function wire() {
  $("#signin-form").addEventListener("submit", signIn);
  $("#sign-out").addEventListener("click", signOut);
  $("#switch-counter").addEventListener("click", () => showSetup(state.siteId));
  $("#language").addEventListener("click", () => {
    session.language = language() === "vi" ? "en" : "vi";
    setLanguage(session.language);
    if (document.body.dataset.view === "desk") render();
    else renderHeader();
  });
  $("#primary").addEventListener("click", primary);
  $("#act-recall").addEventListener("click", () => available("recall") && ticketAction("recall"));
  $("#act-no-show").addEventListener("click", () => available("no_show") && ticketAction("no-show", {}, "done.no_show"));
  $("#act-transfer").addEventListener("click", openTransfer);
  $("#act-cancel").addEventListener("click", openCancel);
  $("#counter-pause").addEventListener("click", () => setCounter("pause"));
  $("#counter-close").addEventListener("click", () => setCounter("close"));
  $("#complete-form").addEventListener("submit", (event) => {
    event.preventDefault();
    complete();
  });
  $("#transfer-form").addEventListener("submit", submitTransfer);
  $("#cancel-form").addEventListener("submit", submitCancel);
  $("#issue-form").addEventListener("submit", submitIssue);
  $("#issue-open").addEventListener("click", openIssue);
  $("#issue-another").addEventListener("click", openIssue);
  $("#help-open").addEventListener("click", () => openDialog($("#help-dialog")));
  for (const button of document.querySelectorAll(".close-dialog")) {
    button.addEventListener("click", () => button.closest("dialog").close());
  }
  installShortcuts(
    {
      primary,
      recall: () => available("recall") && ticketAction("recall"),
      no_show: () => available("no_show") && ticketAction("no-show", {}, "done.no_show"),
      transfer: openTransfer,
      cancel: openCancel,
      dossier: () => !$("#complete-form").hidden && $("#dossier").focus(),
      issue: openIssue,
      help: () => openDialog($("#help-dialog")),
    },
    () => document.body.dataset.view === "desk",
  );
  setInterval(() => {
    if (document.body.dataset.view === "desk") renderQueue();
  }, 30_000);
}

wire();
boot();
