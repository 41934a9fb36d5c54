// Opening hours as the site publishes them ({"mon": ["07:30-11:30", "13:30-17:00"], ...}), shown with the
// weekday names of the page's language (Thứ Hai … Chủ Nhật).

import { t } from "/static/luot/i18n.js";

const WEEKDAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];

/** Fill `container` with one row per weekday; an absent day is closed. */
export function renderHours(container, hours) {
  const rows = [];
  if (!hours || Object.keys(hours).length === 0) {
    const row = document.createElement("p");
    row.textContent = t("hours.always");
    rows.push(row);
  } else {
    const title = document.createElement("h3");
    title.textContent = t("hours.title");
    rows.push(title);
    const table = document.createElement("dl");
    for (const day of WEEKDAYS) {
      const line = document.createElement("div");
      const name = document.createElement("dt");
      const periods = document.createElement("dd");
      name.textContent = t(`day.${day}`);
      periods.textContent = hours[day]?.length ? hours[day].join(", ").replaceAll("-", "–") : t("hours.closed");
      if (!hours[day]?.length) line.className = "day-closed";
      line.append(name, periods);
      table.append(line);
    }
    rows.push(table);
  }
  container.replaceChildren(...rows);
}
