// Citizens' satisfaction on the manager's dashboard and the daily report: the live view's figures of the
// day with unsatisfied ratings flagged as they arrive (`rating.given`), and the history's table and chart
// of satisfaction against waiting time per service, counter and clerk. The response rate stands beside
// every score, so that a high score from few answers reads as what it is.

import { h } from "/static/luot/dom.js";
import { minutes, t } from "/static/luot/i18n.js";
import { labelOf, percent } from "./figures.js";

const score = (value) => (value === null || value === undefined ? "–" : value.toLocaleString(document.documentElement.lang, { minimumFractionDigits: 1, maximumFractionDigits: 2 }));
const wait = (seconds) => (seconds === null || seconds === undefined ? "–" : minutes(seconds));

/** "3,75 · 75 % hài lòng · 4/6 trả lời (66,7 %)". */
export function satisfactionText(s) {
  if (!s) return "–";
  return t("sat.summary", { avg: score(s.avg_score), satisfied: percent(s.satisfied_pct), ratings: s.ratings, served: s.served, rate: percent(s.response_rate_pct) });
}

/** Remember a rating given at the site; unsatisfied ones (1–2) stay flagged in the live view. */
export function noteRating(live, data) {
  live.ratings = [data.rating, ...(live.ratings ?? [])].slice(0, 20);
}

/** The live card's satisfaction block: today's figures, then the latest unsatisfied ratings. */
export function liveSatisfaction(live) {
  const flagged = (live.ratings ?? []).filter((r) => r.unsatisfied).slice(0, 5);
  const reasonName = (code) => live.reasons?.get(code) ?? code;
  return h(
    "section",
    { class: "live-satisfaction" },
    h("h3", {}, t("sat.title")),
    h("p", { class: "sat-today" }, satisfactionText(live.today?.satisfaction)),
    flagged.length
      ? h(
          "ul",
          { class: "alerts sat-alerts", role: "status" },
          flagged.map((r) =>
            h(
              "li",
              { class: "alert sat-alert", dataset: { ticket: r.ticket.number, score: r.score } },
              t("sat.unsatisfied", { number: r.ticket.number, score: r.score, clerk: r.clerk?.name || "–" }),
              r.reasons.length ? h("span", { class: "sat-reasons" }, ` — ${r.reasons.map(reasonName).join(", ")}`) : "",
            ),
          ),
        )
      : "",
  );
}

function rows(report) {
  return [
    ...report.by_service.map((s) => [t("sat.service"), labelOf(report, s), s.wait_avg_s, s.satisfaction]),
    ...report.by_counter.map((c) => [t("table.counter"), labelOf(report, c), null, c.satisfaction]),
    ...report.by_clerk.map((c) => [t("table.clerk"), c.display_name || c.username, null, c.satisfaction]),
  ];
}

/** The satisfaction table: per service, counter and clerk — wait, ratings, response rate, average,
 * distribution, satisfied %, unsatisfied. */
export function satisfactionTable(element, report) {
  const headings = ["sat.group", "sat.name", "table.wait_avg", "sat.ratings", "sat.response", "sat.avg", "sat.distribution", "sat.satisfied", "sat.unsatisfied_n"];
  const all = ["", t("sat.all"), report.wait_s.avg, report.satisfaction];
  element.replaceChildren(
    h("thead", {}, h("tr", {}, headings.map((key) => h("th", { scope: "col" }, t(key))))),
    h(
      "tbody",
      {},
      [all, ...rows(report)].map(([group, name, waitS, s]) =>
        h(
          "tr",
          { dataset: { name } },
          h("td", {}, group),
          h("th", { scope: "row" }, name),
          h("td", {}, wait(waitS)),
          h("td", {}, `${s.ratings}/${s.served}`),
          h("td", {}, percent(s.response_rate_pct)),
          h("td", { class: "sat-avg" }, score(s.avg_score)),
          h("td", { class: "sat-dist" }, [5, 4, 3, 2, 1].map((n) => `${n}★ ${s.distribution[n]}`).join(" · ")),
          h("td", {}, percent(s.satisfied_pct)),
          h("td", {}, String(s.unsatisfied)),
        ),
      ),
    ),
  );
}

/** Satisfaction against waiting time, one point per service (average wait, average score). */
export function satisfactionChart(canvas, report, charts) {
  if (!window.Chart) return;
  charts[canvas.id]?.destroy();
  const points = report.by_service
    .filter((s) => s.satisfaction.avg_score !== null && s.wait_avg_s !== null)
    .map((s) => ({ x: Math.round(s.wait_avg_s / 6) / 10, y: s.satisfaction.avg_score, label: labelOf(report, s) }));
  charts[canvas.id] = new window.Chart(canvas, {
    type: "scatter",
    data: { datasets: [{ label: t("sat.chart_points"), data: points, backgroundColor: "#b3261e", pointRadius: 7 }] },
    options: {
      responsive: true,
      maintainAspectRatio: false,
      animation: false,
      scales: {
        x: { title: { display: true, text: t("chart.wait_avg_min") }, beginAtZero: true },
        y: { title: { display: true, text: t("sat.avg") }, min: 1, max: 5 },
      },
      plugins: { tooltip: { callbacks: { label: (item) => `${item.raw.label}: ${item.raw.y} / ${item.raw.x} min` } } },
    },
  });
}
