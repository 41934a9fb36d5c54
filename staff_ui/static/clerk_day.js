// The printable daily sheet of each clerk: /manage/clerk-day?site_id=…&day=YYYY-MM-DD (&user_id=… for one),
// from the stats' `time` of each clerk (exact seconds, docs/stats.md), one page of paper per clerk.

import { api } from "/static/luot/api.js";
import { $, h, say } from "/static/luot/dom.js";
import { apply, t } from "/static/luot/i18n.js";
import { session } from "/static/luot/session.js";
import { dmy, duration } from "./figures.js";

const REASONS = ["break", "meeting", "away", "system", "other"];

/** "1:05:09" — hours, minutes and seconds, exact. */
export function hms(seconds) {
  const s = Math.max(0, Math.round(seconds ?? 0));
  const two = (n) => String(n).padStart(2, "0");
  return `${Math.floor(s / 3600)}:${two(Math.floor((s % 3600) / 60))}:${two(s % 60)}`;
}

function share(part, whole) {
  return whole ? `${((1000 * part) / whole / 10).toFixed(1)} %` : "–";
}

function sheet(place, day, clerk) {
  const time = clerk.time;
  const rows = [
    ["serving", time.serving_s],
    ["walking", time.walking_s],
    ["wrap_up", time.wrap_up_s],
    ["paused", time.paused_s],
    ...REASONS.map((reason) => [`paused.${reason}`, time.paused_by_reason[reason] ?? 0]),
    ["idle", time.idle_s],
    ["available", time.available_s],
  ];
  return h(
    "section",
    { class: "sheet clerk-sheet", dataset: { userId: clerk.user_id, username: clerk.username } },
    h(
      "header",
      { class: "sheet-head" },
      h("p", { class: "place" }, place),
      h("h1", {}, `${t("clerkday.title")} — ${clerk.display_name || clerk.username}`),
      h("p", {}, dmy(day)),
    ),
    h(
      "dl",
      { class: "kpis" },
      h("div", { class: "kpi" }, h("dd", { class: "kpi-value clerk-served" }, String(clerk.served)), h("dt", { class: "kpi-label" }, t("table.served"))),
      h("div", { class: "kpi" }, h("dd", { class: "kpi-value" }, duration(clerk.service_avg_s)), h("dt", { class: "kpi-label" }, t("table.service_avg"))),
      h("div", { class: "kpi" }, h("dd", { class: "kpi-value clerk-on-duty" }, hms(time.on_duty_s)), h("dt", { class: "kpi-label" }, t("clerkday.on_duty"))),
    ),
    h(
      "table",
      { class: "figures-table time-table" },
      h("thead", {}, h("tr", {}, ["clerkday.part", "clerkday.time", "clerkday.share"].map((key) => h("th", { scope: "col" }, t(key))))),
      h(
        "tbody",
        {},
        rows.map(([key, seconds]) =>
          h(
            "tr",
            { class: key.startsWith("paused.") ? "sub" : "", dataset: { part: key } },
            h("th", { scope: "row" }, t(`time.${key}`)),
            h("td", { class: "seconds", dataset: { seconds: String(seconds) } }, hms(seconds)),
            h("td", {}, share(seconds, time.on_duty_s)),
          ),
        ),
      ),
    ),
    h("p", { class: "hint" }, t("clerkday.definitions")),
    h("footer", { class: "signature" }, h("span", {}, t("clerkday.clerk_signs")), h("span", {}, t("clerkday.manager_signs"))),
  );
}

async function start() {
  apply();
  const query = new URLSearchParams(location.search);
  const day = query.get("day") ?? "";
  const siteId = Number(query.get("site_id"));
  const only = query.get("user_id");
  let report;
  try {
    report = await api(`/api/v1/sites/${siteId}/stats?from=${day}&to=${day}`, { token: session.token });
  } catch (error) {
    say($("#clerk-day-message"), error.status === 403 ? t("forbidden") : error.message, "error");
    return;
  }
  const site = (await api("/api/v1/sites")).find((s) => s.id === siteId);
  const clerks = report.by_clerk.filter((c) => c.time && (!only || String(c.user_id) === only));
  const sheets = clerks.map((clerk) => sheet(site?.name ?? "", report.from, clerk));
  $("#clerk-day-sheets").replaceChildren(...(sheets.length ? sheets : [h("p", { class: "sheet empty" }, t("empty"))]));
  document.body.dataset.ready = "true";
}

$("#clerk-day-print").addEventListener("click", () => window.print());
start();
