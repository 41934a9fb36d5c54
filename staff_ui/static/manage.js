// The manager's dashboard. Now: every intake point the manager manages, a commune's sites side by side,
// live over Socket.IO (a snapshot at each connect, then events; a gap in `seq` asks for a new snapshot).
// History: a day, week or month of one site or a whole commune, with charts and CSV exports.

import { api } from "/static/luot/api.js";
import { $, h, say } from "/static/luot/dom.js";
import { apply, language, minutes, onLanguageChange, t } from "/static/luot/i18n.js";
import { languageSwitch } from "/static/luot/language.js";
import { connectLive, showConnection } from "/static/luot/live.js";
import { session, STAFF_LANGUAGE } from "/static/luot/session.js";
import { resumeSession, showSignIn, signInForm, signOut } from "/static/luot/signin.js";
import { appointmentsText, clerkTable, counterTable, kpis, labelOf, percent, periodText } from "./figures.js";
import { liveSatisfaction, noteRating, satisfactionChart, satisfactionTable } from "./satisfaction.js";
import { loadMessages } from "./messages.js";
import { syncBadge, watchSync } from "./sync_badge.js";
import { buildAccounts, loadAccounts } from "./accounts.js";
import { buildAppointments, loadAppointments } from "./appointment_day.js";

const body = document.body;
const state = { user: null, sites: [], live: new Map(), charts: {} };

function show(view) {
  body.dataset.view = view;
  for (const section of document.querySelectorAll(".view")) section.hidden = section.id !== `view-${view}`;
  for (const tab of document.querySelectorAll("[data-tab]")) tab.setAttribute("aria-selected", String(tab.dataset.tab === view));
}

const call = (path) => api(path, { token: session.token });

// -- signing in ---------------------------------------------------------------------------------

async function start() {
  apply();
  const { user, ended } = await resumeSession();
  if (!user) return signIn(ended ? t("signin.expired") : "");
  state.user = user;
  if (!["manager", "admin"].includes(state.user.role)) return signIn(t("signin.not_manager"), "error");
  $("#who").textContent = state.user.username;
  const all = await api("/api/v1/sites");
  state.sites = state.user.role === "admin" ? all : all.filter((site) => state.user.site_ids.includes(site.id));
  buildLive();
  buildHistory();
  buildSettings();
  buildAccounts(state.sites);
  buildAppointments(state.sites);
  show(new URLSearchParams(location.search).get("tab") === "history" ? "history" : "live");
  if (body.dataset.view === "history") loadHistory();
}

function signIn(message = "", kind = "") {
  show("signin");
  showSignIn(message, kind);
}

signInForm({ onSignedIn: start });

$("#sign-out").addEventListener("click", async () => {
  await signOut();
  location.reload();
});

onLanguageChange(() => {
  for (const site of state.live.values()) renderSite(site);
  if (state.report) renderHistory(state.report);
});

for (const tab of document.querySelectorAll("[data-tab]")) {
  tab.addEventListener("click", () => {
    show(tab.dataset.tab);
    if (tab.dataset.tab === "history" && !state.report) loadHistory();
    if (tab.dataset.tab === "settings") loadSettings();
    if (tab.dataset.tab === "appointments") loadAppointments();
    if (tab.dataset.tab === "accounts") loadAccounts().catch((error) => say($("#accounts-message"), error.message, "error"));
  });
}

// -- now: the live view -------------------------------------------------------------------------

function communes() {
  const groups = new Map();
  for (const site of state.sites) {
    if (!groups.has(site.commune.code)) groups.set(site.commune.code, { ...site.commune, sites: [] });
    groups.get(site.commune.code).sites.push(site);
  }
  return [...groups.values()];
}

function buildLive() {
  const container = $("#communes");
  container.replaceChildren();
  for (const commune of communes()) {
    const row = h("div", { class: "sites" });
    // A commune of several intake points: one line a site above their cards.
    const summary = commune.sites.length > 1 ? h("ul", { class: "commune-summary", "aria-label": t("live.sites_summary") }) : null;
    container.append(h("section", { class: "commune", dataset: { commune: commune.code } }, h("h1", {}, commune.name), summary ?? "", row));
    for (const site of commune.sites) {
      const card = h("article", { class: "site-card", dataset: { siteId: site.id, siteCode: site.code } });
      row.append(card);
      const line = summary ? h("li", { dataset: { siteCode: site.code } }) : null;
      if (line) summary.append(line);
      const live = { site, card, line, services: new Map(), waits: new Map(), counters: [], warnings: [], forecast: null, today: null, receivedAt: Date.now() };
      state.live.set(site.id, live);
      connectSite(live);
    }
  }
  setInterval(() => {
    for (const live of state.live.values()) renderSite(live);
  }, 15000);
}

function debounce(fn, ms) {
  let timer = null;
  return () => {
    clearTimeout(timer);
    timer = setTimeout(fn, ms);
  };
}

async function connectSite(live) {
  const services = await call(`/api/v1/sites/${live.site.id}/services`);
  for (const service of services) live.services.set(service.id, service);
  const reasons = await call(`/api/v1/sites/${live.site.id}/rating-reasons`).catch(() => []);
  live.reasons = new Map(reasons.map((r) => [r.code, language() === "en" ? r.name_en : r.name]));
  const refetchCounters = debounce(async () => {
    live.counters = await call(`/api/v1/sites/${live.site.id}/counters`).catch(() => live.counters);
    renderSite(live);
  }, 200);
  const refetchToday = debounce(async () => {
    live.today = await call(`/api/v1/sites/${live.site.id}/stats`).catch(() => live.today);
    renderSite(live);
  }, 1000);
  watchSync(live.site.id, call, (sync) => {
    live.sync = sync;
    renderSite(live);
  });
  connectLive({
    auth: { token: session.token, site_id: live.site.id },
    onSnapshot: (snapshot) => {
      live.counters = snapshot.counters;
      setWaits(live, snapshot);
      live.card.dataset.seq = snapshot.seq;
      refetchToday();
      renderSite(live);
    },
    onEvent: (name, data) => {
      live.card.dataset.seq = data.seq;
      if (name === "queue.changed") setWaits(live, data);
      if (["counter.updated", "ticket.called", "ticket.updated"].includes(name)) refetchCounters();
      if (["queue.changed", "ticket.updated", "rating.given"].includes(name)) refetchToday();
      if (name === "rating.given") noteRating(live, data);
      renderSite(live);
    },
    onStatus: (status) => {
      live.card.dataset.connection = status;
      showConnection([...state.live.values()].some((l) => l.card.dataset.connection === "offline") ? t("offline") : "");
    },
  });
}

/** The waits of a snapshot or a `queue.changed`, with the early warnings and the forecast the server
 * worked out from the same state (server/domain/early_warnings.py). */
function setWaits(live, data) {
  live.receivedAt = Date.now();
  live.waits = new Map(data.waiting_by_service.map((w) => [w.service_id, w]));
  live.warnings = data.warnings ?? [];
  live.forecast = data.forecast ?? null;
}

/** The forecast aged like the waits since it came: a ticket whose seconds to spare ran out is no longer
 * expected within target (so a wait shown past target is never counted within it). Rounded as the server
 * rounds percentages. */
function forecastPct(live, aged) {
  const forecast = live.forecast;
  if (!forecast || !forecast.waiting) return null;
  const within = forecast.slack_s.filter((spare) => spare >= aged).length;
  return Math.floor((2000 * within + forecast.waiting) / (2 * forecast.waiting)) / 10;
}

function warningText(live, warning) {
  const service = live.services.get(warning.service_id)?.name ?? "";
  if (warning.kind === "estimate_over_target") {
    return t("live.estimate_over_target", { service, time: minutes(warning.estimated_wait_s), target: minutes(warning.target_wait_s) });
  }
  if (warning.kind === "no_open_counter") return t("live.no_open_counter", { service, count: warning.waiting });
  const counter = live.counters.find((c) => c.id === warning.counter_id)?.name ?? "";
  return t("live.idle_counter", { counter, count: warning.waiting });
}

/** How long a counter has had its status, in whole minutes ("" before its first change). */
function statusFor(counter) {
  if (!counter.status_since) return "";
  return minutes(Math.max(0, (Date.now() - Date.parse(counter.status_since)) / 1000));
}

function pauseText(counter) {
  if (counter.status !== "paused") return "";
  const reason = counter.pause_reason ? t(`pause.reason.${counter.pause_reason}`) : "";
  const since = statusFor(counter);
  return since ? t("counter.paused_for", { reason, time: since }) : reason;
}

function counterText(counter) {
  const ticket = counter.current_ticket;
  if (counter.status === "open" && ticket) return t(ticket.status === "serving" ? "counter.serving" : "counter.called", { number: ticket.number });
  return counter.status === "open" ? t("counter.free") : "";
}

function renderSite(live) {
  const { site, card } = live;
  const aged = Math.floor((Date.now() - live.receivedAt) / 1000);
  const alerts = [];
  const rows = [...live.services.values()].map((service) => {
    const wait = live.waits.get(service.id) ?? { waiting: 0, estimated_wait_s: 0, longest_wait_s: 0 };
    const longest = wait.waiting ? wait.longest_wait_s + aged : 0;
    const over = wait.waiting > 0 && longest > service.target_wait_minutes * 60;
    if (over) alerts.push({ kind: "over_target", text: t("live.over_target", { service: service.name, time: minutes(longest), target: minutes(service.target_wait_minutes * 60) }) });
    const warned = live.warnings.filter((w) => w.service_id === service.id).map((w) => w.kind);
    return h(
      "tr",
      { class: over ? "over" : warned.length ? "warned" : "", dataset: { service: service.code, warnings: warned.join(" ") } },
      h("th", { scope: "row" }, service.name),
      h("td", { class: "waiting" }, String(wait.waiting)),
      h("td", { class: "longest" }, wait.waiting ? minutes(longest) : "–"),
      h("td", { class: "estimated" }, wait.waiting ? minutes(wait.estimated_wait_s) : "–"),
      h("td", { class: "target" }, minutes(service.target_wait_minutes * 60)),
    );
  });
  for (const warning of live.warnings) alerts.push({ kind: warning.kind, text: warningText(live, warning) });
  const today = live.today;
  card.dataset.alerts = String(alerts.length);
  if (live.line) renderSummary(live, alerts.length);
  card.replaceChildren(
    h("header", { class: "site-head" }, h("h2", {}, site.name), syncBadge(live.sync), h("span", { class: "pill connection-pill" }, "")),
    today
      ? h(
          "dl",
          { class: "today" },
          h("div", {}, h("dt", {}, t("kpi.issued")), h("dd", { class: "today-issued" }, String(today.issued))),
          h("div", {}, h("dt", {}, t("kpi.served")), h("dd", { class: "today-served" }, String(today.served))),
          h("div", {}, h("dt", {}, t("kpi.wait_avg")), h("dd", {}, today.wait_s.avg === null ? "–" : minutes(today.wait_s.avg))),
          // Measured among those called today, beside the forecast for those waiting now: a day at 100 % so far
          // can be about to go wrong.
          h("div", {}, h("dt", {}, t("kpi.within_target_today")), h("dd", { class: "today-within" }, percent(today.within_target_pct))),
          h("div", {}, h("dt", {}, t("kpi.within_target_forecast")), h("dd", { class: "forecast-within" }, percent(forecastPct(live, aged)))),
        )
      : "",
    // A live region around the list: role="status" on the <ul> itself would hide that it is a list.
    h(
      "div",
      { role: "status" },
      h(
        "ul",
        { class: "alerts" },
        alerts.length
          ? alerts.map((alert) => h("li", { class: `alert ${alert.kind}`, dataset: { kind: alert.kind } }, alert.text))
          : h("li", { class: "fine" }, t("live.all_fine")),
      ),
    ),
    h(
      "table",
      { class: "waits" },
      h("thead", {}, h("tr", {}, ["live.service", "live.waiting", "live.longest", "live.estimated", "live.target"].map((key) => h("th", { scope: "col" }, t(key))))),
      h("tbody", {}, rows),
    ),
    h("h3", {}, t("live.counters")),
    h(
      "ul",
      { class: "counter-list" },
      live.counters.map((counter) =>
        h(
          "li",
          { class: `counter ${counter.status}`, dataset: { counter: counter.code } },
          h("strong", {}, counter.name),
          h("span", { class: `pill ${counter.status}` }, t(`counter.${counter.status}`)),
          h("span", { class: "clerk" }, counter.clerk ?? ""),
          h("span", { class: "current" }, counterText(counter)),
          counter.status === "paused" && h("span", { class: "pause", dataset: { reason: counter.pause_reason ?? "" } }, pauseText(counter)),
        ),
      ),
    ),
    liveSatisfaction(live),
  );
}

/** The site's line above the cards of a commune of several intake points. */
function renderSummary(live, alerts) {
  const waiting = [...live.waits.values()].reduce((sum, w) => sum + w.waiting, 0);
  const open = live.counters.filter((c) => c.status === "open").length;
  live.line.className = alerts ? "has-alerts" : "";
  live.line.dataset.alerts = String(alerts);
  live.line.textContent = t("live.site_summary", { site: live.site.name, waiting, open, counters: live.counters.length, alerts });
}

// -- history ------------------------------------------------------------------------------------

const iso = (date) => `${date.getFullYear()}-${String(date.getMonth() + 1).padStart(2, "0")}-${String(date.getDate()).padStart(2, "0")}`;

function buildHistory() {
  const scope = $("#history-scope");
  scope.replaceChildren();
  for (const commune of communes()) {
    if (commune.sites.length > 1) scope.append(h("option", { value: `commune:${commune.code}` }, t("history.commune", { name: commune.name })));
    for (const site of commune.sites) scope.append(h("option", { value: `site:${site.id}` }, site.name));
  }
  $("#history-date").value = siteToday(state.sites[0]?.timezone);
}

/** Today at the intake points (their time zone), not the browser's date: they differ around midnight. */
function siteToday(timeZone) {
  if (!timeZone) return iso(new Date());
  return new Intl.DateTimeFormat("en-CA", { timeZone, year: "numeric", month: "2-digit", day: "2-digit" }).format(new Date());
}

function period() {
  const [year, month, day] = $("#history-date").value.split("-").map(Number);
  const chosen = new Date(year, month - 1, day);
  const kind = $("#history-period").value;
  if (kind === "week") {
    const monday = new Date(chosen);
    monday.setDate(chosen.getDate() - ((chosen.getDay() + 6) % 7));
    const sunday = new Date(monday);
    sunday.setDate(monday.getDate() + 6);
    return [iso(monday), iso(sunday)];
  }
  if (kind === "month") return [iso(new Date(year, month - 1, 1)), iso(new Date(year, month, 0))];
  return [iso(chosen), iso(chosen)];
}

function base() {
  const [kind, value] = $("#history-scope").value.split(":");
  return kind === "commune" ? `/api/v1/communes/${value}` : `/api/v1/sites/${value}`;
}

let historyAsked = 0; // only the answer to the latest question is shown, whatever order answers come in

async function loadHistory() {
  const [from, to] = period();
  const asked = ++historyAsked;
  say($("#history-message"), "");
  let report;
  try {
    report = await call(`${base()}/stats?from=${from}&to=${to}`);
  } catch (error) {
    if (asked === historyAsked) say($("#history-message"), error.status === 403 ? t("forbidden") : error.message, "error");
    return;
  }
  if (asked !== historyAsked) return;
  state.report = report;
  renderHistory(state.report);
  loadMessages($("#history-scope").value, to);
}

$("#history-form").addEventListener("submit", (event) => {
  event.preventDefault();
  loadHistory();
});

async function download(path, fallbackName) {
  const response = await fetch(path, { headers: { Authorization: `Bearer ${session.token}`, "Accept-Language": language() } });
  if (!response.ok) {
    const failure = await response.json().catch(() => ({}));
    say($("#history-message"), failure?.error?.message ?? response.statusText, "error");
    return;
  }
  const name = /filename="([^"]+)"/.exec(response.headers.get("Content-Disposition") ?? "")?.[1] ?? fallbackName;
  const url = URL.createObjectURL(await response.blob());
  const link = h("a", { href: url, download: name });
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10000);
}

$("#export-csv").addEventListener("click", (event) => {
  event.preventDefault();
  const [from, to] = period();
  download(`${base()}/stats.csv?from=${from}&to=${to}`, "stats.csv");
});
$("#export-log").addEventListener("click", (event) => {
  event.preventDefault();
  const [from, to] = period();
  download(`${base()}/tickets.csv?from=${from}&to=${to}`, "tickets.csv");
});
$("#export-report").addEventListener("click", (event) => {
  const [kind, value] = $("#history-scope").value.split(":");
  const query = kind === "commune" ? `commune=${value}` : `site_id=${value}`;
  event.target.href = `/manage/report?${query}&day=${$("#history-date").value}&lang=${language()}`;
});

$("#export-clerk-day").addEventListener("click", (event) => {
  const [kind, value] = $("#history-scope").value.split(":");
  const siteId = kind === "commune" ? state.sites.find((s) => s.commune.code === value)?.id : value;
  event.target.href = `/manage/clerk-day?site_id=${siteId}&day=${$("#history-date").value}&lang=${language()}`;
});

const COLORS = { arrivals: "#0b6fb3", served: "#1b7a3a", waits: "#b3261e", bars: "#a15c00" };

function chart(id, config) {
  state.charts[id]?.destroy();
  state.charts[id] = new window.Chart(document.getElementById(id), {
    ...config,
    options: { responsive: true, maintainAspectRatio: false, animation: false, ...config.options },
  });
}

function renderHistory(report) {
  $("#history-title").textContent = `${$("#history-scope").selectedOptions[0]?.textContent ?? ""} — ${periodText(report)}`;
  kpis($("#history-kpis"), report);
  $("#history-appointments").textContent = appointmentsText(report);
  counterTable($("#table-counters"), report);
  clerkTable($("#table-clerks"), report);
  satisfactionTable($("#table-satisfaction"), report);
  satisfactionChart($("#chart-satisfaction"), report, state.charts);
  if (!window.Chart) return;
  const hours = [];
  const first = Math.min(7, ...report.by_hour.map((r) => r.hour));
  const last = Math.max(17, ...report.by_hour.map((r) => r.hour));
  for (let hour = first; hour <= last; hour += 1) hours.push(report.by_hour.find((r) => r.hour === hour) ?? { hour, arrivals: 0, served: 0 });
  chart("chart-hours", {
    type: "bar",
    data: {
      labels: hours.map((r) => `${String(r.hour).padStart(2, "0")}h`),
      datasets: [
        { label: t("chart.arrivals"), data: hours.map((r) => r.arrivals), backgroundColor: COLORS.arrivals },
        { label: t("chart.served"), data: hours.map((r) => r.served), backgroundColor: COLORS.served },
      ],
    },
  });
  chart("chart-waits", {
    type: "bar",
    data: {
      labels: report.wait_histogram.map((b) => (b.to_min === null ? t("chart.over", { from: b.from_min }) : t("chart.minutes", { from: b.from_min, to: b.to_min }))),
      datasets: [{ label: t("chart.tickets"), data: report.wait_histogram.map((b) => b.count), backgroundColor: COLORS.waits }],
    },
    options: { plugins: { legend: { display: false } } },
  });
  chart("chart-services", {
    type: "bar",
    data: {
      labels: report.by_service.map((s) => labelOf(report, s)),
      datasets: [
        { label: t("kpi.issued"), data: report.by_service.map((s) => s.issued), backgroundColor: COLORS.arrivals },
        { label: t("kpi.served"), data: report.by_service.map((s) => s.served), backgroundColor: COLORS.served },
        { label: t("chart.wait_avg_min"), data: report.by_service.map((s) => (s.wait_avg_s === null ? 0 : Math.round(s.wait_avg_s / 6) / 10)), backgroundColor: COLORS.bars },
      ],
    },
    options: { indexAxis: "y" },
  });
}

// -- settings -----------------------------------------------------------------------------------

function buildSettings() {
  $("#settings-site").replaceChildren(...state.sites.map((site) => h("option", { value: site.id }, site.name)));
}

$("#settings-site").addEventListener("change", () => loadSettings());

const send = (path, method, payload) => api(path, { method, body: payload, token: session.token });

async function saved(request) {
  say($("#settings-message"), "");
  try {
    await request();
  } catch (error) {
    say($("#settings-message"), error.message, "error");
    return;
  }
  // "Saved" once the tables show what was saved: nothing is then edited in a table about to be redrawn.
  if (await loadSettings(false)) say($("#settings-message"), t("settings.saved"), "ok");
}

/** Which of a row's settings the page owns: the configuration file leaves them (docs/deploy.md). */
function ownedText(owned) {
  if (!owned.length) return "";
  const which = owned.filter((key) => key !== "services").map((key) => t(key === "open" ? "settings.page_owned_open" : "settings.page_owned_target"));
  return h("span", { class: "page-owned" }, [...which, t("settings.page_owned")].join(" · "));
}

async function loadSettings(clear = true) {
  const siteId = Number($("#settings-site").value);
  if (clear) say($("#settings-message"), "");
  let settings;
  let notices;
  try {
    [settings, notices] = await Promise.all([call(`/api/v1/sites/${siteId}/settings`), call(`/api/v1/sites/${siteId}/notices`)]);
  } catch (error) {
    say($("#settings-message"), error.status === 403 ? t("forbidden") : error.message, "error");
    return false;
  }
  const names = new Map(settings.services.map((s) => [s.id, s.name]));
  $("#settings-services").replaceChildren(
    h("thead", {}, h("tr", {}, ["live.service", "settings.target", "settings.taking", "", ""].map((key) => h("th", { scope: "col" }, key ? t(key) : "")))),
    h(
      "tbody",
      {},
      settings.services.map((service) => {
        const target = h("input", { type: "number", min: 1, max: 600, value: service.target_wait_minutes, "aria-label": t("settings.target") });
        const open = h("input", { type: "checkbox", checked: service.is_open, "aria-label": t("settings.taking") });
        const save = () => saved(() => send(`/api/v1/services/${service.id}`, "PATCH", { target_wait_minutes: Number(target.value), is_open: open.checked }));
        return h(
          "tr",
          { dataset: { service: service.code, pageOwned: service.page_owned.join(" ") } },
          h("th", { scope: "row" }, service.name),
          h("td", {}, target),
          h("td", {}, open),
          h("td", {}, h("button", { type: "button", onclick: save }, t("settings.save"))),
          h("td", { class: "owner" }, ownedText(service.page_owned)),
        );
      }),
    ),
  );
  $("#settings-counters").replaceChildren(
    h(
      "tbody",
      {},
      settings.counters.map((counter) => {
        const order = [...counter.service_ids, ...settings.services.map((s) => s.id).filter((id) => !counter.service_ids.includes(id))];
        const boxes = order.map((id) => h("input", { type: "checkbox", value: id, checked: counter.service_ids.includes(id) }));
        const save = () => saved(() => send(`/api/v1/counters/${counter.id}/services`, "PUT", { service_ids: boxes.filter((b) => b.checked).map((b) => Number(b.value)) }));
        return h(
          "tr",
          { dataset: { counter: counter.code, pageOwned: counter.page_owned.join(" ") } },
          h("th", { scope: "row" }, counter.name),
          h("td", {}, h("div", { class: "services-choice" }, boxes.map((box) => h("label", {}, box, names.get(Number(box.value)))))),
          h("td", {}, h("button", { type: "button", onclick: save }, t("settings.save"))),
          h("td", { class: "owner" }, ownedText(counter.page_owned)),
        );
      }),
    ),
  );
  state.notices = notices;
  $("#notices-text").value = notices.map((n) => n.text).join("\n");
  return true;
}

$("#notices-form").addEventListener("submit", (event) => {
  event.preventDefault();
  const kept = new Map((state.notices ?? []).map((n) => [n.text, n]));
  const lines = $("#notices-text").value.split("\n").map((line) => line.trim()).filter(Boolean);
  const notices = lines.map((text) => ({ text, starts_at: kept.get(text)?.starts_at ?? null, ends_at: kept.get(text)?.ends_at ?? null }));
  saved(() => send(`/api/v1/sites/${Number($("#settings-site").value)}/notices`, "PUT", { notices }));
});

languageSwitch({ remember: STAFF_LANGUAGE });
start().catch((error) => signIn(error.message, "error"));
