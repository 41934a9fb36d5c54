// The day's appointments of an intake point (/manage, tab "Lịch hẹn"): each with its state (booked, checked
// in, late, missed, cancelled), the counts per state of the whole day, and a search by the appointment's
// code. Phone numbers arrive masked from the server; the page never asks for more.

import { api } from "/static/luot/api.js";
import { $, h, say } from "/static/luot/dom.js";
import { language, onLanguageChange, t } from "/static/luot/i18n.js";
import { localToday, SITE_ZONE } from "/static/luot/day.js";
import { session } from "/static/luot/session.js";

const STATES = ["booked", "checked_in", "late", "missed", "cancelled"];
let shown = null; // the day on screen and its search, drawn again in the other language

function cleanCode(text) {
  return text.toUpperCase().replace(/[^A-Z0-9]/g, "");
}

function headings(keys) {
  return h("thead", {}, h("tr", {}, keys.map((key) => h("th", { scope: "col" }, t(key)))));
}

function row(appointment) {
  const service = language() === "en" ? appointment.service_name_en || appointment.service_name : appointment.service_name;
  return h(
    "tr",
    { dataset: { code: appointment.code, state: appointment.state } },
    h("th", { scope: "row" }, h("code", {}, appointment.code)),
    h("td", {}, appointment.start.slice(11, 16)),
    h("td", {}, service),
    h("td", {}, appointment.name),
    h("td", {}, appointment.phone ?? "–"),
    h("td", { class: "state" }, h("span", { class: `badge state-${appointment.state}` }, t(`appointment.${appointment.state}`))),
    h("td", {}, appointment.ticket ? appointment.ticket.number : "–"),
  );
}

function render(day, code) {
  shown = { day, code };
  $("#appointments-counts").replaceChildren(
    h("div", { class: "kpi", dataset: { state: "total" } }, h("span", { class: "kpi-value" }, String(day.total)), h("span", { class: "kpi-label" }, t("appointments.total"))),
    ...STATES.map((state) =>
      h("div", { class: "kpi", dataset: { state } }, h("span", { class: "kpi-value" }, String(day.counts[state])), h("span", { class: "kpi-label" }, t(`appointment.${state}`))),
    ),
  );
  $("#appointments-list").replaceChildren(
    headings(["appointments.code", "appointments.time", "appointments.service", "appointments.name", "appointments.phone", "appointments.state", "appointments.ticket"]),
    h("tbody", {}, day.appointments.map(row)),
  );
  if (!day.appointments.length) say($("#appointments-message"), code ? t("appointments.not_found", { code }) : t("appointments.none"));
  else say($("#appointments-message"), "");
}

export async function loadAppointments() {
  const siteId = Number($("#appointments-site").value);
  if (!siteId) return;
  const code = cleanCode($("#appointments-code").value);
  const query = new URLSearchParams({ date: $("#appointments-date").value });
  if (code) query.set("code", code);
  try {
    render(await api(`/api/v1/sites/${siteId}/appointment-day?${query}`, { token: session.token }), code);
  } catch (error) {
    say($("#appointments-message"), error.message, "error");
  }
}

/** Fill the tab's controls: `sites` is the manager's intake points. */
export function buildAppointments(sites) {
  $("#appointments-site").replaceChildren(...sites.map((site) => h("option", { value: String(site.id) }, site.name)));
  $("#appointments-date").value = localToday(new Date(), sites[0]?.timezone || SITE_ZONE);
  $("#appointments-site").onchange = () => loadAppointments();
  $("#appointments-form").onsubmit = (event) => {
    event.preventDefault();
    loadAppointments();
  };
}

onLanguageChange(() => {
  if (shown) render(shown.day, shown.code);
});
