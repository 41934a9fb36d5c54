// A ticket's live status page on the citizen's phone: number, position, estimated wait, and the counter
// when the ticket is called — nothing personal. While it waits, the procedure guide's papers for its service. It follows the ticket's own Socket.IO room (where gaps in
// `seq` are normal) and speaks Vietnamese or English; the choice is remembered on the phone.

import { api } from "/static/luot/api.js";
import { ticketDay } from "/static/luot/day.js";
import { apply, language, minutes, onLanguageChange, t } from "/static/luot/i18n.js";
import { languageSwitch } from "/static/luot/language.js";
import { connectLive, showConnection } from "/static/luot/live.js";
import { fetchProcedures, procedureCards } from "./procedures.js";
import { offerRating } from "./status_rating.js";
import { createRinger } from "./ring.js";

const code = document.body.dataset.publicCode;
const $ = (id) => document.getElementById(id);
let ticket = null;
let details = null; // service and site names, from the status API
const ringer = createRinger({ button: $("ring-on") });
let guide = { serviceId: null, procedures: [] }; // the procedure guide of the ticket's service

/** The papers for the ticket's service, fetched once per service (a transfer changes it). */
async function loadGuide() {
  const serviceId = details?.service_id;
  if (!serviceId || guide.serviceId === serviceId) return;
  const procedures = await fetchProcedures(details.site_id, serviceId);
  if (!procedures || details?.service_id !== serviceId) return;
  guide = { serviceId, procedures };
  drawGuide();
  render();
}

function drawGuide() {
  // Redrawn only when the guide or the language changes: a section the citizen opened stays open.
  const open = new Set([...$("guide-list").querySelectorAll("details[open]")].map((d) => d.dataset.procedure));
  $("guide-list").replaceChildren(...procedureCards(guide.procedures, { folding: true, level: "h3" }));
  for (const section of $("guide-list").querySelectorAll("details")) {
    if (open.has(section.dataset.procedure)) section.open = true;
  }
}

function counterName(counter) {
  return counter ? t("counter.number", { n: counter.number }) : "";
}

function render() {
  if (!ticket) return;
  document.body.dataset.status = ticket.status;
  $("number").textContent = ticket.number;
  const day = ticketDay(ticket.day); // a ticket kept overnight shows its day beside its number
  $("number-day").hidden = !day;
  $("number-day").textContent = day ? t("status.day", { day }) : "";
  if (details) {
    $("service-name").textContent = language() === "en" ? details.service_name_en || details.service_name : details.service_name;
    $("site-name").textContent = language() === "en" ? details.site_name_en || details.site_name : details.site_name;
  }
  // Checked in at a site box by a code it could not confirm yet; staff see what comes of it, not the citizen.
  $("unconfirmed").hidden = ticket.unconfirmed !== "pending";
  const pending = ticket.status === "pending_arrival"; // taken before arriving: show the QR for the kiosk
  $("arrive").hidden = !pending;
  if (pending) $("arrive-qr").src = `/t/${encodeURIComponent(code)}/qr.svg`;
  const waiting = ticket.status === "waiting" || pending;
  const atCounter = ticket.status === "called" || ticket.status === "serving";
  $("waiting").hidden = !waiting;
  $("guide").hidden = !waiting || !guide.procedures.length;
  $("called").hidden = !atCounter;
  if (waiting) {
    // People ahead, as the kiosk and the paper ticket say it (the API's position counts the ticket itself).
    $("ahead").textContent = String(Math.max(0, ticket.position - 1));
    // nobody ahead: "any moment now", never "0 minutes"
    $("wait").textContent = ticket.estimated_wait_s > 0 ? minutes(ticket.estimated_wait_s) : t("status.any_moment");
    $("next").hidden = ticket.position !== 1;
  }
  if (atCounter) {
    $("called-label").textContent = t(ticket.status === "called" ? "status.called" : "status.serving");
    $("counter").textContent = counterName(ticket.counter);
  }
  const finished = ["done", "no_show", "cancelled", "expired"].includes(ticket.status);
  $("finished").hidden = !finished;
  if (finished) $("finished").textContent = t(`status.${ticket.status}`);
  // Done: the dossier's code when the clerk recorded one, and what happens next.
  const done = ticket.status === "done";
  $("done").hidden = !done;
  if (done) {
    $("dossier").hidden = !ticket.dossier_code;
    $("dossier-code").textContent = ticket.dossier_code ?? "";
    $("next-steps").textContent = t(ticket.dossier_code ? "status.next_dossier" : "status.next_done");
  }
  offerRating(code, ticket.status); // once done: the satisfaction question, privately
  ringer.update(ticket, details);
}

async function loadDetails() {
  try {
    details = await api(`/api/v1/tickets/status/${encodeURIComponent(code)}`);
    ticket = { ...details, ...(ticket ?? {}) };
    render();
    loadGuide();
  } catch {
    // the live connection brings the essentials anyway
  }
}

function follow(update) {
  const transferred = ticket && update.status === "waiting" && ticket.status !== "waiting";
  ticket = { ...(ticket ?? {}), ...update };
  render();
  if (transferred) loadDetails(); // the service may have changed
}

apply();
languageSwitch({ remember: "luot.status.language" }); // the choice is kept on the citizen's phone
onLanguageChange(() => {
  drawGuide();
  render();
});

if (code) {
  loadDetails();
  connectLive({
    auth: { public_code: code },
    checkGaps: false,
    onSnapshot: (snapshot) => {
      if (snapshot.ticket) follow(snapshot.ticket);
      document.body.dataset.live = "on";
    },
    onEvent: (name, data) => {
      if (name === "ticket.updated" && data.ticket?.public_code === code) follow(data.ticket);
    },
    onStatus: (status) => {
      document.body.dataset.live = status === "online" ? "on" : "off";
      showConnection(status === "offline" ? t("offline") : "");
      if (status === "online") loadDetails();
    },
  });
}
