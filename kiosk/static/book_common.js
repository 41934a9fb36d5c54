// What the booking page and the private appointment page share: error notices, date and time formatting,
// and the day-and-time picker.

import { api } from "/static/luot/api.js";
import { h } from "/static/luot/dom.js";
import { clock, language, onLanguageChange, t } from "/static/luot/i18n.js";

export function showError(error) {
  const box = document.getElementById("error");
  box.hidden = !error;
  box.textContent = error ? error.message || String(error) : "";
  if (error) box.scrollIntoView({ block: "center", behavior: "smooth" });
}

const locale = () => (language() === "en" ? "en-GB" : "vi-VN");

/** "T2, 23/11" / "Mon 23/11" for a YYYY-MM-DD date. */
export function dayLabel(isoDate, { long = false } = {}) {
  const [y, m, d] = isoDate.split("-").map(Number);
  const options = long
    ? { weekday: "long", day: "numeric", month: "numeric", year: "numeric", timeZone: "UTC" }
    : { weekday: "short", day: "2-digit", month: "2-digit", timeZone: "UTC" };
  return new Intl.DateTimeFormat(locale(), options).format(new Date(Date.UTC(y, m - 1, d)));
}

export const dateOf = (iso) => iso.slice(0, 10);

/** "08:30, thứ Hai 23/11/2026" */
export function whenLabel(start) {
  return `${clock(start)}, ${dayLabel(dateOf(start), { long: true })}`;
}

export const localName = (thing, key = "name") =>
  language() === "en" && thing[`${key}_en`] ? thing[`${key}_en`] : thing[key];

/**
 * The day strip and the slot grid of one service at one site. onPick(slot) is called with the chosen
 * slot ({start, end, capacity, available}); reload() fetches again (after a conflict).
 */
let pickers = 0;

export function createPicker(container, { siteId, serviceId, onPick }) {
  let days = [];
  let chosenDay = null;
  // A newer picker may take over the same container while this one still waits for the server.
  const id = String((pickers += 1));
  container.dataset.picker = id;
  container.dataset.site = String(siteId);
  const current = () => container.dataset.picker === id;
  container.replaceChildren(h("p", {}, t("loading")));
  // Groups of toggle buttons (aria-pressed): a button cannot be a list item, so no list roles here.
  const strip = h("div", { class: "days", role: "group", "aria-label": t("step.time") });
  const grid = h("div", { class: "slots", role: "group", "aria-label": t("step.time") });

  async function loadDays() {
    days = await api(`/api/v1/sites/${siteId}/slot-days?service_id=${serviceId}`);
    if (!current()) return;
    const first = days.find((d) => d.available > 0);
    chosenDay = chosenDay && days.some((d) => d.date === chosenDay && d.open) ? chosenDay : first?.date ?? null;
    container.replaceChildren(strip, grid);
    renderDays();
    await loadSlots();
  }

  function renderDays() {
    strip.replaceChildren(
      ...days.map((day) => {
        const note = !day.open ? day.holiday || t("closed_day") : day.available ? t("free_places", { n: day.available }) : t("full_day");
        const button = h("button", {
          type: "button",
          class: "day",
          "data-date": day.date,
          "aria-pressed": String(day.date === chosenDay),
          disabled: !day.open || !day.available,
        });
        button.append(h("strong", {}, dayLabel(day.date)), h("small", {}, note));
        button.addEventListener("click", () => {
          chosenDay = day.date;
          renderDays();
          loadSlots();
        });
        return button;
      }),
    );
    strip.querySelector("[aria-pressed=true]")?.scrollIntoView({ inline: "center", block: "nearest" });
  }

  async function loadSlots() {
    if (!chosenDay) {
      grid.replaceChildren(h("p", {}, t("no_slots")));
      return;
    }
    const slots = await api(`/api/v1/sites/${siteId}/slots?service_id=${serviceId}&date=${chosenDay}`);
    if (!current()) return;
    if (!slots.some((s) => s.available > 0)) {
      grid.replaceChildren(h("p", {}, t("no_slots")));
      return;
    }
    grid.replaceChildren(
      ...slots.map((slot) => {
        const button = h("button", {
          type: "button",
          class: "slot",
          "aria-pressed": "false",
          "data-start": slot.start,
          disabled: slot.available < 1,
        });
        button.append(clock(slot.start));
        if (slot.available < 1) button.append(h("small", {}, t("full")));
        button.addEventListener("click", () => {
          for (const other of grid.querySelectorAll(".slot")) other.setAttribute("aria-pressed", "false");
          button.setAttribute("aria-pressed", "true");
          onPick(slot);
        });
        return button;
      }),
    );
  }

  onLanguageChange(() => current() && days.length && renderDays());
  const ready = loadDays().catch(showError);
  return { ready, reload: () => loadDays().catch(showError) };
}
