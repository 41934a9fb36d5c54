// Opening hours as the site publishes them ({"mon": ["07:30-11:30", "13:30-17:00"], ...}), shown with the
// weekday names of the page's language (Thứ Hai … Chủ Nhật).

import { h } from "/static/luot/dom.js";
import { t } from "/static/luot/i18n.js";

const WEEKDAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];

/** Fill `container` with one row per weekday; an absent day is closed. */
export function renderHours(container, hours) {
  if (!hours || Object.keys(hours).length === 0) {
    container.replaceChildren(h("p", {}, t("hours.always")));
    return;
  }
  const days = WEEKDAYS.map((day) => {
    const open = Boolean(hours[day]?.length);
    return h(
      "div",
      { class: open ? null : "day-closed" },
      h("dt", {}, t(`day.${day}`)),
      h("dd", {}, open ? hours[day].join(", ").replaceAll("-", "–") : t("hours.closed")),
    );
  });
  container.replaceChildren(h("h3", {}, t("hours.title")), h("dl", {}, days));
}
