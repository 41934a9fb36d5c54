// The public booking page: procedure → intake point (address, earliest free time, today's wait) →
// day and time → name and phone. A booking opens the private page of the appointment.

import { api } from "/static/luot/api.js";
import { h } from "/static/luot/dom.js";
import { apply, clock, language, minutes, onLanguageChange, t } from "/static/luot/i18n.js";
import { languageSwitch } from "/static/luot/language.js";
import { fieldProblems, serverProblems, showFieldProblems } from "./book_fields.js";
import { createPicker, dayLabel, dateOf, localName, showError, whenLabel } from "./book_common.js";

apply();
languageSwitch();

const state = { commune: document.body.dataset.commune || null, service: null, site: null, slot: null, sites: [] };
const $ = (id) => document.getElementById(id);

function show(step, visible = true) {
  $(`step-${step}`).hidden = !visible;
}

function setChosen(step, text) {
  const chosen = $(`chosen-${step}`);
  chosen.hidden = !text;
  chosen.textContent = text || "";
  document.querySelector(`[data-back=${step}]`).hidden = !text;
}

async function start() {
  const sites = await api("/api/v1/sites");
  const communes = [...new Map(sites.map((s) => [s.commune.code, s.commune])).values()];
  if (!state.commune && communes.length > 1) {
    show("commune");
    $("communes").replaceChildren(
      ...communes.map((commune) => {
        const button = h("button", { type: "button", class: "choice" }, commune.name);
        button.addEventListener("click", () => {
          state.commune = commune.code;
          show("commune", false);
          loadServices().catch(showError);
        });
        return button;
      }),
    );
    show("service", false);
    return;
  }
  state.commune = state.commune || communes[0]?.code || null;
  $("commune-name").textContent = communes.find((c) => c.code === state.commune)?.name ?? "";
  await loadServices();
}

async function loadServices() {
  show("service");
  const query = state.commune ? `?commune=${state.commune}` : "";
  const services = await api(`/api/v1/booking/services${query}`);
  if (!services.length) {
    $("services").replaceChildren(h("p", { class: "notice" }, t("no_services")));
    return;
  }
  const render = () =>
    $("services").replaceChildren(
      ...services.map((service) => {
        const button = h("button", { type: "button", class: "choice", "data-service": service.code });
        button.append(h("strong", {}, localName(service)));
        if (language() === "vi" && service.name_en) button.append(h("small", {}, service.name_en));
        button.addEventListener("click", () => chooseService(service));
        return button;
      }),
    );
  render();
  onLanguageChange(() => !state.service && render());
}

async function chooseService(service) {
  state.service = service;
  $("services").hidden = true;
  setChosen("service", localName(service));
  show("site");
  $("sites").replaceChildren(h("p", {}, t("loading")));
  const query = new URLSearchParams({ service_code: service.code, ...(state.commune ? { commune: state.commune } : {}) });
  state.sites = await api(`/api/v1/booking/sites?${query}`);
  renderSites();
  $("step-site").scrollIntoView({ behavior: "smooth" });
}

function renderSites() {
  $("sites").replaceChildren(
    ...state.sites.map((site) => {
      const card = h("article", { class: "site", "data-site": site.code });
      card.append(h("h3", {}, localName(site)), h("p", { class: "address" }, site.address));
      const earliest = site.earliest
        ? `${t("earliest")}: ${clock(site.earliest.start)}, ${dayLabel(dateOf(site.earliest.start))}`
        : t("no_free_slot");
      card.append(h("p", { class: "earliest" }, earliest));
      const wait = site.waiting
        ? t("waiting_today", { n: site.waiting, minutes: minutes(site.estimated_wait_s) })
        : t("nobody_waiting");
      card.append(h("p", { class: "wait" }, wait));
      const button = h("button", { type: "button", class: "primary", disabled: !site.earliest }, t("choose"));
      button.addEventListener("click", () => chooseSite(site));
      card.append(button);
      // or join today's queue before arriving (a remote ticket)
      card.append(h("a", { class: "button today", href: `/today/${site.site_id}?service=${site.service_id}` }, t("book.today")));
      return card;
    }),
  );
}
onLanguageChange(() => state.sites.length && !state.site && renderSites());

function chooseSite(site) {
  state.site = site;
  $("sites").hidden = true;
  setChosen("site", `${localName(site)} — ${site.address}`);
  show("time");
  createPicker($("picker"), { siteId: site.site_id, serviceId: site.service_id, onPick: chooseSlot });
  $("step-time").scrollIntoView({ behavior: "smooth" });
}

function chooseSlot(slot) {
  state.slot = slot;
  setChosen("time", whenLabel(slot.start));
  $("picker").hidden = true;
  show("details");
  $("details").elements.name.focus();
}

for (const button of document.querySelectorAll("[data-back]")) {
  button.addEventListener("click", () => {
    const step = button.dataset.back;
    const later = ["service", "site", "time"].slice(["service", "site", "time"].indexOf(step));
    for (const name of later) setChosen(name, "");
    if (step === "service") {
      state.service = state.site = state.slot = null;
      $("services").hidden = false;
      show("site", false);
    }
    if (step === "site" || step === "service") {
      state.site = state.slot = null;
      $("sites").hidden = false;
      show("time", false);
    }
    $("picker").hidden = false;
    state.slot = null;
    show("details", false);
  });
}

$("details").addEventListener("submit", async (event) => {
  event.preventDefault();
  showError(null);
  const form = event.target;
  if (showFieldProblems(form, fieldProblems(form))) {
    showError({ message: t("field.summary") });
    return;
  }
  const submit = form.querySelector("button[type=submit]");
  const body = {
    site_id: state.site.site_id,
    service_id: state.site.service_id,
    start: state.slot.start,
    name: form.elements.name.value,
    phone: form.elements.phone.value,
    language: language(),
  };
  if (form.elements.citizen_id.value.trim()) body.citizen_id = form.elements.citizen_id.value.trim();
  if (form.elements.email.value.trim()) body.email = form.elements.email.value.trim();
  submit.disabled = true;
  submit.textContent = t("booking");
  try {
    const booked = await api("/api/v1/appointments", { method: "POST", body });
    const url = new URL(booked.manage_url);
    window.location.assign(`${url.pathname}${url.search}&new=1${language() === "en" ? "&lang=en" : ""}`);
  } catch (error) {
    showError(showFieldProblems(form, serverProblems(error)) ? { message: t("field.summary") } : error);
    if (error.status === 409) {
      // Someone took the time first: offer the day again.
      setChosen("time", "");
      $("picker").hidden = false;
      createPicker($("picker"), { siteId: state.site.site_id, serviceId: state.site.service_id, onPick: chooseSlot });
    }
  } finally {
    submit.disabled = false;
    submit.textContent = t("book");
  }
});

start().catch(showError);
