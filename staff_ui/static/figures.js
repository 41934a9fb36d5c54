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

/** Whether the report covers several intake points (a commune's): then every service and counter is
 * labelled with its own. */
export function severalSites(report) {
  return (report.sites ?? []).length > 1;
}

/** The intake point of a service's or counter's row (its name), "" when the report covers one. */
export function siteOf(report, row) {
  if (!severalSites(report)) return "";
  return report.sites.find((site) => site.id === row.site_id)?.name ?? "";
}

/** A service's or counter's name with its intake point's code in a commune's report: "Hộ tịch (CB)". */
export function labelOf(report, row) {
  if (!severalSites(report)) return row.name;
  const site = report.sites.find((one) => one.id === row.site_id);
  return site ? `${row.name} (${site.code})` : row.name;
}

/** The rows with, in a commune's report, the intake point as a second column. */
function withSites(report, headings, rows, items) {
  if (!severalSites(report)) return [headings, rows];
  return [
    [headings[0], "table.site", ...headings.slice(1)],
    rows.map((cells, i) => [cells[0], siteOf(report, items[i]), ...cells.slice(1)]),
  ];
}

export function serviceTable(element, report) {
  const rows = report.by_service.map((s) => [s.name, s.issued, s.served, s.no_show, duration(s.wait_avg_s), duration(s.wait_p90_s), percent(s.within_target_pct), duration(s.service_avg_s)]);
  const headings = ["table.service", "table.issued", "table.served", "kpi.no_show", "table.wait_avg", "kpi.wait_p90", "table.within", "table.service_avg"];
  table(element, ...withSites(report, headings, rows, report.by_service));
}

export function counterTable(element, report) {
  const rows = report.by_counter.map((c) => [c.name, c.served, duration(c.service_avg_s)]);
  table(element, ...withSites(report, ["table.counter", "table.served", "table.service_avg"], rows, report.by_counter));
}

export function clerkTable(element, report) {
  table(element, ["table.clerk", "table.served", "table.service_avg"], report.by_clerk.map((c) => [c.display_name || c.username, c.served, duration(c.service_avg_s)]));
}

export function hourTable(element, report) {
  table(element, ["chart.by_hour", "chart.arrivals", "chart.served"], report.by_hour.map((r) => [`${String(r.hour).padStart(2, "0")}:00`, r.arrivals, r.served]));
}
