// The wall display: enrolment, the site's details, live updates over Socket.IO, announcements, and the
// housekeeping that lets a screen run for weeks untouched.
//
// State comes from the `snapshot` the server sends on every (re)connect and from the site's events in
// between (a gap in `seq` asks for a new snapshot); with each snapshot the page also re-reads its device
// record (its settings), the services and the notices, which may have changed while it was away.

import { api, ApiError } from "/static/luot/api.js";
import { deviceToken } from "/static/luot/device.js";
import { h } from "/static/luot/dom.js";
import { translate } from "/static/luot/i18n.js";
import { connectLive, showConnection } from "/static/luot/live.js";
import { Announcer } from "./announcer.js";
import { Board } from "./board.js";
import { Clock } from "./clock.js";
import { Ticker } from "./ticker.js";

const RELOAD_HOUR = 3; // a clean reload each night, when no centre is open
const MAX_ERRORS = 20; // …or sooner, should the page keep failing

const body = document.body;
const both = (key, params) => `${translate("vi", key, params)} · ${translate("en", key, params)}`;
const token = deviceToken("display");
const board = new Board();
const ticker = new Ticker();
const clock = new Clock();
const startedAt = Date.now();
let device = null;
let site = null;
let announcer = null;
let seq = null;
let details = 0; // the latest details request; older answers are ignored
let errors = 0;
let reloading = false;

function stop(key) {
  const message = document.getElementById("message");
  message.replaceChildren(...["vi", "en"].map((lang) => h("p", { lang }, translate(lang, key))));
  message.hidden = false;
  body.dataset.state = "refused";
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

// After this long without the server, a band across the whole screen tells staff; the calls stay shown.
const OUTAGE_MS = 10_000;
let outageTimer = null;

function connectionLost() {
  showConnection(both("offline"));
  if (outageTimer !== null) return;
  outageTimer = setTimeout(() => {
    document.getElementById("outage").hidden = false;
    body.dataset.outage = "true";
  }, OUTAGE_MS);
}

function connectionBack() {
  showConnection("");
  clearTimeout(outageTimer);
  outageTimer = null;
  document.getElementById("outage").hidden = true;
  delete body.dataset.outage;
}

/** Ask until the server answers (it may be restarting); a refused token stops the page. */
async function patiently(request) {
  for (;;) {
    try {
      return await request();
    } catch (error) {
      if (error instanceof ApiError && (error.status === 401 || error.status === 403)) throw error;
      connectionLost();
      await sleep(3000);
    }
  }
}

async function start() {
  if (!token) return stop("not_enrolled");
  try {
    device = await patiently(() => api("/api/v1/device", { token }));
    const sites = await patiently(() => api("/api/v1/sites"));
    site = sites.find((s) => s.id === device.site_id) ?? { id: device.site_id, name: "", timezone: "Asia/Ho_Chi_Minh" };
  } catch {
    return stop("refused");
  }
  document.getElementById("site-name").textContent = site.name;
  document.getElementById("site-name-en").textContent = site.name_en ?? "";
  clock.setTimeZone(site.timezone);
  board.setSettings(device.settings);
  announcer = new Announcer({
    fetchAudio,
    sentence: (call) => translate("vi", "announce", { number: call.number, counter: call.counter }),
    onBlocked: (blocked) => {
      document.getElementById("sound-hint").hidden = !blocked;
    },
  });
  connectLive({
    auth: { token, site_id: site.id },
    onSnapshot,
    onEvent,
    onStatus: (status) => {
      if (status === "refused") {
        stop("refused");
      } else if (status === "offline") {
        body.dataset.state = "offline";
        connectionLost();
      } else {
        connectionBack();
      }
    },
  });
}

function onSnapshot(snapshot) {
  seq = snapshot.seq;
  board.snapshot(snapshot);
  body.dataset.state = "live";
  refreshDetails();
}

async function refreshDetails() {
  const request = ++details;
  try {
    const [fresh, services, notices, health] = await Promise.all([
      api("/api/v1/device", { token }),
      api(`/api/v1/sites/${site.id}/services`),
      api(`/api/v1/sites/${site.id}/notices`, { token }),
      api("/api/v1/health"),
    ]);
    if (request !== details) return;
    if (health.version !== body.dataset.version) return reloadCleanly(); // the server was upgraded
    device = fresh;
    board.setSettings(device.settings);
    board.setServices(services);
    ticker.set(notices);
  } catch (error) {
    if (error instanceof ApiError && (error.status === 401 || error.status === 403)) stop("refused");
    // Unreachable: the socket reconnects and the next snapshot asks again.
  }
}

function onEvent(name, data) {
  seq = data.seq;
  if (name === "ticket.called") {
    const shown = board.called(data);
    if (shown && device?.settings?.sound !== false) {
      announcer.enqueue({ number: data.ticket.number, counter: data.counter.number, recall: data.recall });
    }
  } else if (name === "ticket.updated") {
    board.ticketUpdated(data);
  } else if (name === "queue.changed") {
    board.setWaiting(data.waiting_by_service);
  } else if (name === "counter.updated") {
    board.counterUpdated(data);
  } else if (name === "notices.changed") {
    ticker.set(data.notices);
  }
}

async function fetchAudio(call) {
  const query = new URLSearchParams({ number: call.number, counter: String(call.counter) });
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), 10_000);
  try {
    const response = await fetch(`/api/v1/sites/${site.id}/announcement.wav?${query}`, {
      headers: { Authorization: `Bearer ${token}` },
      signal: controller.signal,
    });
    if (!response.ok) throw new Error(`announcement: HTTP ${response.status}`);
    return await response.arrayBuffer();
  } finally {
    clearTimeout(timer);
  }
}

/** Reload once the server answers, so the screen never lands on a browser error page. */
async function reloadCleanly() {
  if (reloading) return;
  reloading = true;
  for (;;) {
    try {
      await api("/api/v1/health", { timeout: 5000 });
      window.location.reload();
      return;
    } catch {
      await sleep(30_000);
    }
  }
}

let lastMinute = -1;
setInterval(() => {
  const { hour, minute } = clock.tick();
  board.tick();
  if (minute !== lastMinute) {
    lastMinute = minute;
    ticker.refresh();
    if (hour === RELOAD_HOUR && minute === 0 && Date.now() - startedAt > 3_600_000) reloadCleanly();
  }
}, 1000);
clock.tick();

for (const kind of ["error", "unhandledrejection"]) {
  window.addEventListener(kind, () => {
    errors += 1;
    if (errors > MAX_ERRORS) reloadCleanly();
  });
}

// What the browser tests read: the last event's seq and the announcer's log.
window.luotDisplay = {
  seq: () => seq,
  announcements: () => announcer?.log() ?? [],
  announcing: () => Boolean(announcer && (announcer.busy || announcer.queue.length > 0)),
};

start();
