// The printable daily report: /manage/report?site_id=…&day=YYYY-MM-DD (or ?commune=CODE&day=…), with the
// manager's token from this browser (signed in on /manage).

import { api } from "/static/luot/api.js";
import { apply, t } from "/static/luot/i18n.js";
import { $, say } from "/static/luot/dom.js";
import { session } from "/static/luot/session.js";
import { appointmentsText, clerkTable, counterTable, dmy, hourTable, kpis, serviceTable } from "./figures.js";
import { satisfactionTable } from "./satisfaction.js";

async function start() {
  apply();
  const query = new URLSearchParams(location.search);
  const day = query.get("day") ?? "";
  const commune = query.get("commune");
  const path = commune ? `/api/v1/communes/${encodeURIComponent(commune)}` : `/api/v1/sites/${Number(query.get("site_id"))}`;
  let report;
  try {
    report = await api(`${path}/stats?from=${day}&to=${day}`, { token: session.token });
  } catch (error) {
    say($("#report-message"), error.status === 403 ? t("forbidden") : error.message, "error");
    return;
  }
  const sites = await api("/api/v1/sites");
  const names = sites.filter((site) => report.site_ids.includes(site.id)).map((site) => site.name);
  $("#report-place").textContent = names.join(" · ");
  $("#report-day").textContent = dmy(report.from);
  kpis($("#report-kpis"), report);
  $("#report-appointments").textContent = appointmentsText(report);
  serviceTable($("#report-services"), report);
  hourTable($("#report-hours"), report);
  counterTable($("#report-counters"), report);
  clerkTable($("#report-clerks"), report);
  satisfactionTable($("#report-satisfaction"), report);
  $("#report-generated").textContent = t("report.generated", { time: new Date().toLocaleString(document.documentElement.lang) });
  document.body.dataset.ready = "true";
}

$("#report-print").addEventListener("click", () => window.print());
start();
