// The kiosk: a citizen takes a ticket in two taps (service, then "Get a ticket"), may declare a priority
// group and a phone number or citizen ID, checks in an appointment, and sees the ticket with its QR code.
//
// One screen at a time (section#screen-NAME). Listeners are attached once, at start (clicks are delegated
// through data-action), lists are rebuilt with replaceChildren and one timer ticks every second, so the
// page holds steady over a whole day of use. Nothing personal is kept after the ticket screen, and the
// kiosk goes back home (in Vietnamese) after a minute without a touch.

import { act, api, ApiError, requestId } from "/static/luot/api.js";
import { deviceToken, forgetDevice, rememberDevice } from "/static/luot/device.js";
import { h, svg } from "/static/luot/dom.js";
import { apply, clock, language, minutes, onLanguageChange, setLanguage, t, translate } from "/static/luot/i18n.js";
import { languageSwitch } from "/static/luot/language.js";
import { connectLive } from "/static/luot/live.js";
import { shorterElsewhere } from "./elsewhere.js";
import { renderHours } from "./hours.js";
import { CITIZEN_ID, PHONE, grouped, idFromChipCard, lastDigits, normalisePhone } from "./identity.js";
import { buildKeypad, Entry } from "./keypad.js";
import { fetchProcedures, procedureCards } from "./procedures.js";
import { ordinalClips, startSpeechMode, ticketClips } from "./speech.js";

const IDLE_MS = 60_000; // back home after a minute without a touch
const TICKET_MS = 30_000; // the ticket stays on screen this long…
const TICKET_PRINT_FAILED_MS = 60_000; // …or longer when it must be photographed
const REFRESH_MS = 60_000; // sites and services (opening hours move open_now)
const PROBE_MS = 3_000; // while the server is unreachable
const SOCKET_GRACE_MS = 1_500; // a blip of the socket is not worth a full-screen message
const SCAN_PAUSE_MS = 1_500; // a pause this long between keys starts a new scan
const FIELD_ORDER = [
  "civil_status",
  "certification",
  "land",
  "insurance",
  "business",
  "social_protection",
  "online_help",
  "results",
];

const $ = (id) => document.getElementById(id);
const ICONS = document.body.dataset.icons;

const state = {
  token: null,
  device: null,
  site: null,
  sites: [],
  services: [],
  waits: new Map(), // service id -> {waiting, estimated_wait_s}
  procedures: new Map(), // service id -> the procedure guide's procedures (docs/procedures.md)
  screen: "loading",
  intent: null, // what the citizen is choosing: service, priority, phone, citizenId, requestId
  ticket: null,
  ticketShownAt: 0,
  ticketMs: TICKET_MS,
  busy: false,
  lastTouch: Date.now(),
  identifyMode: "phone",
  printer: "ok",
  live: null,
  socketDown: false,
  apiDown: false,
  probing: false,
  agentCanIssue: false, // served by the kiosk's agent, which can issue from its lease (docs/kiosk-offline.md)
  homeShape: null, // the service tiles as last drawn (what they show, not their waits)
};

const entries = {
  enrol: new Entry({ accept: /[A-Za-z0-9_-]/, max: 96 }),
  identify: new Entry({ accept: /[0-9]/, max: 12 }),
  appointment: new Entry({ accept: /[A-Za-z0-9-]/, max: 32 }),
};
// What was typed since the last pause, whole: a scanner's text (a chip card's QR text with its "|", a
// confirmation or enrolment link with its "/") is recognised by its shape, never shown, reduced on Enter.
let scanned = "";
let lastKeyAt = 0;

// -- screens ------------------------------------------------------------------------------------------

function show(screen) {
  state.screen = screen;
  document.body.dataset.screen = screen;
  for (const section of document.querySelectorAll(".screen")) section.hidden = section.id !== `screen-${screen}`;
  window.scrollTo(0, 0);
}

/** Texts shown in both languages at once: Vietnamese, with English beneath. */
function applyBoth() {
  for (const element of document.querySelectorAll("[data-both]")) {
    const key = element.dataset.both;
    const english = h("span", { class: "second-language", lang: "en" }, translate("en", key));
    element.replaceChildren(translate("vi", key), english);
  }
}

function serviceName(service) {
  return language() === "en" ? service.name_en || service.name : service.name;
}

function fieldOf(service) {
  return FIELD_ORDER.includes(service.field) ? service.field : "other";
}

function icon(name, className = "icon") {
  return svg("svg", { class: className, "aria-hidden": "true" }, svg("use", { href: `${ICONS}#${name}` }));
}

function waitText(serviceId) {
  const wait = state.waits.get(serviceId);
  if (!wait || wait.waiting === 0) return t("home.no_wait");
  return `${t("home.waiting", { n: wait.waiting })} · ${t("home.wait", { time: minutes(wait.estimated_wait_s) })}`;
}

function serviceOpen(service) {
  return Boolean(state.site?.open_now && service.open_now);
}

// -- home ---------------------------------------------------------------------------------------------

function renderHome() {
  $("site-name").textContent = state.site
    ? (language() === "en" && state.site.name_en) || state.site.name
    : "";
  const closed = state.site && !state.site.open_now;
  $("closed-banner").hidden = !closed;
  if (closed) renderHours($("closed-banner").querySelector("[data-hours]"), state.site.hours);

  const groups = new Map();
  for (const service of state.services) {
    const field = fieldOf(service);
    if (!groups.has(field)) groups.set(field, []);
    groups.get(field).push(service);
  }
  const rank = (field) => (FIELD_ORDER.includes(field) ? FIELD_ORDER.indexOf(field) : FIELD_ORDER.length);
  const ordered = [...groups.entries()].sort(([a], [b]) => rank(a) - rank(b));
  const withHeadings = ordered.length > 1 && ordered.some(([, services]) => services.length > 1);
  // A refresh that changes no tile only updates the waits: rebuilding the tiles under a finger that is
  // touching one would swallow the tap.
  const shape = JSON.stringify([
    language(),
    ordered.map(([field, services]) => [field, services.map((s) => [s.id, serviceName(s), serviceOpen(s)])]),
  ]);
  if (shape === state.homeShape) {
    updateTileWaits();
    return;
  }
  state.homeShape = shape;
  const tiles = (services) =>
    services.map((service) =>
      h(
        "button",
        {
          type: "button",
          class: serviceOpen(service) ? "tile" : "tile closed",
          dataset: { action: "service", serviceId: service.id },
        },
        icon(`field-${fieldOf(service)}`),
        h("span", { class: "tile-name" }, serviceName(service)),
        h(
          "span",
          { class: "tile-wait", dataset: { waitFor: service.id } },
          serviceOpen(service) ? waitText(service.id) : t("service.closed"),
        ),
      ),
    );
  if (withHeadings) {
    $("services").replaceChildren(
      ...ordered.map(([field, services]) =>
        h(
          "div",
          { class: "group" },
          h("h2", { class: "group-title" }, t(`field.${field}`)),
          h("div", { class: "grid" }, tiles(services)),
        ),
      ),
    );
  } else {
    const all = ordered.flatMap(([, services]) => services);
    $("services").replaceChildren(h("div", { class: `grid count-${state.services.length}` }, tiles(all)));
  }
}

function updateTileWaits() {
  for (const node of document.querySelectorAll("[data-wait-for]")) {
    const service = state.services.find((s) => s.id === Number(node.dataset.waitFor));
    if (service && serviceOpen(service)) node.textContent = waitText(service.id);
  }
}

function updateWaits() {
  updateTileWaits();
  if (state.screen === "review") {
    renderReviewWaiting();
    if ($("elsewhere").hidden) suggestElsewhere(state.intent.service);
  }
}

function toast(text) {
  const box = $("toast");
  box.textContent = text;
  box.hidden = false;
  box.dataset.until = String(Date.now() + 5000);
}

// -- choosing a service -------------------------------------------------------------------------------

function chooseService(serviceId) {
  const service = state.services.find((s) => s.id === serviceId);
  if (!service) return;
  const cardOnHome = state.intent && !state.intent.service ? state.intent.citizenId : null;
  state.intent = { service, priority: "none", phone: null, citizenId: cardOnHome ?? null, requestId: requestId() };
  renderReview();
  show("review");
  suggestElsewhere(service);
}

function renderReviewWaiting() {
  const service = state.intent?.service;
  if (!service) return;
  const wait = state.waits.get(service.id);
  $("review-waiting").textContent =
    !wait || wait.waiting === 0
      ? t("review.waiting_none")
      : t("review.waiting", { n: wait.waiting, time: minutes(wait.estimated_wait_s) });
}

function renderReview() {
  const { service, priority, phone, citizenId } = state.intent;
  $("review-icon").setAttribute("href", `${ICONS}#field-${fieldOf(service)}`);
  $("review-name").textContent = serviceName(service);
  renderReviewWaiting();
  const open = serviceOpen(service);
  $("review-closed").hidden = open;
  $("review-open").hidden = !open;
  if (!open) renderHours($("review-closed").querySelector("[data-hours]"), state.site?.hours);
  $("priority-icon").setAttribute("href", `${ICONS}#priority-${priority}`);
  $("priority-chosen").textContent = priority === "none" ? t("review.optional") : t(`priority.${priority}`);
  $("priority-chosen").classList.toggle("set", priority !== "none");
  $("identity-chosen").textContent = phone
    ? t("identify.saved_phone", { end: lastDigits(phone) })
    : citizenId
      ? t("identify.saved_id", { end: lastDigits(citizenId) })
      : t("review.optional");
  $("identity-chosen").classList.toggle("set", Boolean(phone || citizenId));
  const procedures = state.procedures.get(service.id) ?? [];
  $("procedures-button").hidden = !procedures.length; // beside the options, before "Get a ticket"
  $("procedures-closed").hidden = open || !procedures.length; // below the opening hours
  for (const id of ["procedures-count", "procedures-closed-count"]) {
    $(id).textContent = t("procedures.count", { n: procedures.length });
  }
  $("review-error").hidden = true;
  $("take").disabled = state.busy;
}

async function suggestElsewhere(service) {
  const box = $("elsewhere");
  box.hidden = true;
  delete box.dataset.checked;
  const here = state.waits.get(service.id)?.estimated_wait_s ?? 0;
  const open = state.site && serviceOpen(service);
  const better = open ? await shorterElsewhere(state.sites, state.site, service, here) : null;
  if (state.screen !== "review" || state.intent?.service.id !== service.id) return; // the citizen moved on
  box.dataset.checked = String(service.id); // looked for this service (what the browser tests wait for)
  if (!better) return;
  const name = (language() === "en" && better.site.name_en) || better.site.name;
  $("elsewhere-body").textContent = t(better.waiting ? "elsewhere.body" : "elsewhere.body_none", {
    site: name,
    n: better.waiting,
    time: minutes(better.estimated_wait_s),
  });
  $("elsewhere-address").textContent = better.site.address || "";
  const age = better.age_s != null ? Math.max(1, Math.round(better.age_s / 60)) : null; // a site box's last word
  $("elsewhere-age").hidden = age == null;
  $("elsewhere-age").textContent = age == null ? "" : t("elsewhere.age", { n: age });
  $("elsewhere").hidden = false;
}

// -- the procedure guide: what to bring ---------------------------------------------------------------

function renderProcedures() {
  const service = state.intent?.service;
  if (!service) return;
  $("procedures-title").textContent = t("procedures.title", { service: serviceName(service) });
  $("procedures-list").replaceChildren(...procedureCards(state.procedures.get(service.id) ?? []));
  $("procedures-take").hidden = !serviceOpen(service);
}

function openProcedures() {
  renderProcedures();
  show("procedures");
}

/** The guide's own "Get a ticket": issued from the service's screen, where its answers are shown. */
function takeFromGuide() {
  show("review");
  take();
}

// -- issuing ------------------------------------------------------------------------------------------

async function take() {
  if (state.busy || !state.intent) return;
  const { service, priority, phone, citizenId } = state.intent;
  const body = { service_id: service.id, priority, language: language(), request_id: state.intent.requestId };
  if (phone) body.phone = phone;
  if (citizenId) body.citizen_id = citizenId;
  await issuing(() =>
    act(`/api/v1/sites/${state.site.id}/tickets`, body, {
      token: state.token,
      attempts: 3,
      onRetry: () => reviewError(t("retrying")),
    }),
  );
}

async function checkIn() {
  // A scanner types a whole confirmation link at once; a person types the code, key by key.
  const code = appointmentCode(scanned.includes("/") ? scanned : entries.appointment.value);
  scanned = "";
  if (!code || state.busy) return;
  if (!state.intent?.checkInId) state.intent = { checkInId: requestId() };
  await issuing(
    () =>
      act(
        `/api/v1/appointments/${encodeURIComponent(code)}/check-in`,
        { request_id: state.intent.checkInId, language: language() },
        { token: state.token, attempts: 3 },
      ),
    { appointment: true },
  );
}

/** A remote ticket's holder scanned its status page's QR: confirm the arrival, show the ticket. */
async function arrived(link) {
  if (state.busy || !state.site) return;
  await issuing(() =>
    api(`/api/v1/sites/${state.site.id}/arrivals`, { method: "POST", body: { public_code: link }, token: state.token }),
  );
}

/** Run an issuing request: a double tap does nothing, a retry reuses its request id. */
async function issuing(request, options = {}) {
  state.busy = true;
  for (const button of document.querySelectorAll("[data-action=take], [data-action=check-in]")) button.disabled = true;
  try {
    showTicket(await request(), options);
  } catch (error) {
    failed(error, options);
  } finally {
    state.busy = false;
    for (const button of document.querySelectorAll("[data-action=take], [data-action=check-in]")) {
      button.disabled = false;
    }
  }
}

function reviewError(text) {
  const box = $(state.screen === "appointment" ? "appointment-error" : "review-error");
  box.textContent = text;
  box.hidden = !text;
}

function failed(error, { appointment = false } = {}) {
  if (!(error instanceof ApiError)) {
    reviewError(t("error.generic"));
    return;
  }
  if (error.unreachable) {
    reviewError("");
    serverDown();
  } else if (error.status === 401) {
    enrolAgain(t("refused"));
  } else if (error.status === 429) {
    $("overlay-limit").hidden = false;
  } else if (appointment && (error.status === 404 || error.status === 422)) {
    reviewError(t("appointment.unknown"));
  } else {
    reviewError(error.message);
    if (error.code === "site_closed" || error.code === "service_closed") refreshSite();
  }
}

// What the printer did with recent tickets (`print.updated`), by ticket id.
const printResults = new Map();

function showTicket(ticket, { appointment = false } = {}) {
  const service = state.services.find((s) => s.id === ticket.service_id);
  state.ticket = ticket;
  $("ticket-number").textContent = ticket.number;
  $("ticket-service").textContent = service ? serviceName(service) : "";
  const priority = ticket.priority && ticket.priority !== "none";
  $("ticket-priority").hidden = !priority;
  $("ticket-priority").textContent = priority ? t("ticket.priority", { group: t(`priority.${ticket.priority}`) }) : "";
  const at = ticket.appointment_start ? clock(ticket.appointment_start) : "";
  // A site box's check-in of a code booked upstream during a cut: a regular place until confirmed.
  const unconfirmed = appointment && ticket.unconfirmed === "pending";
  const note = unconfirmed
    ? t("ticket.unconfirmed")
    : ticket.late
      ? t("ticket.late")
      : appointment
        ? at
          ? t("ticket.appointment_at", { time: at })
          : t("ticket.appointment")
        : "";
  $("ticket-note").hidden = !note;
  $("ticket-note").textContent = note;
  $("ticket-facts").hidden = Boolean(ticket.offline); // issued by the agent: the queue is not known here
  $("ticket-ahead").textContent = String(Math.max(0, ticket.position - 1));
  $("ticket-wait").textContent = ticket.position <= 1 ? t("home.no_wait") : minutes(ticket.estimated_wait_s);
  $("ticket-qr").src = `/t/${encodeURIComponent(ticket.public_code)}/qr.svg`;
  $("ticket-qr").alt = ticket.status_url ?? "";
  const print = printResults.get(ticket.id) ?? ticket.print?.status ?? "none";
  const printerOk = state.printer === "ok" && (ticket.print?.printer_status ?? "ok") === "ok";
  showPrint(print === "queued" && !printerOk ? "failed" : print);
  state.intent = null; // the phone number or ID is forgotten as soon as the ticket exists
  state.ticketShownAt = Date.now();
  show("ticket");
  tick();
}

function showPrint(status) {
  const known = ["none", "queued", "printed", "failed"].includes(status) ? status : "none";
  const box = $("ticket-print");
  box.dataset.print = known;
  box.textContent = t(`print.${known}`);
  box.classList.toggle("error", known === "failed");
  state.ticketMs = known === "failed" ? TICKET_PRINT_FAILED_MS : TICKET_MS;
}

// -- priority and identity ----------------------------------------------------------------------------

function setPriority(priority) {
  state.intent.priority = priority;
  renderReview();
  show("review");
}

function openIdentify() {
  entries.identify.reset();
  scanned = "";
  setIdentifyMode(state.intent.citizenId ? "citizen_id" : "phone");
  $("identify-error").hidden = true;
  show("identify");
}

function setIdentifyMode(mode) {
  state.identifyMode = mode;
  entries.identify.max = mode === "phone" ? 10 : 12;
  entries.identify.reset();
  for (const tab of document.querySelectorAll("[data-action=identify-mode]")) {
    tab.setAttribute("aria-selected", String(tab.dataset.mode === mode));
  }
  renderIdentify();
}

function renderIdentify() {
  const reading = scanned.includes("|");
  $("identify-entry").textContent = reading
    ? t("identify.reading")
    : grouped(entries.identify.value, state.identifyMode) || "\u00a0";
}

function confirmIdentity(value, mode) {
  const digits = mode === "phone" ? normalisePhone(value) : value;
  const valid = mode === "phone" ? PHONE.test(digits) : CITIZEN_ID.test(digits);
  if (!valid) {
    $("identify-error").textContent = t(mode === "phone" ? "identify.bad_phone" : "identify.bad_id");
    $("identify-error").hidden = false;
    return;
  }
  state.intent.phone = mode === "phone" ? digits : null;
  state.intent.citizenId = mode === "citizen_id" ? digits : null;
  entries.identify.reset();
  renderIdentify(); // the digits leave the screen once entered
  renderReview();
  show("review");
}

function removeIdentity() {
  state.intent.phone = null;
  state.intent.citizenId = null;
  entries.identify.reset();
  renderIdentify();
  renderReview();
  show("review");
}

/** A chip card's QR code read by the scanner: keep only the ID. */
function cardScanned(text) {
  const id = idFromChipCard(text);
  if (!id) return false;
  if (state.screen === "identify" || state.screen === "review") {
    state.intent.citizenId = id;
    state.intent.phone = null;
    renderReview();
    show("review");
  } else if (state.screen === "home") {
    state.intent = { service: null, citizenId: id };
    toast(t("home.card_read"));
  }
  return true;
}

// -- appointments -------------------------------------------------------------------------------------

/** The appointment code from what was typed or scanned: a code, or a confirmation URL that holds one. */
function appointmentCode(raw) {
  let text = raw.trim();
  if (text.includes("/")) {
    try {
      const url = new URL(text, window.location.origin);
      text = url.searchParams.get("code") || url.pathname.split("/").filter(Boolean).pop() || "";
      text = text.replace(/\.ics$/i, "");
    } catch {
      return "";
    }
  }
  return text.replace(/\s/g, "").toUpperCase();
}

/** The appointment code a scanner typed on the home screen (the booking's QR holds the bare code; a
 * confirmation link holds it too), or "" when the text is not one. */
function scannedAppointment(text) {
  const code = appointmentCode(text);
  return /^[A-Z0-9]{6,8}$/.test(code) && (text.includes("/book/") || !text.includes("/")) ? code : "";
}

function openAppointment() {
  entries.appointment.reset();
  scanned = "";
  state.intent = { checkInId: requestId() };
  $("appointment-error").hidden = true;
  renderEntry("appointment");
  show("appointment");
}

// -- keys: on-screen keypads, keyboards and the QR scanner -------------------------------------------

function renderEntry(name) {
  if (name === "identify") return renderIdentify();
  const value = entries[name].value;
  // A device token is a secret: show that something was typed, not what.
  $(`${name}-entry`).textContent = name === "enrol" && value.length > 12 ? "•".repeat(12) : value || "\u00a0";
}

function activeEntry() {
  return ["enrol", "identify", "appointment"].includes(state.screen) ? state.screen : null;
}

function submitEntry(name) {
  if (name === "enrol") enrol();
  else if (name === "appointment") checkIn();
  else if (name === "identify") {
    if (scanned.includes("|")) {
      const text = scanned;
      scanned = "";
      if (!cardScanned(text)) {
        $("identify-error").textContent = t("identify.bad_id");
        $("identify-error").hidden = false;
        renderIdentify();
      }
    } else confirmIdentity(entries.identify.value, state.identifyMode);
  }
}

function onKey(event) {
  if (event.ctrlKey || event.altKey || event.metaKey) return;
  const now = Date.now();
  if (now - lastKeyAt > SCAN_PAUSE_MS && event.key !== "Enter") scanned = "";
  lastKeyAt = now;
  if (event.key.length === 1) scanned = (scanned + event.key).slice(-512);
  const name = activeEntry();
  if (event.key === "Enter") {
    // Enter by itself on a focused button presses it (keyboard users); after a scanner's text it does not.
    if (name || scanned) event.preventDefault();
    if (scanned.includes("/t/") && name !== "enrol") {
      // the status page's QR of a ticket taken before arriving: the citizen is here
      const text = scanned;
      scanned = "";
      arrived(text);
      return;
    }
    if (name) submitEntry(name);
    else if (scanned.includes("|")) cardScanned(scanned);
    else if (state.screen === "home" && scannedAppointment(scanned)) {
      // the booking's QR held up at the home screen: check in at once, as if typed on its screen
      const code = scannedAppointment(scanned);
      openAppointment();
      entries.appointment.value = code;
      renderEntry("appointment");
      checkIn();
    }
    scanned = "";
    return;
  }
  if (!name) return;
  if (name === "identify" && scanned.includes("|")) {
    event.preventDefault();
    renderIdentify(); // the card's text is not shown, nor typed into the entry
    return;
  }
  if (entries[name].press(event.key)) {
    event.preventDefault();
    if (name === "appointment" && scanned.includes("/")) entries.appointment.value = appointmentCode(scanned).slice(0, 32);
    renderEntry(name);
  }
}

// -- enrolment ----------------------------------------------------------------------------------------

const CODE = /^[A-Z0-9]{8}$/;

function enrolAgain(message) {
  forgetDevice("kiosk");
  state.live?.close();
  state.live = null;
  state.token = null;
  entries.enrol.reset();
  renderEntry("enrol");
  $("enrol-error").textContent = message || "";
  $("enrol-error").hidden = !message;
  show("enrol");
}

async function enrol() {
  const link = scanned.includes("token=") ? scanned : ""; // a scanned /kiosk?token=… link
  const typed = link ? (new URL(link, window.location.origin).searchParams.get("token") ?? "") : entries.enrol.value.trim();
  if (!typed || state.busy) return;
  state.busy = true;
  const asCode = typed.replace(/-/g, "").toUpperCase();
  try {
    let token;
    if (CODE.test(asCode)) {
      token = (await api("/api/v1/devices/enrol", { method: "POST", body: { code: asCode, kind: "kiosk" } })).token;
    } else {
      const device = await api("/api/v1/device", { token: typed });
      if (device.kind !== "kiosk") throw new ApiError(409, "wrong_device_kind", t("enrol.not_kiosk"));
      token = typed;
    }
    rememberDevice("kiosk", token);
    entries.enrol.reset();
    await start();
  } catch (error) {
    const message = error instanceof ApiError && error.status === 401 ? t("enrol.bad_token") : error.message;
    $("enrol-error").textContent = message;
    $("enrol-error").hidden = false;
  } finally {
    state.busy = false;
  }
}

// -- the server: data, live updates, and what happens when it cannot be reached ---------------------

async function refreshSite() {
  try {
    const [sites, services, waits, procedures] = await Promise.all([
      api("/api/v1/sites"),
      api(`/api/v1/sites/${state.device.site_id}/services`),
      api(`/api/v1/sites/${state.device.site_id}/wait`),
      fetchProcedures(state.device.site_id), // null when it fails: the guide last fetched is kept
    ]);
    if (procedures) {
      state.procedures = new Map();
      for (const procedure of procedures) {
        if (!state.procedures.has(procedure.service_id)) state.procedures.set(procedure.service_id, []);
        state.procedures.get(procedure.service_id).push(procedure);
      }
    }
    state.sites = sites;
    state.site = sites.find((s) => s.id === state.device.site_id) ?? null;
    state.services = services;
    state.waits = new Map(waits.map((w) => [w.service_id, w]));
    serverUp();
    renderHome();
    if (state.screen === "review" && state.intent?.service) {
      state.intent.service = services.find((s) => s.id === state.intent.service.id) ?? state.intent.service;
      renderReview();
    }
  } catch (error) {
    if (error instanceof ApiError && error.unreachable) serverDown();
  }
}

function setWaits(list) {
  state.waits = new Map(list.map((w) => [w.service_id, w]));
  updateWaits();
}

function connect() {
  state.live?.close();
  let graceTimer = null;
  state.live = connectLive({
    auth: { token: state.token },
    onSnapshot: (snapshot) => {
      setWaits(snapshot.waiting_by_service);
    },
    onEvent: (name, data) => {
      if (name === "queue.changed") setWaits(data.waiting_by_service);
      else if (name === "print.updated") {
        // It may arrive before the answer that issued the ticket: keep it for showTicket.
        printResults.set(data.ticket_id, data.status);
        if (printResults.size > 50) printResults.delete(printResults.keys().next().value);
        if (state.screen === "ticket" && data.ticket_id === state.ticket?.id) showPrint(data.status);
      } else if (name === "printer.status" && data.device_id === state.device?.id) {
        state.printer = data.status;
        if (state.screen === "ticket" && data.status !== "ok" && $("ticket-print").dataset.print === "queued") {
          showPrint("failed");
        }
      }
    },
    onStatus: (status) => {
      clearTimeout(graceTimer);
      document.body.dataset.live = status === "online" ? "on" : "off"; // as the status page: for staff and tests
      if (status === "online") {
        if (state.socketDown) refreshSite();
        state.socketDown = false;
        renderOverlay();
      } else if (status === "offline") {
        graceTimer = setTimeout(() => {
          state.socketDown = true;
          renderOverlay();
          checkAgent();
        }, SOCKET_GRACE_MS);
      } else if (status === "refused") {
        enrolAgain(t("refused"));
      }
    },
  });
}

function renderOverlay() {
  const down = state.apiDown || state.socketDown;
  const offline = down && state.agentCanIssue; // the agent issues: no outage screen, a small mark
  $("overlay-unreachable").hidden = !down || offline;
  document.body.classList.toggle("unreachable", down && !offline);
  $("offline-mark").hidden = !offline;
}

/** Whether the page is served by the kiosk's agent and it holds a lease of today's numbers. */
async function checkAgent() {
  try {
    const response = await fetch("/agent/status", { cache: "no-store" });
    const status = response.ok ? await response.json() : null;
    state.agentCanIssue = Boolean(status?.agent && status.can_issue);
  } catch {
    state.agentCanIssue = false;
  }
  renderOverlay();
}

function serverUp() {
  state.apiDown = false;
  renderOverlay();
}

async function serverDown() {
  state.apiDown = true;
  renderOverlay();
  checkAgent();
  if (state.probing) return;
  state.probing = true;
  while (state.apiDown) {
    await new Promise((resolve) => setTimeout(resolve, PROBE_MS));
    try {
      await api("/api/v1/health", { timeout: 3000 });
      state.apiDown = false;
    } catch {
      // still down: try again
    }
  }
  state.probing = false;
  renderOverlay();
  if (state.device) refreshSite();
  else start();
}

// -- going home, idleness, the clock ------------------------------------------------------------------

/** Home for the next citizen: nothing of this one kept, Vietnamese again. */
function goHome() {
  window.luotSpeech?.stop();
  backHome();
  if (language() !== "vi") setLanguage("vi");
}

/** Home for the same citizen (the Back button): what they chose is dropped, their language kept. */
function backHome() {
  state.intent = null;
  state.ticket = null;
  scanned = "";
  for (const entry of Object.values(entries)) entry.reset();
  for (const name of Object.keys(entries)) renderEntry(name);
  $("overlay-limit").hidden = true;
  $("toast").hidden = true;
  renderHome();
  show("home");
}

function tick() {
  const now = Date.now();
  const clock = new Date();
  $("clock").textContent = clock.toLocaleTimeString("vi-VN", {
    hour: "2-digit",
    minute: "2-digit",
    timeZone: state.site?.timezone ?? "Asia/Ho_Chi_Minh", // the centre's time, whatever the PC says
  });
  if (state.screen === "ticket") {
    const left = Math.ceil((state.ticketShownAt + state.ticketMs - now) / 1000);
    if (left <= 0) goHome();
    else $("ticket-countdown").textContent = t("ticket.back_in", { n: left });
    return;
  }
  if (Number($("toast").dataset.until || 0) < now) $("toast").hidden = true;
  const away = state.screen !== "home" && state.screen !== "enrol" && state.screen !== "loading";
  const lingering = state.screen === "home" && (language() !== "vi" || state.intent || !$("overlay-limit").hidden);
  if ((away || lingering) && now - state.lastTouch > IDLE_MS) goHome();
}

// -- one listener for every tap ----------------------------------------------------------------------

const ACTIONS = {
  service: (target) => chooseService(Number(target.dataset.serviceId)),
  home: goHome,
  back: backHome,
  review: () => show("review"),
  procedures: openProcedures,
  "take-guide": takeFromGuide,
  priority: () => show("priority"),
  "set-priority": (target) => setPriority(target.dataset.priority),
  identify: openIdentify,
  "identify-mode": (target) => setIdentifyMode(target.dataset.mode),
  "identify-ok": () => submitEntry("identify"),
  "identify-remove": removeIdentity,
  take,
  appointment: openAppointment,
  "check-in": checkIn,
  enrol,
  "close-limit": () => {
    $("overlay-limit").hidden = true;
  },
};

function onClick(event) {
  const key = event.target.closest("[data-key]");
  if (key) {
    const name = activeEntry();
    if (name && entries[name].press(key.dataset.key)) {
      scanned = "";
      renderEntry(name);
      $(`${name}-error`).hidden = true;
    }
    return;
  }
  const target = event.target.closest("[data-action]");
  if (target && !target.disabled) ACTIONS[target.dataset.action]?.(target);
}

// -- start --------------------------------------------------------------------------------------------

async function start() {
  state.token = deviceToken("kiosk");
  if (!state.token) {
    enrolAgain("");
    return;
  }
  try {
    state.device = await api("/api/v1/device", { token: state.token });
  } catch (error) {
    if (error instanceof ApiError && error.unreachable) serverDown();
    else enrolAgain(error instanceof ApiError && error.status === 401 ? t("refused") : error.message);
    return;
  }
  if (state.device.kind !== "kiosk") {
    enrolAgain(t("enrol.not_kiosk"));
    return;
  }
  await refreshSite();
  connect();
  goHome();
}

// Load both weights of the typeface now, so that the "unavailable" screen still has them in an outage.
for (const weight of ["400", "700"]) document.fonts.load(`${weight} 1em "Be Vietnam Pro"`, "Lượt ăâđêôơư").catch(() => {});
buildKeypad($("enrol-keypad"), "alnum");
buildKeypad($("identify-keypad"), "numeric");
buildKeypad($("appointment-keypad"), "alnum");
apply();
applyBoth();
languageSwitch(); // nothing remembered: the next citizen starts in Vietnamese
onLanguageChange(() => {
  renderHome();
  if (state.intent?.service) renderReview();
  if (state.screen === "procedures") renderProcedures();
  if (state.screen === "identify") renderIdentify();
});
document.addEventListener("click", onClick);
document.addEventListener("keydown", onKey);
for (const name of ["pointerdown", "keydown"]) {
  document.addEventListener(name, () => {
    state.lastTouch = Date.now();
  });
}
setInterval(tick, 1000);
setInterval(() => state.device && !state.apiDown && refreshSite(), REFRESH_MS);
tick();
start();

// -- speech mode (keypad and headphones): see speech.js ------------------------------------------------

const homeTiles = () => [...document.querySelectorAll("#screen-home .tile[data-service-id]")];
/** "Dịch vụ số hai", then the service's name when the centre recorded it (``service_<code>.wav``). */
const tileClips = (serviceId) => {
  const index = homeTiles().findIndex((tile) => tile.dataset.serviceId === String(serviceId));
  const service = state.services.find((s) => s.id === Number(serviceId));
  return index < 0 ? [] : [...ordinalClips(index + 1), ...(service ? [`service_${service.code.toLowerCase()}`] : [])];
};
startSpeechMode({
  screens: {
    home: {
      intro: async () => ["kiosk_home"],
      targets: () =>
        homeTiles().map((element) => ({ element, clips: ["kiosk_service", ...tileClips(element.dataset.serviceId)] })),
    },
    review: {
      intro: async () => ["kiosk_review", ...tileClips(state.intent?.service.id)],
      targets: () => [
        { element: $("take"), clips: ["kiosk_take"] },
        ...["procedures-button", "procedures-closed"]
          .filter((id) => $(id).offsetParent !== null) // shown (the open one sits inside #review-open)
          .map((id) => ({ element: $(id), clips: ["kiosk_procedures"] })),
        { element: document.querySelector("#screen-review [data-action=back]"), clips: ["kiosk_back"] },
      ],
    },
    // The papers are spoken only from a centre's own recording, procedures_<service code>.wav (none built in).
    procedures: {
      intro: async () => [`procedures_${(state.intent?.service.code ?? "").toLowerCase().replace(/[^a-z0-9_]/g, "_")}`],
      targets: () =>
        [
          [$("procedures-take"), ["kiosk_take"]],
          [document.querySelector("#screen-procedures [data-action=review]"), ["kiosk_back"]],
        ]
          .filter(([element]) => !element.hidden) // no ticket button while the service is closed
          .map(([element, clips]) => ({ element, clips })),
    },
    ticket: {
      // the number as the display reads it, without its "Mời công dân có số thứ tự"
      intro: async () => ["kiosk_your_number", ...(await ticketClips($("ticket-number").textContent)).slice(1), "kiosk_done"],
      targets: () => [{ element: $("ticket-done"), clips: [] }],
    },
  },
  back: () =>
    document
      .querySelector(
        ["back", "home", "review"].map((action) => `#screen-${state.screen} [data-action=${action}]`).join(", "),
      )
      ?.click(),
});
