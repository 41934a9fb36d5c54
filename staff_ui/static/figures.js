// The figures of a statistics report (GET …/stats) as tiles and tables: shared by the dashboard's
// history and the printable daily report.

import { minutes, t } from "/static/luot/i18n.js";
import { h } from "/static/luot/dom.js";

export const duration = (seconds) => (seconds === null || seconds === undefined ? "–" : minutes(seconds));
export const percent = (value) => (value === null || value === undefined ? "–" : `${value.toLocaleString(document.documentElement.lang)} %`);

/** "23/11/2026" from "2026-11-23". */
export function dmy(iso) {
  const [year, month, day] = iso.split("-");
  return `${day}/${month}/${year}`;
}

export function periodText(report) {
  return report.from === report.to ? dmy(report.from) : t("history.range", { from: dmy(report.from), to: dmy(report.to) });
}

export function kpis(container, report) {
  const tiles = [
    ["issued", report.issued],
    ["served", report.served],
    ["no_show", report.no_show],
    ["cancelled", report.cancelled],
    ["expired", report.expired ?? 0],
    ["wait_avg", duration(report.wait_s.avg)],
    ["wait_p50", duration(report.wait_s.p50)],
    ["wait_p90", duration(report.wait_s.p90)],
    ["wait_max", duration(report.wait_s.max)],
    ["service_avg", duration(report.service_s.avg)],
    ["service_p90", duration(report.service_s.p90)],
    ["within_target", percent(report.within_target_pct)],
  ];
  container.replaceChildren(
    ...tiles.map(([key, value]) =>
      h("div", { class: "kpi", dataset: { kpi: key } }, h("span", { class: "kpi-value" }, String(value)), h("span", { class: "kpi-label" }, t(`kpi.${key}`))),
    ),
  );
}

export function appointmentsText(report) {
  return t("kpi.appointments", report.appointments);
}

function table(element, headings, rows) {
  element.replaceChildren(
    h("thead", {}, h("tr", {}, headings.map((key) => h("th", { scope: "col" }, t(key))))),
    h("tbody", {}, rows.map((cells) => h("tr", {}, cells.map((cell, i) => (i === 0 ? h("th", { scope: "row" }, String(cell)) : h("td", {}, String(cell))))))),
  );
}

export function serviceTable(element, report) {
  table(
    element,
    ["table.service", "table.issued", "table.served", "kpi.no_show", "table.wait_avg", "kpi.wait_p90", "table.within", "table.service_avg"],
    report.by_service.map((s) => [s.name, s.issued, s.served, s.no_show, duration(s.wait_avg_s), duration(s.wait_p90_s), percent(s.within_target_pct), duration(s.service_avg_s)]),
  );
}

export function counterTable(element, report) {
  table(element, ["table.counter", "table.served", "table.service_avg"], report.by_counter.map((c) => [c.name, c.served, duration(c.service_avg_s)]));
}

export function clerkTable(element, report) {
  table(element, ["table.clerk", "table.served", "table.service_avg"], report.by_clerk.map((c) => [c.display_name || c.username, c.served, duration(c.service_avg_s)]));
}

export function hourTable(element, report) {
  table(element, ["chart.by_hour", "chart.arrivals", "chart.served"], report.by_hour.map((r) => [`${String(r.hour).padStart(2, "0")}:00`, r.arrivals, r.served]));
}
