// The staff tablet: sign in, choose the site and counter (remembered), then serve at the counter.
// Everything shown comes from the server: after each action and on every live event the page refetches
// the counters and the queue, so it is right after a reload or a reconnect. Every action goes through
// act(): a request id, retried with the same id while the network is down, so it never acts twice.

import { act, api, ApiError } from "/static/luot/api.js";
import { $, h, say } from "/static/luot/dom.js";
import { apply, minutes, onLanguageChange, t } from "/static/luot/i18n.js";
import { languageSwitch } from "/static/luot/language.js";
import { connectLive, showConnection } from "/static/luot/live.js";
import { session, STAFF_LANGUAGE } from "/static/luot/session.js";
import { resumeSession, showSignIn, signInForm, signOut } from "/static/luot/signin.js";
import { renderMyRatings } from "./my_ratings.js";
import { place } from "./place.js";
import { installShortcuts } from "./shortcuts.js";
import {
  actionsNow,
  myCounter,
  renderActions,
  renderDesk,
  renderFigures,
  renderHeader,
  serviceName,
  tickWaited,
} from "./view.js";

const PRIORITIES = ["none", "elderly", "disabled", "pregnant", "infant", "merit"];
const PRINT_STATUSES = ["queued", "printed", "failed", "none"];

const state = {
  user: null, // {id, username, role, site_ids, display_name}
  sites: [], // the sites this user may serve at
  siteId: null,
  counterId: null,
  services: new Map(),
  counters: [],
  queue: [], // the counter's waiting list, in call order
  queueAt: 0, // when the queue was fetched (its waited_s are as of then)
  figures: null,
  busy: false, // an action is running: every action button waits
  version: 0, // grows when an action's answer is shown, so that an older fetch cannot overwrite it
  live: null,
};

const message = $("#message");
const atDesk = () => document.body.dataset.view === "desk";
const counter = () => myCounter(state);

// -- talking to the server ------------------------------------------------------------------------

function isUnauthorised(error) {
  return error instanceof ApiError && error.status === 401;
}

async function call(path, options = {}) {
  try {
    return await api(path, { ...options, token: session.token });
  } catch (error) {
    if (isUnauthorised(error)) signedOut("expired");
    throw error;
  }
}

/** A staff action; says so on the page while it is being retried. */
async function perform(path, body = {}) {
  let retried = false;
  const onRetry = () => {
    retried = true;
    say(message, t("retrying"));
  };
  try {
    return await act(path, body, { token: session.token, onRetry });
  } catch (error) {
    if (isUnauthorised(error)) signedOut("expired");
    throw error;
  } finally {
    if (retried) say(message, "");
  }
}

function describe(error) {
  return error instanceof ApiError && !error.unreachable ? error.message : t("error.unreachable");
}

// -- signing in and choosing where to work ---------------------------------------------------------

function show(view) {
  document.body.dataset.view = view;
  for (const section of document.querySelectorAll(".view")) section.hidden = section.id !== `view-${view}`;
  renderHeader(state);
}

/** Back to the sign-in screen; `why` is "expired", "signed_out" or nothing. */
function signedOut(why = "") {
  stopLive();
  session.forget();
  state.user = null;
  for (const dialog of document.querySelectorAll("dialog[open]")) dialog.close();
  show("signin");
  showSignIn(why ? t(`signin.${why}`) : "", why === "expired" ? "error" : "");
}

async function boot() {
  apply();
  try {
    const { user, ended } = await resumeSession();
    if (!user) {
      signedOut(ended ? "expired" : "");
      return;
    }
    state.user = user;
    await chooseWorkplace();
  } catch (error) {
    if (isUnauthorised(error)) return;
    show("loading");
    say($("#loading-message"), describe(error), "error");
    setTimeout(boot, 5000);
  }
}

async function signedIn(user) {
  state.user = user;
  await chooseWorkplace();
}

/** Go to the counter this browser remembers, or let the clerk choose one. */
async function chooseWorkplace() {
  const sites = await call("/api/v1/sites");
  const mine = new Set(state.user.site_ids);
  state.sites = state.user.role === "admin" ? sites : sites.filter((site) => mine.has(site.id));
  const { siteId, counterId } = place.last;
  if (counterId && state.sites.some((site) => site.id === siteId)) await openDesk(siteId, counterId);
  else await showSetup(siteId);
}

async function showSetup(siteId, notice = "") {
  stopLive();
  show("setup");
  say($("#setup-message"), notice || (state.sites.length ? "" : t("setup.no_site")), "error");
  const site = state.sites.find((s) => s.id === siteId) ?? state.sites[0];
  $("#setup-sites-block").hidden = state.sites.length < 2;
  $("#setup-sites").replaceChildren(
    ...state.sites.map((s) =>
      h(
        "button",
        {
          type: "button",
          class: "choice",
          "aria-pressed": String(s.id === site?.id),
          onclick: () => showSetup(s.id),
        },
        h("strong", {}, s.name),
        h("small", {}, s.commune.name),
      ),
    ),
  );
  $("#setup-counters").replaceChildren();
  if (!site) return;
  state.siteId = site.id;
  let counters;
  try {
    counters = await call(`/api/v1/sites/${site.id}/counters`);
    state.services = new Map((await call(`/api/v1/sites/${site.id}/services`)).map((s) => [s.id, s]));
  } catch (error) {
    if (!isUnauthorised(error)) say($("#setup-message"), describe(error), "error");
    return;
  }
  $("#setup-counters").replaceChildren(...counters.map((c) => counterChoice(site.id, c)));
}

function counterChoice(siteId, choice) {
  const taken = choice.clerk && choice.status !== "closed";
  return h(
    "button",
    {
      type: "button",
      class: "choice",
      dataset: { counter: choice.code, status: choice.status },
      onclick: () => {
        place.remember(siteId, choice.id);
        openDesk(siteId, choice.id);
      },
    },
    h("strong", {}, choice.name),
    h("small", {}, choice.services.map((id) => serviceName(state, id)).join(", ")),
    h(
      "span",
      { class: "pill", dataset: { status: choice.status } },
      taken ? t("setup.taken", { name: choice.clerk }) : t(`counter.${choice.status}`),
    ),
  );
}

async function openDesk(siteId, counterId) {
  Object.assign(state, { siteId, counterId, counters: [], queue: [], figures: null });
  say(message, "");
  try {
    state.services = new Map((await call(`/api/v1/sites/${siteId}/services`)).map((s) => [s.id, s]));
    await load();
  } catch (error) {
    if (isUnauthorised(error)) return;
    const forbidden = error instanceof ApiError && error.status === 403;
    await showSetup(siteId, forbidden ? t("setup.forbidden") : describe(error));
    return;
  }
  if (!counter()) {
    await showSetup(siteId);
    return;
  }
  show("desk");
  render();
  loadFigures();
  startLive();
}

// -- state from the server ------------------------------------------------------------------------

async function load() {
  const version = state.version;
  const [counters, queue] = await Promise.all([
    call(`/api/v1/sites/${state.siteId}/counters`),
    call(`/api/v1/sites/${state.siteId}/queue?counter_id=${state.counterId}`),
  ]);
  if (version !== state.version) return; // an action's answer is newer; the refresh it asked for follows
  Object.assign(state, { counters, queue, queueAt: Date.now() });
}

let loading = null;
let again = false;

/** Refetch the counters and the queue; asking while a fetch runs makes one more follow it. */
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
      if (atDesk()) render();
    } catch (error) {
      const forbidden = error instanceof ApiError && error.status === 403;
      if (forbidden) await showSetup(state.siteId, t("setup.forbidden"));
      // unreachable: the connection band says so, and the reconnection's snapshot fetches again
    } finally {
      loading = null;
    }
  })();
  return loading;
}

let soon = null;
function refreshSoon() {
  clearTimeout(soon);
  soon = setTimeout(refresh, 80); // one fetch for the few events an action produces
}

async function loadFigures() {
  try {
    state.figures = await call(`/api/v1/me/today?site_id=${state.siteId}`);
    renderFigures(state);
    renderMyRatings($("#my-ratings"), await call("/api/v1/me/ratings"));
  } catch {
    // a help, not a blocker: the next action or reconnection loads them again
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
    onEvent: (name) => {
      refreshSoon();
      if (name === "rating.given") loadFigures(); // the clerk's own ratings of the day
    },
    onStatus: (status, detail) => {
      document.body.dataset.live = status;
      showConnection(status === "offline" ? t("offline") : "");
      if (status !== "refused") return;
      if (detail?.code === "unauthorized") signedOut("expired");
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

function render() {
  renderDesk(state, { onCall: callTicket });
}

/**
 * Run one action with every action button disabled meanwhile; errors are shown in the page's language,
 * in the page or where `onError` shows them. Resolves to whether the action was done.
 */
async function run(work, onError = (error) => say(message, describe(error), "error")) {
  if (state.busy) return false;
  state.busy = true;
  renderActions(state);
  say(message, "");
  try {
    await work();
    return true;
  } catch (error) {
    if (!isUnauthorised(error)) onError(error);
    return false;
  } finally {
    state.busy = false;
    if (atDesk()) {
      render();
      refresh();
    }
  }
}

/** Show what the server just answered (the ticket now at the counter, or none) until the refetch. */
function atCounter(ticket) {
  const mine = counter();
  if (!mine) return;
  state.version += 1;
  mine.current_ticket = ticket.counter?.id === mine.id ? ticket : null; // the server names its counter
  state.queue = state.queue.filter((entry) => entry.id !== ticket.id);
}

function setCounter(status, body = {}, onError = undefined) {
  return run(async () => {
    const changed = await perform(`/api/v1/counters/${state.counterId}/${status}`, body);
    state.version += 1;
    state.counters = state.counters.map((c) => (c.id === changed.id ? changed : c));
  }, onError);
}

function callNext() {
  return run(async () => {
    const ticket = await perform(`/api/v1/counters/${state.counterId}/call-next`);
    if (ticket === null) say(message, t("done.queue_empty"), "queue-empty");
    else atCounter(ticket);
  });
}

function callTicket(entry) {
  return run(async () => {
    atCounter(await perform(`/api/v1/tickets/${entry.id}/call`, { counter_id: state.counterId }));
  });
}

const CONFIRMATIONS = {
  complete: "done.completed",
  "no-show": "done.no_show",
  transfer: "done.transferred",
  cancel: "done.cancelled",
};

/** An action on the ticket at the counter (recall, start, complete, no-show, transfer, cancel). */
function ticketAction(path, body = {}, onError = undefined) {
  const ticket = counter()?.current_ticket;
  if (!ticket) return Promise.resolve(false);
  return run(async () => {
    const result = await perform(`/api/v1/tickets/${ticket.id}/${path}`, body);
    atCounter(result);
    if (path === "recall") {
      say(message, t("done.recalled", { number: result.number, count: result.call_count ?? "" }), "ok");
    }
    const done = CONFIRMATIONS[path];
    if (done) {
      say(message, t(done, { number: result.number, service: serviceName(state, result.service_id) }), "ok");
      loadFigures();
    }
  }, onError);
}

function available(name) {
  return !state.busy && actionsNow(state)[name] === null;
}

function primary() {
  const { name } = actionsNow(state).primary;
  if (state.busy || !name) return;
  if (name === "open") setCounter("open");
  else if (name === "call_next") callNext();
  else if (name === "start") ticketAction("start");
  else if (name === "complete") complete();
}

function complete() {
  const dossier = $("#dossier").value.trim();
  return ticketAction("complete", dossier ? { dossier_code: dossier } : {});
}

const recall = () => available("recall") && ticketAction("recall");

// -- windows: transfer, no-show, cancel, desk issuing, help ------------------------------------------------

function openDialog(dialog) {
  for (const error of dialog.querySelectorAll(".dialog-error")) say(error, "");
  dialog.showModal();
}

function showErrorIn(dialog) {
  return (error) => say(dialog.querySelector(".dialog-error"), describe(error), "error");
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

function serviceOptions(ids) {
  return ids.map((id) => ({ value: String(id), label: serviceName(state, id) }));
}

const TRANSFER_REASONS = ["wrong_service", "other_field", "needs_specialist", "more_procedures"];

function openTransfer() {
  const ticket = counter()?.current_ticket;
  if (!ticket || !available("transfer")) return;
  const form = $("#transfer-form");
  form.reset();
  $("#transfer-title").textContent = t("transfer.title", { number: ticket.number });
  const others = [...state.services.keys()].filter((id) => id !== ticket.service_id);
  $("#transfer-services").replaceChildren(...radios("service_id", serviceOptions(others), null));
  // Preset reasons fill the box; the clerk may still type their own.
  $("#transfer-presets").replaceChildren(
    ...TRANSFER_REASONS.map((code) =>
      h(
        "button",
        {
          type: "button",
          class: "preset",
          dataset: { reason: code },
          onclick: () => {
            form.reason.value = t(`transfer.preset.${code}`);
          },
        },
        t(`transfer.preset.${code}`),
      ),
    ),
  );
  openDialog($("#transfer-dialog"));
}

const PAUSE_REASONS = ["break", "meeting", "away", "system", "other"];

function openPause() {
  if (!atDesk() || counter()?.status !== "open" || state.busy) return;
  const form = $("#pause-form");
  form.reset();
  const reasons = PAUSE_REASONS.map((code) => ({ value: code, label: t(`pause.reason.${code}`) }));
  $("#pause-reasons").replaceChildren(...radios("reason", reasons, null));
  openDialog($("#pause-dialog"));
}

async function submitPause(event) {
  event.preventDefault();
  const form = event.target;
  const dialog = $("#pause-dialog");
  form.note.value = form.note.value.trim();
  if (!form.reportValidity()) return;
  const body = { reason: form.reason.value, ...(form.note.value ? { note: form.note.value } : {}) };
  if (await setCounter("pause", body, showErrorIn(dialog))) dialog.close();
}

async function submitTransfer(event) {
  event.preventDefault();
  const form = event.target;
  const dialog = $("#transfer-dialog");
  form.reason.value = form.reason.value.trim();
  if (!form.reportValidity()) return;
  const body = { service_id: Number(form.service_id.value), reason: form.reason.value };
  if (await ticketAction("transfer", body, showErrorIn(dialog))) dialog.close();
}

function openNoShow() {
  const ticket = counter()?.current_ticket;
  if (!ticket || !available("no_show")) return;
  $("#no-show-title").textContent = t("no_show.title", { number: ticket.number });
  openDialog($("#no-show-dialog"));
}

async function submitNoShow(event) {
  event.preventDefault();
  const dialog = $("#no-show-dialog");
  if (await ticketAction("no-show", {}, showErrorIn(dialog))) dialog.close();
}

function openCancel() {
  const ticket = counter()?.current_ticket;
  if (!ticket || !available("cancel")) return;
  $("#cancel-form").reset();
  $("#cancel-title").textContent = t("cancel.title", { number: ticket.number });
  openDialog($("#cancel-dialog"));
}

async function submitCancel(event) {
  event.preventDefault();
  const reason = event.target.reason.value.trim();
  const dialog = $("#cancel-dialog");
  if (await ticketAction("cancel", reason ? { reason } : {}, showErrorIn(dialog))) dialog.close();
}

function openIssue() {
  if (!atDesk()) return;
  const form = $("#issue-form");
  form.reset();
  form.hidden = false;
  $("#issue-result").hidden = true;
  const first = counter()?.services?.[0] ?? [...state.services.keys()][0];
  const services = serviceOptions([...state.services.keys()]);
  $("#issue-services").replaceChildren(...radios("service_id", services, String(first)));
  const priorities = PRIORITIES.map((p) => ({ value: p, label: t(`priority.${p}`) }));
  $("#issue-priorities").replaceChildren(...radios("priority", priorities, "none"));
  openDialog($("#issue-dialog"));
}

async function submitIssue(event) {
  event.preventDefault();
  const form = event.target;
  if (!form.reportValidity()) return;
  const submit = form.querySelector("[type=submit]");
  submit.disabled = true;
  try {
    const ticket = await perform(`/api/v1/sites/${state.siteId}/tickets`, {
      service_id: Number(form.service_id.value),
      priority: form.priority.value,
    });
    showIssued(ticket);
    refreshSoon();
  } catch (error) {
    if (!isUnauthorised(error)) showErrorIn($("#issue-dialog"))(error);
  } finally {
    submit.disabled = false;
  }
}

function showIssued(ticket) {
  $("#issue-form").hidden = true;
  $("#issue-result").hidden = false;
  $("#issued-number").textContent = ticket.number;
  $("#issued-service").textContent = serviceName(state, ticket.service_id);
  const wait = ticket.estimated_wait_s >= 60 ? minutes(ticket.estimated_wait_s) : "";
  const position = t(wait ? "issue.position_wait" : "issue.position", { n: ticket.position, time: wait });
  $("#issued-position").textContent = position;
  const printed = ticket.print?.status ?? "none";
  const known = PRINT_STATUSES.includes(printed);
  say($("#issued-print"), known ? t(`print.${printed}`) : "", printed === "failed" ? "error" : "");
  $("#issue-another").focus();
}

// -- wiring ---------------------------------------------------------------------------------------

function on(selector, event, handler) {
  $(selector).addEventListener(event, handler);
}

function wire() {
  signInForm({ onSignedIn: signedIn });
  on("#sign-out", "click", () => signOut().then(() => signedOut("signed_out")));
  on("#switch-counter", "click", () => showSetup(state.siteId));
  on("#primary", "click", primary);
  on("#act-recall", "click", recall);
  on("#act-no-show", "click", openNoShow);
  on("#act-transfer", "click", openTransfer);
  on("#act-cancel", "click", openCancel);
  on("#counter-pause", "click", openPause);
  on("#pause-form", "submit", submitPause);
  on("#counter-close", "click", () => setCounter("close"));
  on("#complete-form", "submit", (event) => {
    event.preventDefault();
    if (available("complete")) complete();
  });
  on("#transfer-form", "submit", submitTransfer);
  on("#cancel-form", "submit", submitCancel);
  on("#no-show-form", "submit", submitNoShow);
  on("#issue-form", "submit", submitIssue);
  on("#issue-open", "click", openIssue);
  on("#issue-another", "click", openIssue);
  on("#help-open", "click", () => openDialog($("#help-dialog")));
  for (const button of document.querySelectorAll(".close-dialog")) {
    button.addEventListener("click", () => button.closest("dialog").close());
  }
  installShortcuts(
    {
      primary,
      recall,
      no_show: openNoShow,
      transfer: openTransfer,
      cancel: openCancel,
      dossier: () => !$("#complete-form").hidden && $("#dossier").focus(),
      issue: openIssue,
      help: () => openDialog($("#help-dialog")),
    },
    atDesk,
  );
  setInterval(() => atDesk() && tickWaited(state), 30_000);
}

languageSwitch({ remember: STAFF_LANGUAGE });
onLanguageChange(() => (atDesk() ? render() : renderHeader(state)));
wire();
boot();
