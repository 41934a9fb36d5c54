// "Take a number for today" (a remote ticket): the procedure and a phone number, then the ticket's live
// status page, whose QR the citizen shows to the kiosk's scanner on arrival.

import { api } from "/static/luot/api.js";
import { h } from "/static/luot/dom.js";
import { apply, language, onLanguageChange, t } from "/static/luot/i18n.js";
import { languageSwitch } from "/static/luot/language.js";
import { localName, showError } from "./book_common.js";

apply();
languageSwitch();

const siteId = Number(document.body.dataset.siteId);
const chosen = Number(document.body.dataset.serviceId) || null;
const form = document.getElementById("today");
let services = [];

function renderServices() {
  const select = document.getElementById("service");
  const current = Number(select.value) || chosen;
  select.replaceChildren(
    ...services.map((service) => h("option", { value: String(service.id), selected: service.id === current }, localName(service))),
  );
}

async function start() {
  const sites = await api("/api/v1/sites");
  const site = sites.find((s) => s.id === siteId);
  document.getElementById("site-name").textContent = site?.name ?? "";
  services = (await api(`/api/v1/sites/${siteId}/services`)).filter((s) => s.open_now);
  renderServices();
  if (site && !site.open_now) showError(new Error(t("closed")));
}

onLanguageChange(renderServices);

form.addEventListener("submit", async (event) => {
  event.preventDefault();
  showError(null);
  const submit = form.querySelector("button[type=submit]");
  const body = {
    service_id: Number(form.elements.service_id.value),
    phone: form.elements.phone.value,
    language: language(),
  };
  if (form.elements.citizen_id.value.trim()) body.citizen_id = form.elements.citizen_id.value.trim();
  submit.disabled = true;
  submit.textContent = t("taking");
  try {
    const ticket = await api(`/api/v1/sites/${siteId}/remote-tickets`, { method: "POST", body });
    window.location.assign(new URL(ticket.status_url).pathname);
  } catch (error) {
    showError(error);
  } finally {
    submit.disabled = false;
    submit.textContent = t("take");
  }
});

start().catch(showError);
