// The citizen's private page of one appointment. Its address carries the token (?token=…): the page
// reads it, shows the appointment, its code and QR code and the papers to bring for it, and lets the citizen
// reschedule or cancel.

import { api } from "/static/luot/api.js";
import { h } from "/static/luot/dom.js";
import { apply, onLanguageChange, t } from "/static/luot/i18n.js";
import { languageSwitch } from "/static/luot/language.js";
import { createPicker, localName, showError, whenLabel } from "./book_common.js";
import { fetchProcedures, procedureCards } from "./procedures.js";

apply();
languageSwitch();

const $ = (id) => document.getElementById(id);
const code = document.body.dataset.code;
const params = new URL(window.location.href).searchParams;
const token = params.get("token") || "";
const link = `${window.location.origin}/book/${code}?token=${encodeURIComponent(token)}`;
let appointment = null;
let picked = null;
let guide = { key: null, procedures: [] }; // the procedure guide of the booked service, at its site

/** The papers to bring for the booked service (fetched again when a reschedule moves it to another site). */
async function loadGuide() {
  const key = `${appointment.site_id}/${appointment.service_id}`;
  if (guide.key === key) return;
  const procedures = await fetchProcedures(appointment.site_id, appointment.service_id);
  if (!procedures) return;
  guide = { key, procedures };
  render();
}

function say(text) {
  $("message").hidden = !text;
  $("message").textContent = text || "";
}

function render() {
  const a = appointment;
  $("appointment").dataset.state = a.status;
  $("card").hidden = false;
  $("status").textContent = t(`status.${a.status}`);
  $("status").dataset.status = a.status;
  $("code").textContent = a.code;
  $("qr").src = `/book/qr/${a.code}.svg`;
  $("qr").alt = t("qr_alt");
  $("qr").hidden = a.status !== "booked"; // only a booked appointment's code is of use at the kiosk
  $("service").textContent = localName(a, "service_name");
  $("when").textContent = whenLabel(a.start);
  $("site").textContent = localName(a, "site_name");
  $("address").textContent = a.site_address;
  const window_ = t("check_in_window", { from: a.check_in_from.slice(11, 16), until: a.check_in_until.slice(11, 16) });
  $("window").textContent = `${window_} ${t("late_note", { until: a.check_in_until.slice(11, 16) })}`;
  $("window").hidden = a.status !== "booked";
  $("ticket").hidden = !a.ticket;
  if (a.ticket) $("ticket").textContent = t("ticket", { number: a.ticket.number });
  const open = a.status === "booked";
  $("actions").hidden = false;
  for (const id of ["reschedule", "cancel"]) $(id).hidden = !open;
  $("ics").href = `/api/v1/appointments/${a.code}.ics?token=${encodeURIComponent(token)}`;
  $("link").value = link;
  if (a.status === "cancelled") say(t("cancelled_note"));
  $("guide").hidden = !open || !guide.procedures.length;
  $("guide-list").replaceChildren(...procedureCards(guide.procedures, { level: "h3" }));
  loadGuide();
}

async function load() {
  try {
    appointment = await api(`/api/v1/appointments/${code}?token=${encodeURIComponent(token)}`);
  } catch (error) {
    $("appointment").dataset.state = "invalid";
    showError(error.status === 404 ? new Error(t("link_invalid")) : error);
    return;
  }
  render();
  if (params.get("new") === "1") say(t("booked"));
}
onLanguageChange(() => appointment && render());

$("copy").addEventListener("click", async () => {
  $("link").select();
  try {
    await navigator.clipboard.writeText(link);
  } catch {
    document.execCommand?.("copy"); // plain http on a LAN has no clipboard API
  }
  $("copy").textContent = t("copied");
  setTimeout(() => ($("copy").textContent = t("copy")), 2000);
});

async function openReschedule() {
  $("reschedule-panel").hidden = false;
  $("reschedule").hidden = true;
  const choices = await api(`/api/v1/booking/sites?service_code=${encodeURIComponent(appointment.service_code)}`).catch(() => []);
  const here = { site_id: appointment.site_id, service_id: appointment.service_id };
  const sites = choices.length ? choices : [here];
  const select = $("sites");
  select.replaceChildren(
    ...sites.map((s) => h("option", { value: s.site_id, selected: s.site_id === appointment.site_id }, s.name ? localName(s) : appointment.site_name)),
  );
  $("site-select").hidden = sites.length < 2;
  const pick = () => {
    const site = sites.find((s) => String(s.site_id) === select.value) ?? here;
    picked = null;
    $("reschedule-save").disabled = true;
    createPicker($("picker"), {
      siteId: site.site_id,
      serviceId: site.service_id,
      onPick: (slot) => {
        picked = { start: slot.start, site_id: site.site_id };
        $("reschedule-save").disabled = false;
      },
    });
  };
  select.onchange = pick;
  pick();
}
$("reschedule").addEventListener("click", () => openReschedule().catch(showError));

$("reschedule-save").addEventListener("click", async () => {
  if (!picked) return;
  showError(null);
  try {
    appointment = await api(`/api/v1/appointments/${code}/reschedule`, { method: "POST", body: { token, ...picked } });
    $("reschedule-panel").hidden = true;
    render();
    say(t("rescheduled"));
    window.scrollTo({ top: 0 });
  } catch (error) {
    showError(error);
  }
});

$("cancel").addEventListener("click", () => ($("cancel-confirm").hidden = false));
$("cancel-no").addEventListener("click", () => ($("cancel-confirm").hidden = true));
$("cancel-yes").addEventListener("click", async () => {
  showError(null);
  try {
    appointment = await api(`/api/v1/appointments/${code}/cancel`, { method: "POST", body: { token } });
    $("cancel-confirm").hidden = true;
    render();
    window.scrollTo({ top: 0 });
  } catch (error) {
    showError(error);
  }
});

load();
